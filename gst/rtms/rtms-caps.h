// Caps and buffer durations from the server's effective media parameters.
#pragma once

#include <gst/gst.h>

#include "gstrtmsenums.h"
#include "protocol/media_params.h"

namespace rtms {

// Caps for an audio pad: audio/x-raw S16LE (L16), audio/x-mulaw or
// audio/x-alaw (G.711), audio/G722, audio/x-opus. nullptr for a codec an
// audio pad cannot carry.
GstCaps *audio_caps(const AudioParams &effective, GstRtmsG711Law law);

// The caps every audio pad template allows.
const char *audio_template_caps();

// Duration of one audio payload, from its size (fixed-rate codecs) or its
// content (Opus). GST_CLOCK_TIME_NONE when it cannot be told.
GstClockTime audio_payload_duration(const AudioParams &effective, const guint8 *data,
                                    gsize size);

}  // namespace rtms
