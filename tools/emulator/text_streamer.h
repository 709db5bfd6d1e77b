// Paces one socket's transcript or chat messages: each goes out once
// meeting time reaches its due time, on one deadline per stream
// on the process-wide Scheduler.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "meeting_clock.h"
#include "text_timeline.h"
#include "scheduler.h"

namespace emulator {

class TextStreamer {
 public:
  using SendFn = std::function<void(const TextItem &item)>;

  // Starts with items[first]; earlier items were sent on an earlier socket
  // or fell before t0.
  TextStreamer(std::vector<TextItem> items, const MeetingClock &clock, size_t first, SendFn send);

  void start() { on_tick(); }
  void stop() { timer_.cancel(); }
  // Sends everything due up to and including the end of the meeting.
  void finish(int64_t end_ms);
  // The first item not sent yet.
  size_t position() const { return next_; }

 private:
  void send_until(int64_t ms);
  void on_tick();

  std::vector<TextItem> items_;
  const MeetingClock &clock_;
  size_t next_;
  SendFn send_;
  ScheduledTimer timer_;
};

}  // namespace emulator
