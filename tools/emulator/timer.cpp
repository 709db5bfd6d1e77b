#include "timer.h"

#include <exception>

#include "log.h"

namespace emulator {

void Timer::once(guint delay_ms, std::function<void()> fn) {
  cancel();
  repeating_ = false;
  fn_ = std::move(fn);
  source_id_ = g_timeout_add(delay_ms, &Timer::dispatch, this);
}

void Timer::every(guint interval_ms, std::function<void()> fn) {
  cancel();
  repeating_ = true;
  fn_ = std::move(fn);
  source_id_ = g_timeout_add(interval_ms, &Timer::dispatch, this);
}

void Timer::cancel() {
  if (source_id_ != 0) {
    g_source_remove(source_id_);
    source_id_ = 0;
  }
}

gboolean Timer::dispatch(gpointer data) {
  auto *self = static_cast<Timer *>(data);
  // The callback may cancel, re-arm or even destroy this timer, so copy
  // what is needed first and never touch `self` after the call.
  std::function<void()> fn = self->fn_;
  bool repeating = self->repeating_;
  if (!repeating) self->source_id_ = 0;
  try {
    fn();
  } catch (const std::exception &e) {
    log_error("timer callback failed: %s", e.what());
  } catch (...) {
    log_error("timer callback failed with an unknown exception");
  }
  return repeating ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

}  // namespace emulator
