#include "options.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include <glib.h>
#include <unistd.h>

#include "cluster_records.h"
#include "common/gst_gref.h"
#include "protocol/host_allowlist.h"

namespace gateway {

namespace {

// Command-line values before merging: unset strings stay null and unset
// numbers keep kUnset, so the key file can fill what the command line left.
constexpr gint64 kUnset = G_MININT64;

struct Raw {
  gchar *config = nullptr;
  gchar *host = nullptr;
  gint64 port = kUnset;
  gchar *path = nullptr;
  gint64 window = kUnset;
  gint64 max_body = kUnset;
  gint64 max_streams = kUnset;
  gchar *template_name = nullptr;
  gchar *pipeline = nullptr;
  gchar *pipeline_file = nullptr;
  gboolean per_participant_audio = FALSE;
  gboolean webvtt = FALSE;
  gchar *output_dir = nullptr;
  gchar *rtmp_url = nullptr;
  gchar *ssl_ca_file = nullptr;
  gchar *tls_cert = nullptr;
  gchar *tls_key = nullptr;
  gchar *secret_file = nullptr;
  gint64 shutdown_timeout = kUnset;
  gint64 max_connections = kUnset;
  gint64 header_timeout = kUnset;
  gint64 body_timeout = kUnset;
  gint64 listen_backlog = kUnset;
  gchar **allow_hosts = nullptr;
  gboolean allow_plaintext = FALSE;
  gchar *intake = nullptr;
  gchar *oauth_url = nullptr;
  gchar *event_url = nullptr;
  gchar *event_ca_file = nullptr;
  gint64 heartbeat_interval = kUnset;
  gint64 heartbeat_timeout = kUnset;
  gint64 feed_max_consumers = kUnset;
  gint64 feed_max_total = kUnset;
  gint64 feed_queue_bytes = kUnset;
  gchar *feed_token_file = nullptr;
  gchar *cors_origin = nullptr;
  gchar *role = nullptr;
  gchar *redis = nullptr;
  gchar *redis_password_file = nullptr;
  gchar *worker_id = nullptr;
  gint64 capacity = kUnset;
  gint64 lease_ttl = kUnset;
  gint64 redis_timeout = kUnset;
  gint64 events_maxlen = kUnset;

  ~Raw() {
    for (gchar *s : {role, redis, redis_password_file, worker_id}) g_free(s);
    for (gchar *s : {config, host, path, template_name, pipeline, pipeline_file, output_dir, rtmp_url,
                     ssl_ca_file, tls_cert, tls_key, secret_file, intake, oauth_url, event_url,
                     event_ca_file, feed_token_file, cors_origin})
      g_free(s);
    g_strfreev(allow_hosts);
  }
};

class Merger {
 public:
  explicit Merger(GKeyFile *file) : file_(file) {}

  bool str(const gchar *cli, const char *key, std::string *out) {
    if (cli) {
      *out = cli;
      return true;
    }
    if (!file_ || !g_key_file_has_key(file_, "gateway", key, nullptr)) return true;
    GError *raw_error = nullptr;
    auto value = rtms::adopt(g_key_file_get_string(file_, "gateway", key, &raw_error));
    auto error = rtms::adopt(raw_error);
    if (!value) return fail(key, error ? error->message : "unreadable");
    *out = value.get();
    return true;
  }

  template <typename T>
  bool num(gint64 cli, const char *key, gint64 min, gint64 max, T *out) {
    gint64 value = cli;
    if (value == kUnset) {
      if (!file_ || !g_key_file_has_key(file_, "gateway", key, nullptr)) return check(*out, key, min, max);
      GError *raw_error = nullptr;
      value = g_key_file_get_int64(file_, "gateway", key, &raw_error);
      auto error = rtms::adopt(raw_error);
      if (error) return fail(key, error->message);
    }
    if (!check(value, key, min, max)) return false;
    *out = static_cast<T>(value);
    return true;
  }

  // Command-line values and the key file's list are both taken.
  bool list(gchar **cli, const char *key, std::vector<std::string> *out) {
    if (file_ && g_key_file_has_key(file_, "gateway", key, nullptr)) {
      GError *raw_error = nullptr;
      gsize n = 0;
      gchar **values = g_key_file_get_string_list(file_, "gateway", key, &n, &raw_error);
      auto error = rtms::adopt(raw_error);
      if (!values) return fail(key, error ? error->message : "unreadable");
      for (gsize i = 0; i < n; i++) out->push_back(values[i]);
      g_strfreev(values);
    }
    for (gchar **v = cli; v && *v; v++) out->push_back(*v);
    return true;
  }

