#include "video_streamer.h"

#include <algorithm>

namespace emulator {

VideoStreamer::VideoStreamer(std::shared_ptr<const EncodedMeetingVideo> video, const MeetingClock &clock,
                             ChooseFn choose, Switching switching, SendFn send)
    : video_(std::move(video)), clock_(clock), choose_(std::move(choose)), switching_(switching),
      send_(std::move(send)) {}

void VideoStreamer::start() {
  // The frame on screen right now: the last one whose time has come.
  next_ = std::max<int64_t>(0, video_->format.frames_due(clock_.now_ms()) - 1);
  on_tick();
}

void VideoStreamer::finish() {
  timer_.cancel();
  send_until(video_->frame_count);
}

void VideoStreamer::send_until(int64_t end) {
  end = std::min(end, video_->frame_count);
  for (; next_ < end; ++next_) send_frame(next_);
}

// Frame i of a track may follow frame i-1 of the same track; anything else
// needs a keyframe.
bool VideoStreamer::continues(int track, int64_t i) const {
  return track == last_track_ && last_frame_ == i - 1 &&
         video_->tracks[static_cast<size_t>(track)].frame(i) != nullptr;
}

void VideoStreamer::send_frame(int64_t i) {
  int wanted = choose_(i);
  if (wanted >= 0 && wanted < static_cast<int>(video_->tracks.size())) {
    const VideoFrame *frame = video_->tracks[static_cast<size_t>(wanted)].frame(i);
    if (frame != nullptr && (frame->keyframe || continues(wanted, i))) {
      emit(wanted, i);
      return;
    }
  }
  if (switching_ == Switching::HoldPrevious && last_track_ >= 0 && continues(last_track_, i)) emit(last_track_, i);
}

void VideoStreamer::emit(int track, int64_t i) {
  const VideoTrack &t = video_->tracks[static_cast<size_t>(track)];
  last_track_ = track;
  last_frame_ = i;
  send_(t, *t.frame(i), clock_.timestamp_of(video_->format.frame_ms(i)));
}

void VideoStreamer::on_tick() {
  send_until(video_->format.frames_due(clock_.now_ms()));
  if (next_ >= video_->frame_count) return;
  timer_.at(clock_.deadline_us(video_->format.frame_ms(next_)), [this] { on_tick(); });
}

}  // namespace emulator
