#include "timer.h"

#include <exception>

#include "log.h"

namespace emulator {

void Timer::once(guint delay_ms, std::function<void()> fn) {
  cancel();
  repeating_ = false;
  fn_ = std::move(fn);
  arm(delay_ms);
}

void Timer::every(guint interval_ms, std::function<void()> fn) {
  cancel();
  repeating_ = true;
  interval_ms_ = interval_ms;
  fn_ = std::move(fn);
  arm(interval_ms);
}

void Timer::cancel() {
  generation_++;
  deadline_.cancel();
}

void Timer::arm(guint delay_ms) {
  const uint64_t generation = generation_;
  std::weak_ptr<char> alive = alive_;
  deadline_.at(g_get_monotonic_time() + gint64(delay_ms) * 1000, [this, generation, alive] {
    // The callback may cancel, re-arm or even destroy this timer: run a
    // copy, and look at `this` afterwards only if it still exists.
    std::function<void()> fn = fn_;
    const bool repeating = repeating_;
    try {
      fn();
    } catch (const std::exception &e) {
      log_error("timer callback failed: %s", e.what());
    } catch (...) {
      log_error("timer callback failed with an unknown exception");
    }
    if (repeating && !alive.expired() && generation_ == generation) arm(interval_ms_);
  });
}

}  // namespace emulator
