#include "log.h"

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

}  // namespace

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
