#include "profile.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace bench {
namespace {

constexpr int64_t kTurnMs = 4000;  // meeting profile: speakers take turns this long
// Cameras show noise: x264 then spends the whole --video-bitrate, as on a
// real camera, where a test pattern like "ball" compresses to a few
// percent of it (measured: 1080p at 4000 kbit/s, "ball" 0.2 Mbit/s, "snow"
// 4.3 Mbit/s; 720p at 2000 kbit/s, "snow" 2.2 Mbit/s).
constexpr const char *kCameraPattern = "snow";

struct Person {
  const char *name;
  int tone_hz;
};
constexpr Person kPeople[] = {{"Alice", 440}, {"Bob", 550}, {"Carol", 660}, {"Dave", 770}};

std::string span(int64_t start, int64_t end) {
  return "[" + std::to_string(start) + "," + std::to_string(end) + "]";
}

// Everyone talks for the whole meeting, camera off: a steady per-participant
// audio load.
std::string audio_participants(int count, int64_t duration_ms) {
  std::ostringstream out;
  for (int p = 0; p < count; ++p) {
    out << (p ? "," : "") << "{\"user_id\":" << 16778240 + p * 1024 << ",\"user_name\":\"" << kPeople[p].name
        << "\",\"tone_hz\":" << kPeople[p].tone_hz << ",\"camera\":[],\"talk\":[" << span(0, duration_ms) << "]}";
  }
  return out.str();
}

// Four people take turns; each one's camera is on while they talk, so the
// active-speaker video always has a picture.
std::string meeting_body(int64_t duration_ms) {
  std::vector<std::vector<std::pair<int64_t, int64_t>>> turns(4);
  int64_t start = 0;
  for (int k = 0; start < duration_ms; ++k, start += kTurnMs)
    turns[static_cast<size_t>(k % 4)].emplace_back(start, std::min(start + kTurnMs, duration_ms));
  std::ostringstream out;
  out << "\"participants\":[";
  for (int p = 0; p < 4; ++p) {
    std::string spans;
    for (const auto &[s, e] : turns[static_cast<size_t>(p)]) spans += (spans.empty() ? "" : ",") + span(s, e);
    out << (p ? "," : "") << "{\"user_id\":" << 16778240 + p * 1024 << ",\"user_name\":\"" << kPeople[p].name
        << "\",\"tone_hz\":" << kPeople[p].tone_hz << ",\"video_pattern\":\"" << kCameraPattern << "\",\"camera\":["
        << spans << "],\"talk\":[" << spans << "]}";
  }
  out << "],\"transcript\":[";
  int n = 0;
  for (int64_t s = 0; s < duration_ms; s += kTurnMs, ++n) {
    out << (n ? "," : "") << "{\"user_id\":" << 16778240 + (n % 4) * 1024 << ",\"start_ms\":" << s
        << ",\"end_ms\":" << std::min(s + kTurnMs, duration_ms) << ",\"text\":\"Turn " << n
        << ": what this speaker said, as the transcript service would send it.\"}";
  }
  out << "]";
  return out.str();
}

std::string video_heavy_body(int64_t duration_ms) {
  return "\"participants\":[{\"user_id\":16778240,\"user_name\":\"Alice\",\"tone_hz\":440,\"video_pattern\":\"" +
         std::string(kCameraPattern) + "\",\"talk\":[" + span(0, duration_ms) + "]}]";
}

}  // namespace

std::optional<Profile> profile_named(const std::string &name, std::string *error) {
  Profile p;
  p.name = name;
  if (name == "audio") {
    p.kind = ProfileKind::Audio;
    p.description = "3 participants talking continuously, per-participant L16 16 kHz mono, 20 ms";
    p.element_properties = {{"media", "audio"}, {"audio-codec", "l16"}, {"audio-sample-rate", "16000"},
                            {"audio-mode", "per-participant"}, {"audio-send-rate", "20"}};
    return p;
  }
  if (name == "meeting") {
    p.kind = ProfileKind::Meeting;
    p.needs_video = true;
    p.video_bitrate_kbps = 2000;
    p.description = "4 participants taking 4 s turns, per-participant L16 16 kHz 20 ms, active-speaker H.264 "
                    "1280x720 30 fps 2000 kbit/s, transcript";
    p.element_properties = {{"media", "audio+video+transcript"}, {"audio-codec", "l16"},
                            {"audio-sample-rate", "16000"}, {"audio-send-rate", "20"},
                            {"video-codec", "h264"}, {"video-resolution", "hd"}, {"video-fps", "30"},
                            {"video-mode", "active-speaker"}};
    return p;
  }
  if (name == "video-heavy") {
    p.kind = ProfileKind::VideoHeavy;
    p.needs_video = true;
    p.video_bitrate_kbps = 4000;
    p.description = "1 participant talking with camera on, L16 16 kHz 20 ms, H.264 1920x1080 30 fps 4000 kbit/s";
    p.element_properties = {{"media", "audio+video"}, {"audio-codec", "l16"}, {"audio-sample-rate", "16000"},
                            {"audio-send-rate", "20"}, {"video-codec", "h264"}, {"video-resolution", "fhd"},
                            {"video-fps", "30"}, {"video-mode", "active-speaker"}};
    return p;
  }
  *error = "unknown profile \"" + name + "\" (use audio, meeting or video-heavy)";
  return std::nullopt;
}

std::string meeting_script(const Profile &profile, int64_t duration_ms, int process) {
  char stream_id[40], meeting[40];
  snprintf(stream_id, sizeof stream_id, "%024x%08x", process + 1, 0);
  snprintf(meeting, sizeof meeting, "BenchMeeting%04x%08x", process, 0);
  std::ostringstream out;
  out << "{\"meeting_uuid\":\"" << meeting << "==\",\"rtms_stream_id\":\"" << stream_id
      << "\",\"duration_ms\":" << duration_ms << ",";
  switch (profile.kind) {
    case ProfileKind::Audio: out << "\"participants\":[" << audio_participants(3, duration_ms) << "]"; break;
    case ProfileKind::Meeting: out << meeting_body(duration_ms); break;
    case ProfileKind::VideoHeavy: out << video_heavy_body(duration_ms); break;
  }
  out << "}\n";
  return out.str();
}

}  // namespace bench
