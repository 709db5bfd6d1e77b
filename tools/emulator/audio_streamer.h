// Paces one socket's audio in real time: one deadline per stream on the
// process-wide Scheduler, at each interval's end measured from the
// meeting's monotonic start, so lateness never accumulates. Intervals
// already due when streaming starts (buffered audio, a late
// CLIENT_READY_ACK) go out at once as a burst.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "audio_source.h"
#include "meeting_clock.h"
#include "scheduler.h"

namespace emulator {

struct AudioMessage {
  const AudioTrack *track;
  size_t index;       // in track->sent
  int64_t timestamp;  // ms since the epoch
};

class AudioStreamer {
 public:
  using SendFn = std::function<void(const AudioMessage &)>;
  // Around each wake-up's messages (--coalesce); may be empty.
  using BurstFn = std::function<void(bool begin)>;

  AudioStreamer(std::shared_ptr<const EncodedMeetingAudio> audio, const MeetingClock &clock,
                int64_t first_interval, SendFn send, BurstFn burst = nullptr);

  void start();
  void stop() { timer_.cancel(); }
  // Sends everything up to the end of the meeting (used when it ends, so the
  // last interval is not lost to timer jitter).
  void finish();
  int64_t next_interval() const { return next_interval_; }

 private:
  void send_until(int64_t interval_end);
  void on_tick();

  std::shared_ptr<const EncodedMeetingAudio> audio_;
  const MeetingClock &clock_;
  int64_t next_interval_;
  SendFn send_;
  BurstFn burst_;
  ScheduledTimer timer_;
};

}  // namespace emulator
