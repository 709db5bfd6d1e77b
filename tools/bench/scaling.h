// --scaling: one child rtms-bench per N (so that each N starts from a clean
// process and its own RSS baseline), rows printed as they come, stopping at
// the first N that misses the latency bound, loses a buffer or fails.
#pragma once

#include <vector>

#include "options.h"

namespace bench {

// The sequence 1, 10, 50, 100, 200, then doubling, up to `cap`.
std::vector<int> scaling_steps(int cap);

// Exit code of the program.
int run_scaling(const Options &options, const char *self_path);

}  // namespace bench
