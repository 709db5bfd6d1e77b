// rtmssrc: the element class, its properties, its state changes and the
// session's listener, which hands each session call to the object whose job
// it is (gstrtmssrc-private.h lists them).

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
 * the participant's tags. Every buffer carries the server's capture time as
 * a reference timestamp meta (`timestamp/x-unix`); video, screen share,
 * transcript and chat buffers also a `GstRtmsMeta` custom meta saying who
 * they are from.
 *
 * It is a live source: it produces in PLAYING only, answers the LATENCY
 * query with its jitter allowance and packet duration, and sends GAP events
 * on its sparse pads (every pad but audio). Audio is pushed from a pool of
 * streaming threads shared by every rtmssrc of the process, or from each
 * pad's own thread, or from the network thread (#GstRtmsSrc:push-mode).
 * no-more-pads comes once no pad can be added any more: at the end of the
 * stream with one audio pad per participant. Errors and warnings carry RTMS
 * status codes and kinds in their details. The element also opens
 * `rtms://` URIs (docs/rtmssrc.md, "URI").
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

#include <string>
#include <utility>
#include <variant>

#include "gstrtmselements.h"
#include "gstrtmssrc-private.h"
#include "protocol/http_proxy.h"
#include "protocol/webhook.h"
#include "rtms-meta.h"
#include "rtms-push-pool.h"
#include "rtms-src-messages.h"
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
  PROP_PROXY,
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
  PROP_CLOSE_STREAM,
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

// ---- properties ------------------------------------------------------------

static std::string string_or_empty(const GValue *value) {
  const char *s = g_value_get_string(value);
  return s ? s : "";
}

// A new rtms_started for the running stream (server failover, 5.3 scenario
// 1) names other servers: move the running session there.
static void maybe_fail_over(GstRtmsSrc *self, const std::string &old_urls) {
  std::string urls = self->priv->settings.read([](const rtms::SrcProperties &s) {
    return s.webhook_error.empty() ? s.server_urls : std::string();
  });
  if (urls == old_urls || urls.empty()) return;
  if (self->priv->session.fail_over(urls))
    GST_INFO_OBJECT(self, "server failover: %zu new server URL(s)",
                    rtms::split_server_urls(urls).size());
}

