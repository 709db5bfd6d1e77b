#include "audio_streamer.h"

#include <algorithm>

namespace emulator {

AudioStreamer::AudioStreamer(std::shared_ptr<const EncodedMeetingAudio> audio,
                             const MeetingClock &clock, int64_t first_interval, SendFn send, BurstFn burst)
    : audio_(std::move(audio)), clock_(clock), next_interval_(first_interval),
      send_(std::move(send)), burst_(std::move(burst)) {}

void AudioStreamer::start() { on_tick(); }

void AudioStreamer::finish() {
  timer_.cancel();
  send_until(audio_->interval_count);
}

// Sends intervals [next_interval_, end). Within an interval, tracks go in
// participant order, and each track's messages in time order.
void AudioStreamer::send_until(int64_t end) {
  const AudioFormat &f = audio_->format;
  end = std::min(end, audio_->interval_count);
  for (; next_interval_ < end; ++next_interval_) {
    int64_t base = clock_.timestamp_of(next_interval_ * f.send_rate_ms);
    for (const AudioTrack &track : audio_->tracks) {
      const size_t n = static_cast<size_t>(next_interval_);
      const size_t first = track.first_message[n];
      for (size_t k = 0; k < track.intervals[n].size(); ++k)
        send_(AudioMessage{&track, first + k, base + static_cast<int64_t>(k) * f.frame_ms});
    }
  }
}

void AudioStreamer::on_tick() {
  const int send_rate = audio_->format.send_rate_ms;
  // Interval n is complete, and so due, once meeting time reaches (n+1)*S.
  if (burst_) burst_(true);
  send_until(clock_.now_ms() / send_rate);
  if (burst_) burst_(false);
  if (next_interval_ >= audio_->interval_count) return;
  timer_.at(clock_.deadline_us((next_interval_ + 1) * send_rate), [this] { on_tick(); });
}

}  // namespace emulator
