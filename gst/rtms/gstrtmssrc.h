// rtmssrc: a live source of Zoom Realtime Media Streams.
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_RTMS_SRC (gst_rtms_src_get_type())
G_DECLARE_FINAL_TYPE(GstRtmsSrc, gst_rtms_src, GST, RTMS_SRC, GstElement)

typedef enum {
  GST_RTMS_AUDIO_CODEC_L16 = 1,
  GST_RTMS_AUDIO_CODEC_G711 = 2,
  GST_RTMS_AUDIO_CODEC_G722 = 3,
  GST_RTMS_AUDIO_CODEC_OPUS = 4,
} GstRtmsAudioCodec;

typedef enum {
  GST_RTMS_AUDIO_MODE_MIXED = 1,
  GST_RTMS_AUDIO_MODE_PER_PARTICIPANT = 2,
} GstRtmsAudioMode;

typedef enum {
  GST_RTMS_SOCKET_MODE_UNIFIED = 0,
  GST_RTMS_SOCKET_MODE_SPLIT = 1,
} GstRtmsSocketMode;

struct RtmsSrcState;

struct _GstRtmsSrc {
  GstElement parent;
  RtmsSrcState *state;  // C++ state, created in init, deleted in finalize
};

G_END_DECLS
