// What the emulator encodes for a set of effective video or deskshare
// params: codec, frame rate, picture size, and the frame grid in meeting
// time. Frame i belongs to meeting time i * 1000 / fps (integer ms), so
// timestamps step by 1000/fps from the same t0 as audio.
#pragma once

#include <cstdint>
#include <string>

#include "protocol/media_params.h"

namespace emulator {

enum class VideoKind { Camera, Share };

struct VideoFormat {
  VideoKind kind = VideoKind::Camera;
  rtms::Codec codec = rtms::Codec::Jpg;
  int fps = 5;
  int width = 1280;   // from the resolution; cameras may override it
  int height = 720;
  int bitrate_kbps = 0;  // H.264 only; 0: x264enc's default (2048)
  bool stamp = false;    // frames carry their loop position (--stamp-frames)

  int64_t frame_ms(int64_t frame) const { return frame * 1000 / fps; }
  // How many frames have a meeting time at or before ms (0 when ms < 0).
  int64_t frames_due(int64_t ms) const { return ms < 0 ? 0 : ((ms + 1) * fps + 999) / 1000; }
  // Frames with a meeting time before duration_ms.
  int64_t frame_count(int64_t duration_ms) const { return frames_due(duration_ms - 1); }
  std::string cache_key() const;
  std::string describe() const;
};

// The picture size of a MEDIA_RESOLUTION: SD 640x360, HD 1280x720,
// FHD 1920x1080, QHD 2560x1440.
void resolution_size(rtms::Resolution resolution, int *width, int *height);

// Effective params (after apply_defaults) to a format; `bitrate_kbps` is
// the emulator's --video-bitrate (0: the encoder's default).
VideoFormat video_format_for(const rtms::VideoParams &effective, VideoKind kind, int bitrate_kbps,
                             bool stamp = false);

}  // namespace emulator
