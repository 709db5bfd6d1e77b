#include "rtms-src-settings.h"

#include "protocol/webhook.h"

GST_DEBUG_CATEGORY_EXTERN(gst_rtms_src_debug);
#define GST_CAT_DEFAULT gst_rtms_src_debug

namespace rtms {

// webhook-payload fills in everything a stream needs; the fields it sets can
// still be overridden by setting their own properties afterwards.
void SrcProperties::apply_webhook(const std::string &json, GstElement *object) {
  SrcProperties &s = *this;
  s.webhook_payload = json;
  s.webhook_error.clear();
  if (json.empty()) return;
  Result<Webhook> parsed = parse_webhook(json);
  if (!parsed) {
    s.webhook_error = parsed.error().describe();
    GST_WARNING_OBJECT(object, "webhook-payload is not usable: %s", s.webhook_error.c_str());
    return;
  }
  const Webhook &hook = parsed.value();
  if (hook.kind != WebhookKind::RtmsStarted && hook.kind != WebhookKind::Unknown) {
    s.webhook_error = "webhook-payload is a " + hook.event +
                      " event; rtmssrc needs the payload of an rtms_started event";
    GST_WARNING_OBJECT(object, "%s", s.webhook_error.c_str());
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
    GST_WARNING_OBJECT(object, "webhook-payload is not usable: %s", s.webhook_error.c_str());
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
    case Product::Meeting: s.meeting_uuid = hook.identity.instance_id; break;
    case Product::Webinar: s.webinar_uuid = hook.identity.instance_id; break;
    case Product::VideoSdk: s.session_id = hook.identity.instance_id; break;
    case Product::ContactCenter: s.engagement_id = hook.identity.instance_id; break;
    case Product::Phone: s.meeting_uuid = hook.identity.instance_id; break;
  }
  GST_INFO_OBJECT(object, "webhook-payload: stream %s of %s %s, %zu server URL(s)",
                  s.stream_id.c_str(), to_string(hook.identity.product),
                  hook.identity.instance_id.c_str(), hook.server_urls.size());
}

static int natural_rate(GstRtmsAudioCodec codec) {
  switch (codec) {
    case GST_RTMS_AUDIO_CODEC_G711: return 8000;
    case GST_RTMS_AUDIO_CODEC_OPUS: return 48000;
    default: return 16000;
  }
}

static VideoParams video_params(GstRtmsVideoCodec codec, GstRtmsVideoResolution resolution,
                                guint fps) {
  VideoParams params;
  params.content_type = ContentType::RawVideo;
  params.codec = Codec(int(codec));
  params.resolution = Resolution(int(resolution));
  params.fps = int(fps);
  return params;
}

std::string SrcProperties::to_session_config(SessionConfig &config) const {
  const SrcProperties &s = *this;
  if (!s.webhook_error.empty()) return "webhook-payload: " + s.webhook_error;
  config.signaling_urls = split_server_urls(s.server_urls);
  if (config.signaling_urls.empty())
    return "no server URL: set webhook-payload (the rtms_started webhook) or server-urls";
  for (const auto &url : config.signaling_urls)
    if (!g_str_has_prefix(url.c_str(), "ws://") && !g_str_has_prefix(url.c_str(), "wss://"))
      return "server-urls: '" + url + "' is not a ws:// or wss:// URL";
  if (s.stream_id.empty()) return "no stream id: set webhook-payload or stream-id";
  if (!s.meeting_uuid.empty()) config.identity = {Product::Meeting, s.meeting_uuid};
  else if (!s.webinar_uuid.empty()) config.identity = {Product::Webinar, s.webinar_uuid};
  else if (!s.session_id.empty()) config.identity = {Product::VideoSdk, s.session_id};
  else if (!s.engagement_id.empty())
    config.identity = {Product::ContactCenter, s.engagement_id};
  else
    return "no meeting id: set webhook-payload, meeting-uuid, webinar-uuid, session-id or "
           "engagement-id";
  config.rtms_stream_id = s.stream_id;
  // Credentials may come from the environment so they stay off command lines.
  config.client_id = s.client_id;
  config.client_secret = s.client_secret;
  if (config.client_id.empty() && g_getenv("ZM_RTMS_CLIENT"))
    config.client_id = g_getenv("ZM_RTMS_CLIENT");
  if (config.client_secret.empty() && g_getenv("ZM_RTMS_SECRET"))
    config.client_secret = g_getenv("ZM_RTMS_SECRET");
  if (config.client_id.empty()) return "no client id: set client-id or ZM_RTMS_CLIENT";
  if (config.client_secret.empty()) return "no client secret: set client-secret or ZM_RTMS_SECRET";

  AudioParams audio;
  audio.content_type = ContentType::RawAudio;
  audio.codec = Codec(int(s.audio_codec));
  int rate = s.audio_sample_rate ? s.audio_sample_rate : natural_rate(s.audio_codec);
  SampleRate rate_enum;
  if (!hz_to_sample_rate(rate, &rate_enum))
    return "audio-sample-rate " + std::to_string(rate) + " is not one RTMS carries (8000, 16000, "
           "32000 or 48000)";
  if (s.audio_codec == GST_RTMS_AUDIO_CODEC_OPUS && rate != 48000)
    return "audio-codec opus needs audio-sample-rate 48000";
  if (s.audio_codec == GST_RTMS_AUDIO_CODEC_G722 && rate != 16000)
    return "audio-codec g722 needs audio-sample-rate 16000";
  audio.sample_rate = rate_enum;
  audio.channel = s.audio_channels == 2 ? AudioChannel::Stereo : AudioChannel::Mono;
  audio.data_opt = s.audio_mode == GST_RTMS_AUDIO_MODE_MIXED ? DataOption::AudioMixedStream
                                                             : DataOption::AudioMultiStreams;
  audio.send_rate_ms = int(s.audio_send_rate);
  if (s.media == 0)
    return "media is empty: choose at least one of audio, video, deskshare, transcript, chat";
  if (s.media & GST_RTMS_MEDIA_AUDIO) config.media_params.audio = audio;
  if (s.media & GST_RTMS_MEDIA_VIDEO) {
    if (s.video_mode == GST_RTMS_VIDEO_MODE_GALLERY)
      return "video-mode gallery is not supported: RTMS servers do not document it; use "
             "active-speaker or individual";
    if (s.video_codec != GST_RTMS_VIDEO_CODEC_H264 && s.video_fps > 5)
      return "video-fps " + std::to_string(s.video_fps) +
             " is too high for JPEG or PNG video (at most 5); use video-codec h264 above 5 fps";
    config.media_params.video = video_params(s.video_codec, s.video_resolution, s.video_fps);
    config.media_params.video->data_opt = DataOption(int(s.video_mode));
  }
  if (s.media & GST_RTMS_MEDIA_DESKSHARE) {
    if (s.deskshare_codec != GST_RTMS_VIDEO_CODEC_H264 && s.deskshare_fps > 1)
      return "deskshare-fps " + std::to_string(s.deskshare_fps) +
             " is too high for JPEG or PNG screen share (at most 1); use deskshare-codec h264";
    config.media_params.deskshare =
        video_params(s.deskshare_codec, s.deskshare_resolution, s.deskshare_fps);
  }
  if (s.media & GST_RTMS_MEDIA_TRANSCRIPT) {
    TranscriptParams transcript;
    transcript.content_type = ContentType::Text;
    transcript.src_language = TranscriptLanguage(s.transcript_language);
    transcript.enable_lid = s.transcript_lid;
    config.media_params.transcript = transcript;
  }
  if (s.media & GST_RTMS_MEDIA_CHAT) {
    ChatParams chat;
    chat.content_type = ContentType::Text;
    config.media_params.chat = chat;
  }
  config.media_types = s.media;
  config.split_sockets = s.socket_mode == GST_RTMS_SOCKET_MODE_SPLIT;
  config.subscribe_events = {int(EventType::ActiveSpeakerChange),
                             int(EventType::ParticipantJoin),
                             int(EventType::ParticipantLeave)};
  if (s.media & GST_RTMS_MEDIA_DESKSHARE) {
    config.subscribe_events.push_back(int(EventType::SharingStart));
    config.subscribe_events.push_back(int(EventType::SharingStop));
  }
  if (s.media & GST_RTMS_MEDIA_VIDEO) {
    config.subscribe_events.push_back(int(EventType::ParticipantVideoOn));
    config.subscribe_events.push_back(int(EventType::ParticipantVideoOff));
  }
  config.buffer_data = s.buffer_data;
  config.ca_file = s.ssl_ca_file;
  config.proxy = s.proxy;
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

GstClockTime SrcProperties::pad_latency() const {
  return (latency + audio_send_rate) * GST_MSECOND + wake_interval * GST_USECOND;
}

}  // namespace rtms
