// Sends the configured fault injections while the meeting runs: each one
// once, at its time after t0, on the socket it names if that socket is open
// then. Never retried: a test that asks for a fault at a moment when the
// socket is down learns so from the manifest ("sent": false).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "fault_injection.h"
#include "keepalive.h"
#include "manifest.h"
#include "meeting_clock.h"
#include "meeting_script.h"
#include "timer.h"
#include "ws_connection.h"

namespace emulator {

// The socket an injection goes out on. Null members: no such socket is open.
struct FaultTarget {
  WsConnection *ws = nullptr;
  KeepAlive *keepalive = nullptr;
};

class FaultInjector {
 public:
  using FindTarget = std::function<FaultTarget(FaultSocket)>;

  // Lists every injection in the manifest (as not sent yet).
  FaultInjector(std::vector<Injection> injections, int64_t huge_frame_bytes, const MeetingScript &script,
                const MeetingClock &clock, Manifest &manifest, FindTarget find_target);

  // At t0: arms the schedule.
  void start();
  void stop() { timer_.cancel(); }

 private:
  void fire_due();
  void fire(size_t index);

  std::vector<Injection> injections_;
  std::vector<size_t> order_;  // indices into injections_ by time; stable
  size_t next_ = 0;
  int64_t huge_frame_bytes_;
  const MeetingScript &script_;
  const MeetingClock &clock_;
  Manifest &manifest_;
  std::vector<size_t> manifest_index_;
  FindTarget find_target_;
  Timer timer_;
};

}  // namespace emulator
