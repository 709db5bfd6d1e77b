// The figures of one run, as printed in the table (report.*) and passed from
// a scaling child to its parent as JSON.
#pragma once

#include <cstdint>
#include <string>

namespace bench {

struct RunResult {
  bool ok = false;
  std::string failure;  // why the run did not complete; figures may be partial
  std::string profile;
  bool tls = false;
  int streams = 0;
  double window_s = 0;        // steady-state window actually measured
  uint64_t messages = 0;      // buffers at the pads during the window
  uint64_t bytes = 0;
  double cpu_s = 0;           // bench process user+sys during the window
  double emulator_cpu_s = 0;  // all emulators, same window
  int64_t emulator_peak_rss_kib = 0;  // largest VmHWM of one emulator
  // How late the emulators' send timers ran in the window (worst emulator);
  // part of the latency above is this. runs == 0: not reported.
  int64_t emulator_timer_runs = 0;
  int64_t emulator_late_p50_us = 0, emulator_late_p99_us = 0, emulator_late_max_us = 0;
  int64_t latency_p50_us = 0, latency_p99_us = 0, latency_max_us = 0;
  uint64_t latency_samples = 0, latency_negative = 0;
  int64_t rss_baseline_kib = 0, rss_peak_kib = 0;
  int64_t first_buffer_p50_us = 0, first_buffer_max_us = 0;
  int64_t sent = 0, received = 0, lost = 0;  // whole run, all streams
  int streams_losing = 0;                    // streams with lost > 0
  int64_t worst_stream_lost = 0;
  unsigned warnings = 0;

  double messages_per_s() const { return window_s > 0 ? double(messages) / window_s : 0; }
  double mbytes_per_s() const { return window_s > 0 ? double(bytes) / window_s / 1e6 : 0; }
  double cpu_per_stream_second() const { return window_s > 0 && streams ? cpu_s / window_s / streams : 0; }
  double cpu_us_per_message() const { return messages ? cpu_s * 1e6 / double(messages) : 0; }
  // The emulators' CPU per message received in the window (they sent about
  // as many in that time).
  double emulator_us_per_message() const { return messages ? emulator_cpu_s * 1e6 / double(messages) : 0; }
  double rss_per_stream_mib() const {
    return streams ? double(rss_peak_kib - rss_baseline_kib) / 1024.0 / streams : 0;
  }
};

}  // namespace bench
