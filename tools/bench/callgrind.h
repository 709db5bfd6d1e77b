// Valgrind's callgrind client requests where its header is installed, no-ops
// elsewhere: under valgrind --tool=callgrind, rtms-bench and rtms-floor zero
// the counts when their window opens and dump them when it closes.
#pragma once

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(name)
#endif
