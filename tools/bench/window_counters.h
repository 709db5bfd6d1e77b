// Counters shared by every stream, filled from the pads' streaming threads.
// Only buffers that reach a pad while the measurement window is open count,
// so start-up (connections, handshakes, pad creation) stays out of the
// steady-state figures.
#pragma once

#include <atomic>
#include <cstdint>

#include "latency_histogram.h"

namespace bench {

struct WindowCounters {
  std::atomic<bool> open{false};
  std::atomic<uint64_t> buffers{0};
  std::atomic<uint64_t> bytes{0};
  tools::LatencyHistogram latency;
};

}  // namespace bench
