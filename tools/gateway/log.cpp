#include "log.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <mutex>

namespace gateway {

namespace {

std::mutex log_lock;

void vlog(const char *level, const char *format, va_list args) {
  g_autoptr(GDateTime) now = g_date_time_new_now_local();
  g_autofree gchar *stamp = g_date_time_format(now, "%H:%M:%S");
  int ms = g_date_time_get_microsecond(now) / 1000;
  g_autofree gchar *text = g_strdup_vprintf(format, args);
  {
    // Pad-added handlers log from streaming threads.
    std::lock_guard<std::mutex> guard(log_lock);
    std::fprintf(stderr, "rtms-gateway %s.%03d %s: %s\n", stamp, ms, level, text);
    std::fflush(stderr);
  }
}

bool dangerous(gunichar c) {
  return (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029 || c == 0x200e || c == 0x200f ||
         (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0xfeff;
}

}  // namespace

std::string log_safe(std::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + 8);
  char escape[16];
  size_t i = 0;
  for (; i < text.size() && out.size() < max_bytes;) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\\': out += "\\\\"; break;
        default:
          if (c < 0x20 || c == 0x7f) {
            g_snprintf(escape, sizeof escape, "\\x%02x", c);
            out += escape;
          } else {
            out += char(c);
          }
      }
      i++;
      continue;
    }
    gunichar u = g_utf8_get_char_validated(text.data() + i, gssize(text.size() - i));
    if (u == gunichar(-1) || u == gunichar(-2)) {
      g_snprintf(escape, sizeof escape, "\\x%02x", c);
      out += escape;
      i++;
      continue;
    }
    size_t len = size_t(g_utf8_skip[c]);
    if (dangerous(u)) {
      g_snprintf(escape, sizeof escape, "\\u{%04x}", u);
      out += escape;
    } else {
      out.append(text.data() + i, len);
    }
    i += len;
  }
  if (i < text.size()) out += "...(" + std::to_string(text.size()) + " bytes)";
  return out;
}

#define DEFINE_LOG(name, level)         \
  void name(const char *format, ...) {  \
    va_list args;                       \
    va_start(args, format);             \
    vlog(level, format, args);          \
    va_end(args);                       \
  }

DEFINE_LOG(log_info, "INFO")
DEFINE_LOG(log_warning, "WARNING")
DEFINE_LOG(log_error, "ERROR")

}  // namespace gateway
