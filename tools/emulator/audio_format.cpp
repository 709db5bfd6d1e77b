#include "audio_format.h"

namespace emulator {

size_t AudioFormat::encoded_frame_bytes() const {
  switch (codec) {
    case rtms::Codec::L16:
      return static_cast<size_t>(samples_per_frame()) * channels * 2;
    case rtms::Codec::G711:
      return static_cast<size_t>(samples_per_frame()) * channels;
    case rtms::Codec::G722:
      return static_cast<size_t>(frame_ms) * 8;  // 64 kbit/s
    default:
      return 0;
  }
}

std::string AudioFormat::cache_key() const {
  return std::to_string(static_cast<int>(codec)) + "/" +
         (law == G711Law::Alaw ? "a" : "u") + "/" + std::to_string(rate_hz) + "/" +
         std::to_string(channels) + "/" + std::to_string(send_rate_ms) + "/" +
         std::to_string(frame_ms) + "/" + (multi_stream ? "multi" : "mixed") + (stamp ? "/stamped" : "");
}

std::string AudioFormat::describe() const {
  std::string name = rtms::to_string(codec);
  if (codec == rtms::Codec::G711) name += law == G711Law::Alaw ? " (A-law)" : " (mu-law)";
  return name + " " + std::to_string(rate_hz) + " Hz " + std::to_string(channels) + " ch, " +
         std::to_string(send_rate_ms) + " ms interval, " + std::to_string(frame_ms) +
         " ms per message, " + (multi_stream ? "one stream per participant" : "mixed") +
         (stamp ? ", a burst each second" : "");
}

AudioFormat audio_format_for(const rtms::AudioParams &effective, G711Law law) {
  AudioFormat f;
  f.codec = effective.codec.value_or(rtms::Codec::L16);
  f.law = law;
  f.rate_hz = rtms::sample_rate_hz(effective.sample_rate.value_or(rtms::SampleRate::SR16K));
  if (f.rate_hz <= 0) f.rate_hz = 16000;
  f.channels = effective.channel.value_or(rtms::AudioChannel::Mono) == rtms::AudioChannel::Stereo ? 2 : 1;
  f.send_rate_ms = effective.send_rate_ms.value_or(20);
  if (f.send_rate_ms <= 0) f.send_rate_ms = 20;
  f.frame_ms = f.send_rate_ms;
  f.multi_stream = effective.data_opt.value_or(rtms::DataOption::AudioMixedStream) ==
                   rtms::DataOption::AudioMultiStreams;
  if (f.codec == rtms::Codec::G722) {
    f.rate_hz = 16000;
    f.channels = 1;
  } else if (f.codec == rtms::Codec::Opus) {
    f.rate_hz = 48000;
    // One Opus packet per message; Opus frames are at most 60 ms, so longer
    // intervals are carried as several 20 ms packets.
    int s = f.send_rate_ms;
    f.frame_ms = (s == 10 || s == 20 || s == 40 || s == 60) ? s : 20;
    if (f.send_rate_ms % f.frame_ms != 0) f.frame_ms = 10;
  }
  return f;
}

}  // namespace emulator