  bool flag(gboolean cli, const char *key, bool *out) {
    if (cli) {
      *out = true;
      return true;
    }
    if (!file_ || !g_key_file_has_key(file_, "gateway", key, nullptr)) return true;
    GError *raw_error = nullptr;
    gboolean value = g_key_file_get_boolean(file_, "gateway", key, &raw_error);
    auto error = rtms::adopt(raw_error);
    if (error) return fail(key, error->message);
    *out = value;
    return true;
  }

 private:
  static bool check(gint64 value, const char *key, gint64 min, gint64 max) {
    if (value >= min && value <= max) return true;
    std::fprintf(stderr, "rtms-gateway: %s must be between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT
                 ", got %" G_GINT64_FORMAT "\n", key, min, max, value);
    return false;
  }
  static bool fail(const char *key, const char *why) {
    std::fprintf(stderr, "rtms-gateway: --config: key '%s': %s\n", key, why);
    return false;
  }
  GKeyFile *file_;
};

bool read_text_file(const char *path, std::string *out, std::string *error) {
  gchar *raw = nullptr;
  gsize size = 0;
  GError *raw_error = nullptr;
  if (!g_file_get_contents(path, &raw, &size, &raw_error)) {
    auto owned = rtms::adopt(raw_error);
    *error = owned->message;
    return false;
  }
  auto text = rtms::adopt(raw);
  out->assign(text.get(), size);
  return true;
}

bool check_cluster_options(Options *options, const std::string &password_file) {
  if (options->role != "standalone" && options->role != "intake" && options->role != "worker") {
    std::fprintf(stderr, "rtms-gateway: --role must be standalone, intake or worker, got '%s'\n",
                 options->role.c_str());
    return false;
  }
  if (!options->cluster()) return true;
#if !RTMS_GATEWAY_HIREDIS
  std::fprintf(stderr, "rtms-gateway: --role %s needs Redis, and this build has no hiredis (install "
                       "libhiredis-dev and build again)\n", options->role.c_str());
  return false;
#endif
  std::string error;
  if (!load_redis_password(password_file, &options->redis_password, &error)) {
    std::fprintf(stderr, "rtms-gateway: %s\n", error.c_str());
    return false;
  }
  if (options->worker_id.empty()) {
    options->worker_id = std::string(g_get_host_name()) + "-" + std::to_string(getpid());
  }
  for (char c : options->worker_id) {
    if (!g_ascii_isalnum(c) && c != '-' && c != '_' && c != '.') {
      std::fprintf(stderr, "rtms-gateway: --worker-id may hold only A-Z a-z 0-9 . _ -\n");
      return false;
    }
  }
  if (options->worker_id.size() > 64) {
    std::fprintf(stderr, "rtms-gateway: --worker-id is at most 64 characters\n");
    return false;
  }
  cluster::RedisUrl url;
  if (!cluster::parse_redis_url(options->redis_url, &url, &error)) {
    std::fprintf(stderr, "rtms-gateway: %s\n", error.c_str());
    return false;
  }
  if (options->capacity == 0) options->capacity = options->max_streams;
  options->max_streams = std::max(options->max_streams, options->capacity);
  return true;
}

}  // namespace

bool load_redis_password(const std::string &file, std::string *password, std::string *error) {
  if (!file.empty()) {
    std::string text;
    if (!read_text_file(file.c_str(), &text, error)) {
      *error = "--redis-password-file: " + *error;
      return false;
    }
    while (!text.empty() && g_ascii_isspace(text.back())) text.pop_back();
    *password = text;
  } else if (const char *env = g_getenv("RTMS_REDIS_PASSWORD")) {
    *password = env;
  }
  return true;
}

bool load_webhook_secret(const std::string &file, std::string *secret, std::string *error) {
  if (!file.empty()) {
    std::string text;
    if (!read_text_file(file.c_str(), &text, error)) {
      *error = "--webhook-secret-file: " + *error;
      return false;
    }
    // Editors and `echo` leave a newline the token never contains.
    while (!text.empty() && g_ascii_isspace(text.back())) text.pop_back();
    *secret = text;
  } else if (const char *env = g_getenv("ZM_WEBHOOK_SECRET")) {
    *secret = env;
  }
  if (secret->empty()) {
    *error = "no webhook secret token: set ZM_WEBHOOK_SECRET or give --webhook-secret-file "
             "(the token of your Zoom app's event subscription)";
    return false;
  }
  return true;
}

bool load_feed_token(const std::string &file, std::string *token, std::string *error) {
  std::string text;
  if (!read_text_file(file.c_str(), &text, error)) {
    *error = "--feed-token-file: " + *error;
    return false;
  }
  while (!text.empty() && g_ascii_isspace(text.back())) text.pop_back();
  if (text.empty()) {
    *error = "--feed-token-file " + file + " is empty";
    return false;
  }
  for (char c : text) {
    if (g_ascii_iscntrl(c) || c == ' ') {
      *error = "--feed-token-file " + file + ": the token must be one word of printable characters";
      return false;
    }
  }
  *token = text;
  return true;
}

bool load_event_credentials(Options *options, std::string *error) {
  auto env = [](const char *name) {
    const char *value = g_getenv(name);
    return std::string(value ? value : "");
  };
  options->client_id = env("ZM_RTMS_CLIENT");
  options->client_secret = env("ZM_RTMS_SECRET");
  options->account_id = env("ZM_ACCOUNT_ID");
  if (options->client_id.empty() || options->client_secret.empty()) {
    *error = "--intake websocket needs the app's client id and secret in ZM_RTMS_CLIENT and "
             "ZM_RTMS_SECRET (and ZM_ACCOUNT_ID for a Server-to-Server OAuth app)";
    return false;
  }
  if (!g_str_has_prefix(options->oauth_url.c_str(), "https://")) {
    *error = "--oauth-url must be an https:// URL (the client secret goes there)";
    return false;
  }
  if (!g_str_has_prefix(options->event_url.c_str(), "wss://")) {
    *error = "--event-url must be a wss:// URL (the access token goes there)";
    return false;
  }
  if (options->event_url.find("access_token=") != std::string::npos) {
    *error = "--event-url must not hold an access_token: the gateway obtains and renews it";
    return false;
  }
  if (options->event_url.find("subscriptionId=") == std::string::npos) {
    std::string subscription = env("ZM_EVENT_SUBSCRIPTION_ID");
    if (subscription.empty()) {
      *error = "--intake websocket needs the event subscription's id: an --event-url with "
               "?subscriptionId=..., or ZM_EVENT_SUBSCRIPTION_ID";
      return false;
    }
    g_autofree gchar *escaped = g_uri_escape_string(subscription.c_str(), nullptr, FALSE);
    const char *separator = options->event_url.find('?') == std::string::npos ? "?" : "&";
    options->event_url += std::string(separator) + "subscriptionId=" + escaped;
  }
  // An answer is due before the next heartbeat goes out.
  options->heartbeat_timeout_s =
      std::min(options->heartbeat_timeout_s, options->heartbeat_interval_s);
  return true;
}

ParseOutcome parse_options(int argc, char **argv, Options *options) {
  Raw raw;
  GOptionEntry entries[] = {
      {"config", 'c', 0, G_OPTION_ARG_FILENAME, &raw.config, "Key file with a [gateway] group; options given here win", "FILE"},
      {"host", 0, 0, G_OPTION_ARG_STRING, &raw.host, "Address to listen on (default 127.0.0.1)", "HOST"},
      {"port", 'p', 0, G_OPTION_ARG_INT64, &raw.port, "Port to listen on; 0 picks a free one (default 8080)", "PORT"},
      {"webhook-path", 0, 0, G_OPTION_ARG_STRING, &raw.path, "Path of the webhook endpoint (default /webhook)", "PATH"},
      {"timestamp-window", 0, 0, G_OPTION_ARG_INT64, &raw.window, "Seconds x-zm-request-timestamp may be off (default 300)", "S"},
      {"max-body", 0, 0, G_OPTION_ARG_INT64, &raw.max_body, "Largest webhook body accepted, bytes (default 65536)", "BYTES"},
      {"max-streams", 0, 0, G_OPTION_ARG_INT64, &raw.max_streams, "Concurrent streams (default 16)", "N"},
      {"template", 't', 0, G_OPTION_ARG_STRING, &raw.template_name, "Shipped pipeline template: record, mixed, rtmp, hls (default record)", "NAME"},
      {"pipeline", 0, 0, G_OPTION_ARG_STRING, &raw.pipeline, "Custom template in gst-launch syntax with an rtmssrc named src", "LAUNCH"},
      {"pipeline-file", 0, 0, G_OPTION_ARG_FILENAME, &raw.pipeline_file, "Read the custom template from FILE", "FILE"},
      {"per-participant-audio", 0, 0, G_OPTION_ARG_NONE, &raw.per_participant_audio, "Record each audio_%u pad of a custom template to its own WAV file", nullptr},
      {"webvtt", 0, 0, G_OPTION_ARG_NONE, &raw.webvtt, "Write the transcript pad of a custom template to {out}/transcript.vtt", nullptr},
      {"output-dir", 'o', 0, G_OPTION_ARG_FILENAME, &raw.output_dir, "Where each stream's folder ({out}) is made (default ./recordings)", "DIR"},
      {"rtmp-url", 0, 0, G_OPTION_ARG_STRING, &raw.rtmp_url, "Where the rtmp template pushes each stream; {stream_id}, {meeting} and {start_time} are filled in", "URL"},
      {"ssl-ca-file", 0, 0, G_OPTION_ARG_FILENAME, &raw.ssl_ca_file, "CA file rtmssrc verifies wss:// servers with", "FILE"},
      {"tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &raw.tls_cert, "Serve HTTPS with this PEM certificate (chain)", "FILE"},
      {"tls-key", 0, 0, G_OPTION_ARG_FILENAME, &raw.tls_key, "Private key of --tls-cert", "FILE"},
      {"webhook-secret-file", 0, 0, G_OPTION_ARG_FILENAME, &raw.secret_file, "File holding the webhook secret token (else ZM_WEBHOOK_SECRET)", "FILE"},
      {"shutdown-timeout", 0, 0, G_OPTION_ARG_INT64, &raw.shutdown_timeout, "Seconds to wait for files to be finalized on SIGTERM/SIGINT (default 10)", "S"},
      {"allow-host", 0, 0, G_OPTION_ARG_STRING_ARRAY, &raw.allow_hosts, "Also let webhooks send streams to RTMS servers on this host: a name, *.domain, an IP address, or * for any (repeatable; *.zoom.us is always allowed)", "PATTERN"},
      {"allow-plaintext", 0, 0, G_OPTION_ARG_NONE, &raw.allow_plaintext, "Allow ws:// (unencrypted) RTMS server URLs (default: wss:// only)", nullptr},
      {"max-connections", 0, 0, G_OPTION_ARG_INT64, &raw.max_connections, "Most HTTP connections open at once; at the limit the oldest one still sending its headers is closed (default 256, lowered to fit the file descriptor limit)", "N"},
      {"header-timeout", 0, 0, G_OPTION_ARG_INT64, &raw.header_timeout, "Seconds a connection may take from accept to complete request headers, TLS handshake included (default 10)", "S"},
      {"body-timeout", 0, 0, G_OPTION_ARG_INT64, &raw.body_timeout, "Seconds from complete headers to the answer written: body upload and answer (default 30)", "S"},
      {"intake", 0, 0, G_OPTION_ARG_STRING, &raw.intake,
       "Where events come from: webhook (Zoom posts to --webhook-path; default) or websocket "
       "(the gateway holds Zoom's event WebSocket; no public endpoint)", "MODE"},
      {"oauth-url", 0, 0, G_OPTION_ARG_STRING, &raw.oauth_url,
       "Websocket intake: the OAuth token endpoint (default https://zoom.us/oauth/token)", "URL"},
      {"event-url", 0, 0, G_OPTION_ARG_STRING, &raw.event_url,
       "Websocket intake: the event WebSocket, as your app's event subscription shows it "
       "(default wss://ws.zoom.us/ws; subscriptionId from ZM_EVENT_SUBSCRIPTION_ID if the URL "
       "has none)", "URL"},
      {"event-ca-file", 0, 0, G_OPTION_ARG_FILENAME, &raw.event_ca_file,
       "Websocket intake: verify the token endpoint and event WebSocket with this PEM CA instead "
       "of the system's", "FILE"},
      {"heartbeat-interval", 0, 0, G_OPTION_ARG_INT64, &raw.heartbeat_interval,
       "Websocket intake: seconds between heartbeats (default 30)", "S"},
      {"heartbeat-timeout", 0, 0, G_OPTION_ARG_INT64, &raw.heartbeat_timeout,
       "Websocket intake: seconds a heartbeat answer may take before the connection is taken "
       "for dead and replaced (default 10)", "S"},
      {"feed-max-consumers", 0, 0, G_OPTION_ARG_INT64, &raw.feed_max_consumers,
       "Live feed: consumers of one stream at once (default 16)", "N"},
      {"feed-max-total", 0, 0, G_OPTION_ARG_INT64, &raw.feed_max_total,
       "Live feed: consumers of all streams at once (default 64)", "N"},
      {"feed-queue-bytes", 0, 0, G_OPTION_ARG_INT64, &raw.feed_queue_bytes,
       "Live feed: bytes queued for one consumer before it is disconnected for not reading (default 262144)", "BYTES"},
      {"feed-token-file", 0, 0, G_OPTION_ARG_FILENAME, &raw.feed_token_file,
       "Live feed: require the token in this file (Authorization: Bearer, or ?token=)", "FILE"},
      {"cors-origin", 0, 0, G_OPTION_ARG_STRING, &raw.cors_origin,
       "Live feed: Access-Control-Allow-Origin of /streams (an origin, or *; default none)", "ORIGIN"},
      {"role", 0, 0, G_OPTION_ARG_STRING, &raw.role,
       "standalone (default: no Redis), intake (append verified events to Redis) or worker (claim "
       "streams from Redis and run them); see docs/gateway.md, Scale-out on Redis", "ROLE"},
      {"redis", 0, 0, G_OPTION_ARG_STRING, &raw.redis,
       "Cluster roles: Redis as redis://host:port/db (default redis://127.0.0.1:6379/0); the "
       "password from --redis-password-file or RTMS_REDIS_PASSWORD", "URL"},
      {"redis-password-file", 0, 0, G_OPTION_ARG_FILENAME, &raw.redis_password_file,
       "Cluster roles: file holding Redis' password (else RTMS_REDIS_PASSWORD)", "FILE"},
      {"worker-id", 0, 0, G_OPTION_ARG_STRING, &raw.worker_id,
       "Worker: its name in leases and the consumer group (default <host name>-<pid>)", "ID"},
      {"capacity", 0, 0, G_OPTION_ARG_INT64, &raw.capacity,
       "Worker: streams it claims at most (default --max-streams)", "N"},
      {"lease-ttl", 0, 0, G_OPTION_ARG_INT64, &raw.lease_ttl,
       "Worker: milliseconds a stream's lease lasts unless renewed (renewed every third of it; "
       "default 10000)", "MS"},
      {"redis-timeout", 0, 0, G_OPTION_ARG_INT64, &raw.redis_timeout,
       "Cluster roles: milliseconds a Redis connect or command may take (default 500)", "MS"},
      {"events-maxlen", 0, 0, G_OPTION_ARG_INT64, &raw.events_maxlen,
       "Intake: the events stream is trimmed to about this many records (default 100000)", "N"},
      {"listen-backlog", 0, 0, G_OPTION_ARG_INT64, &raw.listen_backlog, "Backlog of the listening socket (default 1024; the kernel caps it at net.core.somaxconn)", "N"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};

  auto context = rtms::adopt(g_option_context_new("- Zoom RTMS webhooks in, one GStreamer pipeline per stream"));
  g_option_context_add_main_entries(context.get(), entries, nullptr);
  WebrtcOptionParser webrtc_options;
  g_option_context_add_group(context.get(), webrtc_options.group());
  g_option_context_set_summary(context.get(),
      "Secrets come from the environment: ZM_WEBHOOK_SECRET (webhook secret token),\n"
      "ZM_RTMS_CLIENT and ZM_RTMS_SECRET (the app's client id and secret, read by rtmssrc).\n"
      "--intake websocket also reads ZM_ACCOUNT_ID (Server-to-Server OAuth apps) and\n"
      "ZM_EVENT_SUBSCRIPTION_ID (unless --event-url names subscriptionId).");
  GError *raw_error = nullptr;
  gboolean parsed = g_option_context_parse(context.get(), &argc, &argv, &raw_error);
  if (!parsed) {
    auto error = rtms::adopt(raw_error);
    std::fprintf(stderr, "rtms-gateway: %s (see --help)\n", error->message);
    return ParseOutcome::ExitError;
  }
  if (argc > 1) {
    std::fprintf(stderr, "rtms-gateway: unexpected argument '%s' (see --help)\n", argv[1]);
    return ParseOutcome::ExitError;
  }

  rtms::GRef<GKeyFile> file;
  if (raw.config) {
    file = rtms::adopt(g_key_file_new());
    if (!g_key_file_load_from_file(file.get(), raw.config, G_KEY_FILE_NONE, &raw_error)) {
      auto error = rtms::adopt(raw_error);
      std::fprintf(stderr, "rtms-gateway: --config %s: %s\n", raw.config, error->message);
      return ParseOutcome::ExitError;
    }
    if (g_key_file_has_key(file.get(), "gateway", "webhook-secret", nullptr)) {
      std::fprintf(stderr, "rtms-gateway: --config: 'webhook-secret' is not read from a config file; "
                           "use ZM_WEBHOOK_SECRET or webhook-secret-file\n");
      return ParseOutcome::ExitError;
    }
  }
  Merger m(file.get());
  std::string pipeline_file;
  std::string secret_file;
  std::string feed_token_file;
  bool ok = m.str(raw.host, "host", &options->host) &&
            m.num(raw.port, "port", 0, 65535, &options->port) &&
            m.str(raw.path, "webhook-path", &options->webhook_path) &&
            m.num(raw.window, "timestamp-window", 1, 86400, &options->timestamp_window_s) &&
            m.num(raw.max_body, "max-body", 256, 16 * 1024 * 1024, &options->max_body_bytes) &&
            m.num(raw.max_streams, "max-streams", 1, 10000, &options->max_streams) &&
            m.str(raw.template_name, "template", &options->template_name) &&
            m.str(raw.pipeline, "pipeline", &options->pipeline) &&
            m.str(raw.pipeline_file, "pipeline-file", &pipeline_file) &&
            m.flag(raw.per_participant_audio, "per-participant-audio", &options->per_participant_audio) &&
            m.flag(raw.webvtt, "webvtt", &options->webvtt) &&
            m.str(raw.output_dir, "output-dir", &options->output_dir) &&
            m.str(raw.rtmp_url, "rtmp-url", &options->rtmp_url) &&
            m.str(raw.ssl_ca_file, "ssl-ca-file", &options->ssl_ca_file) &&
            m.str(raw.tls_cert, "tls-cert", &options->tls_cert_file) &&
            m.str(raw.tls_key, "tls-key", &options->tls_key_file) &&
            m.str(raw.secret_file, "webhook-secret-file", &secret_file) &&
            m.num(raw.shutdown_timeout, "shutdown-timeout", 1, 3600, &options->shutdown_timeout_s) &&
            m.list(raw.allow_hosts, "allow-host", &options->allow_hosts) &&
            m.flag(raw.allow_plaintext, "allow-plaintext", &options->allow_plaintext) &&
            m.num(raw.max_connections, "max-connections", 4, 1000000, &options->max_connections) &&
            m.num(raw.header_timeout, "header-timeout", 1, 3600, &options->header_timeout_s) &&
            m.num(raw.body_timeout, "body-timeout", 1, 3600, &options->body_timeout_s) &&
            m.num(raw.listen_backlog, "listen-backlog", 1, 65535, &options->listen_backlog) &&
            m.str(raw.intake, "intake", &options->intake) &&
            m.str(raw.oauth_url, "oauth-url", &options->oauth_url) &&
            m.str(raw.event_url, "event-url", &options->event_url) &&
            m.str(raw.event_ca_file, "event-ca-file", &options->event_ca_file) &&
            m.num(raw.heartbeat_interval, "heartbeat-interval", 1, 3600,
                  &options->heartbeat_interval_s) &&
            m.num(raw.heartbeat_timeout, "heartbeat-timeout", 1, 3600,
                  &options->heartbeat_timeout_s) &&
            m.num(raw.feed_max_consumers, "feed-max-consumers", 0, 10000, &options->feed_max_consumers) &&
            m.num(raw.feed_max_total, "feed-max-total", 0, 100000, &options->feed_max_total) &&
            m.num(raw.feed_queue_bytes, "feed-queue-bytes", 4096, 64 * 1024 * 1024,
                  &options->feed_queue_bytes) &&
            m.str(raw.feed_token_file, "feed-token-file", &feed_token_file) &&
            m.str(raw.cors_origin, "cors-origin", &options->cors_origin);
  std::string redis_password_file;
  ok = ok && m.str(raw.role, "role", &options->role) && m.str(raw.redis, "redis", &options->redis_url) &&
       m.str(raw.redis_password_file, "redis-password-file", &redis_password_file) &&
       m.str(raw.worker_id, "worker-id", &options->worker_id) &&
       m.num(raw.capacity, "capacity", 0, 10000, &options->capacity) &&
       m.num(raw.lease_ttl, "lease-ttl", 1000, 600000, &options->lease_ttl_ms) &&
       m.num(raw.redis_timeout, "redis-timeout", 10, 60000, &options->redis_timeout_ms) &&
       m.num(raw.events_maxlen, "events-maxlen", 100, 100000000, &options->events_maxlen);
  if (!ok) return ParseOutcome::ExitError;
  {
    std::string webrtc_error;
    if (!webrtc_options.finish(file.get(), &options->webrtc, &webrtc_error)) {
      std::fprintf(stderr, "rtms-gateway: %s\n", webrtc_error.c_str());
      return ParseOutcome::ExitError;
    }
  }
  if (!check_cluster_options(options, redis_password_file)) return ParseOutcome::ExitError;

  if (options->webhook_path.empty() || options->webhook_path[0] != '/' ||
      options->webhook_path == "/healthz" || options->webhook_path == "/metrics" ||
      options->webhook_path == "/readyz") {
    std::fprintf(stderr, "rtms-gateway: --webhook-path must start with / and not be /healthz, "
                         "/readyz or /metrics\n");
    return ParseOutcome::ExitError;
  }
  for (const std::string &pattern : options->allow_hosts) {
    rtms::HostAllowlist check;
    std::string error;
    if (!check.add(pattern, &error)) {
      std::fprintf(stderr, "rtms-gateway: --allow-host: %s\n", error.c_str());
      return ParseOutcome::ExitError;
    }
  }
  if (options->tls_cert_file.empty() != options->tls_key_file.empty()) {
    std::fprintf(stderr, "rtms-gateway: --tls-cert and --tls-key go together\n");
    return ParseOutcome::ExitError;
  }
  if (!pipeline_file.empty()) {
    if (!options->pipeline.empty()) {
      std::fprintf(stderr, "rtms-gateway: give --pipeline or --pipeline-file, not both\n");
      return ParseOutcome::ExitError;
    }
    std::string error;
    if (!read_text_file(pipeline_file.c_str(), &options->pipeline, &error)) {
      std::fprintf(stderr, "rtms-gateway: --pipeline-file: %s\n", error.c_str());
      return ParseOutcome::ExitError;
    }
  }
  std::string error;
  if (!feed_token_file.empty() && !load_feed_token(feed_token_file, &options->feed_token, &error)) {
    std::fprintf(stderr, "rtms-gateway: %s\n", error.c_str());
    return ParseOutcome::ExitError;
  }
  for (char c : options->cors_origin) {
    if (g_ascii_iscntrl(c) || c == ' ') {
      std::fprintf(stderr, "rtms-gateway: --cors-origin must be one origin (https://host[:port]) or *\n");
      return ParseOutcome::ExitError;
    }
  }
  if (options->intake != "webhook" && options->intake != "websocket") {
    std::fprintf(stderr, "rtms-gateway: --intake must be webhook or websocket, got '%s'\n",
                 options->intake.c_str());
    return ParseOutcome::ExitError;
  }
  if (options->role == "worker") return ParseOutcome::Run;  // takes no events: no secret needed
  if (options->websocket_intake()) {
    if (!load_event_credentials(options, &error)) {
      std::fprintf(stderr, "rtms-gateway: %s\n", error.c_str());
      return ParseOutcome::ExitError;
    }
    return ParseOutcome::Run;
  }
  if (!load_webhook_secret(secret_file, &options->webhook_secret, &error)) {
    std::fprintf(stderr, "rtms-gateway: %s\n", error.c_str());
    return ParseOutcome::ExitError;
  }
  return ParseOutcome::Run;
}

}  // namespace gateway