static void gst_rtms_src_set_property(GObject *object, guint prop_id, const GValue *value,
                                      GParamSpec *pspec) {
  GstRtmsSrc *self = GST_RTMS_SRC(object);
  rtms::SrcPrivate *priv = self->priv;
  if (prop_id == PROP_WEBHOOK_PAYLOAD || prop_id == PROP_SERVER_URLS) {
    std::string old_urls = priv->settings.write([&](rtms::SrcProperties &s) {
      std::string old = s.server_urls;
      if (prop_id == PROP_WEBHOOK_PAYLOAD)
        s.apply_webhook(string_or_empty(value), GST_ELEMENT(self));
      else
        s.server_urls = string_or_empty(value);
      return old;
    });
    maybe_fail_over(self, old_urls);
    return;
  }
  priv->settings.write([&](rtms::SrcProperties &s) {
    switch (prop_id) {
      case PROP_STREAM_ID: s.stream_id = string_or_empty(value); break;
      case PROP_MEETING_UUID: s.meeting_uuid = string_or_empty(value); break;
      case PROP_WEBINAR_UUID: s.webinar_uuid = string_or_empty(value); break;
      case PROP_SESSION_ID: s.session_id = string_or_empty(value); break;
      case PROP_ENGAGEMENT_ID: s.engagement_id = string_or_empty(value); break;
      case PROP_CLIENT_ID: s.client_id = string_or_empty(value); break;
      case PROP_CLIENT_SECRET: s.client_secret = string_or_empty(value); break;
      case PROP_SSL_CA_FILE: s.ssl_ca_file = string_or_empty(value); break;
      case PROP_PROXY: s.proxy = string_or_empty(value); break;
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
      case PROP_VIDEO_RESOLUTION:
        s.video_resolution = GstRtmsVideoResolution(g_value_get_enum(value));
        break;
      case PROP_VIDEO_FPS: s.video_fps = g_value_get_uint(value); break;
      case PROP_VIDEO_MODE: s.video_mode = GstRtmsVideoMode(g_value_get_enum(value)); break;
      case PROP_DESKSHARE_CODEC:
        s.deskshare_codec = GstRtmsVideoCodec(g_value_get_enum(value));
        break;
      case PROP_DESKSHARE_RESOLUTION:
        s.deskshare_resolution = GstRtmsVideoResolution(g_value_get_enum(value));
        break;
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
      case PROP_CLOSE_STREAM: s.close_stream = g_value_get_boolean(value); break;
      default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
  });
}

// Counters of what went through, per media kind, for monitoring.
static GstStructure *make_stats(rtms::SrcPrivate *priv) {
  GstStructure *stats = gst_structure_new_empty("application/x-rtms-stats");
  priv->outputs.add_stats(stats);
  gst_structure_set(stats, "video-frames-before-keyframe", G_TYPE_UINT64,
                    priv->video.dropped_waiting() + priv->deskshare.dropped_waiting(),
                    "reconnects", G_TYPE_UINT, priv->session.reconnects(), nullptr);
  return stats;
}

static void gst_rtms_src_get_property(GObject *object, guint prop_id, GValue *value,
                                      GParamSpec *pspec) {
  GstRtmsSrc *self = GST_RTMS_SRC(object);
  if (prop_id == PROP_STATS) {
    g_value_take_boxed(value, make_stats(self->priv));
    return;
  }
  self->priv->settings.read([&](const rtms::SrcProperties &s) {
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
      case PROP_PROXY:
        g_value_set_string(value, rtms::proxy_url_without_credentials(s.proxy).c_str());
        break;
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
      case PROP_CLOSE_STREAM: g_value_set_boolean(value, s.close_stream); break;
      default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
  });
}

// ---- session lifetime --------------------------------------------------------

namespace {

// The session's listener: hands each call to the object whose job it is.
// Called on the session's network thread, in wire order.
class SrcListener : public rtms::SessionListener {
 public:
  explicit SrcListener(GstRtmsSrc *self) : element_(GST_ELEMENT(self)), priv_(*self->priv) {}
  void on_media_ready(uint32_t types, const rtms::MediaParams &effective) override;
  void on_media(rtms::MediaData &&data) override;
  void on_media_view(const rtms::MediaView &data) override;
  void on_event(const rtms::Event &event) override;
  void on_stream_state(const rtms::StreamStateUpdate &update) override {
    rtms::post_stream_state(element_, update);
  }
  void on_session_state(const rtms::SessionStateUpdate &update) override {
    rtms::post_session_state(element_, update);
  }
  void on_other_message(const rtms::Message &message) override;
  void on_warning(const rtms::SessionWarning &warning) override {
    rtms::post_warning(element_, warning);
  }
  void on_reconnecting(const std::string &socket, unsigned attempt, unsigned delay_ms,
                       const std::string &why) override {
    priv_.session.count_reconnect();
    rtms::post_reconnecting(element_, socket, attempt, delay_ms, why);
  }
  void on_reconnected(const std::string &socket) override {
    rtms::post_reconnected(element_, socket);
  }
  void on_error(const rtms::SessionError &error) override {
    rtms::post_error(element_, error);
    priv_.session.mark_over();
  }
  void on_ended(rtms::StopReason reason, const std::string &detail) override {
    rtms::post_stopped(element_, reason, detail);
    priv_.outputs.end_all();
    priv_.session.mark_over();
  }

 private:
  void maybe_announce_pads();

  GstElement *const element_;
  rtms::SrcPrivate &priv_;
};

}  // namespace

// no-more-pads says that no pad will be added any more. With one audio pad
// per participant that is true only at the end of the stream (anyone may
// start speaking at any time): it comes then, before the EOS, so that
// gst-launch's delayed links wait for every speaker and warn only about pads
// that never came. Otherwise it comes once every requested media type flows
// and each one-pad type has its pad: mixed audio, transcript and chat at
// their handshake, the active speaker's video and the screen share with
// their first frame (a gst-launch line naming src.video_0 waits for the
// camera instead of giving up).
void SrcListener::maybe_announce_pads() {
  const guint wanted = priv_.wanted_media;
  if (priv_.ready_types != wanted) return;
  if ((wanted & rtms::kMediaAudio) && priv_.audio.per_participant()) return;
  if ((wanted & rtms::kMediaVideo) && !priv_.individual_video && !priv_.video.has_pad()) return;
  if ((wanted & rtms::kMediaDeskshare) && !priv_.deskshare.has_pad()) return;
  priv_.outputs.announce();
}

void SrcListener::on_media_ready(uint32_t types, const rtms::MediaParams &effective) {
  types &= priv_.wanted_media;
  priv_.ready_types |= types;
  if (types & rtms::kMediaAudio) priv_.audio.on_ready(effective);
  if (types & rtms::kMediaVideo) priv_.video.on_ready(effective);
  if (types & rtms::kMediaDeskshare) priv_.deskshare.on_ready(effective);
  if (types & rtms::kMediaTranscript) priv_.transcript.on_ready();
  if (types & rtms::kMediaChat) priv_.chat.on_ready();
  maybe_announce_pads();
}

void SrcListener::on_media(rtms::MediaData &&data) {
  switch (data.type) {
    case rtms::MessageType::MediaDataAudio: priv_.audio.on_media(data.view()); break;
    case rtms::MessageType::MediaDataVideo:
      if (priv_.video.on_media(std::move(data))) maybe_announce_pads();
      break;
    case rtms::MessageType::MediaDataShare:
      if (priv_.deskshare.on_media(std::move(data))) maybe_announce_pads();
      break;
    case rtms::MessageType::MediaDataTranscript:
      priv_.transcript.on_media(std::move(data));
      break;
    case rtms::MessageType::MediaDataChat: priv_.chat.on_media(std::move(data)); break;
    default:
      GST_LOG_OBJECT(element_, "ignoring %s (not requested)", rtms::to_string(data.type));
      break;
  }
}

// Audio, nearly all the traffic, reads the message in place (no copy of
// its payload); the other kinds take an owned copy.
void SrcListener::on_media_view(const rtms::MediaView &data) {
  if (data.type == rtms::MessageType::MediaDataAudio)
    priv_.audio.on_media(data);
  else
    on_media(data.to_owned());
}

void SrcListener::on_event(const rtms::Event &event) {
  if (event.event_type == int(rtms::EventType::ParticipantJoin))
    for (const auto &p : event.participants)
      if (p.has_user_name) priv_.outputs.rename_participant(p.user_id, p.user_name);
  rtms::post_event(element_, event);
}

void SrcListener::on_other_message(const rtms::Message &message) {
  GST_DEBUG_OBJECT(element_, "server message %s",
                   rtms::to_string(rtms::message_type_of(message)));
  if (auto *resp = std::get_if<rtms::VideoSubscriptionResp>(&message))
    rtms::post_video_subscription(element_, *resp);
}

static bool start_session(GstRtmsSrc *self) {
  rtms::SrcPrivate *priv = self->priv;
  rtms::SessionConfig config;
  rtms::SrcProperties props = priv->settings.read([](const rtms::SrcProperties &s) { return s; });
  std::string problem = props.to_session_config(config);
  if (!problem.empty()) {
    GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("%s", problem.c_str()), (nullptr));
    return false;
  }
  // No session runs and no pad exists: nothing reads any of this now.
  priv->media.eos_requested.store(false);
  priv->media.timeline.reset();
  priv->pads.latency = props.pad_latency();
  priv->pads.gap_delay = props.text_gap_delay * GST_MSECOND;
  priv->outputs.reset(props.stream_id);
  priv->audio.reset(props.audio_mode, props.g711_law, props.push_mode);
  priv->video.reset();
  priv->deskshare.reset();
  priv->transcript.reset();
  priv->chat.reset();
  priv->wanted_media = props.media;
  priv->individual_video = props.video_mode == GST_RTMS_VIDEO_MODE_INDIVIDUAL;
  priv->ready_types = 0;
  if (props.push_mode == GST_RTMS_PUSH_MODE_SHARED_THREADS && !priv->uses_push_pool) {
    rtms::push_pool_acquire();
    priv->uses_push_pool = true;
  }
  GST_INFO_OBJECT(self, "connecting to stream %s (%zu signaling URL(s))",
                  config.rtms_stream_id.c_str(), config.signaling_urls.size());
  // The session's lines name this element (the session ends before it).
  config.log_object = self;
  priv->listener = std::make_unique<SrcListener>(self);
  priv->session.start(std::move(config), *priv->listener);
  return true;
}

