#include "scheduler.h"

#include <exception>

#include "log.h"

namespace emulator {

Scheduler &Scheduler::instance() {
  // Lives until exit: streamers of every stream share it.
  static Scheduler scheduler;
  return scheduler;
}

Scheduler::Scheduler() {
  static GSourceFuncs funcs = {nullptr, nullptr, &Scheduler::dispatch, nullptr, nullptr, nullptr};
  source_ = g_source_new(&funcs, sizeof(GSource));
  g_source_set_callback(source_, nullptr, this, nullptr);
  g_source_set_ready_time(source_, -1);
  g_source_set_name(source_, "rtms-emulator media scheduler");
  g_source_attach(source_, nullptr);
}

Scheduler::~Scheduler() {
  g_source_destroy(source_);
  g_source_unref(source_);
}

Scheduler::Key Scheduler::add(int64_t deadline_us, ScheduledTimer *timer) {
  Key key{deadline_us, next_sequence_++};
  bool earliest = entries_.empty() || key < entries_.begin()->key;
  entries_.insert(Entry{key, timer});
  if (earliest) rearm();
  return key;
}

void Scheduler::remove(const Key &key) {
  // Leaving the ready time as it is costs at most one empty wake-up.
  entries_.erase(Entry{key, nullptr});
}

void Scheduler::start_lateness_window() {
  // A fresh histogram: it has no reset, and a window is opened once a run.
  lateness_ = std::make_unique<tools::LatencyHistogram>();
  measuring_lateness_ = true;
}

void Scheduler::rearm() {
  g_source_set_ready_time(source_, entries_.empty() ? -1 : entries_.begin()->key.first);
}

void Scheduler::run_due() {
  const int64_t hold_until = g_get_monotonic_time() + hold_us_;
  for (;;) {
    // A callback may arm, cancel or destroy any timer, including the next
    // one due: take one entry at a time and look again.
    const int64_t now = g_get_monotonic_time();
    while (!entries_.empty() && entries_.begin()->key.first <= now) {
      ScheduledTimer *timer = entries_.begin()->timer;
      // Each run's own start: the ones before it in this wake-up delay it.
      if (measuring_lateness_) lateness_->record(g_get_monotonic_time() - entries_.begin()->key.first);
      entries_.erase(entries_.begin());
      timer->fire();
    }
    if (hold_us_ == 0 || entries_.empty() || now < no_hold_until_) break;
    const int64_t next = entries_.begin()->key.first;
    if (next > hold_until) break;
    const int64_t wait = next - g_get_monotonic_time();
    if (wait > 0) g_usleep(gulong(wait));
  }
  rearm();
}

gboolean Scheduler::dispatch(GSource *, GSourceFunc, gpointer data) {
  static_cast<Scheduler *>(data)->run_due();
  return G_SOURCE_CONTINUE;
}

void ScheduledTimer::at(int64_t deadline_us, std::function<void()> fn) {
  cancel();
  fn_ = std::move(fn);
  key_ = Scheduler::instance().add(deadline_us, this);
  armed_ = true;
}

void ScheduledTimer::cancel() {
  if (!armed_) return;
  armed_ = false;
  Scheduler::instance().remove(key_);
}

void ScheduledTimer::fire() {
  armed_ = false;
  // The callback may re-arm or destroy this timer: run a copy and never
  // touch `this` afterwards.
  std::function<void()> fn = fn_;
  try {
    fn();
  } catch (const std::exception &e) {
    tools::log_error("media timer callback failed: %s", e.what());
  } catch (...) {
    tools::log_error("media timer callback failed with an unknown exception");
  }
}

}  // namespace emulator
