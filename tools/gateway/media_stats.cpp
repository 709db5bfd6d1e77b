#include "media_stats.h"

#include <string>

namespace gateway {

const char *const MediaStats::kKindNames[MediaStats::kKinds] = {"audio", "video", "deskshare", "transcript",
                                                                "chat"};

namespace {

// The fields are guint64, except counts rtmssrc keeps as guint.
uint64_t field(const GstStructure *s, const std::string &name) {
  guint64 wide = 0;
  if (gst_structure_get_uint64(s, name.c_str(), &wide)) return wide;
  guint narrow = 0;
  if (gst_structure_get_uint(s, name.c_str(), &narrow)) return narrow;
  return 0;
}

}  // namespace

MediaStats MediaStats::from_structure(const GstStructure *s) {
  MediaStats out;
  if (!s) return out;
  for (int k = 0; k < kKinds; k++) {
    out.buffers[k] = field(s, std::string(kKindNames[k]) + "-buffers");
    out.bytes[k] = field(s, std::string(kKindNames[k]) + "-bytes");
  }
  out.reconnects = field(s, "reconnects");
  out.frames_before_keyframe = field(s, "video-frames-before-keyframe");
  return out;
}

MediaStats MediaStats::of_element(GstElement *rtmssrc) {
  GstStructure *s = nullptr;
  g_object_get(rtmssrc, "stats", &s, nullptr);
  MediaStats out = from_structure(s);
  if (s) gst_structure_free(s);
  return out;
}

MediaStats &MediaStats::operator+=(const MediaStats &other) {
  for (int k = 0; k < kKinds; k++) {
    buffers[k] += other.buffers[k];
    bytes[k] += other.bytes[k];
  }
  reconnects += other.reconnects;
  frames_before_keyframe += other.frames_before_keyframe;
  return *this;
}

}  // namespace gateway
