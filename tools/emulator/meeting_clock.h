// Maps meeting time (ms since the script's 0) to wall-clock timestamps and
// to deadlines on the monotonic clock.
//
// The meeting starts at the first CLIENT_READY_ACK (t0, wall clock). Audio
// from before that moment, buffered_audio_ms of it, is what Zoom would have
// buffered since rtms_started: script time buffered_audio_ms is "now" at t0,
// and script time 0 has timestamp t0 - buffered_audio_ms.
#pragma once

#include <cstdint>

#include <glib.h>

namespace emulator {

struct MeetingClock {
  gint64 start_monotonic_us = 0;
  int64_t t0_ms = 0;
  int64_t buffered_ms = 0;

  void start(int64_t buffered_audio_ms) {
    // Timestamps are whole milliseconds of the wall clock: the monotonic
    // start is put on t0_ms's exact instant, so that a message stamped T
    // is due when the wall clock reads T (not up to 1 ms after it), and
    // the deadlines of every stream fall on one millisecond grid, which
    // lets one scheduler wake-up serve all the streams due at that tick.
    const gint64 real_us = g_get_real_time();
    const gint64 monotonic_us = g_get_monotonic_time();
    t0_ms = real_us / 1000;
    start_monotonic_us = monotonic_us - (real_us - t0_ms * 1000);
    buffered_ms = buffered_audio_ms;
  }
  // Deadlines come from the monotonic clock so that pacing neither drifts
  // nor jumps when the wall clock is adjusted.
  int64_t now_ms() const {
    return buffered_ms + (g_get_monotonic_time() - start_monotonic_us) / 1000;
  }
  int64_t timestamp_of(int64_t script_ms) const { return t0_ms - buffered_ms + script_ms; }
  // The monotonic time (us) at which meeting time reaches `script_ms`.
  gint64 deadline_us(int64_t script_ms) const { return start_monotonic_us + (script_ms - buffered_ms) * 1000; }
  // Milliseconds from now until script time `script_ms` (0 when past).
  guint delay_until(int64_t script_ms) const {
    gint64 due_us = start_monotonic_us + (script_ms - buffered_ms) * 1000;
    gint64 left_us = due_us - g_get_monotonic_time();
    if (left_us <= 0) return 0;
    return static_cast<guint>((left_us + 999) / 1000);  // never wake early
  }
};

}  // namespace emulator
