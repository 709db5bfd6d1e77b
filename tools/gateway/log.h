// Logging to stderr with a time stamp and a level. stdout is kept for the
// machine-readable ready line. Callers never pass secrets or signatures.
#pragma once

#include <string>
#include <string_view>

#include <glib.h>

namespace gateway {

void log_info(const char *format, ...) G_GNUC_PRINTF(1, 2);
void log_warning(const char *format, ...) G_GNUC_PRINTF(1, 2);
void log_error(const char *format, ...) G_GNUC_PRINTF(1, 2);

// Every externally supplied string (webhook ids and events, URLs, request
// paths, methods and headers, reasons, error texts that may quote them) goes
// through this before it reaches a log line, so nobody can forge log lines or
// drive the terminal: control characters (C0, DEL, C1), backslash, line and
// paragraph separators and bidi controls are escaped (\n, \t, \\, \xNN,
// \u{XXXX}); bytes that are not UTF-8 become \xNN. Longer than max_bytes, it
// is cut and says how long it was.
std::string log_safe(std::string_view text, size_t max_bytes = 256);

}  // namespace gateway
