// A GLib main-loop timer owned by a C++ object: cancelled when the owner is
// destroyed, so no callback can ever reach a dead object.
#pragma once

#include <functional>

#include <glib.h>

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
  bool pending() const { return source_id_ != 0; }

 private:
  static gboolean dispatch(gpointer self);

  guint source_id_ = 0;
  bool repeating_ = false;
  std::function<void()> fn_;
};

}  // namespace emulator
