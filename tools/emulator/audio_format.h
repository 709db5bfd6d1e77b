// What the emulator actually encodes for a set of effective audio params:
// the codec, the real sample rate and channel count the encoder runs at,
// and how one send interval is cut into messages.
#pragma once

#include <cstdint>
#include <string>

#include "protocol/media_params.h"

namespace emulator {

enum class G711Law { Mulaw, Alaw };

struct AudioFormat {
  rtms::Codec codec = rtms::Codec::L16;
  G711Law law = G711Law::Mulaw;
  int rate_hz = 16000;
  int channels = 1;
  int send_rate_ms = 20;  // one interval; timestamps advance by this much
  int frame_ms = 20;      // audio per message (Opus may split an interval)
  bool multi_stream = false;
  // --stamp-frames: talkers sound only in the first kStampBurstMs of every
  // second of meeting time (marks at the instants of the camera frames that
  // start a loop, barcode 0), silent in between.
  bool stamp = false;
  static constexpr int kStampBurstMs = 100;

  int messages_per_interval() const { return send_rate_ms / frame_ms; }
  int64_t samples_per_frame() const { return static_cast<int64_t>(rate_hz) * frame_ms / 1000; }
  // Encoded bytes per frame for codecs with a fixed bit rate, 0 for Opus.
  size_t encoded_frame_bytes() const;
  // Identifies the encoding, so identical requests share one encoded copy.
  std::string cache_key() const;
  std::string describe() const;
};

// Derives the format from effective params (after apply_defaults):
// G.722 always runs at 16 kHz mono and Opus at 48 kHz, whatever rate the
// params name, because those codecs are defined that way.
AudioFormat audio_format_for(const rtms::AudioParams &effective, G711Law law);

}  // namespace emulator
