#include "gstrtmsenums.h"

#include <gst/gst.h>

// Registers an enum or flags type once; values must be static.
static GType register_once(gsize *type, const char *name, const GEnumValue *values) {
  if (g_once_init_enter(type)) g_once_init_leave(type, g_enum_register_static(name, values));
  return GType(*type);
}

GType gst_rtms_audio_codec_get_type(void) {
  static gsize type = 0;
  static const GEnumValue values[] = {
      {GST_RTMS_AUDIO_CODEC_L16, "L16: 16-bit linear PCM, little endian (audio/x-raw)", "l16"},
      {GST_RTMS_AUDIO_CODEC_G711, "G.711 (audio/x-mulaw or audio/x-alaw, see g711-law)", "g711"},
      {GST_RTMS_AUDIO_CODEC_G722, "G.722 at 16 kHz (audio/G722)", "g722"},
      {GST_RTMS_AUDIO_CODEC_OPUS, "Opus at 48 kHz, one packet per buffer (audio/x-opus)", "opus"},
      {0, nullptr, nullptr}};
  return register_once(&type, "GstRtmsAudioCodec", values);
}

GType gst_rtms_g711_law_get_type(void) {
  static gsize type = 0;
  static const GEnumValue values[] = {{GST_RTMS_G711_MULAW, "mu-law (audio/x-mulaw)", "mulaw"},
                                      {GST_RTMS_G711_ALAW, "A-law (audio/x-alaw)", "alaw"},
                                      {0, nullptr, nullptr}};
  return register_once(&type, "GstRtmsG711Law", values);
}

GType gst_rtms_audio_mode_get_type(void) {
  static gsize type = 0;
  static const GEnumValue values[] = {
      {GST_RTMS_AUDIO_MODE_MIXED, "One pad with everyone mixed (no speaker identity)", "mixed"},
      {GST_RTMS_AUDIO_MODE_PER_PARTICIPANT, "One pad per participant who speaks",
       "per-participant"},
      {0, nullptr, nullptr}};
  return register_once(&type, "GstRtmsAudioMode", values);
}

GType gst_rtms_push_mode_get_type(void) {
  static gsize type = 0;
  static const GEnumValue values[] = {
      {GST_RTMS_PUSH_MODE_PAD_THREADS, "Every pad pushes from its own streaming thread",
       "pad-threads"},
      {GST_RTMS_PUSH_MODE_NETWORK_THREAD,
       "Audio pads push from the stream's network thread (no hand-off)", "network-thread"},
      {GST_RTMS_PUSH_MODE_SHARED_THREADS,
       "Audio pads push from a pool of streaming threads shared by every rtmssrc of the "
       "process, a batch of packets per thread hand-off",
       "shared-threads"},
      {0, nullptr, nullptr}};
  return register_once(&type, "GstRtmsPushMode", values);
}

GType gst_rtms_socket_mode_get_type(void) {
  static gsize type = 0;
  static const GEnumValue values[] = {
      {GST_RTMS_SOCKET_MODE_UNIFIED, "One media socket for every media type", "unified"},
      {GST_RTMS_SOCKET_MODE_SPLIT, "One media socket per media type", "split"},
      {0, nullptr, nullptr}};
  return register_once(&type, "GstRtmsSocketMode", values);
}

GType gst_rtms_media_get_type(void) {
  static gsize type = 0;
  static const GFlagsValue values[] = {
      {GST_RTMS_MEDIA_AUDIO, "Audio (audio_%u pads)", "audio"},
      {GST_RTMS_MEDIA_VIDEO, "Participant video (video_%u pad)", "video"},
      {GST_RTMS_MEDIA_DESKSHARE, "Screen share (deskshare_%u pad)", "deskshare"},
      {GST_RTMS_MEDIA_TRANSCRIPT, "Live transcript (transcript_%u pad)", "transcript"},
      {GST_RTMS_MEDIA_CHAT, "In-meeting chat (chat_%u pad)", "chat"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type))
    g_once_init_leave(&type, g_flags_register_static("GstRtmsMedia", values));
  return GType(type);
}

GType gst_rtms_video_codec_get_type(void) {
  static gsize type = 0;
  static const GEnumValue values[] = {
      {GST_RTMS_VIDEO_CODEC_H264,
       "H.264 byte-stream, one access unit per buffer (6 to 30 fps)", "h264"},
      {GST_RTMS_VIDEO_CODEC_JPEG, "JPEG images (at most 5 fps; screen share at most 1 fps)",
       "jpeg"},
      {GST_RTMS_VIDEO_CODEC_PNG, "PNG images (at most 5 fps; screen share at most 1 fps)", "png"},
      {0, nullptr, nullptr}};
  return register_once(&type, "GstRtmsVideoCodec", values);
}

GType gst_rtms_video_resolution_get_type(void) {
  static gsize type = 0;
  static const GEnumValue values[] = {
      {GST_RTMS_VIDEO_RESOLUTION_SD, "SD: 854x480 or 640x360", "sd"},
      {GST_RTMS_VIDEO_RESOLUTION_HD, "HD: 1280x720", "hd"},
      {GST_RTMS_VIDEO_RESOLUTION_FHD, "Full HD: 1920x1080", "fhd"},
      {GST_RTMS_VIDEO_RESOLUTION_QHD, "QHD: 2560x1440", "qhd"},
      {0, nullptr, nullptr}};
  return register_once(&type, "GstRtmsVideoResolution", values);
}

GType gst_rtms_video_mode_get_type(void) {
  static gsize type = 0;
  static const GEnumValue values[] = {
      {GST_RTMS_VIDEO_MODE_ACTIVE_SPEAKER, "Whoever speaks (one pad that follows the speaker)",
       "active-speaker"},
      {GST_RTMS_VIDEO_MODE_INDIVIDUAL, "One chosen participant (see the subscribe-video signal)",
       "individual"},
      {GST_RTMS_VIDEO_MODE_GALLERY, "Gallery view: not documented by the server, refused",
       "gallery"},
      {0, nullptr, nullptr}};
  return register_once(&type, "GstRtmsVideoMode", values);
}

void gst_rtms_enums_mark_plugin_api(void) {
  const GType types[] = {GST_TYPE_RTMS_AUDIO_CODEC,     GST_TYPE_RTMS_G711_LAW,
                         GST_TYPE_RTMS_AUDIO_MODE,      GST_TYPE_RTMS_SOCKET_MODE,
                         GST_TYPE_RTMS_PUSH_MODE,       GST_TYPE_RTMS_MEDIA,
                         GST_TYPE_RTMS_VIDEO_CODEC,     GST_TYPE_RTMS_VIDEO_RESOLUTION,
                         GST_TYPE_RTMS_VIDEO_MODE};
  for (GType type : types) gst_type_mark_as_plugin_api(type, GstPluginAPIFlags(0));
}
