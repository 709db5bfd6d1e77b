// The GOption parsing that rtms-bench (options.cpp) and rtms-floor share.
#pragma once

#include <glib.h>

namespace bench {

// Parses *argc/*argv against entries (the table ends with a null entry),
// leaving what no option took in them. --help prints "PROGRAM [OPTION…]
// SUMMARY" and the entries, and exits. On an error: "PROGRAM: message" on
// stderr and false.
bool parse_command_line(const char *program, const char *summary, const GOptionEntry *entries, int *argc,
                        char ***argv);

}  // namespace bench
