// rtmssrc's private part: the objects the element instance holds, each with
// one job. Not installed.
//
//   settings    what the properties hold, behind their lock (rtms-src-settings.h)
//   session     the running session and the calls other threads make into it
//               (rtms-src-session.h)
//   pads        what the output pads share: PLAYING, the flow combiner, the
//               latency they report (gstrtmssrcpad.h)
//   outputs     every output pad of the stream (rtms-src-outputs.h)
//   media       what the media handlers share: the timeline, EOS requested
//               (rtms-src-media.h)
//   audio, video, deskshare, transcript, chat
//               one handler per media kind, which owns its outputs and feeds
//               them (rtms-src-audio.h, rtms-src-video.h, rtms-src-text.h)
//
// The session's listener (gstrtmssrc.cpp) hands each session call to the
// object whose job it is.
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <memory>

#include "gstrtmssrc.h"
#include "gstrtmssrcpad.h"
#include "rtms-meta.h"
#include "rtms-src-audio.h"
#include "rtms-src-media.h"
#include "rtms-src-outputs.h"
#include "rtms-src-session.h"
#include "rtms-src-settings.h"
#include "rtms-src-text.h"
#include "rtms-src-video.h"

GST_DEBUG_CATEGORY_EXTERN(gst_rtms_src_debug);

namespace rtms {

struct SrcPrivate {
  explicit SrcPrivate(GstElement *element)
      : outputs(element, pads),
        media(element, outputs),
        audio(media),
        video(media, OutputKind::Video),
        deskshare(media, OutputKind::Deskshare),
        transcript(media, OutputKind::Transcript),
        chat(media, OutputKind::Chat) {
    pads.element = element;
  }

  SrcSettings settings;
  SrcPadShared pads;
  OutputTable outputs;
  MediaContext media;
  AudioHandler audio;
  VideoHandler video;
  VideoHandler deskshare;
  TextHandler transcript;
  TextHandler chat;

  // What the running session asked for: set before it starts, then read on
  // its thread.
  guint wanted_media = 0;
  bool individual_video = false;
  // Session thread only: the media types whose handshake succeeded.
  uint32_t ready_types = 0;
  // State changes only: registered with the push pool for this session.
  bool uses_push_pool = false;

  std::unique_ptr<SessionListener> listener;
  // Declared last, so destroyed first: the session stops before the
  // objects its listener calls go.
  SessionHandle session;
};

// plugin.cpp: the session layer's log categories (rtmssession, rtmswebsocket,
// rtmstls, rtmsnet) and the hook that feeds them (session/log.h). Once per
// process; the levels follow the categories' thresholds.
void session_log_init();

}  // namespace rtms

struct _GstRtmsSrc {
  GstElement parent;
  rtms::SrcPrivate *priv;  // created in init, deleted in finalize
};
