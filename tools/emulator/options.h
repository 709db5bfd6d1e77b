// Command-line options (the CLI contract documented in docs/emulator.md;
// tests of other components depend on it exactly).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "audio_format.h"
#include "fault_injection.h"

namespace emulator {

struct Options {
  std::string script_path;  // empty: the built-in short meeting
  std::string host = "127.0.0.1";
  int port = 0;
  bool tls = false;
  std::string cert_dir;  // empty: a fresh temporary directory
  std::string client_id = "emulator-client-id";
  std::string client_secret = "emulator-client-secret";
  std::string webhook_secret = "emulator-webhook-secret";
  std::string webhook_url;
  std::string webhook_ca_file;  // PEM CA an https:// --webhook-url is verified with
  std::string webhook_out;
  std::string manifest_path;  // empty: manifest.json in a temporary directory
  int keepalive_interval_ms = 10000;
  int keepalive_misses = 3;
  int wait_client_ms = 30000;
  int reconnect_grace_ms = 60000;
  // How long a media socket interrupted for unanswered keep-alives may stay
  // gone before the stream ends (Zoom: 65 s).
  int media_reconnect_grace_ms = 65000;
  // Keep-alives also while data flows (Zoom sends them only when idle).
  bool keepalive_when_busy = false;
  uint32_t scopes = 0;  // media-type flags the app has scopes for
  G711Law g711 = G711Law::Mulaw;
  bool verbose = false;
  std::vector<Injection> injections;  // --inject, in the order given
  int64_t huge_frame_bytes = kHugeFrameDefaultBytes;
  // Independent streams served by this process, all playing the script
  // (docs/emulator.md, "Many streams from one process").
  int streams = 1;
  int video_bitrate_kbps = 0;  // H.264 target; 0: the encoder's default
  // --stamp-frames: each camera frame carries its place in the encoded
  // one-second loop as a barcode, and audio only in the first 100 ms of
  // each second of meeting time (glass-to-glass and A/V measurements).
  bool stamp_frames = false;
  // Send each audio wake-up's messages of a socket in as few TCP segments
  // as fit, instead of one segment per message.
  bool coalesce = false;
  // How long the media scheduler may keep the main loop after a deadline,
  // sleeping to the next ones, before the loop looks at the sockets again;
  // 0: after every deadline (docs/emulator.md, --socket-poll-interval).
  int socket_poll_interval_ms = 0;
  // Negotiate WebSocket extensions (permessage-deflate) a client offers.
  // Not Zoom's behaviour; off by default.
  bool websocket_extensions = false;
  // The server_urls key of the screen-share URL: "deskshare" (the docs)
  // or "sharescreen" (what Zoom's own client library looks for).
  std::string share_url_key = "deskshare";
  // Each server_urls key names its own path, /media/<key>, so the manifest
  // shows which URL a client picked.
  bool per_key_media_urls = false;
  // Zoom's event WebSocket instead of webhooks (event_service.h): a token
  // endpoint and /ws on the same port; the events go there, not to
  // --webhook-url.
  bool event_socket = false;
  std::string subscription_id = "emulator-subscription-id";
  int token_ttl_s = 3600;
  std::vector<int64_t> event_socket_drops_ms;  // after the first connection
  bool revoke_tokens_on_drop = false;
  int64_t mute_heartbeats_at_ms = -1;  // --mute-heartbeats
  bool event_socket_bad_frames = false;
  // Close the event sockets for good before rtms_stopped (which is lost).
  bool event_socket_gone_before_stop = false;
};

// Bounds of --streams and --video-bitrate.
constexpr int kMaxStreams = 10000;
constexpr int kMaxVideoBitrateKbps = 100000;
constexpr int kMaxSocketPollIntervalMs = 100;

enum class ParseOutcome { Run, ExitOk, ExitError };

// Parses argv. Prints usage/errors to stderr itself.
ParseOutcome parse_options(int argc, char **argv, Options *options);

}  // namespace emulator
