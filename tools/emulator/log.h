// Logging to stderr. stdout is reserved for the machine-readable event
// lines (ready, done) that tests parse, so nothing else may go there.
#pragma once

#include <glib.h>

namespace emulator {

void log_info(const char *format, ...) G_GNUC_PRINTF(1, 2);
void log_warning(const char *format, ...) G_GNUC_PRINTF(1, 2);
void log_error(const char *format, ...) G_GNUC_PRINTF(1, 2);

// Turns on per-packet and per-message tracing (--verbose).
void set_verbose(bool verbose);
bool verbose();
void log_debug(const char *format, ...) G_GNUC_PRINTF(1, 2);

}  // namespace emulator
