// Links rtmssrc's pads that gst-launch syntax cannot: they appear while the
// stream runs, one per speaker, or after no-more-pads (video_0 comes with the
// first frame, so gst-launch's delayed links have given up on it by then).
//
//   audio_N      -> {out}/audio_N-<participant id>.wav (when asked for), and
//                   -> the element named `mix` (a new request pad, through
//                   queue ! audioconvert ! audioresample) when there is one
//   video_0, deskshare_0, transcript_0, chat_0
//                -> the sink pad of the element named video, deskshare,
//                   transcript, chat, when there is one and it is free
//   transcript_N -> {out}/transcript.vtt as well (when asked for), through
//                   queue ! rtmstextenc ! filesink (and a tee when the
//                   element named transcript takes the pad too)
//
// The handler runs on rtmssrc's threads and finds everything it needs on the
// elements themselves, never on an object of the gateway that may be gone.
#pragma once

#include <string>

#include <gst/gst.h>

namespace gateway {

struct PadRoutes {
  std::string out_dir;
  std::string label;                   // "stream <id> (meeting <id>)", for logs
  bool per_participant_audio = false;  // a WAV file per audio pad
  bool webvtt = false;                 // transcript.vtt
};

// Connects to src's pad-added. The routes live as long as src.
void route_pads(GstElement *src, const PadRoutes &routes);

// The named inputs (video, deskshare, transcript, chat) that never got a pad
// would hold their muxer back forever: EOS into each one still unlinked, so
// the files can be finalized. Called when the stream ends.
void end_unrouted_inputs(GstBin *pipeline);

}  // namespace gateway
