// A main-loop timer owned by a C++ object: cancelled when the owner is
// destroyed, so no callback can ever reach a dead object. It runs on the
// process's Scheduler (one GSource for every deadline): every connection
// keeps a keep-alive timer, and as GLib timeouts they were sources the main
// loop walked on every wake-up.
#pragma once

#include <functional>

#include <glib.h>

#include "scheduler.h"

namespace emulator {

class Timer {
 public:
  Timer() = default;
  ~Timer() { cancel(); }
  Timer(const Timer &) = delete;
  Timer &operator=(const Timer &) = delete;

  // Runs fn once after delay_ms. Replaces any pending run.
  void once(guint delay_ms, std::function<void()> fn);
  // Runs fn every interval_ms until cancelled.
  void every(guint interval_ms, std::function<void()> fn);
  void cancel();
  bool pending() const { return deadline_.pending(); }

 private:
  void arm(guint delay_ms);

  ScheduledTimer deadline_;
  bool repeating_ = false;
  guint interval_ms_ = 0;
  std::function<void()> fn_;
};

}  // namespace emulator
