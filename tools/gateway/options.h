// Configuration: command-line options over an optional key file (--config),
// over built-in defaults. The webhook secret token comes from the environment
// or a file, never from the command line (visible to every user of the host).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "webrtc_options.h"

namespace gateway {

struct Options {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string webhook_path = "/webhook";
  int64_t timestamp_window_s = 300;
  int64_t max_body_bytes = 64 * 1024;
  int max_streams = 16;
  std::string template_name = "record";  // a shipped template
  std::string pipeline;                  // a custom template; overrides template_name
  bool per_participant_audio = false;    // link audio_%u pads of a custom template
  bool webvtt = false;                   // transcript.vtt from a custom template's transcript pad
  std::string output_dir = "recordings";
  std::string rtmp_url;                  // for the rtmp template; {stream_id}, {meeting}, {start_time}
  std::string ssl_ca_file;               // for rtmssrc (wss:// servers)
  std::string tls_cert_file;             // serve HTTPS with this certificate
  std::string tls_key_file;
  int shutdown_timeout_s = 10;
  // HTTP connections (docs/gateway.md, "Hardening").
  int max_connections = 256;
  int header_timeout_s = 10;             // accept to complete request headers
  int body_timeout_s = 30;               // complete headers to the answer written
  int listen_backlog = 1024;
  // RTMS servers a webhook may send rtmssrc to: Zoom's domain plus these.
  std::vector<std::string> allow_hosts;
  bool allow_plaintext = false;          // ws:// servers
  std::string webhook_secret;            // never logged (webhook intake)
  // Where events come from (docs/gateway.md, "Event delivery"): "webhook"
  // (Zoom posts to us) or "websocket" (we hold Zoom's event WebSocket).
  std::string intake = "webhook";
  std::string oauth_url = "https://zoom.us/oauth/token";
  // With subscriptionId in its query (from ZM_EVENT_SUBSCRIPTION_ID when the
  // URL has none).
  std::string event_url = "wss://ws.zoom.us/ws";
  std::string event_ca_file;             // CA of the token endpoint and event socket
  int heartbeat_interval_s = 30;
  int heartbeat_timeout_s = 10;
  // The live feed (docs/gateway.md, "Live feed").
  int feed_max_consumers = 16;           // per stream
  int feed_max_total = 64;               // all streams
  int64_t feed_queue_bytes = 256 * 1024; // per consumer, not yet written
  std::string feed_token;                // from --feed-token-file; never logged
  std::string cors_origin;               // Access-Control-Allow-Origin of /streams
  // Websocket intake: ZM_RTMS_CLIENT, ZM_RTMS_SECRET, ZM_ACCOUNT_ID (never logged).
  std::string client_id, client_secret, account_id;
  bool websocket_intake() const { return intake == "websocket"; }
  WebrtcOptions webrtc;                  // WHEP and the page (webrtc_options.h)
  // Scale-out on Redis (docs/gateway.md, "Scale-out on Redis"): "standalone"
  // (the default: no Redis, exactly as before), "intake" (events appended to
  // Redis) or "worker" (streams claimed from Redis and run).
  std::string role = "standalone";
  std::string redis_url = "redis://127.0.0.1:6379/0";
  std::string redis_password;            // --redis-password-file or RTMS_REDIS_PASSWORD; never logged
  std::string worker_id;                 // default: <host name>-<pid>
  int capacity = 0;                      // streams a worker claims at most; 0: --max-streams
  int lease_ttl_ms = 10000;
  int redis_timeout_ms = 500;            // every Redis command and connect
  int64_t events_maxlen = 100000;        // the events stream is trimmed to about this many records
  bool cluster() const { return role != "standalone"; }
};

enum class ParseOutcome { Run, ExitOk, ExitError };

// Fills options from argv, the --config file and the environment. Prints
// what is wrong (or --help) itself.
ParseOutcome parse_options(int argc, char **argv, Options *options);

// The secret token from ZM_WEBHOOK_SECRET, or from the file when one is
// named (the file wins). Trailing white space of the file is dropped.
// Redis' password from the file when one is named, else RTMS_REDIS_PASSWORD,
// else none. Trailing white space of the file is dropped.
bool load_redis_password(const std::string &file, std::string *password, std::string *error);

bool load_webhook_secret(const std::string &file, std::string *secret, std::string *error);

// The websocket intake's credentials and subscription from the environment,
// checked: ZM_RTMS_CLIENT, ZM_RTMS_SECRET, ZM_ACCOUNT_ID (optional) and
// ZM_EVENT_SUBSCRIPTION_ID (unless --event-url names subscriptionId).
bool load_event_credentials(Options *options, std::string *error);

// The live feed's token from a file (trailing white space dropped); an
// empty file is an error.
bool load_feed_token(const std::string &file, std::string *token, std::string *error);

}  // namespace gateway
