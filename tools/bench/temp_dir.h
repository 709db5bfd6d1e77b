// A private temporary directory, removed with everything in it on scope exit
// (unless kept for inspection).
#pragma once

#include <string>

namespace bench {

class TempDir {
 public:
  TempDir();  // path() is empty if it could not be made
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  const std::string &path() const { return path_; }
  void keep() { keep_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
};

// Writes `text` to `path`; false on failure.
bool write_file(const std::string &path, const std::string &text);

}  // namespace bench
