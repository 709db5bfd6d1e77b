#include "audio_source.h"

#include <algorithm>
#include <cmath>

namespace emulator {
namespace {

// Loud enough to be obvious, quiet enough that a few talkers mixed together
// do not clip.
constexpr double kToneAmplitude = 0.25 * 32767.0;

// Adds the tone of one talker for interval n into frame-aligned PCM. The
// phase follows the absolute sample position, so the tone is continuous
// across intervals and identical whatever the packetisation.
void add_tone(std::vector<int32_t> *acc, const AudioFormat &format, double tone_hz,
              int64_t first_sample) {
  size_t samples = acc->size() / format.channels;
  const int64_t burst_samples = static_cast<int64_t>(format.rate_hz) * AudioFormat::kStampBurstMs / 1000;
  for (size_t i = 0; i < samples; ++i) {
    const int64_t sample = first_sample + static_cast<int64_t>(i);
    if (format.stamp && sample % format.rate_hz >= burst_samples) continue;  // between two marks
    double t = static_cast<double>(sample) / format.rate_hz;
    auto v = static_cast<int32_t>(std::lround(kToneAmplitude * std::sin(2.0 * M_PI * tone_hz * t)));
    for (int c = 0; c < format.channels; ++c) (*acc)[i * format.channels + c] += v;
  }
}

struct TrackPlan {
  int64_t user_id;
  std::string user_name;
  std::vector<const ScriptParticipant *> voices;  // one, or all for the mix
};

bool encode_track(const AudioFormat &format, int64_t interval_count,
                  const TrackPlan &plan, AudioTrack *track, std::string *error) {
  const int frames_per_interval = format.messages_per_interval();
  const int64_t samples_per_interval =
      static_cast<int64_t>(format.rate_hz) * format.send_rate_ms / 1000;
  std::vector<int64_t> talking;  // intervals with sound, in order
  std::vector<int16_t> pcm;
  std::vector<int32_t> acc;
  for (int64_t n = 0; n < interval_count; ++n) {
    int64_t at_ms = n * format.send_rate_ms;
    acc.assign(static_cast<size_t>(samples_per_interval) * format.channels, 0);
    bool any = false;
    for (const ScriptParticipant *p : plan.voices) {
      if (!p->talking_at(at_ms)) continue;
      add_tone(&acc, format, p->tone_hz, n * samples_per_interval);
      any = true;
    }
    if (!any) continue;
    talking.push_back(n);
    for (int32_t v : acc)
      pcm.push_back(static_cast<int16_t>(std::clamp<int32_t>(v, -32768, 32767)));
  }
  std::vector<Payload> frames;
  if (!encode_frames(format, pcm, talking.size() * frames_per_interval, &frames, error)) return false;
  track->user_id = plan.user_id;
  track->user_name = plan.user_name;
  track->intervals.assign(static_cast<size_t>(interval_count), {});
  size_t next = 0;
  for (int64_t n : talking) {
    auto &messages = track->intervals[static_cast<size_t>(n)];
    for (int k = 0; k < frames_per_interval; ++k) messages.push_back(std::move(frames[next++]));
  }
  return true;
}

void index_track(AudioTrack *track) {
  std::vector<const Payload *> in_order;
  track->first_message.reserve(track->intervals.size());
  for (const auto &messages : track->intervals) {
    track->first_message.push_back(in_order.size());
    for (const Payload &payload : messages) in_order.push_back(&payload);
  }
  track->sent = std::make_unique<PayloadSequence>(std::move(in_order));
  // Mixed audio (user_id 0) carries no user_name at all, as Zoom does.
  track->message = MediaFrameTemplate(rtms::MessageType::MediaDataAudio, track->user_id, track->user_id != 0,
                                    track->user_name);
}

}  // namespace

std::shared_ptr<const EncodedMeetingAudio> encode_meeting_audio(
    const MeetingScript &script, const AudioFormat &format, std::string *error) {
  if (format.send_rate_ms <= 0 || format.frame_ms <= 0 ||
      format.send_rate_ms % format.frame_ms != 0) {
    *error = "unusable audio timing: send_rate " + std::to_string(format.send_rate_ms) +
             " ms, frame " + std::to_string(format.frame_ms) + " ms";
    return nullptr;
  }
  auto audio = std::make_shared<EncodedMeetingAudio>();
  audio->format = format;
  // A trailing partial interval is dropped: every message carries a whole
  // send_rate of audio.
  audio->interval_count = script.duration_ms / format.send_rate_ms;
  std::vector<TrackPlan> plans;
  if (format.multi_stream) {
    for (const auto &p : script.participants) plans.push_back({p.user_id, p.user_name, {&p}});
  } else {
    TrackPlan mix{0, "", {}};
    for (const auto &p : script.participants) mix.voices.push_back(&p);
    plans.push_back(std::move(mix));
  }
  for (const auto &plan : plans) {
    AudioTrack track;
    if (!encode_track(format, audio->interval_count, plan, &track, error)) return nullptr;
    audio->tracks.push_back(std::move(track));
  }
  // Only now are the payloads where they stay.
  for (AudioTrack &track : audio->tracks) index_track(&track);
  return audio;
}

}  // namespace emulator
