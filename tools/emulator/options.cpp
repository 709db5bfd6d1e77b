#include "options.h"

#include <cstdio>
#include <sstream>

#include <glib.h>

#include "common/gref.h"
#include "protocol/enums.h"

namespace emulator {
namespace {

bool parse_scopes(const std::string &text, uint32_t *out, std::string *error) {
  uint32_t mask = 0;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (item.empty()) continue;
    if (item == "all") mask |= rtms::kMediaEveryType;
    else if (item == "audio") mask |= rtms::kMediaAudio;
    else if (item == "video") mask |= rtms::kMediaVideo;
    else if (item == "deskshare") mask |= rtms::kMediaDeskshare;
    else if (item == "transcript") mask |= rtms::kMediaTranscript;
    else if (item == "chat") mask |= rtms::kMediaChat;
    else {
      *error = "--scopes: unknown scope \"" + item +
               "\" (use audio, video, deskshare, transcript, chat or all)";
      return false;
    }
  }
  if (mask == 0) {
    *error = "--scopes: name at least one scope";
    return false;
  }
  *out = mask;
  return true;
}

void take(gchar *value, std::string *out) {
  auto owned = rtms::adopt(value);
  if (owned) *out = owned.get();
}

}  // namespace

ParseOutcome parse_options(int argc, char **argv, Options *options) {
  gchar *script = nullptr, *host = nullptr, *cert_dir = nullptr, *client_id = nullptr,
        *client_secret = nullptr, *webhook_secret = nullptr, *webhook_url = nullptr,
        *webhook_out = nullptr, *webhook_ca_file = nullptr, *manifest = nullptr, *scopes = nullptr, *g711 = nullptr,
        *share_url_key = nullptr, *subscription_id = nullptr;
  gchar **event_socket_drops = nullptr;
  gint token_ttl = options->token_ttl_s;
  gint64 mute_heartbeats = -1;
  gboolean bad_frames = FALSE, gone_before_stop = FALSE;
  gboolean event_socket = FALSE, revoke_tokens_on_drop = FALSE;
  gint port = options->port, keepalive_interval = options->keepalive_interval_ms,
       keepalive_misses = options->keepalive_misses, wait_client = options->wait_client_ms,
       reconnect_grace = options->reconnect_grace_ms,
       media_reconnect_grace = options->media_reconnect_grace_ms;
  gboolean keepalive_when_busy = FALSE;
  gboolean stamp_frames = FALSE;
  gboolean tls = FALSE, verbose = FALSE, coalesce = FALSE, websocket_extensions = FALSE, per_key_media_urls = FALSE;
  gchar **injects = nullptr;
  gint64 huge_frame_bytes = options->huge_frame_bytes;
  gint streams = options->streams, video_bitrate = options->video_bitrate_kbps;
  gint socket_poll_interval = options->socket_poll_interval_ms;
  GOptionEntry entries[] = {
      {"script", 0, 0, G_OPTION_ARG_FILENAME, &script, "Meeting script (JSON); default: a built-in 3 s meeting", "FILE.json"},
      {"host", 0, 0, G_OPTION_ARG_STRING, &host, "Address to listen on (default 127.0.0.1)", "HOST"},
      {"port", 0, 0, G_OPTION_ARG_INT, &port, "Port to listen on; 0 picks a free one (default)", "PORT"},
      {"tls", 0, 0, G_OPTION_ARG_NONE, &tls, "Serve wss:// with a generated CA and server certificate", nullptr},
      {"cert-dir", 0, 0, G_OPTION_ARG_FILENAME, &cert_dir, "Where to write ca.pem, server.pem, server.key (default: a new temp dir)", "DIR"},
      {"client-id", 0, 0, G_OPTION_ARG_STRING, &client_id, "App client id signatures are checked against", "ID"},
      {"client-secret", 0, 0, G_OPTION_ARG_STRING, &client_secret, "App client secret signatures are checked against", "SECRET"},
      {"webhook-secret", 0, 0, G_OPTION_ARG_STRING, &webhook_secret, "Secret token that signs webhooks", "TOKEN"},
      {"webhook-url", 0, 0, G_OPTION_ARG_STRING, &webhook_url, "POST rtms_started/rtms_stopped webhooks here", "URL"},
      {"webhook-ca-file", 0, 0, G_OPTION_ARG_FILENAME, &webhook_ca_file, "Verify an https:// --webhook-url with this PEM CA instead of the system's", "FILE"},
      {"webhook-out", 0, 0, G_OPTION_ARG_FILENAME, &webhook_out, "Also write the rtms_started body to FILE", "FILE"},
      {"manifest", 0, 0, G_OPTION_ARG_FILENAME, &manifest, "Write the manifest (JSON) here when the stream ends", "FILE"},
      {"keepalive-interval", 0, 0, G_OPTION_ARG_INT, &keepalive_interval, "Keep-alive period in ms (default 10000)", "MS"},
      {"keepalive-misses", 0, 0, G_OPTION_ARG_INT, &keepalive_misses, "Unanswered keep-alives before interrupting (default 3)", "N"},
      {"wait-client", 0, 0, G_OPTION_ARG_INT, &wait_client, "Exit 2 if no signaling handshake succeeds within MS (default 30000)", "MS"},
      {"reconnect-grace", 0, 0, G_OPTION_ARG_INT, &reconnect_grace, "End the stream (reason 19) when signaling stays gone this long (default 60000)", "MS"},
      {"media-reconnect-grace", 0, 0, G_OPTION_ARG_INT, &media_reconnect_grace, "End the stream (reason 24) when a media socket closed for unanswered keep-alives is not re-established within MS (default 65000)", "MS"},
      {"keepalive-when-busy", 0, 0, G_OPTION_ARG_NONE, &keepalive_when_busy, "Send keep-alives every interval also while data flows on the socket; Zoom sends them only on an idle connection (default: only when idle)", nullptr},
      {"scopes", 0, 0, G_OPTION_ARG_STRING, &scopes, "Granted media: audio,video,deskshare,transcript,chat or all (default all)", "LIST"},
      {"g711", 0, 0, G_OPTION_ARG_STRING, &g711, "G.711 law: mulaw (default) or alaw", "LAW"},
      {"inject", 0, 0, G_OPTION_ARG_STRING_ARRAY, &injects, "Send a fault once, MS after t0 (repeatable): malformed-json, not-an-object, unknown-msg-type, wrong-type, bad-base64, empty-data, huge-frame, binary-json, unknown-event, deep-json, many-values, octal-name, surrogate-name or drop (close the socket); SOCKET is signaling or media", "KIND@MS[:SOCKET]"},
      {"huge-frame-bytes", 0, 0, G_OPTION_ARG_INT64, &huge_frame_bytes, "Size of the huge-frame fault (default 83886080, 80 MiB)", "N"},
      {"streams", 0, 0, G_OPTION_ARG_INT, &streams, "Serve N independent streams of the script from this process (default 1)", "N"},
      {"stamp-frames", 0, 0, G_OPTION_ARG_NONE, &stamp_frames, "Draw each camera frame's place in its one-second loop as a barcode in the top right corner, and let talkers sound only in the first 100 ms of each second (docs/benchmarks.md, glass-to-glass)", nullptr},
      {"video-bitrate", 0, 0, G_OPTION_ARG_INT, &video_bitrate, "H.264 bit rate in kbit/s (default: x264enc's, 2048)", "KBPS"},
      {"coalesce", 0, 0, G_OPTION_ARG_NONE, &coalesce, "Send the audio messages due together in as few TCP segments as fit (default: one segment each)", nullptr},
      {"socket-poll-interval", 0, 0, G_OPTION_ARG_INT, &socket_poll_interval, "While media is due, look at the sockets for incoming data at most every MS, sleeping from one send deadline to the next in between (default 0: after every deadline). Cheaper with many streams; delays what clients send by up to MS", "MS"},
      {"websocket-extensions", 0, 0, G_OPTION_ARG_NONE, &websocket_extensions, "Accept the WebSocket extensions a client offers (permessage-deflate); Zoom's servers do not (default: none)", nullptr},
      {"share-url-key", 0, 0, G_OPTION_ARG_STRING, &share_url_key, "server_urls key of the screen-share URL: deskshare (default, as documented) or sharescreen (what Zoom's own client library looks for)", "KEY"},
      {"per-key-media-urls", 0, 0, G_OPTION_ARG_NONE, &per_key_media_urls, "Give each server_urls key its own path, /media/KEY (default: every key names /media)", nullptr},
      {"event-socket", 0, 0, G_OPTION_ARG_NONE, &event_socket,
       "Deliver the events over Zoom's event WebSocket (/ws, with a token endpoint at "
       "/oauth/token) instead of POSTing webhooks", nullptr},
      {"subscription-id", 0, 0, G_OPTION_ARG_STRING, &subscription_id,
       "The event subscription's id /ws accepts (default emulator-subscription-id)", "ID"},
      {"token-ttl", 0, 0, G_OPTION_ARG_INT, &token_ttl,
       "Seconds an access token from /oauth/token is valid (default 3600)", "S"},
      {"event-socket-drop", 0, 0, G_OPTION_ARG_STRING_ARRAY, &event_socket_drops,
       "Close every event socket MS after the first one connected (repeatable)", "MS"},
      {"revoke-tokens-on-drop", 0, 0, G_OPTION_ARG_NONE, &revoke_tokens_on_drop,
       "With --event-socket-drop: every token issued so far stops being valid", nullptr},
      {"event-socket-bad-frames", 0, 0, G_OPTION_ARG_NONE, &bad_frames,
       "Before rtms_started, send the first event socket 7 frames a client must skip", nullptr},
      {"event-socket-gone-before-stop", 0, 0, G_OPTION_ARG_NONE, &gone_before_stop,
       "When the stream ends, close the event sockets and refuse new ones before rtms_stopped, "
       "which is then lost", nullptr},
      {"mute-heartbeats", 0, 0, G_OPTION_ARG_INT64, &mute_heartbeats,
       "MS after the first event socket connected, the open ones stop answering heartbeats",
       "MS"},
      {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Log every message", nullptr},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr},
  };
  g_autoptr(GOptionContext) context = g_option_context_new("- Zoom RTMS server emulator");
  g_option_context_set_summary(context,
      "Plays a scripted meeting over the RTMS signaling and media WebSockets.\n"
      "Prints one JSON line {\"event\":\"ready\",...} on stdout when listening,\n"
      "and {\"event\":\"done\",\"manifest\":...} when the stream has ended.");
  g_option_context_add_main_entries(context, entries, nullptr);
  g_autoptr(GError) error = nullptr;
  bool parsed = g_option_context_parse(context, &argc, &argv, &error);

  take(script, &options->script_path);
  take(host, &options->host);
  take(cert_dir, &options->cert_dir);
  take(client_id, &options->client_id);
  take(client_secret, &options->client_secret);
  take(webhook_secret, &options->webhook_secret);
  take(webhook_url, &options->webhook_url);
  take(webhook_out, &options->webhook_out);
  take(webhook_ca_file, &options->webhook_ca_file);
  take(manifest, &options->manifest_path);
  std::string scopes_text = "all", g711_text = "mulaw";
  take(scopes, &scopes_text);
  take(g711, &g711_text);
  take(share_url_key, &options->share_url_key);
  take(subscription_id, &options->subscription_id);
  g_auto(GStrv) drop_texts = event_socket_drops;
  g_auto(GStrv) inject_texts = injects;

  if (!parsed) {
    fprintf(stderr, "rtms-emulator: %s\n", error->message);
    return ParseOutcome::ExitError;
  }
  if (argc > 1) {
    fprintf(stderr, "rtms-emulator: unexpected argument \"%s\"\n", argv[1]);
    return ParseOutcome::ExitError;
  }
  std::string problem;
  if (port < 0 || port > 65535) problem = "--port must be between 0 and 65535";
  else if (keepalive_interval < 10) problem = "--keepalive-interval must be at least 10 ms";
  else if (keepalive_misses < 1) problem = "--keepalive-misses must be at least 1";
  else if (wait_client < 1) problem = "--wait-client must be at least 1 ms";
  else if (reconnect_grace < 0) problem = "--reconnect-grace must not be negative";
  else if (media_reconnect_grace < 0) problem = "--media-reconnect-grace must not be negative";
  else if (options->host.empty()) problem = "--host must not be empty";
  else if (!parse_scopes(scopes_text, &options->scopes, &problem)) {}
  else if (g711_text == "mulaw" || g711_text == "ulaw") options->g711 = G711Law::Mulaw;
  else if (g711_text == "alaw") options->g711 = G711Law::Alaw;
  else problem = "--g711 must be mulaw or alaw";
  if (problem.empty() && options->share_url_key != "deskshare" && options->share_url_key != "sharescreen")
    problem = "--share-url-key must be deskshare or sharescreen";
  if (problem.empty() && (huge_frame_bytes < kHugeFrameMinBytes || huge_frame_bytes > kHugeFrameMaxBytes))
    problem = "--huge-frame-bytes must be between " + std::to_string(kHugeFrameMinBytes) + " and " +
              std::to_string(kHugeFrameMaxBytes);
  if (problem.empty() && (streams < 1 || streams > kMaxStreams))
    problem = "--streams must be between 1 and " + std::to_string(kMaxStreams) + ", got " + std::to_string(streams);
  if (problem.empty() && (video_bitrate < 0 || video_bitrate > kMaxVideoBitrateKbps))
    problem = "--video-bitrate must be between 1 and " + std::to_string(kMaxVideoBitrateKbps) +
              " kbit/s (0: the encoder's default), got " + std::to_string(video_bitrate);
  if (problem.empty() && (socket_poll_interval < 0 || socket_poll_interval > kMaxSocketPollIntervalMs))
    problem = "--socket-poll-interval must be between 0 and " + std::to_string(kMaxSocketPollIntervalMs) +
              " ms, got " + std::to_string(socket_poll_interval);
  if (problem.empty() && (token_ttl < 1 || token_ttl > 86400))
    problem = "--token-ttl must be between 1 and 86400 s, got " + std::to_string(token_ttl);
  if (problem.empty() && event_socket && !options->webhook_url.empty())
    problem = "--event-socket and --webhook-url exclude each other (events go one way)";
  for (gchar **text = drop_texts; problem.empty() && text != nullptr && *text != nullptr; ++text) {
    gint64 ms = 0;
    if (!g_ascii_string_to_signed(*text, 10, 0, 24 * 3600 * 1000, &ms, nullptr))
      problem = std::string("--event-socket-drop: not a number of milliseconds: ") + *text;
    else
      options->event_socket_drops_ms.push_back(ms);
  }
  if (problem.empty() && !event_socket &&
      (!options->event_socket_drops_ms.empty() || revoke_tokens_on_drop || mute_heartbeats >= 0 ||
       bad_frames || gone_before_stop))
    problem =
        "--event-socket-drop, --revoke-tokens-on-drop, --mute-heartbeats, "
        "--event-socket-bad-frames and --event-socket-gone-before-stop need --event-socket";
  if (problem.empty() && (mute_heartbeats < -1 || mute_heartbeats > 24 * 3600 * 1000))
    problem = "--mute-heartbeats must be between 0 and 86400000 ms";
  for (gchar **text = inject_texts; problem.empty() && text != nullptr && *text != nullptr; ++text) {
    Injection injection;
    if (parse_injection(*text, &injection, &problem)) options->injections.push_back(injection);
  }
  if (!problem.empty()) {
    fprintf(stderr, "rtms-emulator: %s\n", problem.c_str());
    return ParseOutcome::ExitError;
  }
  options->port = port;
  options->tls = tls;
  options->keepalive_interval_ms = keepalive_interval;
  options->keepalive_misses = keepalive_misses;
  options->wait_client_ms = wait_client;
  options->reconnect_grace_ms = reconnect_grace;
  options->media_reconnect_grace_ms = media_reconnect_grace;
  options->keepalive_when_busy = keepalive_when_busy;
  options->verbose = verbose;
  options->huge_frame_bytes = huge_frame_bytes;
  options->streams = streams;
  options->video_bitrate_kbps = video_bitrate;
  options->stamp_frames = stamp_frames;
  options->coalesce = coalesce;
  options->socket_poll_interval_ms = socket_poll_interval;
  options->websocket_extensions = websocket_extensions;
  options->per_key_media_urls = per_key_media_urls;
  options->event_socket = event_socket;
  options->token_ttl_s = token_ttl;
  options->revoke_tokens_on_drop = revoke_tokens_on_drop;
  options->mute_heartbeats_at_ms = mute_heartbeats;
  options->event_socket_bad_frames = bad_frames;
  options->event_socket_gone_before_stop = gone_before_stop;
  return ParseOutcome::Run;
}

}  // namespace emulator
