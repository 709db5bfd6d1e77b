#include "log.h"

#include <cstdarg>
#include <cstdio>

namespace emulator {
namespace {

bool g_verbose = false;

void emit(const char *level, const char *format, va_list args) {
  // Wall-clock time with ms, so logs line up with the client's own logs.
  gint64 now_us = g_get_real_time();
  time_t seconds = static_cast<time_t>(now_us / G_USEC_PER_SEC);
  struct tm local;
  localtime_r(&seconds, &local);
  char stamp[32];
  strftime(stamp, sizeof stamp, "%H:%M:%S", &local);
  fprintf(stderr, "rtms-emulator %s.%03d %s: ", stamp,
          static_cast<int>((now_us / 1000) % 1000), level);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  fflush(stderr);
}

}  // namespace

void set_verbose(bool verbose) { g_verbose = verbose; }
bool verbose() { return g_verbose; }

void log_info(const char *format, ...) {
  va_list args;
  va_start(args, format);
  emit("info", format, args);
  va_end(args);
}

void log_warning(const char *format, ...) {
  va_list args;
  va_start(args, format);
  emit("WARN", format, args);
  va_end(args);
}

void log_error(const char *format, ...) {
  va_list args;
  va_start(args, format);
  emit("ERROR", format, args);
  va_end(args);
}

void log_debug(const char *format, ...) {
  if (!g_verbose) return;
  va_list args;
  va_start(args, format);
  emit("debug", format, args);
  va_end(args);
}

}  // namespace emulator
