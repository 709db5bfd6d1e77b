// rtmssrc's settings: what its properties hold, behind one lock, and how
// they become a session's configuration.
#pragma once

#include <gst/gst.h>

#include <mutex>
#include <string>

#include "gstrtmsenums.h"
#include "session/session.h"

namespace rtms {

// What the properties hold. Copied into a SessionConfig at READY->PAUSED.
struct SrcProperties {
  std::string webhook_payload;
  std::string webhook_error;  // why webhook-payload could not be used
  std::string server_urls;
  std::string stream_id;
  std::string meeting_uuid;
  std::string webinar_uuid;
  std::string session_id;
  std::string engagement_id;
  std::string client_id;
  std::string client_secret;
  std::string ssl_ca_file;
  bool ssl_strict = true;
  std::string proxy;  // a secret when it holds credentials: never logged
  std::string allowed_hosts;  // host patterns, comma or space separated; empty: any
  bool allow_plaintext = true;
  GstRtmsAudioCodec audio_codec = GST_RTMS_AUDIO_CODEC_L16;
  GstRtmsG711Law g711_law = GST_RTMS_G711_MULAW;
  int audio_sample_rate = 0;  // 0: the codec's natural rate
  int audio_channels = 1;
  GstRtmsAudioMode audio_mode = GST_RTMS_AUDIO_MODE_PER_PARTICIPANT;
  GstRtmsPushMode push_mode = GST_RTMS_PUSH_MODE_SHARED_THREADS;
  guint audio_send_rate = 20;
  guint media = GST_RTMS_MEDIA_AUDIO;
  GstRtmsVideoCodec video_codec = GST_RTMS_VIDEO_CODEC_H264;
  GstRtmsVideoResolution video_resolution = GST_RTMS_VIDEO_RESOLUTION_HD;
  guint video_fps = 30;
  GstRtmsVideoMode video_mode = GST_RTMS_VIDEO_MODE_ACTIVE_SPEAKER;
  GstRtmsVideoCodec deskshare_codec = GST_RTMS_VIDEO_CODEC_H264;
  GstRtmsVideoResolution deskshare_resolution = GST_RTMS_VIDEO_RESOLUTION_FHD;
  guint deskshare_fps = 15;
  int transcript_language = -1;  // -1: automatic
  bool transcript_lid = true;
  guint text_gap_delay = 5000;  // ms behind real time that text pads' GAPs trail
  GstRtmsSocketMode socket_mode = GST_RTMS_SOCKET_MODE_UNIFIED;
  guint handshake_timeout = 10000;
  guint latency = 100;  // ms
  bool buffer_data = true;
  guint max_message_size = 64 * 1024 * 1024;
  guint reconnect_delay = 3000;  // ms, first backoff step
  guint keepalive_timeout = 65000;  // ms of silence before a socket is presumed dead
  guint wake_interval = 0;  // us between two wake-ups of the network thread
  bool dedicated_thread = false;
  // false: stopping leaves the stream open on the server (no STREAM_CLOSE_REQ;
  // the sockets are dropped), for another receiver to take it over.
  bool close_stream = true;

  // Sets webhook_payload and, when the JSON is a usable rtms_started
  // payload, the fields it carries (server URLs, stream and meeting ids);
  // otherwise says why in webhook_error. object names the element in logs.
  void apply_webhook(const std::string &json, GstElement *object);
  // Builds a session's configuration. Returns an empty string, or what is
  // wrong in words a user can act on.
  std::string to_session_config(SessionConfig &config) const;
  // What the pads report in the LATENCY query: the jitter allowance, one
  // packet (captured before it is sent) and the network thread's batching.
  GstClockTime pad_latency() const;
};

// The properties behind their lock. read and write run f under the lock,
// which guards the properties and nothing else.
class SrcSettings {
 public:
  template <typename F>
  auto read(F &&f) const {
    std::lock_guard<std::mutex> guard(lock_);
    return f(props_);
  }
  template <typename F>
  auto write(F &&f) {
    std::lock_guard<std::mutex> guard(lock_);
    return f(props_);
  }

 private:
  mutable std::mutex lock_;
  SrcProperties props_;
};

}  // namespace rtms
