// CPU time and memory figures read from the kernel.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace bench {

// user + sys CPU seconds of this process, all threads (getrusage).
double self_cpu_seconds();
// user + sys CPU seconds of another process (/proc/<pid>/stat, clock ticks);
// -1 when it cannot be read (the process is gone).
double process_cpu_seconds(pid_t pid);
// VmHWM (peak resident set) of a process in KiB, from /proc/<pid>/status;
// -1 when it cannot be read. pid 0 means this process.
int64_t peak_rss_kib(pid_t pid = 0);
// Wall clock in microseconds since the epoch: the clock the emulator stamps
// media with.
int64_t wall_us();
// Monotonic microseconds, for intervals.
int64_t mono_us();
// Which machine this is, for the figures' header: CPU model (/proc/cpuinfo),
// online CPUs, the CPUs this process may run on, and the load average, e.g.
// "AMD EPYC, 2 CPUs online (2 usable), load 0.42 0.37 0.30". Figures from
// two machines are not comparable; ratios within one run are.
std::string machine_description();

}  // namespace bench
