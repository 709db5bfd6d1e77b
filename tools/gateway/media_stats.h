// What went through one rtmssrc, read from its `stats` property: buffers and
// bytes per media type, reconnects. Streams are summed for /metrics, and an
// ended stream's last reading is kept so the counters never go down.
#pragma once

#include <array>
#include <cstdint>

#include <gst/gst.h>

namespace gateway {

struct MediaStats {
  static constexpr int kKinds = 5;
  static const char *const kKindNames[kKinds];  // audio, video, deskshare, transcript, chat

  std::array<uint64_t, kKinds> buffers{};
  std::array<uint64_t, kKinds> bytes{};
  uint64_t reconnects = 0;
  uint64_t frames_before_keyframe = 0;

  // Reads an application/x-rtms-stats structure; missing fields stay 0.
  static MediaStats from_structure(const GstStructure *stats);
  // The `stats` property of an rtmssrc.
  static MediaStats of_element(GstElement *rtmssrc);
  MediaStats &operator+=(const MediaStats &other);
};

}  // namespace gateway
