#include "scheduler.h"

#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
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
  timer_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (timer_fd_ >= 0)
    g_source_add_unix_fd(source_, timer_fd_, G_IO_IN);
  else
    log_error("timerfd_create failed (%s): media deadlines are met to the millisecond only",
              g_strerror(errno));
  g_source_attach(source_, nullptr);
}

Scheduler::~Scheduler() {
  g_source_destroy(source_);
  g_source_unref(source_);
  if (timer_fd_ >= 0) close(timer_fd_);
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

void Scheduler::rearm() {
  const int64_t deadline_us = entries_.empty() ? -1 : entries_.begin()->key.first;
  if (timer_fd_ < 0) {
    g_source_set_ready_time(source_, deadline_us);
    return;
  }
  if (deadline_us == armed_deadline_us_) return;
  armed_deadline_us_ = deadline_us;
  // g_get_monotonic_time() is CLOCK_MONOTONIC, so deadlines are absolute
  // times of the timerfd's clock. An all-zero value disarms it; a deadline
  // already past fires at once.
  struct itimerspec spec = {};
  if (deadline_us >= 0) {
    const int64_t at_us = std::max<int64_t>(deadline_us, 1);
    spec.it_value.tv_sec = time_t(at_us / G_USEC_PER_SEC);
    spec.it_value.tv_nsec = long(at_us % G_USEC_PER_SEC) * 1000;
  }
  timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &spec, nullptr);
}

void Scheduler::run_due() {
  // A callback may arm, cancel or destroy any timer, including the next
  // one due: take one entry at a time and look again.
  const int64_t now = g_get_monotonic_time();
  while (!entries_.empty() && entries_.begin()->key.first <= now) {
    ScheduledTimer *timer = entries_.begin()->timer;
    entries_.erase(entries_.begin());
    timer->fire();
  }
  rearm();
}

gboolean Scheduler::dispatch(GSource *, GSourceFunc, gpointer data) {
  auto *self = static_cast<Scheduler *>(data);
  if (self->timer_fd_ >= 0) {
    // Consumes the expiry so that the fd stops polling readable; the
    // timer is disarmed now and run_due arms it for the next deadline.
    uint64_t expirations;
    if (read(self->timer_fd_, &expirations, sizeof expirations) < 0 && errno != EAGAIN)
      log_error("reading the media timer failed: %s", g_strerror(errno));
    self->armed_deadline_us_ = -1;
  }
  self->run_due();
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
    log_error("media timer callback failed: %s", e.what());
  } catch (...) {
    log_error("media timer callback failed with an unknown exception");
  }
}

}  // namespace emulator
