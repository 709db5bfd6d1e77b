#include "video_format.h"

namespace emulator {

void resolution_size(rtms::Resolution resolution, int *width, int *height) {
  switch (resolution) {
    case rtms::Resolution::SD: *width = 640; *height = 360; return;
    case rtms::Resolution::FHD: *width = 1920; *height = 1080; return;
    case rtms::Resolution::QHD: *width = 2560; *height = 1440; return;
    default: *width = 1280; *height = 720; return;
  }
}

std::string VideoFormat::cache_key() const {
  return std::string(kind == VideoKind::Camera ? "camera" : "share") + "/" +
         std::to_string(static_cast<int>(codec)) + "/" + std::to_string(fps) + "/" +
         std::to_string(width) + "x" + std::to_string(height) + "/" + std::to_string(bitrate_kbps) +
         (stamp ? "/stamped" : "");
}

std::string VideoFormat::describe() const {
  return std::string(rtms::to_string(codec)) + " " + std::to_string(width) + "x" + std::to_string(height) +
         " at " + std::to_string(fps) + " fps" +
         (codec == rtms::Codec::H264 && bitrate_kbps > 0 ? ", " + std::to_string(bitrate_kbps) + " kbit/s" : "") +
         (kind == VideoKind::Camera ? " (cameras may have their own video_size)" : "");
}

VideoFormat video_format_for(const rtms::VideoParams &effective, VideoKind kind, int bitrate_kbps, bool stamp) {
  VideoFormat f;
  f.stamp = stamp;
  f.kind = kind;
  f.codec = effective.codec.value_or(rtms::Codec::Jpg);
  f.fps = effective.fps.value_or(kind == VideoKind::Camera ? 5 : 1);
  if (f.fps <= 0) f.fps = 1;
  if (f.codec == rtms::Codec::H264) f.bitrate_kbps = bitrate_kbps;
  resolution_size(effective.resolution.value_or(kind == VideoKind::Camera ? rtms::Resolution::HD
                                                                          : rtms::Resolution::FHD),
                  &f.width, &f.height);
  return f;
}

}  // namespace emulator
