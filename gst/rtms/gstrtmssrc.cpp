// rtmssrc: the element class, its properties and its state changes. The
// mapping of session callbacks to pads lives in rtms-src-outputs.cpp and the
// bus messages in rtms-src-messages.cpp.

/**
 * SECTION:element-rtmssrc
 * @title: rtmssrc
 * @short_description: a live source for Zoom Realtime Media Streams
 *
 * rtmssrc receives one Zoom Realtime Media Stream (a meeting, webinar, Video
 * SDK session or Contact Center engagement). It takes the `rtms_started`
 * webhook the Zoom app received (#GstRtmsSrc:webhook-payload) and the app's
 * credentials (#GstRtmsSrc:client-id and #GstRtmsSrc:client-secret, or the
 * `ZM_RTMS_CLIENT` and `ZM_RTMS_SECRET` environment variables), runs the
 * signaling and media WebSockets (handshakes, keep-alives, failover, orderly
 * close) and exposes sometimes pads: `audio_%u` (one per participant who
 * speaks, or one mixed pad), `video_%u`, `deskshare_%u`, `transcript_%u` and
 * `chat_%u`, each with caps from the server's effective parameters, a
 * stream-start with its #GstStream, a stream collection, a TIME segment and
 * the participant's tags; every buffer carries the server's capture time as
 * a reference timestamp meta and a `GstRtmsMeta` custom meta.
 *
 * It is a live source: it produces in PLAYING only, answers the LATENCY
 * query with its jitter allowance and packet duration, and sends GAP events
 * on its sparse pads. Errors carry RTMS status codes in their details.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 -e rtmssrc name=src webhook-payload="$(cat rtms_started.json)" \
 *   src.audio_0 ! queue ! audiorate ! audioconvert ! wavenc ! filesink location=p0.wav \
 *   src.audio_1 ! queue ! audiorate ! audioconvert ! wavenc ! filesink location=p1.wav
 * ]| Records the first two speakers, each to a WAV file named in the line.
 * |[
 * gst-launch-1.0 -e rtmssrc name=src webhook-payload="$(cat rtms_started.json)" \
 *     media=audio+transcript audio-mode=mixed \
 *   src.audio_0 ! queue ! audioconvert ! opusenc ! oggmux ! filesink location=meeting.ogg \
 *   src.transcript_0 ! queue ! rtmstextenc ! filesink location=transcript.vtt
 * ]| Records everyone mixed and the transcript as WebVTT with the speakers.
 *
 * docs/rtmssrc.md in the source tree describes every property, pad, message
 * and error; docs/cookbook.md has more pipelines, each run by the test suite.
 *
 * Since: 0.1
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstrtmssrc.h"

#include <cstdlib>

#include "gstrtmselements.h"
#include "gstrtmssrc-private.h"
#include "protocol/signature.h"
#include "rtms-push-pool.h"
#include "rtms-uri.h"

GST_DEBUG_CATEGORY(gst_rtms_src_debug);
#define GST_CAT_DEFAULT gst_rtms_src_debug

enum {
  PROP_0,
  PROP_WEBHOOK_PAYLOAD,
  PROP_SERVER_URLS,
  PROP_STREAM_ID,
  PROP_MEETING_UUID,
  PROP_WEBINAR_UUID,
  PROP_SESSION_ID,
  PROP_ENGAGEMENT_ID,
  PROP_CLIENT_ID,
  PROP_CLIENT_SECRET,
  PROP_SSL_CA_FILE,
  PROP_SSL_STRICT,
  PROP_ALLOWED_HOSTS,
  PROP_ALLOW_PLAINTEXT,
  PROP_AUDIO_CODEC,
  PROP_G711_LAW,
  PROP_AUDIO_SAMPLE_RATE,
  PROP_AUDIO_CHANNELS,
  PROP_AUDIO_MODE,
  PROP_AUDIO_SEND_RATE,
  PROP_PUSH_MODE,
  PROP_MEDIA,
  PROP_VIDEO_CODEC,
  PROP_VIDEO_RESOLUTION,
  PROP_VIDEO_FPS,
  PROP_VIDEO_MODE,
  PROP_DESKSHARE_CODEC,
  PROP_DESKSHARE_RESOLUTION,
  PROP_DESKSHARE_FPS,
  PROP_TRANSCRIPT_LANGUAGE,
  PROP_TRANSCRIPT_LID,
  PROP_TEXT_GAP_DELAY,
  PROP_SOCKET_MODE,
  PROP_HANDSHAKE_TIMEOUT,
  PROP_LATENCY,
  PROP_BUFFER_DATA,
  PROP_MAX_MESSAGE_SIZE,
  PROP_RECONNECT_DELAY,
  PROP_KEEPALIVE_TIMEOUT,
  PROP_WAKE_INTERVAL,
  PROP_DEDICATED_THREAD,
  PROP_STATS,
};

enum {
  SIGNAL_SUBSCRIBE_VIDEO,
  LAST_SIGNAL,
};
static guint signals[LAST_SIGNAL];

#define gst_rtms_src_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE(GstRtmsSrc, gst_rtms_src, GST_TYPE_ELEMENT,
                        G_IMPLEMENT_INTERFACE(GST_TYPE_URI_HANDLER, gst_rtms_src_uri_handler_init))
GST_ELEMENT_REGISTER_DEFINE(rtmssrc, "rtmssrc", GST_RANK_NONE, GST_TYPE_RTMS_SRC)

// ---- enum types ------------------------------------------------------------

static GType gst_rtms_audio_codec_get_type() {
  static GType type = 0;
  static const GEnumValue values[] = {
      {GST_RTMS_AUDIO_CODEC_L16, "L16: 16-bit linear PCM, little endian (audio/x-raw)", "l16"},
      {GST_RTMS_AUDIO_CODEC_G711, "G.711 (audio/x-mulaw or audio/x-alaw, see g711-law)", "g711"},
      {GST_RTMS_AUDIO_CODEC_G722, "G.722 at 16 kHz (audio/G722)", "g722"},
      {GST_RTMS_AUDIO_CODEC_OPUS, "Opus at 48 kHz, one packet per buffer (audio/x-opus)", "opus"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) g_once_init_leave(&type, g_enum_register_static("GstRtmsAudioCodec", values));
  return type;
}

static GType gst_rtms_g711_law_get_type() {
  static GType type = 0;
  static const GEnumValue values[] = {
      {GST_RTMS_G711_MULAW, "mu-law (audio/x-mulaw)", "mulaw"},
      {GST_RTMS_G711_ALAW, "A-law (audio/x-alaw)", "alaw"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) g_once_init_leave(&type, g_enum_register_static("GstRtmsG711Law", values));
  return type;
}

static GType gst_rtms_audio_mode_get_type() {
  static GType type = 0;
  static const GEnumValue values[] = {
      {GST_RTMS_AUDIO_MODE_MIXED, "One pad with everyone mixed (no speaker identity)", "mixed"},
      {GST_RTMS_AUDIO_MODE_PER_PARTICIPANT, "One pad per participant who speaks", "per-participant"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) g_once_init_leave(&type, g_enum_register_static("GstRtmsAudioMode", values));
  return type;
}

static GType gst_rtms_push_mode_get_type() {
  static GType type = 0;
  static const GEnumValue values[] = {
      {GST_RTMS_PUSH_MODE_PAD_THREADS, "Every pad pushes from its own streaming thread", "pad-threads"},
      {GST_RTMS_PUSH_MODE_NETWORK_THREAD,
       "Audio pads push from the stream's network thread (no hand-off)", "network-thread"},
      {GST_RTMS_PUSH_MODE_SHARED_THREADS,
       "Audio pads push from a pool of streaming threads shared by every rtmssrc of the process, "
       "a batch of packets per thread hand-off",
       "shared-threads"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) g_once_init_leave(&type, g_enum_register_static("GstRtmsPushMode", values));
  return type;
}

static GType gst_rtms_socket_mode_get_type() {
  static GType type = 0;
  static const GEnumValue values[] = {
      {GST_RTMS_SOCKET_MODE_UNIFIED, "One media socket for every media type", "unified"},
      {GST_RTMS_SOCKET_MODE_SPLIT, "One media socket per media type", "split"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) g_once_init_leave(&type, g_enum_register_static("GstRtmsSocketMode", values));
  return type;
}

static GType gst_rtms_media_get_type() {
  static GType type = 0;
  static const GFlagsValue values[] = {
      {GST_RTMS_MEDIA_AUDIO, "Audio (audio_%u pads)", "audio"},
      {GST_RTMS_MEDIA_VIDEO, "Participant video (video_%u pad)", "video"},
      {GST_RTMS_MEDIA_DESKSHARE, "Screen share (deskshare_%u pad)", "deskshare"},
      {GST_RTMS_MEDIA_TRANSCRIPT, "Live transcript (transcript_%u pad)", "transcript"},
      {GST_RTMS_MEDIA_CHAT, "In-meeting chat (chat_%u pad)", "chat"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) g_once_init_leave(&type, g_flags_register_static("GstRtmsMedia", values));
  return type;
}

static GType gst_rtms_video_codec_get_type() {
  static GType type = 0;
  static const GEnumValue values[] = {
      {GST_RTMS_VIDEO_CODEC_H264, "H.264 byte-stream, one access unit per buffer (6 to 30 fps)", "h264"},
      {GST_RTMS_VIDEO_CODEC_JPEG, "JPEG images (at most 5 fps; screen share at most 1 fps)", "jpeg"},
      {GST_RTMS_VIDEO_CODEC_PNG, "PNG images (at most 5 fps; screen share at most 1 fps)", "png"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) g_once_init_leave(&type, g_enum_register_static("GstRtmsVideoCodec", values));
  return type;
}

static GType gst_rtms_video_resolution_get_type() {
  static GType type = 0;
  static const GEnumValue values[] = {
      {GST_RTMS_VIDEO_RESOLUTION_SD, "SD: 854x480 or 640x360", "sd"},
      {GST_RTMS_VIDEO_RESOLUTION_HD, "HD: 1280x720", "hd"},
      {GST_RTMS_VIDEO_RESOLUTION_FHD, "Full HD: 1920x1080", "fhd"},
      {GST_RTMS_VIDEO_RESOLUTION_QHD, "QHD: 2560x1440", "qhd"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) g_once_init_leave(&type, g_enum_register_static("GstRtmsVideoResolution", values));
  return type;
}

static GType gst_rtms_video_mode_get_type() {
  static GType type = 0;
  static const GEnumValue values[] = {
      {GST_RTMS_VIDEO_MODE_ACTIVE_SPEAKER, "Whoever speaks (one pad that follows the speaker)", "active-speaker"},
      {GST_RTMS_VIDEO_MODE_INDIVIDUAL, "One chosen participant (see the subscribe-video signal)", "individual"},
      {GST_RTMS_VIDEO_MODE_GALLERY, "Gallery view: not documented by the server, refused", "gallery"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) g_once_init_leave(&type, g_enum_register_static("GstRtmsVideoMode", values));
  return type;
}

// ---- properties ------------------------------------------------------------

static std::string string_or_empty(const GValue *value) {
  const char *s = g_value_get_string(value);
  return s ? s : "";
}

// webhook-payload fills in everything a stream needs; the fields it sets can
// still be overridden by setting their own properties afterwards.
static void apply_webhook(GstRtmsSrc *self, RtmsSrcSettings &s, const std::string &json) {
  s.webhook_payload = json;
  s.webhook_error.clear();
  if (json.empty()) return;
  rtms::Result<rtms::Webhook> parsed = rtms::parse_webhook(json);
  if (!parsed) {
    s.webhook_error = parsed.error().describe();
    GST_WARNING_OBJECT(self, "webhook-payload is not usable: %s", s.webhook_error.c_str());
    return;
  }
  const rtms::Webhook &hook = parsed.value();
  if (hook.kind != rtms::WebhookKind::RtmsStarted && hook.kind != rtms::WebhookKind::Unknown) {
    s.webhook_error = "webhook-payload is a " + hook.event +
                      " event; rtmssrc needs the payload of an rtms_started event";
    GST_WARNING_OBJECT(self, "%s", s.webhook_error.c_str());
    return;
  }
  // Without an event name the parser cannot know the payload must start a
  // stream; rtmssrc needs these whatever the event was.
  const char *missing = hook.rtms_stream_id.empty()        ? "rtms_stream_id"
                        : hook.server_urls.empty()          ? "server_urls"
                        : hook.identity.instance_id.empty() ? "meeting_uuid (or webinar_uuid, "
                                                              "session_id, engagement_id)"
                                                            : nullptr;
  if (missing) {
    s.webhook_error = std::string("field '") + missing + "' is missing";
    GST_WARNING_OBJECT(self, "webhook-payload is not usable: %s", s.webhook_error.c_str());
    return;
  }
  std::string urls;
  for (const auto &u : hook.server_urls) urls += (urls.empty() ? "" : ",") + u;
  s.server_urls = urls;
  s.stream_id = hook.rtms_stream_id;
  s.meeting_uuid.clear();
  s.webinar_uuid.clear();
  s.session_id.clear();
  s.engagement_id.clear();
  switch (hook.identity.product) {
    case rtms::Product::Meeting: s.meeting_uuid = hook.identity.instance_id; break;
    case rtms::Product::Webinar: s.webinar_uuid = hook.identity.instance_id; break;
    case rtms::Product::VideoSdk: s.session_id = hook.identity.instance_id; break;
    case rtms::Product::ContactCenter: s.engagement_id = hook.identity.instance_id; break;
    case rtms::Product::Phone: s.meeting_uuid = hook.identity.instance_id; break;
  }
  GST_INFO_OBJECT(self, "webhook-payload: stream %s of %s %s, %zu server URL(s)",
                  s.stream_id.c_str(), rtms::to_string(hook.identity.product),
                  hook.identity.instance_id.c_str(), hook.server_urls.size());
}

// A new rtms_started for the running stream (server failover, 5.3 scenario
// 1) names other servers: move the running session there.
static void maybe_fail_over(GstRtmsSrc *self, const std::string &old_urls) {
  std::string urls;
  {
    std::lock_guard<std::mutex> guard(self->state->settings_lock);
    if (!self->state->settings.webhook_error.empty()) return;
    urls = self->state->settings.server_urls;
  }
  if (urls == old_urls || urls.empty()) return;
  std::lock_guard<std::mutex> guard(self->state->session_lock);
  if (!self->state->session) return;
  GST_INFO_OBJECT(self, "server failover: %zu new server URL(s)",
                  rtms::split_server_urls(urls).size());
  self->state->session->fail_over(rtms::split_server_urls(urls));
}

static void gst_rtms_src_set_property(GObject *object, guint prop_id, const GValue *value,
                                      GParamSpec *pspec) {
  GstRtmsSrc *self = GST_RTMS_SRC(object);
  if (prop_id == PROP_WEBHOOK_PAYLOAD || prop_id == PROP_SERVER_URLS) {
    std::string old_urls;
    {
      std::lock_guard<std::mutex> guard(self->state->settings_lock);
      RtmsSrcSettings &s = self->state->settings;
      old_urls = s.server_urls;
      if (prop_id == PROP_WEBHOOK_PAYLOAD)
        apply_webhook(self, s, string_or_empty(value));
      else
        s.server_urls = string_or_empty(value);
    }
    maybe_fail_over(self, old_urls);
    return;
  }
  std::lock_guard<std::mutex> guard(self->state->settings_lock);
  RtmsSrcSettings &s = self->state->settings;
  switch (prop_id) {
    case PROP_STREAM_ID: s.stream_id = string_or_empty(value); break;
    case PROP_MEETING_UUID: s.meeting_uuid = string_or_empty(value); break;
    case PROP_WEBINAR_UUID: s.webinar_uuid = string_or_empty(value); break;
    case PROP_SESSION_ID: s.session_id = string_or_empty(value); break;
    case PROP_ENGAGEMENT_ID: s.engagement_id = string_or_empty(value); break;
    case PROP_CLIENT_ID: s.client_id = string_or_empty(value); break;
    case PROP_CLIENT_SECRET: s.client_secret = string_or_empty(value); break;
    case PROP_SSL_CA_FILE: s.ssl_ca_file = string_or_empty(value); break;
    case PROP_SSL_STRICT: s.ssl_strict = g_value_get_boolean(value); break;
    case PROP_ALLOWED_HOSTS: s.allowed_hosts = string_or_empty(value); break;
    case PROP_ALLOW_PLAINTEXT: s.allow_plaintext = g_value_get_boolean(value); break;
    case PROP_AUDIO_CODEC: s.audio_codec = GstRtmsAudioCodec(g_value_get_enum(value)); break;
    case PROP_G711_LAW: s.g711_law = GstRtmsG711Law(g_value_get_enum(value)); break;
    case PROP_AUDIO_SAMPLE_RATE: s.audio_sample_rate = g_value_get_int(value); break;
    case PROP_AUDIO_CHANNELS: s.audio_channels = g_value_get_int(value); break;
    case PROP_AUDIO_MODE: s.audio_mode = GstRtmsAudioMode(g_value_get_enum(value)); break;
    case PROP_AUDIO_SEND_RATE: s.audio_send_rate = g_value_get_uint(value); break;
    case PROP_PUSH_MODE: s.push_mode = GstRtmsPushMode(g_value_get_enum(value)); break;
    case PROP_MEDIA: s.media = g_value_get_flags(value); break;
    case PROP_VIDEO_CODEC: s.video_codec = GstRtmsVideoCodec(g_value_get_enum(value)); break;
    case PROP_VIDEO_RESOLUTION: s.video_resolution = GstRtmsVideoResolution(g_value_get_enum(value)); break;
    case PROP_VIDEO_FPS: s.video_fps = g_value_get_uint(value); break;
    case PROP_VIDEO_MODE: s.video_mode = GstRtmsVideoMode(g_value_get_enum(value)); break;
    case PROP_DESKSHARE_CODEC: s.deskshare_codec = GstRtmsVideoCodec(g_value_get_enum(value)); break;
    case PROP_DESKSHARE_RESOLUTION: s.deskshare_resolution = GstRtmsVideoResolution(g_value_get_enum(value)); break;
    case PROP_DESKSHARE_FPS: s.deskshare_fps = g_value_get_uint(value); break;
    case PROP_TRANSCRIPT_LANGUAGE: s.transcript_language = g_value_get_int(value); break;
    case PROP_TRANSCRIPT_LID: s.transcript_lid = g_value_get_boolean(value); break;
    case PROP_TEXT_GAP_DELAY: s.text_gap_delay = g_value_get_uint(value); break;
    case PROP_SOCKET_MODE: s.socket_mode = GstRtmsSocketMode(g_value_get_enum(value)); break;
    case PROP_HANDSHAKE_TIMEOUT: s.handshake_timeout = g_value_get_uint(value); break;
    case PROP_LATENCY: s.latency = g_value_get_uint(value); break;
    case PROP_BUFFER_DATA: s.buffer_data = g_value_get_boolean(value); break;
    case PROP_MAX_MESSAGE_SIZE: s.max_message_size = g_value_get_uint(value); break;
    case PROP_RECONNECT_DELAY: s.reconnect_delay = g_value_get_uint(value); break;
    case PROP_KEEPALIVE_TIMEOUT: s.keepalive_timeout = g_value_get_uint(value); break;
    case PROP_WAKE_INTERVAL: s.wake_interval = g_value_get_uint(value); break;
    case PROP_DEDICATED_THREAD: s.dedicated_thread = g_value_get_boolean(value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
}

// Counters of what went through, per media kind, for monitoring.
static GstStructure *make_stats(GstRtmsSrc *self) {
  RtmsSrcState *st = self->state;
  GstStructure *stats = gst_structure_new_empty("application/x-rtms-stats");
  std::lock_guard<std::mutex> guard(st->outputs_lock);
  guint64 buffers[kRtmsOutputKinds] = {}, bytes[kRtmsOutputKinds] = {};
  guint pads[kRtmsOutputKinds] = {};
  for (const auto &out : st->outputs) {
    buffers[int(out->kind)] += out->buffers;
    bytes[int(out->kind)] += out->bytes;
    pads[int(out->kind)]++;
  }
  for (int k = 0; k < kRtmsOutputKinds; k++) {
    std::string name = rtms_output_kind_name(RtmsOutputKind(k));
    gst_structure_set(stats, (name + "-pads").c_str(), G_TYPE_UINT, pads[k],
                      (name + "-buffers").c_str(), G_TYPE_UINT64, buffers[k],
                      (name + "-bytes").c_str(), G_TYPE_UINT64, bytes[k], nullptr);
  }
  gst_structure_set(stats, "video-frames-before-keyframe", G_TYPE_UINT64,
                    st->video_dropped_waiting, "reconnects", G_TYPE_UINT, st->reconnects,
                    nullptr);
  return stats;
}

static void gst_rtms_src_get_property(GObject *object, guint prop_id, GValue *value,
                                      GParamSpec *pspec) {
  GstRtmsSrc *self = GST_RTMS_SRC(object);
  if (prop_id == PROP_STATS) {
    g_value_take_boxed(value, make_stats(self));
    return;
  }
  std::lock_guard<std::mutex> guard(self->state->settings_lock);
  const RtmsSrcSettings &s = self->state->settings;
  switch (prop_id) {
    case PROP_WEBHOOK_PAYLOAD: g_value_set_string(value, s.webhook_payload.c_str()); break;
    case PROP_SERVER_URLS: g_value_set_string(value, s.server_urls.c_str()); break;
    case PROP_STREAM_ID: g_value_set_string(value, s.stream_id.c_str()); break;
    case PROP_MEETING_UUID: g_value_set_string(value, s.meeting_uuid.c_str()); break;
    case PROP_WEBINAR_UUID: g_value_set_string(value, s.webinar_uuid.c_str()); break;
    case PROP_SESSION_ID: g_value_set_string(value, s.session_id.c_str()); break;
    case PROP_ENGAGEMENT_ID: g_value_set_string(value, s.engagement_id.c_str()); break;
    case PROP_CLIENT_ID: g_value_set_string(value, s.client_id.c_str()); break;
    case PROP_SSL_CA_FILE: g_value_set_string(value, s.ssl_ca_file.c_str()); break;
    case PROP_SSL_STRICT: g_value_set_boolean(value, s.ssl_strict); break;
    case PROP_ALLOWED_HOSTS: g_value_set_string(value, s.allowed_hosts.c_str()); break;
    case PROP_ALLOW_PLAINTEXT: g_value_set_boolean(value, s.allow_plaintext); break;
    case PROP_AUDIO_CODEC: g_value_set_enum(value, s.audio_codec); break;
    case PROP_G711_LAW: g_value_set_enum(value, s.g711_law); break;
    case PROP_AUDIO_SAMPLE_RATE: g_value_set_int(value, s.audio_sample_rate); break;
    case PROP_AUDIO_CHANNELS: g_value_set_int(value, s.audio_channels); break;
    case PROP_AUDIO_MODE: g_value_set_enum(value, s.audio_mode); break;
    case PROP_AUDIO_SEND_RATE: g_value_set_uint(value, s.audio_send_rate); break;
    case PROP_PUSH_MODE: g_value_set_enum(value, s.push_mode); break;
    case PROP_MEDIA: g_value_set_flags(value, s.media); break;
    case PROP_VIDEO_CODEC: g_value_set_enum(value, s.video_codec); break;
    case PROP_VIDEO_RESOLUTION: g_value_set_enum(value, s.video_resolution); break;
    case PROP_VIDEO_FPS: g_value_set_uint(value, s.video_fps); break;
    case PROP_VIDEO_MODE: g_value_set_enum(value, s.video_mode); break;
    case PROP_DESKSHARE_CODEC: g_value_set_enum(value, s.deskshare_codec); break;
    case PROP_DESKSHARE_RESOLUTION: g_value_set_enum(value, s.deskshare_resolution); break;
    case PROP_DESKSHARE_FPS: g_value_set_uint(value, s.deskshare_fps); break;
    case PROP_TRANSCRIPT_LANGUAGE: g_value_set_int(value, s.transcript_language); break;
    case PROP_TRANSCRIPT_LID: g_value_set_boolean(value, s.transcript_lid); break;
    case PROP_TEXT_GAP_DELAY: g_value_set_uint(value, s.text_gap_delay); break;
    case PROP_SOCKET_MODE: g_value_set_enum(value, s.socket_mode); break;
    case PROP_HANDSHAKE_TIMEOUT: g_value_set_uint(value, s.handshake_timeout); break;
    case PROP_LATENCY: g_value_set_uint(value, s.latency); break;
    case PROP_BUFFER_DATA: g_value_set_boolean(value, s.buffer_data); break;
    case PROP_MAX_MESSAGE_SIZE: g_value_set_uint(value, s.max_message_size); break;
    case PROP_RECONNECT_DELAY: g_value_set_uint(value, s.reconnect_delay); break;
    case PROP_KEEPALIVE_TIMEOUT: g_value_set_uint(value, s.keepalive_timeout); break;
    case PROP_WAKE_INTERVAL: g_value_set_uint(value, s.wake_interval); break;
    case PROP_DEDICATED_THREAD: g_value_set_boolean(value, s.dedicated_thread); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
}

// ---- session configuration ---------------------------------------------------

static int natural_rate(GstRtmsAudioCodec codec) {
  switch (codec) {
    case GST_RTMS_AUDIO_CODEC_G711: return 8000;
    case GST_RTMS_AUDIO_CODEC_OPUS: return 48000;
    default: return 16000;
  }
}

// Builds the session's configuration from the properties. Returns an empty
// string, or what is wrong in words a user can act on.
static std::string build_config(const RtmsSrcSettings &s, rtms::SessionConfig &config) {
  if (!s.webhook_error.empty()) return "webhook-payload: " + s.webhook_error;
  config.signaling_urls = rtms::split_server_urls(s.server_urls);
  if (config.signaling_urls.empty())
    return "no server URL: set webhook-payload (the rtms_started webhook) or server-urls";
  for (const auto &url : config.signaling_urls)
    if (!g_str_has_prefix(url.c_str(), "ws://") && !g_str_has_prefix(url.c_str(), "wss://"))
      return "server-urls: '" + url + "' is not a ws:// or wss:// URL";
  if (s.stream_id.empty()) return "no stream id: set webhook-payload or stream-id";
  if (!s.meeting_uuid.empty()) config.identity = {rtms::Product::Meeting, s.meeting_uuid};
  else if (!s.webinar_uuid.empty()) config.identity = {rtms::Product::Webinar, s.webinar_uuid};
  else if (!s.session_id.empty()) config.identity = {rtms::Product::VideoSdk, s.session_id};
  else if (!s.engagement_id.empty())
    config.identity = {rtms::Product::ContactCenter, s.engagement_id};
  else
    return "no meeting id: set webhook-payload, meeting-uuid, webinar-uuid, session-id or "
           "engagement-id";
  config.rtms_stream_id = s.stream_id;
  // Credentials may come from the environment so they stay off command lines.
  config.client_id = s.client_id;
  config.client_secret = s.client_secret;
  if (config.client_id.empty() && g_getenv("ZM_RTMS_CLIENT")) config.client_id = g_getenv("ZM_RTMS_CLIENT");
  if (config.client_secret.empty() && g_getenv("ZM_RTMS_SECRET"))
    config.client_secret = g_getenv("ZM_RTMS_SECRET");
  if (config.client_id.empty()) return "no client id: set client-id or ZM_RTMS_CLIENT";
  if (config.client_secret.empty()) return "no client secret: set client-secret or ZM_RTMS_SECRET";

  rtms::AudioParams audio;
  audio.content_type = rtms::ContentType::RawAudio;
  audio.codec = rtms::Codec(int(s.audio_codec));
  int rate = s.audio_sample_rate ? s.audio_sample_rate : natural_rate(s.audio_codec);
  rtms::SampleRate rate_enum;
  if (!rtms::hz_to_sample_rate(rate, &rate_enum))
    return "audio-sample-rate " + std::to_string(rate) + " is not one RTMS carries (8000, 16000, "
           "32000 or 48000)";
  if (s.audio_codec == GST_RTMS_AUDIO_CODEC_OPUS && rate != 48000)
    return "audio-codec opus needs audio-sample-rate 48000";
  if (s.audio_codec == GST_RTMS_AUDIO_CODEC_G722 && rate != 16000)
    return "audio-codec g722 needs audio-sample-rate 16000";
  audio.sample_rate = rate_enum;
  audio.channel = s.audio_channels == 2 ? rtms::AudioChannel::Stereo : rtms::AudioChannel::Mono;
  audio.data_opt = s.audio_mode == GST_RTMS_AUDIO_MODE_MIXED ? rtms::DataOption::AudioMixedStream
                                                             : rtms::DataOption::AudioMultiStreams;
  audio.send_rate_ms = int(s.audio_send_rate);
  if (s.media == 0) return "media is empty: choose at least one of audio, video, deskshare, transcript, chat";
  if (s.media & GST_RTMS_MEDIA_AUDIO) config.media_params.audio = audio;
  if (s.media & GST_RTMS_MEDIA_VIDEO) {
    if (s.video_mode == GST_RTMS_VIDEO_MODE_GALLERY)
      return "video-mode gallery is not supported: RTMS servers do not document it; use "
             "active-speaker or individual";
    if (s.video_codec != GST_RTMS_VIDEO_CODEC_H264 && s.video_fps > 5)
      return "video-fps " + std::to_string(s.video_fps) +
             " is too high for JPEG or PNG video (at most 5); use video-codec h264 above 5 fps";
    rtms::VideoParams video;
    video.content_type = rtms::ContentType::RawVideo;
    video.codec = rtms::Codec(int(s.video_codec));
    video.resolution = rtms::Resolution(int(s.video_resolution));
    video.data_opt = rtms::DataOption(int(s.video_mode));
    video.fps = int(s.video_fps);
    config.media_params.video = video;
  }
  if (s.media & GST_RTMS_MEDIA_DESKSHARE) {
    if (s.deskshare_codec != GST_RTMS_VIDEO_CODEC_H264 && s.deskshare_fps > 1)
      return "deskshare-fps " + std::to_string(s.deskshare_fps) +
             " is too high for JPEG or PNG screen share (at most 1); use deskshare-codec h264";
    rtms::VideoParams share;
    share.content_type = rtms::ContentType::RawVideo;
    share.codec = rtms::Codec(int(s.deskshare_codec));
    share.resolution = rtms::Resolution(int(s.deskshare_resolution));
    share.fps = int(s.deskshare_fps);
    config.media_params.deskshare = share;
  }
  if (s.media & GST_RTMS_MEDIA_TRANSCRIPT) {
    rtms::TranscriptParams transcript;
    transcript.content_type = rtms::ContentType::Text;
    transcript.src_language = rtms::TranscriptLanguage(s.transcript_language);
    transcript.enable_lid = s.transcript_lid;
    config.media_params.transcript = transcript;
  }
  if (s.media & GST_RTMS_MEDIA_CHAT) {
    rtms::ChatParams chat;
    chat.content_type = rtms::ContentType::Text;
    config.media_params.chat = chat;
  }
  config.media_types = s.media;
  config.split_sockets = s.socket_mode == GST_RTMS_SOCKET_MODE_SPLIT;
  config.subscribe_events = {int(rtms::EventType::ActiveSpeakerChange),
                             int(rtms::EventType::ParticipantJoin),
                             int(rtms::EventType::ParticipantLeave)};
  if (s.media & GST_RTMS_MEDIA_DESKSHARE) {
    config.subscribe_events.push_back(int(rtms::EventType::SharingStart));
    config.subscribe_events.push_back(int(rtms::EventType::SharingStop));
  }
  if (s.media & GST_RTMS_MEDIA_VIDEO) {
    config.subscribe_events.push_back(int(rtms::EventType::ParticipantVideoOn));
    config.subscribe_events.push_back(int(rtms::EventType::ParticipantVideoOff));
  }
  config.buffer_data = s.buffer_data;
  config.ca_file = s.ssl_ca_file;
  config.tls_strict = s.ssl_strict;
  {
    // "*.zoom.us, 127.0.0.1": commas, spaces or both between patterns.
    gchar **patterns = g_strsplit_set(s.allowed_hosts.c_str(), ", \t\n", -1);
    std::string why;
    for (gchar **p = patterns; *p && why.empty(); ++p)
      if (**p && !config.allowed_hosts.add(*p, &why)) why = "allowed-hosts: " + why;
    g_strfreev(patterns);
    if (!why.empty()) return why;
  }
  config.allow_plaintext = s.allow_plaintext;
  config.handshake_timeout_ms = s.handshake_timeout;
  config.max_message_size = s.max_message_size;
  config.reconnect_delay_ms = s.reconnect_delay;
  config.silence_timeout_ms = s.keepalive_timeout;
  config.wake_interval_us = s.wake_interval;
  config.dedicated_thread = s.dedicated_thread;
  config.log_tag = s.stream_id;
  if (s.reconnect_delay == 0) {
    config.signaling_reconnect_window_ms = 0;
    config.media_reconnect_window_ms = 0;
  }
  return std::string();
}

// ---- session lifetime --------------------------------------------------------

static bool start_session(GstRtmsSrc *self) {
  RtmsSrcState *st = self->state;
  rtms::SessionConfig config;
  std::string problem;
  {
    std::lock_guard<std::mutex> guard(st->settings_lock);
    problem = build_config(st->settings, config);
    st->g711_law = st->settings.g711_law;
    st->per_participant = st->settings.audio_mode == GST_RTMS_AUDIO_MODE_PER_PARTICIPANT;
    st->audio_push_mode = st->settings.push_mode;
  }
  if (!problem.empty()) {
    GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("%s", problem.c_str()), (nullptr));
    return false;
  }
  {
    std::lock_guard<std::mutex> guard(st->end_lock);
    st->session_over = false;
    st->eos_requested = false;
  }
  {
    std::lock_guard<std::mutex> guard(st->outputs_lock);
    st->group_id = gst_util_group_id_next();
    st->time_mapper.reset();
    st->audio_ready = false;
    st->eos_everywhere = false;
    for (guint &n : st->next_pad_number) n = 0;
    st->ready_types = 0;
    st->pads_announced = false;
    st->reconnects = 0;
    st->video_dropped_waiting = 0;
    st->not_linked_warned = false;
  }
  if (st->audio_push_mode == GST_RTMS_PUSH_MODE_SHARED_THREADS && !st->uses_push_pool) {
    rtms::push_pool_acquire();
    st->uses_push_pool = true;
  }
  GST_INFO_OBJECT(self, "connecting to stream %s (%zu signaling URL(s))",
                  config.rtms_stream_id.c_str(), config.signaling_urls.size());
  // The session's lines name this element (the session ends before it).
  config.log_object = self;
  st->listener = std::make_unique<RtmsSrcListener>(self);
  std::lock_guard<std::mutex> guard(st->session_lock);
  st->session = std::make_unique<rtms::Session>(std::move(config), *st->listener);
  st->session->start();
  return true;
}

// Closes the stream politely (STREAM_CLOSE_REQ) if it still runs, waits a
// bounded time for the server to agree, then tears the session down.
static void stop_session(GstRtmsSrc *self) {
  RtmsSrcState *st = self->state;
  std::unique_ptr<rtms::Session> session;
  {
    std::lock_guard<std::mutex> guard(st->session_lock);
    session = std::move(st->session);
  }
  if (!session) return;
  session->request_close();
  {
    std::unique_lock<std::mutex> guard(st->end_lock);
    st->end_cond.wait_for(guard, std::chrono::milliseconds(2500), [st] { return st->session_over; });
  }
  session->stop();
  session.reset();
  st->listener.reset();
}

static GstStateChangeReturn gst_rtms_src_change_state(GstElement *element,
                                                      GstStateChange transition) {
  GstRtmsSrc *self = GST_RTMS_SRC(element);
  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      if (!start_session(self)) return GST_STATE_CHANGE_FAILURE;
      break;
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
      self->state->playing.store(false, std::memory_order_release);
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      // The session may add pads and push into their queues: stop it before
      // the pads are deactivated.
      stop_session(self);
      break;
    default:
      break;
  }

  GstStateChangeReturn ret = GST_ELEMENT_CLASS(parent_class)->change_state(element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE) return ret;

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
      ret = GST_STATE_CHANGE_NO_PREROLL;  // a live source has nothing to preroll
      break;
    case GST_STATE_CHANGE_PAUSED_TO_PLAYING:
      self->state->playing.store(true, std::memory_order_release);
      rtms_src_start_pushing(self);
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
    case GST_STATE_CHANGE_READY_TO_NULL:
      if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) rtms_src_remove_outputs(self);
      // Its pads are deactivated: none of them is scheduled or pushing.
      if (self->state->uses_push_pool) {
        self->state->uses_push_pool = false;
        rtms::push_pool_release();
      }
      break;
    default:
      break;
  }
  return ret;
}

// EOS sent to the element (gst-launch-1.0 -e, an application stopping a
// recording): close the stream on the server, and let every pad drain and end.
static gboolean gst_rtms_src_send_event(GstElement *element, GstEvent *event) {
  GstRtmsSrc *self = GST_RTMS_SRC(element);
  if (GST_EVENT_TYPE(event) == GST_EVENT_EOS) {
    GST_INFO_OBJECT(self, "EOS requested: closing the stream");
    gst_event_unref(event);
    self->state->eos_requested.store(true, std::memory_order_release);
    {
      std::lock_guard<std::mutex> guard(self->state->session_lock);
      if (self->state->session) self->state->session->request_close();
    }
    rtms_src_push_eos_everywhere(self);
    return TRUE;
  }
  return GST_ELEMENT_CLASS(parent_class)->send_event(element, event);
}

// Action signal: in individual video mode, (un)subscribe one participant's
// video. The answer arrives as an rtms-video-subscription element message.
static gboolean gst_rtms_src_subscribe_video(GstRtmsSrc *self, gint64 user_id, gboolean subscribe) {
  std::lock_guard<std::mutex> guard(self->state->session_lock);
  if (!self->state->session) {
    GST_WARNING_OBJECT(self, "subscribe-video: no stream is running");
    return FALSE;
  }
  rtms::VideoSubscriptionReq req;
  req.user_id = user_id;
  req.subscribe = subscribe;
  req.timestamp = g_get_real_time() / 1000;
  GST_INFO_OBJECT(self, "%s video of participant %" G_GINT64_FORMAT,
                  subscribe ? "subscribing to" : "unsubscribing from", user_id);
  self->state->session->send_signaling(req);
  return TRUE;
}

// ---- listener ---------------------------------------------------------------

void RtmsSrcListener::on_media_ready(uint32_t types, const rtms::MediaParams &effective) {
  guint wanted;
  {
    std::lock_guard<std::mutex> guard(self_->state->settings_lock);
    wanted = self_->state->settings.media;
  }
  types &= wanted;
  {
    std::lock_guard<std::mutex> guard(self_->state->outputs_lock);
    self_->state->ready_types |= types;
  }
  if (types & rtms::kMediaAudio) rtms_src_handle_audio_ready(self_, effective);
  if (types & rtms::kMediaVideo) rtms_src_handle_video_ready(self_, RtmsOutputKind::Video, effective);
  if (types & rtms::kMediaDeskshare)
    rtms_src_handle_video_ready(self_, RtmsOutputKind::Deskshare, effective);
  if (types & rtms::kMediaTranscript) rtms_src_handle_text_ready(self_, RtmsOutputKind::Transcript);
  if (types & rtms::kMediaChat) rtms_src_handle_text_ready(self_, RtmsOutputKind::Chat);
  rtms_src_maybe_announce_pads(self_);
}

void RtmsSrcListener::on_media(rtms::MediaData &&data) {
  switch (data.type) {
    case rtms::MessageType::MediaDataAudio:
      rtms_src_handle_audio(self_, std::move(data));
      break;
    case rtms::MessageType::MediaDataVideo:
      rtms_src_handle_video(self_, RtmsOutputKind::Video, std::move(data));
      break;
    case rtms::MessageType::MediaDataShare:
      rtms_src_handle_video(self_, RtmsOutputKind::Deskshare, std::move(data));
      break;
    case rtms::MessageType::MediaDataTranscript:
      rtms_src_handle_text(self_, RtmsOutputKind::Transcript, std::move(data));
      break;
    case rtms::MessageType::MediaDataChat:
      rtms_src_handle_text(self_, RtmsOutputKind::Chat, std::move(data));
      break;
    default:
      GST_LOG_OBJECT(self_, "ignoring %s (not requested)", rtms::to_string(data.type));
      break;
  }
}

void RtmsSrcListener::on_event(const rtms::Event &event) {
  if (event.event_type == int(rtms::EventType::ParticipantJoin))
    for (const auto &p : event.participants)
      if (p.has_user_name) rtms_src_update_participant(self_, p.user_id, p.user_name);
  rtms_src_post_event(self_, event);
}

void RtmsSrcListener::on_stream_state(const rtms::StreamStateUpdate &update) {
  rtms_src_post_stream_state(self_, update);
}

void RtmsSrcListener::on_session_state(const rtms::SessionStateUpdate &update) {
  rtms_src_post_session_state(self_, update);
}

void RtmsSrcListener::on_other_message(const rtms::Message &message) {
  GST_DEBUG_OBJECT(self_, "server message %s", rtms::to_string(rtms::message_type_of(message)));
  if (auto *resp = std::get_if<rtms::VideoSubscriptionResp>(&message)) {
    gst_element_post_message(
        GST_ELEMENT(self_),
        gst_message_new_element(
            GST_OBJECT(self_),
            gst_structure_new("rtms-video-subscription", "user-id", G_TYPE_INT64, resp->user_id,
                              "status-code", G_TYPE_INT, int(resp->status_code), "status-name",
                              G_TYPE_STRING, rtms::to_string(resp->status_code), "reason",
                              G_TYPE_STRING, resp->reason.c_str(), nullptr)));
  }
}

void RtmsSrcListener::on_warning(const rtms::SessionWarning &warning) {
  rtms_src_post_warning(self_, warning);
}

void RtmsSrcListener::on_reconnecting(const std::string &socket, unsigned attempt,
                                      unsigned delay_ms, const std::string &why) {
  {
    std::lock_guard<std::mutex> guard(self_->state->outputs_lock);
    self_->state->reconnects++;
  }
  rtms_src_post_reconnecting(self_, socket, attempt, delay_ms, why);
}

void RtmsSrcListener::on_reconnected(const std::string &socket) {
  GST_INFO_OBJECT(self_, "%s reconnected", socket.c_str());
  gst_element_post_message(
      GST_ELEMENT(self_),
      gst_message_new_element(GST_OBJECT(self_),
                              gst_structure_new("rtms-reconnected", "socket", G_TYPE_STRING,
                                                socket.c_str(), nullptr)));
}

void RtmsSrcListener::on_error(const rtms::SessionError &error) {
  rtms_src_post_error(self_, error);
  mark_over();
}

void RtmsSrcListener::on_ended(rtms::StopReason reason, const std::string &detail) {
  rtms_src_post_stopped(self_, reason, detail);
  rtms_src_push_eos_everywhere(self_);
  mark_over();
}

void RtmsSrcListener::mark_over() {
  std::lock_guard<std::mutex> guard(self_->state->end_lock);
  self_->state->session_over = true;
  self_->state->end_cond.notify_all();
}

// ---- GObject ------------------------------------------------------------------

static void gst_rtms_src_finalize(GObject *object) {
  GstRtmsSrc *self = GST_RTMS_SRC(object);
  if (self->state->session) self->state->session->stop();
  self->state->session.reset();
  gst_flow_combiner_free(self->state->flow_combiner);
  delete self->state;
  G_OBJECT_CLASS(parent_class)->finalize(object);
}

static void gst_rtms_src_init(GstRtmsSrc *self) {
  self->state = new RtmsSrcState();
  self->state->flow_combiner = gst_flow_combiner_new();
  GST_OBJECT_FLAG_SET(self, GST_ELEMENT_FLAG_SOURCE);
}

static void install_string(GObjectClass *klass, guint id, const char *name, const char *nick,
                           const char *blurb, bool readable = true,
                           GParamFlags mutability = GParamFlags(GST_PARAM_MUTABLE_READY)) {
  GParamFlags flags = GParamFlags(G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS | mutability);
  if (readable) flags = GParamFlags(flags | G_PARAM_READABLE);
  g_object_class_install_property(klass, id, g_param_spec_string(name, nick, blurb, "", flags));
}

static void gst_rtms_src_class_init(GstRtmsSrcClass *klass) {
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
  const GParamFlags rw = GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                                     GST_PARAM_MUTABLE_READY);

  gobject_class->set_property = gst_rtms_src_set_property;
  gobject_class->get_property = gst_rtms_src_get_property;
  gobject_class->finalize = gst_rtms_src_finalize;
  element_class->change_state = gst_rtms_src_change_state;
  element_class->send_event = gst_rtms_src_send_event;

  install_string(gobject_class, PROP_WEBHOOK_PAYLOAD, "webhook-payload", "Webhook payload",
                 "JSON of a meeting./webinar./session./contact_center.voice_rtms_started "
                 "webhook: the whole body or only its 'payload' object. Sets server-urls, "
                 "stream-id and the meeting/webinar/session/engagement id in one go. Set while "
                 "streaming, a new rtms_started for the same stream with other server URLs "
                 "moves the stream there (server failover)",
                 true, GParamFlags(GST_PARAM_MUTABLE_PLAYING));
  install_string(gobject_class, PROP_SERVER_URLS, "server-urls", "Server URLs",
                 "Signaling WebSocket URL(s) from the webhook's server_urls; several may be "
                 "given separated by commas (wss:// entries are tried first). Changed while "
                 "streaming, the stream moves to the new servers (server failover)",
                 true, GParamFlags(GST_PARAM_MUTABLE_PLAYING));
  install_string(gobject_class, PROP_STREAM_ID, "stream-id", "Stream ID",
                 "rtms_stream_id of the stream to receive");
  install_string(gobject_class, PROP_MEETING_UUID, "meeting-uuid", "Meeting UUID",
                 "meeting_uuid of a Zoom meeting (used exactly as the webhook gives it)");
  install_string(gobject_class, PROP_WEBINAR_UUID, "webinar-uuid", "Webinar UUID",
                 "webinar_uuid of a Zoom webinar");
  install_string(gobject_class, PROP_SESSION_ID, "session-id", "Session ID",
                 "session_id of a Zoom Video SDK session");
  install_string(gobject_class, PROP_ENGAGEMENT_ID, "engagement-id", "Engagement ID",
                 "engagement_id of a Zoom Contact Center engagement");
  install_string(gobject_class, PROP_CLIENT_ID, "client-id", "Client ID",
                 "Client ID of the Zoom Marketplace app that received the webhook. When "
                 "empty, the environment variable ZM_RTMS_CLIENT is used");
  install_string(gobject_class, PROP_CLIENT_SECRET, "client-secret", "Client secret",
                 "Client secret of the app; signs the handshakes. Write-only, never logged. "
                 "When empty, the environment variable ZM_RTMS_SECRET is used (prefer it: "
                 "command lines are visible to other users)",
                 false);
  install_string(gobject_class, PROP_SSL_CA_FILE, "ssl-ca-file", "SSL CA file",
                 "PEM file of the certificate authorities to trust for wss:// instead of the "
                 "system store (for a private CA such as the emulator's)");
  g_object_class_install_property(
      gobject_class, PROP_SSL_STRICT,
      g_param_spec_boolean("ssl-strict", "SSL strict",
                           "Refuse wss:// servers whose certificate is not trusted. Turning it "
                           "off accepts any certificate (insecure; for testing only)",
                           TRUE, rw));
  /**
   * GstRtmsSrc:allowed-hosts:
   *
   * Host patterns of the RTMS servers the element may connect to, separated
   * by commas or spaces: `rtms.zoom.us`, `*.zoom.us` (any host below it),
   * an IP literal, or `*`. Both the signaling URLs (from webhook-payload or
   * server-urls) and the media URLs the signaling server hands out are
   * checked before anything connects; a URL that matches no pattern is a
   * RESOURCE/SETTINGS error. Empty (the default): any host.
   *
   * Since: 0.2
   */
  install_string(gobject_class, PROP_ALLOWED_HOSTS, "allowed-hosts", "Allowed hosts",
                 "RTMS server host patterns (e.g. \"*.zoom.us\"), comma or space separated; signaling and "
                 "media URLs whose host matches none are refused. Empty: any host");
  /**
   * GstRtmsSrc:allow-plaintext:
   *
   * Whether unencrypted `ws://` servers may be used (signaling and media).
   * Zoom's servers are `wss://`; `ws://` is for the emulator and tests.
   *
   * Since: 0.2
   */
  g_object_class_install_property(
      gobject_class, PROP_ALLOW_PLAINTEXT,
      g_param_spec_boolean("allow-plaintext", "Allow plaintext",
                           "Allow unencrypted ws:// servers (signaling and media); Zoom's are wss://", TRUE,
                           rw));
  g_object_class_install_property(
      gobject_class, PROP_AUDIO_CODEC,
      g_param_spec_enum("audio-codec", "Audio codec", "Audio codec to ask the server for",
                        gst_rtms_audio_codec_get_type(), GST_RTMS_AUDIO_CODEC_L16, rw));
  g_object_class_install_property(
      gobject_class, PROP_G711_LAW,
      g_param_spec_enum("g711-law", "G.711 law",
                        "Which G.711 law the server's G.711 audio uses; the protocol does not "
                        "say, so this decides the caps (audio/x-mulaw or audio/x-alaw)",
                        gst_rtms_g711_law_get_type(), GST_RTMS_G711_MULAW, rw));
  g_object_class_install_property(
      gobject_class, PROP_AUDIO_SAMPLE_RATE,
      g_param_spec_int("audio-sample-rate", "Audio sample rate",
                       "Sample rate in Hz to ask for: 8000, 16000, 32000 or 48000; 0 picks the "
                       "codec's natural rate (L16 and G.722 16000, G.711 8000, Opus 48000). The "
                       "caps follow what the server grants",
                       0, 48000, 0, rw));
  g_object_class_install_property(
      gobject_class, PROP_AUDIO_CHANNELS,
      g_param_spec_int("audio-channels", "Audio channels", "1 (mono) or 2 (stereo)", 1, 2, 1, rw));
  g_object_class_install_property(
      gobject_class, PROP_AUDIO_MODE,
      g_param_spec_enum("audio-mode", "Audio mode",
                        "Per-participant audio (a pad per speaker, with identity) or one mixed "
                        "pad. Zoom's wire default is mixed; rtmssrc defaults to per-participant "
                        "because mixed audio loses who spoke",
                        gst_rtms_audio_mode_get_type(), GST_RTMS_AUDIO_MODE_PER_PARTICIPANT, rw));
  g_object_class_install_property(
      gobject_class, PROP_AUDIO_SEND_RATE,
      g_param_spec_uint("audio-send-rate", "Audio send rate",
                        "Milliseconds of audio per packet: a multiple of 20, at most 1000", 20,
                        1000, 20, rw));
  g_object_class_install_property(
      gobject_class, PROP_PUSH_MODE,
      g_param_spec_enum("push-mode", "Push mode",
                        "Which thread pushes audio downstream. shared-threads: a pool of "
                        "streaming threads shared by every rtmssrc of the process pushes in "
                        "batches (one thread hand-off per millisecond of packets, not per "
                        "packet; adds 1 ms of latency); a downstream that blocks holds up one "
                        "pool thread, never the network thread, and the pool starts another "
                        "thread when work waits 20 ms. pad-threads: every audio pad has its "
                        "own streaming thread (a hand-off per packet). network-thread: audio "
                        "pads push straight from the stream's network thread (shared with "
                        "other streams unless dedicated-thread), with no hand-off at all; "
                        "downstream then must not block for long, so put a queue after each "
                        "audio pad that feeds a muxer or anything slow. Video, share and text "
                        "pads always have their own threads",
                        gst_rtms_push_mode_get_type(), GST_RTMS_PUSH_MODE_SHARED_THREADS, rw));
  g_object_class_install_property(
      gobject_class, PROP_SOCKET_MODE,
      g_param_spec_enum("socket-mode", "Socket mode",
                        "One unified media socket, or one socket per media type",
                        gst_rtms_socket_mode_get_type(), GST_RTMS_SOCKET_MODE_UNIFIED, rw));
  g_object_class_install_property(
      gobject_class, PROP_HANDSHAKE_TIMEOUT,
      g_param_spec_uint("handshake-timeout", "Handshake timeout",
                        "Milliseconds to wait for the server to answer the signaling and media "
                        "handshakes before failing",
                        100, 600000, 10000, rw));
  g_object_class_install_property(
      gobject_class, PROP_LATENCY,
      g_param_spec_uint("latency", "Latency",
                        "Milliseconds of network jitter to allow for; reported in the LATENCY "
                        "query on top of one packet's duration",
                        0, 60000, 100, rw));
  g_object_class_install_property(
      gobject_class, PROP_BUFFER_DATA,
      g_param_spec_boolean("buffer-data", "Buffer data",
                           "Receive the audio the server buffered between the rtms_started "
                           "webhook and the connection (up to 60 s, delivered in a burst). "
                           "FALSE drops it on the server",
                           TRUE, rw));
  g_object_class_install_property(
      gobject_class, PROP_MAX_MESSAGE_SIZE,
      g_param_spec_uint("max-message-size", "Max message size",
                        "Largest WebSocket message accepted, in bytes; larger ones close the "
                        "socket with an error",
                        65536, G_MAXUINT, 64 * 1024 * 1024, rw));

  g_object_class_install_property(
      gobject_class, PROP_MEDIA,
      g_param_spec_flags("media", "Media",
                         "Which media to receive; each needs the matching scope in the Zoom app. "
                         "Pads appear for what the server grants",
                         gst_rtms_media_get_type(), GST_RTMS_MEDIA_AUDIO, rw));
  g_object_class_install_property(
      gobject_class, PROP_VIDEO_CODEC,
      g_param_spec_enum("video-codec", "Video codec",
                        "Codec of participant video; JPEG and PNG only up to 5 fps",
                        gst_rtms_video_codec_get_type(), GST_RTMS_VIDEO_CODEC_H264, rw));
  g_object_class_install_property(
      gobject_class, PROP_VIDEO_RESOLUTION,
      g_param_spec_enum("video-resolution", "Video resolution",
                        "Resolution of participant video to ask for; the caps follow what "
                        "arrives, which may change mid-stream",
                        gst_rtms_video_resolution_get_type(), GST_RTMS_VIDEO_RESOLUTION_HD, rw));
  g_object_class_install_property(
      gobject_class, PROP_VIDEO_FPS,
      g_param_spec_uint("video-fps", "Video frame rate",
                        "Frames per second of participant video (H.264: 1 to 30; JPEG/PNG: at "
                        "most 5)",
                        1, 30, 30, rw));
  g_object_class_install_property(
      gobject_class, PROP_VIDEO_MODE,
      g_param_spec_enum("video-mode", "Video mode",
                        "Active speaker (the pad follows whoever speaks) or one individual "
                        "participant chosen with the subscribe-video signal",
                        gst_rtms_video_mode_get_type(), GST_RTMS_VIDEO_MODE_ACTIVE_SPEAKER, rw));
  g_object_class_install_property(
      gobject_class, PROP_DESKSHARE_CODEC,
      g_param_spec_enum("deskshare-codec", "Screen share codec",
                        "Codec of the screen share; JPEG and PNG only at 1 fps",
                        gst_rtms_video_codec_get_type(), GST_RTMS_VIDEO_CODEC_H264, rw));
  g_object_class_install_property(
      gobject_class, PROP_DESKSHARE_RESOLUTION,
      g_param_spec_enum("deskshare-resolution", "Screen share resolution",
                        "Resolution of the screen share to ask for",
                        gst_rtms_video_resolution_get_type(), GST_RTMS_VIDEO_RESOLUTION_FHD, rw));
  g_object_class_install_property(
      gobject_class, PROP_DESKSHARE_FPS,
      g_param_spec_uint("deskshare-fps", "Screen share frame rate",
                        "Frames per second of the screen share (H.264: up to 30; JPEG/PNG: 1)",
                        1, 30, 15, rw));
  g_object_class_install_property(
      gobject_class, PROP_TRANSCRIPT_LANGUAGE,
      g_param_spec_int("transcript-language", "Transcript language",
                       "Language hint for the transcript as an RTMS language number (9 = "
                       "English, 14 = German, 28 = Spanish ...; see docs/rtmssrc.md); -1 lets "
                       "the server detect it",
                       -1, 36, -1, rw));
  g_object_class_install_property(
      gobject_class, PROP_TRANSCRIPT_LID,
      g_param_spec_boolean("transcript-language-identification", "Transcript language identification",
                           "Let the server identify the spoken language after the first 30 s; "
                           "FALSE keeps transcript-language for the whole stream",
                           TRUE, rw));
  g_object_class_install_property(
      gobject_class, PROP_TEXT_GAP_DELAY,
      g_param_spec_uint("text-gap-delay", "Text GAP delay",
                        "Milliseconds behind real time at which transcript and chat pads send "
                        "GAP events while nothing is said (a transcript line arrives only after "
                        "its utterance, and lines that start earlier are moved up)",
                        0, 60000, 5000, rw));

  g_object_class_install_property(
      gobject_class, PROP_RECONNECT_DELAY,
      g_param_spec_uint("reconnect-delay", "Reconnect delay",
                        "Milliseconds before the first attempt to re-establish a lost signaling "
                        "or media socket; it doubles with every attempt, up to 30 s, for as long "
                        "as Zoom keeps the stream (60 s signaling, 65 s media). 0 turns "
                        "reconnection off: a lost socket is an error",
                        0, 30000, 3000, rw));
  g_object_class_install_property(
      gobject_class, PROP_KEEPALIVE_TIMEOUT,
      g_param_spec_uint("keepalive-timeout", "Keep-alive timeout",
                        "Milliseconds a connected socket may stay silent, with neither data nor "
                        "a keep-alive (Zoom sends one every 10 s on an idle socket), before it is "
                        "presumed dead and re-established like a lost one (or, with "
                        "reconnect-delay=0, an error). Zoom's rule is 65 s; 0 turns the watch off",
                        0, G_MAXUINT, 65000, rw));
  g_object_class_install_property(
      gobject_class, PROP_WAKE_INTERVAL,
      g_param_spec_uint("wake-interval", "Wake interval",
                        "Microseconds the network thread waits between two wake-ups; data that "
                        "arrives meanwhile is read in one batch. With hundreds of streams in one "
                        "process this saves up to a fifth of the CPU per packet, at the price of "
                        "up to this much latency (added to the LATENCY query). Streams with the "
                        "same value share threads. 0: wake for every packet",
                        0, 100000, 0, rw));
  g_object_class_install_property(
      gobject_class, PROP_DEDICATED_THREAD,
      g_param_spec_boolean("dedicated-thread", "Dedicated thread",
                           "Give this stream a network thread of its own. By default the "
                           "streams of a process share its network threads (as many as it "
                           "may use CPUs), so with push-mode=network-thread a downstream that "
                           "blocks holds up the other streams on its thread too",
                           FALSE, rw));
  g_object_class_install_property(
      gobject_class, PROP_STATS,
      g_param_spec_boxed("stats", "Statistics",
                         "Counters since the stream started: <kind>-pads, <kind>-buffers and "
                         "<kind>-bytes for audio, video, deskshare, transcript and chat; "
                         "video-frames-before-keyframe (H.264 frames dropped while waiting for a "
                         "decodable start); reconnects",
                         GST_TYPE_STRUCTURE,
                         GParamFlags(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));

  signals[SIGNAL_SUBSCRIBE_VIDEO] = g_signal_new_class_handler(
      "subscribe-video", G_TYPE_FROM_CLASS(klass),
      GSignalFlags(G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION), G_CALLBACK(gst_rtms_src_subscribe_video),
      nullptr, nullptr, nullptr, G_TYPE_BOOLEAN, 2, G_TYPE_INT64, G_TYPE_BOOLEAN);

  gst_element_class_add_pad_template(element_class, rtms_src_audio_template());
  gst_element_class_add_pad_template(element_class, rtms_src_video_template(RtmsOutputKind::Video));
  gst_element_class_add_pad_template(element_class,
                                     rtms_src_video_template(RtmsOutputKind::Deskshare));
  gst_element_class_add_pad_template(element_class,
                                     rtms_src_text_template(RtmsOutputKind::Transcript));
  gst_element_class_add_pad_template(element_class, rtms_src_text_template(RtmsOutputKind::Chat));
  rtms_meta_register();
  gst_element_class_set_static_metadata(
      element_class, "Zoom RTMS source", "Source/Network/Audio/Video/Text",
      "Receives a Zoom Realtime Media Stream (meeting, webinar, Video SDK session or Contact "
      "Center engagement) over its signaling and media WebSockets and exposes one pad per "
      "participant and media type",
      "gst-rtms developers");

  gst_type_mark_as_plugin_api(gst_rtms_audio_codec_get_type(), GstPluginAPIFlags(0));
  gst_type_mark_as_plugin_api(gst_rtms_g711_law_get_type(), GstPluginAPIFlags(0));
  gst_type_mark_as_plugin_api(gst_rtms_audio_mode_get_type(), GstPluginAPIFlags(0));
  gst_type_mark_as_plugin_api(gst_rtms_socket_mode_get_type(), GstPluginAPIFlags(0));
  gst_type_mark_as_plugin_api(gst_rtms_push_mode_get_type(), GstPluginAPIFlags(0));
  gst_type_mark_as_plugin_api(gst_rtms_media_get_type(), GstPluginAPIFlags(0));
  gst_type_mark_as_plugin_api(gst_rtms_video_codec_get_type(), GstPluginAPIFlags(0));
  gst_type_mark_as_plugin_api(gst_rtms_video_resolution_get_type(), GstPluginAPIFlags(0));
  gst_type_mark_as_plugin_api(gst_rtms_video_mode_get_type(), GstPluginAPIFlags(0));
  gst_type_mark_as_plugin_api(GST_TYPE_RTMS_SRC_PAD, GstPluginAPIFlags(0));
  GST_DEBUG_CATEGORY_INIT(gst_rtms_src_debug, "rtmssrc", 0, "Zoom RTMS source");
  rtms_session_log_init();
}
