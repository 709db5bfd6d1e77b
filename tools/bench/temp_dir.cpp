#include "temp_dir.h"

#include <filesystem>
#include <fstream>

#include "common/gst_gref.h"

namespace bench {

TempDir::TempDir() {
  auto made = rtms::adopt(g_dir_make_tmp("rtms-bench-XXXXXX", nullptr));
  if (made) path_ = made.get();
}

TempDir::~TempDir() {
  if (path_.empty() || keep_) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

bool write_file(const std::string &path, const std::string &text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return bool(out.flush());
}

}  // namespace bench
