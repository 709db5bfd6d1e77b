// The tools' log (rtms-emulator, rtms-gateway): one line per call on stderr,
// "<program> HH:MM:SS.mmm LEVEL: text", local time with milliseconds so the
// lines sort in with the client's own. stdout is reserved for the tools'
// machine-readable lines (ready, done; see status_line.h), so nothing here
// ever writes there. Thread-safe: each line is formatted first and written
// with one write(2) under a lock, so lines from streaming threads never
// interleave. Callers never pass secrets or signatures, and pass every
// externally supplied string through log_safe.
#pragma once

#include <string>
#include <string_view>

#include <glib.h>

namespace tools {

// The name each line starts with (default: GLib's program name).
void log_set_program(const char *name);

void log_info(const char *format, ...) G_GNUC_PRINTF(1, 2);
void log_warning(const char *format, ...) G_GNUC_PRINTF(1, 2);
void log_error(const char *format, ...) G_GNUC_PRINTF(1, 2);

// DEBUG lines (per packet, per message) are written only once verbose is on.
void log_set_verbose(bool verbose);
bool log_verbose();
void log_debug(const char *format, ...) G_GNUC_PRINTF(1, 2);

// Every externally supplied string (webhook ids and events, URLs, request
// paths, methods and headers, reasons, error texts that may quote them) goes
// through this before it reaches a log line, so nobody can forge log lines or
// drive the terminal: control characters (C0, DEL, C1), backslash, line and
// paragraph separators and bidi controls are escaped (\n, \t, \\, \xNN,
// \u{XXXX}); bytes that are not UTF-8 become \xNN. Longer than max_bytes, it
// is cut and says how long it was.
std::string log_safe(std::string_view text, size_t max_bytes = 256);

}  // namespace tools
