// What every fuzz target uses to report a broken property: print what was
// expected and abort, so libFuzzer saves the input as a crash artifact.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace fuzz {

[[noreturn]] inline void fail(const char *file, int line, const char *what, const std::string &detail) {
  std::fprintf(stderr, "\n==fuzz== property broken at %s:%d: %s\n", file, line, what);
  if (!detail.empty()) std::fprintf(stderr, "==fuzz== %s\n", detail.c_str());
  std::fflush(stderr);
  std::abort();
}

// Printable form of bytes for failure messages (at most 200 of them).
inline std::string printable(std::string_view bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size() && i < 200; i++) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  if (bytes.size() > 200) out += "...";
  return out;
}

}  // namespace fuzz

#define FUZZ_CHECK(cond, detail)                                        \
  do {                                                                  \
    if (!(cond)) ::fuzz::fail(__FILE__, __LINE__, #cond, (detail));     \
  } while (0)
