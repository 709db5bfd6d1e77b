// rtmssrc video and screen share: payloads to buffers with caps read from
// the stream itself (H.264 SPS, JPEG/PNG header), renegotiated when the
// picture size changes; H.264 starts at a decodable point. One handler per
// kind (Video, Deskshare), each with one pad that follows whoever is shown.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <cstdint>

#include "protocol/media_params.h"
#include "rtms-src-media.h"

namespace rtms {

class VideoHandler {
 public:
  VideoHandler(MediaContext &media, OutputKind kind) : media_(media), kind_(kind) {}
  VideoHandler(const VideoHandler &) = delete;
  VideoHandler &operator=(const VideoHandler &) = delete;

  static GstPadTemplate *pad_template(OutputKind kind);

  // Before a session starts.
  void reset();
  // The outputs are gone (the session stopped).
  void forget_outputs() { out_ = nullptr; }
  void on_ready(const MediaParams &effective);
  // True when the frame made the pad appear.
  bool on_media(MediaData &&data);
  bool has_pad() const { return out_ != nullptr; }
  // H.264 frames dropped while waiting for a decodable start (any thread).
  guint64 dropped_waiting() const { return dropped_waiting_.load(std::memory_order_relaxed); }

 private:
  MediaContext &media_;
  const OutputKind kind_;
  // Everything below but dropped_waiting_: the session thread only (or
  // before it starts).
  VideoParams effective_;
  bool ready_ = false;
  Output *out_ = nullptr;
  // The size in the current caps, and who is on the pad.
  int width_ = 0;
  int height_ = 0;
  int64_t shown_user_ = -1;
  std::atomic<guint64> dropped_waiting_{0};
};

}  // namespace rtms