static void stop_session(GstRtmsSrc *self) {
  bool close = self->priv->settings.read([](const rtms::SrcProperties &s) { return s.close_stream; });
  if (close)
    self->priv->session.stop();
  else
    self->priv->session.stop_now();  // left open on the server for the next receiver
  self->priv->listener.reset();
}

// The session is stopped: no handler runs any more.
static void remove_outputs(rtms::SrcPrivate *priv) {
  priv->audio.forget_outputs();
  priv->video.forget_outputs();
  priv->deskshare.forget_outputs();
  priv->transcript.forget_outputs();
  priv->chat.forget_outputs();
  priv->outputs.remove_all();
}

static GstStateChangeReturn gst_rtms_src_change_state(GstElement *element,
                                                      GstStateChange transition) {
  GstRtmsSrc *self = GST_RTMS_SRC(element);
  rtms::SrcPrivate *priv = self->priv;
  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      if (!start_session(self)) return GST_STATE_CHANGE_FAILURE;
      break;
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
      priv->pads.playing.store(false, std::memory_order_release);
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
      priv->pads.playing.store(true, std::memory_order_release);
      priv->outputs.start_pushing();
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
    case GST_STATE_CHANGE_READY_TO_NULL:
      if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) remove_outputs(priv);
      // Its pads are deactivated: none of them is scheduled or pushing.
      if (priv->uses_push_pool) {
        priv->uses_push_pool = false;
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
    self->priv->media.eos_requested.store(true, std::memory_order_release);
    bool close = self->priv->settings.read([](const rtms::SrcProperties &s) { return s.close_stream; });
    if (close) self->priv->session.request_close();
    self->priv->outputs.end_all();
    return TRUE;
  }
  return GST_ELEMENT_CLASS(parent_class)->send_event(element, event);
}

