// rtmssrc's handle on its running session (READY->PAUSED to PAUSED->READY):
// starting it, the calls other threads make into it (close, failover,
// signaling), and the orderly end that waits for the server.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "session/session.h"

namespace rtms {

class SessionHandle {
 public:
  SessionHandle() = default;
  SessionHandle(const SessionHandle &) = delete;
  SessionHandle &operator=(const SessionHandle &) = delete;
  ~SessionHandle() { stop_now(); }

  // Starts a session whose calls go to listener (which outlives it).
  void start(SessionConfig config, SessionListener &listener);
  // Closes the stream politely (STREAM_CLOSE_REQ) if it still runs, waits a
  // bounded time for the server to agree, then tears the session down.
  void stop();
  // Tears the session down at once (no session: nothing).
  void stop_now();

  // From any thread; false when no session runs.
  bool request_close();
  bool fail_over(const std::string &server_urls);
  bool send_signaling(Message message);

  // The session ended (normally or not): wakes a waiting stop(). From the
  // listener.
  void mark_over();
  // A socket is being re-established (counted for the stats).
  void count_reconnect() { reconnects_.fetch_add(1, std::memory_order_relaxed); }
  guint reconnects() const { return reconnects_.load(std::memory_order_relaxed); }

 private:
  // Guards the pointer for callers on other threads (EOS, action signals,
  // failover); never held while the session is stopped and joined.
  std::mutex lock_;
  std::unique_ptr<Session> session_;

  // Guards over_: set when the session ended, to wake a waiting stop().
  std::mutex end_lock_;
  std::condition_variable end_cond_;
  bool over_ = false;

  std::atomic<guint> reconnects_{0};  // since the session started
};

}  // namespace rtms
