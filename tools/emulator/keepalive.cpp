#include "keepalive.h"

#include <algorithm>

#include <glib.h>

namespace emulator {

KeepAlive::KeepAlive(int interval_ms, int misses, bool when_busy, Manifest::KeepAliveCount &counter,
                     Callbacks callbacks)
    : interval_ms_(interval_ms), misses_(misses), when_busy_(when_busy), counter_(counter),
      callbacks_(std::move(callbacks)) {}

void KeepAlive::start() {
  frames_at_last_tick_ = callbacks_.frames_sent ? callbacks_.frames_sent() : 0;
  timer_.every(static_cast<guint>(interval_ms_), [this] { tick(); });
}

void KeepAlive::tick() {
  if (static_cast<int>(outstanding_.size()) >= misses_) {
    timer_.cancel();
    callbacks_.on_timeout();  // may destroy this object; return right away
    return;
  }
  if (!when_busy_ && callbacks_.frames_sent) {
    uint64_t frames = callbacks_.frames_sent();
    bool busy = frames != frames_at_last_tick_;
    frames_at_last_tick_ = frames;
    if (busy) {
      counter_.skipped_busy++;
      return;
    }
  }
  callbacks_.send_request(issue());
  if (callbacks_.frames_sent) frames_at_last_tick_ = callbacks_.frames_sent();
}

int64_t KeepAlive::issue() {
  // Timestamps identify requests, so they must be unique even when the
  // interval is shorter than the clock's resolution allows.
  int64_t timestamp = std::max(g_get_real_time() / 1000, last_timestamp_ + 1);
  last_timestamp_ = timestamp;
  outstanding_.push_back(timestamp);
  counter_.sent++;
  return timestamp;
}

void KeepAlive::on_response(int64_t timestamp) {
  auto it = std::find(outstanding_.begin(), outstanding_.end(), timestamp);
  if (it == outstanding_.end()) {
    callbacks_.on_mismatch("KEEP_ALIVE_RESP timestamp " + std::to_string(timestamp) +
                           " does not echo any outstanding KEEP_ALIVE_REQ");
    return;
  }
  // An echo of a later request also proves the client is alive for the
  // earlier ones it skipped.
  outstanding_.erase(outstanding_.begin(), it + 1);
  counter_.answered++;
}

}  // namespace emulator
