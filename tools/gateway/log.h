// Logging to stderr with a time stamp and a level. stdout is kept for the
// machine-readable ready line. Callers never pass secrets or signatures.
#pragma once

#include <glib.h>

namespace gateway {

void log_info(const char *format, ...) G_GNUC_PRINTF(1, 2);
void log_warning(const char *format, ...) G_GNUC_PRINTF(1, 2);
void log_error(const char *format, ...) G_GNUC_PRINTF(1, 2);

}  // namespace gateway
