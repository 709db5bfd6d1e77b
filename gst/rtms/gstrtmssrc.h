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

// Which thread pushes audio downstream.
typedef enum {
  GST_RTMS_PUSH_MODE_PAD_THREADS = 0,
  GST_RTMS_PUSH_MODE_NETWORK_THREAD = 1,
  GST_RTMS_PUSH_MODE_SHARED_THREADS = 2,
} GstRtmsPushMode;

typedef enum {
  GST_RTMS_SOCKET_MODE_UNIFIED = 0,
  GST_RTMS_SOCKET_MODE_SPLIT = 1,
} GstRtmsSocketMode;

// Which media to receive (flags; the values are RTMS media_type bits).
typedef enum {
  GST_RTMS_MEDIA_AUDIO = 1 << 0,
  GST_RTMS_MEDIA_VIDEO = 1 << 1,
  GST_RTMS_MEDIA_DESKSHARE = 1 << 2,
  GST_RTMS_MEDIA_TRANSCRIPT = 1 << 3,
  GST_RTMS_MEDIA_CHAT = 1 << 4,
} GstRtmsMedia;

// RTMS codec numbers of the video codecs.
typedef enum {
  GST_RTMS_VIDEO_CODEC_JPEG = 5,
  GST_RTMS_VIDEO_CODEC_PNG = 6,
  GST_RTMS_VIDEO_CODEC_H264 = 7,
} GstRtmsVideoCodec;

typedef enum {
  GST_RTMS_VIDEO_RESOLUTION_SD = 1,
  GST_RTMS_VIDEO_RESOLUTION_HD = 2,
  GST_RTMS_VIDEO_RESOLUTION_FHD = 3,
  GST_RTMS_VIDEO_RESOLUTION_QHD = 4,
} GstRtmsVideoResolution;

// RTMS data_opt values of the video modes.
typedef enum {
  GST_RTMS_VIDEO_MODE_ACTIVE_SPEAKER = 3,
  GST_RTMS_VIDEO_MODE_INDIVIDUAL = 4,
  GST_RTMS_VIDEO_MODE_GALLERY = 5,
} GstRtmsVideoMode;

struct RtmsSrcState;

struct _GstRtmsSrc {
  GstElement parent;
  RtmsSrcState *state;  // C++ state, created in init, deleted in finalize
};

G_END_DECLS
