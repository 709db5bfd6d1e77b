#include "latency_histogram.h"

#include <algorithm>

namespace tools {

int LatencyHistogram::index_of(int64_t us) {
  if (us < kLinear) return static_cast<int>(us);
  int exponent = 63 - __builtin_clzll(static_cast<unsigned long long>(us));
  if (exponent > 40) return kBuckets - 1;
  int sub = static_cast<int>(us >> (exponent - 5)) - kSub;  // in [0, 32)
  return kLinear + (exponent - 6) * kSub + sub;
}

int64_t LatencyHistogram::upper_edge(int index) {
  if (index < kLinear) return index;
  int exponent = (index - kLinear) / kSub + 6;
  int sub = (index - kLinear) % kSub;
  return ((static_cast<int64_t>(kSub + sub + 1)) << (exponent - 5)) - 1;
}

void LatencyHistogram::record(int64_t us) {
  if (us < 0) {
    // The bench derives a message's send time from a millisecond timestamp
    // plus a fixed offset, so a buffer can appear to arrive a little before
    // it was sent. Count it as 0 and keep the count visible.
    negatives_.fetch_add(1, std::memory_order_relaxed);
    us = 0;
  }
  buckets_[static_cast<size_t>(index_of(us))].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  int64_t seen = max_.load(std::memory_order_relaxed);
  while (us > seen && !max_.compare_exchange_weak(seen, us, std::memory_order_relaxed)) {
  }
}

int64_t LatencyHistogram::quantile(double q) const {
  uint64_t total = count();
  if (total == 0) return 0;
  auto rank = static_cast<uint64_t>(q * static_cast<double>(total) + 0.999999);
  rank = std::clamp<uint64_t>(rank, 1, total);
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += buckets_[static_cast<size_t>(i)].load(std::memory_order_relaxed);
    if (seen >= rank) return std::min(upper_edge(i), max());
  }
  return max();
}

}  // namespace tools
