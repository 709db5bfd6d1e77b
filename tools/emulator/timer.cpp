#include "timer.h"

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

void Timer::cancel() { deadline_.cancel(); }

void Timer::arm(guint delay_ms) {
  deadline_.at(g_get_monotonic_time() + gint64(delay_ms) * 1000, [this] {
    // A repeating timer is re-armed before its callback runs, so that the
    // callback can cancel it, replace it or destroy it (the destructor
    // cancels) like any pending timer. The copy outlives a replacement of
    // fn_; the Scheduler catches what it throws.
    std::function<void()> fn = fn_;
    if (repeating_) arm(interval_ms_);
    fn();
  });
}

}  // namespace emulator
