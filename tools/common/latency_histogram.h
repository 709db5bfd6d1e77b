// A lock-free latency histogram: the bench records wire-to-pad latency into
// it from every pad's streaming thread, the emulator how late its timers run.
// Log-linear buckets (32 per power of two, so about 3 % wide) keep it small
// and fixed in size: recording never allocates (the bench allocates it
// before its RSS baseline, so latencies do not inflate the memory figures).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace tools {

class LatencyHistogram {
 public:
  void record(int64_t us);
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  uint64_t negatives() const { return negatives_.load(std::memory_order_relaxed); }
  int64_t max() const { return max_.load(std::memory_order_relaxed); }
  // The upper edge of the bucket holding the q-quantile (0 < q <= 1), capped
  // at the exact maximum; 0 when empty.
  int64_t quantile(double q) const;

 private:
  static constexpr int kLinear = 64;  // values below this get 1 us buckets
  static constexpr int kSub = 32;
  static constexpr int kBuckets = kLinear + (40 - 6 + 1) * kSub;
  static int index_of(int64_t us);
  static int64_t upper_edge(int index);

  std::array<std::atomic<uint64_t>, kBuckets> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> negatives_{0};
  std::atomic<int64_t> max_{0};
};

}  // namespace tools
