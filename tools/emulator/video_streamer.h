// Paces one socket's video (or screen share) in real time: one deadline
// per stream on the process-wide Scheduler, at each frame's time on the
// meeting's monotonic clock. Video is not buffered by Zoom, so streaming
// starts at the frame of the moment, never with a backlog.
//
// Which track is shown comes from a chooser (active speaker, subscription,
// current share). The stream must stay decodable, so a track is entered
// only at one of its keyframes; until then the previous track goes on
// (active speaker) or nothing is sent (subscription, share).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "meeting_clock.h"
#include "scheduler.h"
#include "video_source.h"

namespace emulator {

class VideoStreamer {
 public:
  // The track index to show at a frame, -1 for none.
  using ChooseFn = std::function<int(int64_t frame)>;
  using SendFn = std::function<void(const VideoTrack &track, const VideoFrame &frame, int64_t timestamp)>;
  enum class Switching {
    HoldPrevious,  // keep the old track until the new one has a keyframe
    Cut,           // send nothing until the new track has a keyframe
  };

  VideoStreamer(std::shared_ptr<const EncodedMeetingVideo> video, const MeetingClock &clock, ChooseFn choose,
                Switching switching, SendFn send);

  void start();
  void stop() { timer_.cancel(); }
  // Sends every frame still due before the end of the meeting.
  void finish();

 private:
  void send_until(int64_t end);
  void send_frame(int64_t i);
  bool continues(int track, int64_t i) const;
  void emit(int track, int64_t i);
  void on_tick();

  std::shared_ptr<const EncodedMeetingVideo> video_;
  const MeetingClock &clock_;
  ChooseFn choose_;
  Switching switching_;
  SendFn send_;
  int64_t next_ = 0;
  int last_track_ = -1;
  int64_t last_frame_ = -1;
  ScheduledTimer timer_;
};

}  // namespace emulator
