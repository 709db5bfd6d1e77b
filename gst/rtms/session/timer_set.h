// One-shot timers of a network thread, all behind a single GSource. Every
// session keeps a timer armed (its silence watch), and GLib's main loop walks
// every attached source on every wake-up: with hundreds of sessions on a
// thread that walk costs as much as some of the media. Here GLib sees one
// source whose ready time is the earliest deadline.
#pragma once

#include <glib.h>

#include <cstdint>
#include <functional>

namespace rtms {

class TimerSet {
 public:
  // 0 is never an id: a holder may use it for "no timer".
  using Id = uint64_t;

  explicit TimerSet(GMainContext *context);
  ~TimerSet();
  TimerSet(const TimerSet &) = delete;
  TimerSet &operator=(const TimerSet &) = delete;

  // Runs fn once, ms from now, on the thread running the context. Call on
  // that thread.
  Id add(unsigned ms, std::function<void()> fn);
  // Forgets a timer that has not fired; nothing for 0 or an id that fired.
  void cancel(Id id);
  // Timers waiting (for tests and statistics).
  size_t pending() const;

 private:
  struct State;
  struct Source;
  static gboolean dispatch(GSource *source, GSourceFunc, gpointer);
  static void finalize(GSource *source);

  GSource *source_ = nullptr;
  State *state_ = nullptr;  // owned by source_, which may outlive this object
};

}  // namespace rtms
