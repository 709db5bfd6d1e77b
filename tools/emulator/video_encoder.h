// Draws and encodes one continuous run of video frames (a camera-on span or
// a screen share) with GStreamer, as fast as the CPU allows: videotestsrc
// with the participant's name on it, then x264enc, jpegenc or pngenc.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "payload.h"
#include "protocol/enums.h"

namespace emulator {

struct VideoFrame {
  Payload data;          // empty: no frame at this moment
  std::string base64;    // data as a message carries it, encoded once for every stream
  bool keyframe = false;  // decodable on its own (IDR with SPS/PPS, or an image)
  bool present() const { return !data.empty(); }
};

struct VideoSegmentSpec {
  rtms::Codec codec = rtms::Codec::Jpg;
  int width = 0;
  int height = 0;
  int fps = 1;
  std::string pattern;  // videotestsrc nick
  std::string label;    // drawn in the corner, so people can tell streams apart
  int64_t frames = 0;
  int bitrate_kbps = 0;  // H.264 target; 0: x264enc's default
  bool stamp = false;    // draw each frame's index as a barcode (stamp_frame_index)
};

// Returns exactly spec.frames frames in order. H.264 is Annex-B, one access
// unit per frame, an IDR with SPS and PPS first and then once a second.
bool encode_video_segment(const VideoSegmentSpec &spec, std::vector<VideoFrame> *out, std::string *error);

// Whether an Annex-B access unit holds an IDR slice (NAL type 5).
bool h264_has_idr(const uint8_t *data, size_t size);

}  // namespace emulator
