// Runs PCM through a GStreamer encoder, as fast as the CPU allows (not in
// real time), and cuts the result into one payload per message.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "audio_format.h"
#include "payload.h"

namespace emulator {

// pcm: interleaved native-endian S16 at format.rate_hz / format.channels,
// exactly `frames` frames of format.frame_ms each. Returns `frames` payloads
// in order, or false with *error set when GStreamer fails.
bool encode_frames(const AudioFormat &format, const std::vector<int16_t> &pcm,
                   size_t frames, std::vector<Payload> *out, std::string *error);

}  // namespace emulator
