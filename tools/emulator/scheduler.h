// One main-loop wake-up for every media deadline of the process.
//
// Each stream paces its audio, video and text on its own deadlines (20 ms
// apart for audio). With one GLib timeout per streamer, a process serving
// hundreds of streams keeps thousands of sources that the main loop walks
// on every iteration. Here all deadlines live in one ordered set behind a
// single GSource whose ready time is the earliest of them: one wake-up
// serves every streamer that is due, and the cost of an iteration no
// longer grows with the number of streams.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <utility>

#include <glib.h>

#include "latency_histogram.h"

namespace emulator {

class ScheduledTimer;

class Scheduler {
 public:
  // The scheduler of the default main context (created on first use).
  static Scheduler &instance();

  Scheduler(const Scheduler &) = delete;
  Scheduler &operator=(const Scheduler &) = delete;

  // After a wake-up, keep the main loop for up to hold_us, sleeping to each
  // deadline that falls within it, before returning to the loop. Every
  // return makes GLib check every source and poll() every socket, which
  // with hundreds of streams due on every millisecond costs more than the
  // sends themselves; what the clients send waits up to hold_us meanwhile.
  // 0 (the default) returns after each wake-up.
  void set_hold(int64_t hold_us) { hold_us_ = hold_us; }
  bool holds() const { return hold_us_ > 0; }

  // A send may not have finished (a full socket, or a frame larger than one
  // TLS record): libsoup writes the rest from the main loop, one write per
  // wake-up, so the main loop must not wait out a hold meanwhile. No hold
  // until `until_us` (monotonic); without this, a large video frame went
  // out one write per hold.
  void release_hold_until(int64_t until_us) {
    if (until_us > no_hold_until_) no_hold_until_ = until_us;
  }

  // How late timers run: from start_lateness_window() until
  // stop_lateness_window(), each run's start minus its deadline, in us.
  // A send leaves at about its timer's run, so this is the emulator's own
  // share of what a client measures as latency (docs/emulator.md).
  void start_lateness_window();
  void stop_lateness_window() { measuring_lateness_ = false; }
  // Null before the first window.
  const tools::LatencyHistogram *lateness() const { return lateness_.get(); }

 private:
  friend class ScheduledTimer;
  Scheduler();
  ~Scheduler();

  // Ordered by deadline, then by arming order, so timers due at the same
  // moment run in the order they were armed.
  using Key = std::pair<int64_t, uint64_t>;

  Key add(int64_t deadline_us, ScheduledTimer *timer);
  void remove(const Key &key);
  void rearm();
  void run_due();
  static gboolean dispatch(GSource *source, GSourceFunc, gpointer);

  struct Entry {
    Key key;
    ScheduledTimer *timer;
    bool operator<(const Entry &other) const { return key < other.key; }
  };
  std::set<Entry> entries_;
  uint64_t next_sequence_ = 0;
  int64_t hold_us_ = 0;
  int64_t no_hold_until_ = 0;
  bool measuring_lateness_ = false;
  std::unique_ptr<tools::LatencyHistogram> lateness_;
  GSource *source_ = nullptr;
};

// A one-shot deadline on the Scheduler, owned by a C++ object: cancelled
// when the owner is destroyed, so no callback reaches a dead object.
class ScheduledTimer {
 public:
  ScheduledTimer() = default;
  ~ScheduledTimer() { cancel(); }
  ScheduledTimer(const ScheduledTimer &) = delete;
  ScheduledTimer &operator=(const ScheduledTimer &) = delete;

  // Runs fn once g_get_monotonic_time() reaches deadline_us (at once, on
  // the next iteration, when it already has). Replaces any pending run.
  void at(int64_t deadline_us, std::function<void()> fn);
  void cancel();
  bool pending() const { return armed_; }

 private:
  friend class Scheduler;
  void fire();

  bool armed_ = false;
  Scheduler::Key key_{0, 0};
  std::function<void()> fn_;
};

}  // namespace emulator
