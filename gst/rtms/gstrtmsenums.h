// The enums and flags of rtmssrc's properties, and their GTypes.
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  GST_RTMS_AUDIO_CODEC_L16 = 1,
  GST_RTMS_AUDIO_CODEC_G711 = 2,
  GST_RTMS_AUDIO_CODEC_G722 = 3,
  GST_RTMS_AUDIO_CODEC_OPUS = 4,
} GstRtmsAudioCodec;

// Which law G.711 audio uses. The protocol has one codec number for both and
// never says which; the rtmssrc property g711-law decides.
typedef enum {
  GST_RTMS_G711_MULAW = 0,
  GST_RTMS_G711_ALAW = 1,
} GstRtmsG711Law;

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

GType gst_rtms_audio_codec_get_type(void);
#define GST_TYPE_RTMS_AUDIO_CODEC (gst_rtms_audio_codec_get_type())
GType gst_rtms_g711_law_get_type(void);
#define GST_TYPE_RTMS_G711_LAW (gst_rtms_g711_law_get_type())
GType gst_rtms_audio_mode_get_type(void);
#define GST_TYPE_RTMS_AUDIO_MODE (gst_rtms_audio_mode_get_type())
GType gst_rtms_push_mode_get_type(void);
#define GST_TYPE_RTMS_PUSH_MODE (gst_rtms_push_mode_get_type())
GType gst_rtms_socket_mode_get_type(void);
#define GST_TYPE_RTMS_SOCKET_MODE (gst_rtms_socket_mode_get_type())
GType gst_rtms_media_get_type(void);
#define GST_TYPE_RTMS_MEDIA (gst_rtms_media_get_type())
GType gst_rtms_video_codec_get_type(void);
#define GST_TYPE_RTMS_VIDEO_CODEC (gst_rtms_video_codec_get_type())
GType gst_rtms_video_resolution_get_type(void);
#define GST_TYPE_RTMS_VIDEO_RESOLUTION (gst_rtms_video_resolution_get_type())
GType gst_rtms_video_mode_get_type(void);
#define GST_TYPE_RTMS_VIDEO_MODE (gst_rtms_video_mode_get_type())

// Marks every type above as plugin API (gst-inspect and the documentation
// list them with the element that uses them).
void gst_rtms_enums_mark_plugin_api(void);

G_END_DECLS
