// The server side of RTMS keep-alives on one socket: sends KEEP_ALIVE_REQ
// every interval on a socket that sent nothing else in that interval (as
// Zoom does: "sent every 10 seconds when no data is flowing"), or every
// interval regardless (--keepalive-when-busy), matches the client's echoes,
// and reports when too many in a row went unanswered. Only requests
// actually sent count.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>

#include "manifest.h"
#include "timer.h"

namespace emulator {

class KeepAlive {
 public:
  struct Callbacks {
    std::function<void(int64_t timestamp)> send_request;
    std::function<void()> on_timeout;                  // `misses` unanswered in a row
    std::function<void(const std::string &)> on_mismatch;  // an echo we never sent
    // Frames the socket has sent so far (keep-alives included).
    std::function<uint64_t()> frames_sent;
  };

  // when_busy: also while data flows (not Zoom's behaviour).
  KeepAlive(int interval_ms, int misses, bool when_busy, Manifest::KeepAliveCount &counter,
            Callbacks callbacks);

  void start();
  void stop() { timer_.cancel(); }
  void on_response(int64_t timestamp);
  // Registers one more request outside the schedule and returns its
  // timestamp; the caller sends it (fault injection sends it in an unusual
  // frame). Its echo is matched and counted like any other.
  int64_t issue();

 private:
  void tick();

  int interval_ms_;
  int misses_;
  bool when_busy_;
  uint64_t frames_at_last_tick_ = 0;
  Manifest::KeepAliveCount &counter_;
  Callbacks callbacks_;
  std::deque<int64_t> outstanding_;  // timestamps sent and not yet echoed
  int64_t last_timestamp_ = 0;
  Timer timer_;
};

}  // namespace emulator
