// rtmssrc audio: effective audio parameters to caps, and audio packets to
// timestamped buffers on per-participant (or mixed) pads.
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <vector>

#include "gstrtmsenums.h"
#include "protocol/media_params.h"
#include "rtms-src-media.h"

namespace rtms {

class AudioHandler {
 public:
  explicit AudioHandler(MediaContext &media) : media_(media) {}
  AudioHandler(const AudioHandler &) = delete;
  AudioHandler &operator=(const AudioHandler &) = delete;

  static GstPadTemplate *pad_template();

  // Before a session starts: what was asked for.
  void reset(GstRtmsAudioMode mode, GstRtmsG711Law law, GstRtmsPushMode push_mode);
  // The outputs are gone (the session stopped).
  void forget_outputs() { slots_.clear(); }
  // The audio handshake succeeded.
  void on_ready(const MediaParams &effective);
  // data's views are read during the call only.
  void on_media(const MediaView &data);
  // One pad per participant (the server granted it).
  bool per_participant() const { return per_participant_; }

 private:
  // An audio output by participant, in one contiguous array sorted by
  // user_id: finding a packet's pad reads a cache line or two instead of
  // every output.
  struct Slot {
    int64_t user_id;
    Output *out;
  };
  Output *find(int64_t user_id) const;
  Output *add(int64_t user_id, const MediaView &data);

  MediaContext &media_;
  // Everything below: the session thread only (or before it starts).
  AudioParams effective_;
  bool ready_ = false;
  bool per_participant_ = true;
  GstRtmsG711Law law_ = GST_RTMS_G711_MULAW;
  SrcPadDelivery delivery_ = SrcPadDelivery::Pooled;
  std::vector<Slot> slots_;  // the latest audio output of each participant
};

}  // namespace rtms