// Action signal: in individual video mode, (un)subscribe one participant's
// video. The answer arrives as an rtms-video-subscription element message.
static gboolean gst_rtms_src_subscribe_video(GstRtmsSrc *self, gint64 user_id,
                                             gboolean subscribe) {
  rtms::VideoSubscriptionReq req;
  req.user_id = user_id;
  req.subscribe = subscribe;
  req.timestamp = g_get_real_time() / 1000;
  if (!self->priv->session.send_signaling(req)) {
    GST_WARNING_OBJECT(self, "subscribe-video: no stream is running");
    return FALSE;
  }
  GST_INFO_OBJECT(self, "%s video of participant %" G_GINT64_FORMAT,
                  subscribe ? "subscribing to" : "unsubscribing from", user_id);
  return TRUE;
}

// ---- GObject ------------------------------------------------------------------

static void gst_rtms_src_finalize(GObject *object) {
  GstRtmsSrc *self = GST_RTMS_SRC(object);
  delete self->priv;
  G_OBJECT_CLASS(parent_class)->finalize(object);
}

static void gst_rtms_src_init(GstRtmsSrc *self) {
  self->priv = new rtms::SrcPrivate(GST_ELEMENT(self));
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

  /**
   * GstRtmsSrc:webhook-payload:
   *
   * The JSON body (or its `payload` object) of the `rtms_started` webhook: sets
   * #GstRtmsSrc:server-urls, #GstRtmsSrc:stream-id and the meeting, webinar,
   * session or engagement id at once. Set again while streaming with other
   * server URLs, it moves the stream there (server failover).
   *
   * Since: 0.1
   */
  install_string(gobject_class, PROP_WEBHOOK_PAYLOAD, "webhook-payload", "Webhook payload",
                 "JSON of a meeting./webinar./session./contact_center.voice_rtms_started "
                 "webhook: the whole body or only its 'payload' object. Sets server-urls, "
                 "stream-id and the meeting/webinar/session/engagement id in one go. Set while "
                 "streaming, a new rtms_started for the same stream with other server URLs "
                 "moves the stream there (server failover)",
                 true, GParamFlags(GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstRtmsSrc:server-urls:
   *
   * The signaling WebSocket URLs of the webhook, comma separated. Changed
   * while streaming, the stream moves to the new servers.
   *
   * Since: 0.1
   */
  install_string(gobject_class, PROP_SERVER_URLS, "server-urls", "Server URLs",
                 "Signaling WebSocket URL(s) from the webhook's server_urls; several may be "
                 "given separated by commas (wss:// entries are tried first). Changed while "
                 "streaming, the stream moves to the new servers (server failover)",
                 true, GParamFlags(GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstRtmsSrc:stream-id:
   *
   * The `rtms_stream_id` of the stream to receive.
   *
   * Since: 0.1
   */
  install_string(gobject_class, PROP_STREAM_ID, "stream-id", "Stream ID",
                 "rtms_stream_id of the stream to receive");
  /**
   * GstRtmsSrc:meeting-uuid:
   *
   * The `meeting_uuid` of a Zoom meeting, exactly as the webhook gives it.
   *
   * Since: 0.1
   */
  install_string(gobject_class, PROP_MEETING_UUID, "meeting-uuid", "Meeting UUID",
                 "meeting_uuid of a Zoom meeting (used exactly as the webhook gives it)");
  /**
   * GstRtmsSrc:webinar-uuid:
   *
   * The `webinar_uuid` of a Zoom webinar.
   *
   * Since: 0.1
   */
  install_string(gobject_class, PROP_WEBINAR_UUID, "webinar-uuid", "Webinar UUID",
                 "webinar_uuid of a Zoom webinar");
  /**
   * GstRtmsSrc:session-id:
   *
   * The `session_id` of a Zoom Video SDK session.
   *
   * Since: 0.1
   */
  install_string(gobject_class, PROP_SESSION_ID, "session-id", "Session ID",
                 "session_id of a Zoom Video SDK session");
  /**
   * GstRtmsSrc:engagement-id:
   *
   * The `engagement_id` of a Zoom Contact Center engagement.
   *
   * Since: 0.1
   */
  install_string(gobject_class, PROP_ENGAGEMENT_ID, "engagement-id", "Engagement ID",
                 "engagement_id of a Zoom Contact Center engagement");
  /**
   * GstRtmsSrc:client-id:
   *
   * The client ID of the Zoom app; `ZM_RTMS_CLIENT` when empty.
   *
   * Since: 0.1
   */
  install_string(gobject_class, PROP_CLIENT_ID, "client-id", "Client ID",
                 "Client ID of the Zoom Marketplace app that received the webhook. When "
                 "empty, the environment variable ZM_RTMS_CLIENT is used");
  /**
   * GstRtmsSrc:client-secret:
   *
   * The client secret of the Zoom app, which signs the handshakes;
   * `ZM_RTMS_SECRET` when empty. Write-only and never logged.
   *
   * Since: 0.1
   */
  install_string(gobject_class, PROP_CLIENT_SECRET, "client-secret", "Client secret",
                 "Client secret of the app; signs the handshakes. Write-only, never logged. "
                 "When empty, the environment variable ZM_RTMS_SECRET is used (prefer it: "
                 "command lines are visible to other users)",
                 false);
  /**
   * GstRtmsSrc:ssl-ca-file:
   *
   * A PEM file of the certificate authorities to trust for `wss://` instead
   * of the system store.
   *
   * Since: 0.1
   */
  install_string(gobject_class, PROP_SSL_CA_FILE, "ssl-ca-file", "SSL CA file",
                 "PEM file of the certificate authorities to trust for wss:// instead of the "
                 "system store (for a private CA such as the emulator's)");
  /**
   * GstRtmsSrc:proxy:
   *
   * An HTTP proxy for every WebSocket, `http://[user:password@]host:port`:
   * each connection (signaling, media, reconnections) goes through a
   * CONNECT tunnel and TLS stays end to end with the RTMS server. Empty
   * (the default): the environment's, as curl reads it (`https_proxy` for
   * `wss://`, `http_proxy` for `ws://`, `all_proxy`, `no_proxy`), else
   * none. Credentials in the URL are never logged; the property reads back
   * without them.
   *
   * Since: 0.1
   */
  install_string(gobject_class, PROP_PROXY, "proxy", "HTTP proxy",
                 "HTTP proxy for the WebSockets, http://[user:password@]host:port (CONNECT "
                 "tunnels; TLS stays end to end). Empty: https_proxy/http_proxy/no_proxy from "
                 "the environment. Reads back without credentials, which are never logged");
  /**
   * GstRtmsSrc:ssl-strict:
   *
   * Whether `wss://` servers with an untrusted certificate are refused.
   *
   * Since: 0.1
   */
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
   * Since: 0.1
   */
  install_string(gobject_class, PROP_ALLOWED_HOSTS, "allowed-hosts", "Allowed hosts",
                 "RTMS server host patterns (e.g. \"*.zoom.us\"), comma or space separated; "
                 "signaling and media URLs whose host matches none are refused. Empty: any "
                 "host");
  /**
   * GstRtmsSrc:allow-plaintext:
   *
   * Whether unencrypted `ws://` servers may be used (signaling and media).
   * Zoom's servers are `wss://`; `ws://` is for the emulator and tests.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_ALLOW_PLAINTEXT,
      g_param_spec_boolean("allow-plaintext", "Allow plaintext",
                           "Allow unencrypted ws:// servers (signaling and media); Zoom's are "
                           "wss://",
                           TRUE,
                           rw));
  /**
   * GstRtmsSrc:audio-codec:
   *
   * The audio codec to ask the server for.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_AUDIO_CODEC,
      g_param_spec_enum("audio-codec", "Audio codec", "Audio codec to ask the server for",
                        GST_TYPE_RTMS_AUDIO_CODEC, GST_RTMS_AUDIO_CODEC_L16, rw));
  /**
   * GstRtmsSrc:g711-law:
   *
   * The law of G.711 audio, which the protocol does not say: it decides the
   * caps.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_G711_LAW,
      g_param_spec_enum("g711-law", "G.711 law",
                        "Which G.711 law the server's G.711 audio uses; the protocol does not "
                        "say, so this decides the caps (audio/x-mulaw or audio/x-alaw)",
                        GST_TYPE_RTMS_G711_LAW, GST_RTMS_G711_MULAW, rw));
  /**
   * GstRtmsSrc:audio-sample-rate:
   *
   * The audio sample rate to ask for in Hz; 0 picks the codec's natural rate.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_AUDIO_SAMPLE_RATE,
      g_param_spec_int("audio-sample-rate", "Audio sample rate",
                       "Sample rate in Hz to ask for: 8000, 16000, 32000 or 48000; 0 picks the "
                       "codec's natural rate (L16 and G.722 16000, G.711 8000, Opus 48000). The "
                       "caps follow what the server grants",
                       0, 48000, 0, rw));
  /**
   * GstRtmsSrc:audio-channels:
   *
   * 1 (mono) or 2 (stereo).
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_AUDIO_CHANNELS,
      g_param_spec_int("audio-channels", "Audio channels", "1 (mono) or 2 (stereo)", 1, 2, 1, rw));
  /**
   * GstRtmsSrc:audio-mode:
   *
   * One audio pad per participant who speaks, or one mixed pad.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_AUDIO_MODE,
      g_param_spec_enum("audio-mode", "Audio mode",
                        "Per-participant audio (a pad per speaker, with identity) or one mixed "
                        "pad. Zoom's wire default is mixed; rtmssrc defaults to per-participant "
                        "because mixed audio loses who spoke",
                        GST_TYPE_RTMS_AUDIO_MODE, GST_RTMS_AUDIO_MODE_PER_PARTICIPANT, rw));
  /**
   * GstRtmsSrc:audio-send-rate:
   *
   * Milliseconds of audio per packet.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_AUDIO_SEND_RATE,
      g_param_spec_uint("audio-send-rate", "Audio send rate",
                        "Milliseconds of audio per packet: a multiple of 20, at most 1000", 20,
                        1000, 20, rw));
  /**
   * GstRtmsSrc:push-mode:
   *
   * Which thread pushes audio downstream (see "Threads: push-mode" in
   * docs/rtmssrc.md).
   *
   * Since: 0.1
   */
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
                        GST_TYPE_RTMS_PUSH_MODE, GST_RTMS_PUSH_MODE_SHARED_THREADS, rw));
  /**
   * GstRtmsSrc:socket-mode:
   *
   * One media socket for every media type, or one per media type.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_SOCKET_MODE,
      g_param_spec_enum("socket-mode", "Socket mode",
                        "One unified media socket, or one socket per media type",
                        GST_TYPE_RTMS_SOCKET_MODE, GST_RTMS_SOCKET_MODE_UNIFIED, rw));
  /**
   * GstRtmsSrc:handshake-timeout:
   *
   * Milliseconds to wait for the answers to the signaling and media
   * handshakes.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_HANDSHAKE_TIMEOUT,
      g_param_spec_uint("handshake-timeout", "Handshake timeout",
                        "Milliseconds to wait for the server to answer the signaling and media "
                        "handshakes before failing",
                        100, 600000, 10000, rw));
  /**
   * GstRtmsSrc:latency:
   *
   * Milliseconds of network jitter to allow for, reported in the LATENCY
   * query on top of one packet's duration.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_LATENCY,
      g_param_spec_uint("latency", "Latency",
                        "Milliseconds of network jitter to allow for; reported in the LATENCY "
                        "query on top of one packet's duration",
                        0, 60000, 100, rw));
  /**
   * GstRtmsSrc:buffer-data:
   *
   * Whether the server sends the audio it buffered before the connection.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_BUFFER_DATA,
      g_param_spec_boolean("buffer-data", "Buffer data",
                           "Receive the audio the server buffered between the rtms_started "
                           "webhook and the connection (up to 60 s, delivered in a burst). "
                           "FALSE drops it on the server",
                           TRUE, rw));
  /**
   * GstRtmsSrc:max-message-size:
   *
   * The largest WebSocket message accepted, in bytes.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_MAX_MESSAGE_SIZE,
      g_param_spec_uint("max-message-size", "Max message size",
                        "Largest WebSocket message accepted, in bytes; larger ones close the "
                        "socket with an error",
                        65536, G_MAXUINT, 64 * 1024 * 1024, rw));

  /**
   * GstRtmsSrc:media:
   *
   * Which media to receive; pads appear for what the server grants.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_MEDIA,
      g_param_spec_flags("media", "Media",
                         "Which media to receive; each needs the matching scope in the Zoom app. "
                         "Pads appear for what the server grants",
                         GST_TYPE_RTMS_MEDIA, GST_RTMS_MEDIA_AUDIO, rw));
  /**
   * GstRtmsSrc:video-codec:
   *
   * The codec of participant video.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_VIDEO_CODEC,
      g_param_spec_enum("video-codec", "Video codec",
                        "Codec of participant video; JPEG and PNG only up to 5 fps",
                        GST_TYPE_RTMS_VIDEO_CODEC, GST_RTMS_VIDEO_CODEC_H264, rw));
  /**
   * GstRtmsSrc:video-resolution:
   *
   * The resolution of participant video to ask for.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_VIDEO_RESOLUTION,
      g_param_spec_enum("video-resolution", "Video resolution",
                        "Resolution of participant video to ask for; the caps follow what "
                        "arrives, which may change mid-stream",
                        GST_TYPE_RTMS_VIDEO_RESOLUTION, GST_RTMS_VIDEO_RESOLUTION_HD, rw));
  /**
   * GstRtmsSrc:video-fps:
   *
   * Frames per second of participant video.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_VIDEO_FPS,
      g_param_spec_uint("video-fps", "Video frame rate",
                        "Frames per second of participant video (H.264: 1 to 30; JPEG/PNG: at "
                        "most 5)",
                        1, 30, 30, rw));
  /**
   * GstRtmsSrc:video-mode:
   *
   * The active speaker, or one participant chosen with
   * #GstRtmsSrc::subscribe-video.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_VIDEO_MODE,
      g_param_spec_enum("video-mode", "Video mode",
                        "Active speaker (the pad follows whoever speaks) or one individual "
                        "participant chosen with the subscribe-video signal",
                        GST_TYPE_RTMS_VIDEO_MODE, GST_RTMS_VIDEO_MODE_ACTIVE_SPEAKER, rw));
  /**
   * GstRtmsSrc:deskshare-codec:
   *
   * The codec of the screen share.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_DESKSHARE_CODEC,
      g_param_spec_enum("deskshare-codec", "Screen share codec",
                        "Codec of the screen share; JPEG and PNG only at 1 fps",
                        GST_TYPE_RTMS_VIDEO_CODEC, GST_RTMS_VIDEO_CODEC_H264, rw));
  /**
   * GstRtmsSrc:deskshare-resolution:
   *
   * The resolution of the screen share to ask for.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_DESKSHARE_RESOLUTION,
      g_param_spec_enum("deskshare-resolution", "Screen share resolution",
                        "Resolution of the screen share to ask for",
                        GST_TYPE_RTMS_VIDEO_RESOLUTION, GST_RTMS_VIDEO_RESOLUTION_FHD, rw));
  /**
   * GstRtmsSrc:deskshare-fps:
   *
   * Frames per second of the screen share.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_DESKSHARE_FPS,
      g_param_spec_uint("deskshare-fps", "Screen share frame rate",
                        "Frames per second of the screen share (H.264: up to 30; JPEG/PNG: 1)",
                        1, 30, 15, rw));
  /**
   * GstRtmsSrc:transcript-language:
   *
   * The transcript's language as an RTMS language number; -1 lets the
   * server detect it.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_TRANSCRIPT_LANGUAGE,
      g_param_spec_int("transcript-language", "Transcript language",
                       "Language hint for the transcript as an RTMS language number (9 = "
                       "English, 14 = German, 28 = Spanish ...; see docs/rtmssrc.md); -1 lets "
                       "the server detect it",
                       -1, 36, -1, rw));
  /**
   * GstRtmsSrc:transcript-language-identification:
   *
   * Whether the server may identify the spoken language after the first
   * 30 s.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_TRANSCRIPT_LID,
      g_param_spec_boolean("transcript-language-identification",
                           "Transcript language identification",
                           "Let the server identify the spoken language after the first 30 s; "
                           "FALSE keeps transcript-language for the whole stream",
                           TRUE, rw));
  /**
   * GstRtmsSrc:text-gap-delay:
   *
   * Milliseconds behind real time at which the transcript and chat pads
   * send GAP events while nothing is said.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_TEXT_GAP_DELAY,
      g_param_spec_uint("text-gap-delay", "Text GAP delay",
                        "Milliseconds behind real time at which transcript and chat pads send "
                        "GAP events while nothing is said (a transcript line arrives only after "
                        "its utterance, and lines that start earlier are moved up)",
                        0, 60000, 5000, rw));

  /**
   * GstRtmsSrc:reconnect-delay:
   *
   * Milliseconds before the first attempt to re-establish a lost socket
   * (doubling with each attempt); 0 turns reconnection off.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_RECONNECT_DELAY,
      g_param_spec_uint("reconnect-delay", "Reconnect delay",
                        "Milliseconds before the first attempt to re-establish a lost signaling "
                        "or media socket; it doubles with every attempt, up to 30 s, for as long "
                        "as Zoom keeps the stream (60 s signaling, 65 s media). 0 turns "
                        "reconnection off: a lost socket is an error",
                        0, 30000, 3000, rw));
  /**
   * GstRtmsSrc:keepalive-timeout:
   *
   * Milliseconds a socket may stay silent before it is presumed dead; 0
   * turns the watch off.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_KEEPALIVE_TIMEOUT,
      g_param_spec_uint("keepalive-timeout", "Keep-alive timeout",
                        "Milliseconds a connected socket may stay silent, with neither data nor "
                        "a keep-alive (Zoom sends one every 10 s on an idle socket), before it is "
                        "presumed dead and re-established like a lost one (or, with "
                        "reconnect-delay=0, an error). Zoom's rule is 65 s; 0 turns the watch off",
                        0, G_MAXUINT, 65000, rw));
  /**
   * GstRtmsSrc:wake-interval:
   *
   * Microseconds the network thread waits between two wake-ups, reading
   * what arrived meanwhile in one batch; 0 wakes for every packet.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_WAKE_INTERVAL,
      g_param_spec_uint("wake-interval", "Wake interval",
                        "Microseconds the network thread waits between two wake-ups; data that "
                        "arrives meanwhile is read in one batch. With hundreds of streams in one "
                        "process this saves up to a fifth of the CPU per packet, at the price of "
                        "up to this much latency (added to the LATENCY query). Streams with the "
                        "same value share threads. 0: wake for every packet",
                        0, 100000, 0, rw));
  /**
   * GstRtmsSrc:dedicated-thread:
   *
   * Whether this stream gets a network thread of its own.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_DEDICATED_THREAD,
      g_param_spec_boolean("dedicated-thread", "Dedicated thread",
                           "Give this stream a network thread of its own. By default the "
                           "streams of a process share its network threads (as many as it "
                           "may use CPUs), so with push-mode=network-thread a downstream that "
                           "blocks holds up the other streams on its thread too",
                           FALSE, rw));
  /**
   * GstRtmsSrc:close-stream:
   *
   * Whether stopping (EOS sent to the element, or going to READY/NULL) closes
   * the stream on the server with STREAM_CLOSE_REQ. FALSE only drops the
   * sockets: the server takes that as a lost connection and waits for a
   * receiver to reconnect (Zoom: about a minute), so another process can take
   * the stream over (rtms-gateway's worker role hands streams over this way).
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_CLOSE_STREAM,
      g_param_spec_boolean("close-stream", "Close stream",
                           "Send STREAM_CLOSE_REQ when stopping; FALSE drops the sockets and "
                           "leaves the stream to be taken over by another receiver",
                           TRUE, rw));
  /**
   * GstRtmsSrc:stats:
   *
   * Counters since the stream started, per media kind, and reconnects (see
   * "Statistics" in docs/rtmssrc.md).
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_STATS,
      g_param_spec_boxed("stats", "Statistics",
                         "Counters since the stream started: <kind>-pads, <kind>-buffers and "
                         "<kind>-bytes for audio, video, deskshare, transcript and chat; "
                         "video-frames-before-keyframe (H.264 frames dropped while waiting for a "
                         "decodable start); reconnects",
                         GST_TYPE_STRUCTURE,
                         GParamFlags(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));

  /**
   * GstRtmsSrc::subscribe-video:
   * @src: the rtmssrc
   * @user_id: the participant's Zoom user_id
   * @subscribe: %TRUE to receive their video, %FALSE to stop
   *
   * In `video-mode=individual`, asks the server for one participant's video
   * (or stops it). The answer comes as an `rtms-video-subscription` element
   * message.
   *
   * Returns: %FALSE when no stream is running.
   *
   * Since: 0.1
   */
  signals[SIGNAL_SUBSCRIBE_VIDEO] = g_signal_new_class_handler(
      "subscribe-video", G_TYPE_FROM_CLASS(klass),
      GSignalFlags(G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION), G_CALLBACK(gst_rtms_src_subscribe_video),
      nullptr, nullptr, nullptr, G_TYPE_BOOLEAN, 2, G_TYPE_INT64, G_TYPE_BOOLEAN);

  gst_element_class_add_pad_template(element_class, rtms::AudioHandler::pad_template());
  gst_element_class_add_pad_template(element_class,
                                     rtms::VideoHandler::pad_template(rtms::OutputKind::Video));
  gst_element_class_add_pad_template(
      element_class, rtms::VideoHandler::pad_template(rtms::OutputKind::Deskshare));
  gst_element_class_add_pad_template(
      element_class, rtms::TextHandler::pad_template(rtms::OutputKind::Transcript));
  gst_element_class_add_pad_template(element_class,
                                     rtms::TextHandler::pad_template(rtms::OutputKind::Chat));
  rtms::register_participant_tags();
  rtms::meta_register();
  gst_element_class_set_static_metadata(
      element_class, "Zoom RTMS source", "Source/Network/Audio/Video/Text",
      "Receives a Zoom Realtime Media Stream (meeting, webinar, Video SDK session or Contact "
      "Center engagement) over its signaling and media WebSockets and exposes one pad per "
      "participant and media type",
      "gst-rtms developers");

  gst_rtms_enums_mark_plugin_api();
  gst_type_mark_as_plugin_api(GST_TYPE_RTMS_SRC_PAD, GstPluginAPIFlags(0));
  GST_DEBUG_CATEGORY_INIT(gst_rtms_src_debug, "rtmssrc", 0, "Zoom RTMS source");
  rtms::session_log_init();
}
