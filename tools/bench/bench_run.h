// One benchmark run: N emulators, N rtmssrc pipelines in this process, a
// start-up phase, a fixed steady-state window, then the natural end of every
// meeting so that what was sent can be compared with what arrived.
#pragma once

#include "options.h"
#include "profile.h"
#include "run_result.h"

namespace bench {

// Seconds between the first and the last stream's first buffer that a run
// allows (the meetings are made long enough for it).
int start_spread_s(int streams);
// Seconds every stream may take to deliver its first buffer, measured from
// the first pipeline going to PLAYING.
int default_startup_timeout_s(const Profile &profile, int streams);

RunResult run_bench(const Options &options, const Profile &profile);

// --pin: the CPU the emulators get (the last one; -1 on one CPU), and
// keeping this process (and the threads it starts later) off it.
int pin_cpu_for_emulators();
void pin_bench_away_from_emulators();

// Each stream holds several descriptors (sockets, a bus, wakeup fds) and each
// emulator a pipe: large N needs more than the usual soft limit, so it is
// raised to the hard one.
void raise_fd_limit();

// Set from a SIGINT/SIGTERM handler on the main context: every wait stops.
void request_stop();

}  // namespace bench
