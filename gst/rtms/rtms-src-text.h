// rtmssrc transcript and chat: one sparse text pad each, one buffer per
// utterance or message, with who said it in GstRtmsMeta and tags. One
// handler per kind (Transcript, Chat).
#pragma once

#include <gst/gst.h>

#include <cstdint>

#include "rtms-src-media.h"

namespace rtms {

class TextHandler {
 public:
  TextHandler(MediaContext &media, OutputKind kind) : media_(media), kind_(kind) {}
  TextHandler(const TextHandler &) = delete;
  TextHandler &operator=(const TextHandler &) = delete;

  static GstPadTemplate *pad_template(OutputKind kind);

  // Before a session starts.
  void reset();
  // The outputs are gone (the session stopped).
  void forget_outputs() { out_ = nullptr; }
  // Text pads exist from the handshake on, so that downstream sees them
  // (and their GAPs) before anyone has said anything.
  void on_ready();
  void on_media(MediaData &&data);

 private:
  bool valid_utf8(const MediaData &data) const;
  GstBuffer *transcript_buffer(const MediaData &data);
  GstBuffer *chat_buffer(const MediaData &data);

  MediaContext &media_;
  const OutputKind kind_;
  // Session thread only (or before it starts).
  Output *out_ = nullptr;
  int64_t shown_user_ = -1;  // who the pad's participant-id and tags name
};

}  // namespace rtms
