#include "log.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <mutex>

namespace tools {
namespace {

std::mutex log_lock;  // guards program_name and each line's write
std::string program_name;
std::atomic<bool> verbose_on{false};

// The whole line in one write(2) (a short write or EINTR goes on with the rest).
void write_all(const std::string &line) {
  const char *data = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to log to
    data += n;
    left -= size_t(n);
  }
}

void vlog(const char *level, const char *format, va_list args) {
  gint64 now_us = g_get_real_time();
  time_t seconds = time_t(now_us / G_USEC_PER_SEC);
  struct tm local;
  localtime_r(&seconds, &local);
  char stamp[16];
  strftime(stamp, sizeof stamp, "%H:%M:%S", &local);
  char millis[8];
  g_snprintf(millis, sizeof millis, ".%03d", int((now_us / 1000) % 1000));
  g_autofree gchar *text = g_strdup_vprintf(format, args);
  std::lock_guard<std::mutex> guard(log_lock);
  const char *program = !program_name.empty() ? program_name.c_str() : g_get_prgname();
  std::string line = std::string(program ? program : "rtms") + " " + stamp + millis + " " + level + ": " + text + "\n";
  write_all(line);
}

bool dangerous(gunichar c) {
  return (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029 || c == 0x200e || c == 0x200f ||
         (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0xfeff;
}

}  // namespace

void log_set_program(const char *name) {
  std::lock_guard<std::mutex> guard(log_lock);
  program_name = name ? name : "";
}

void log_set_verbose(bool verbose) { verbose_on.store(verbose, std::memory_order_relaxed); }
bool log_verbose() { return verbose_on.load(std::memory_order_relaxed); }

#define DEFINE_LOG(name, level, when)   \
  void name(const char *format, ...) {  \
    if (!(when)) return;                \
    va_list args;                       \
    va_start(args, format);             \
    vlog(level, format, args);          \
    va_end(args);                       \
  }

DEFINE_LOG(log_info, "INFO", true)
DEFINE_LOG(log_warning, "WARNING", true)
DEFINE_LOG(log_error, "ERROR", true)
DEFINE_LOG(log_debug, "DEBUG", log_verbose())

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

}  // namespace tools
