// The benchmark profiles: the meeting each emulator plays, how rtmssrc is
// configured to receive it, and when the emulator sends each kind of media
// (the reference point of the latency figure).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bench {

enum class ProfileKind { Audio, Meeting, VideoHeavy };

struct Profile {
  ProfileKind kind = ProfileKind::Audio;
  std::string name;
  std::string description;
  // rtmssrc properties, set with gst_util_set_object_arg.
  std::vector<std::pair<std::string, std::string>> element_properties;
  // Time from a media buffer's content timestamp to the emulator sending it:
  // audio interval n (timestamp t) goes out when it is complete, at t +
  // send_rate; a video frame goes out when its time comes, at t.
  int64_t audio_send_offset_ms = 20;
  int64_t video_send_offset_ms = 0;
  bool needs_video = false;
  int video_bitrate_kbps = 0;  // the emulator's --video-bitrate; 0: its default
};

// nullopt and *error set for an unknown name.
std::optional<Profile> profile_named(const std::string &name, std::string *error);

// The meeting script (docs/emulator.md) every stream of emulator process
// `process` plays, lasting duration_ms. The emulator derives each stream's
// ids from the script's by adding the stream's index to their last 8 hex
// digits; `process` goes in the digits above, so ids never repeat across
// processes (cosmetic only: each process is its own server).
std::string meeting_script(const Profile &profile, int64_t duration_ms, int process);

}  // namespace bench
