#include "webrtc_options.h"

#include "common/gref.h"
#include "turn_credentials.h"

namespace gateway {

namespace {
constexpr gint64 kUnset = G_MININT64;
}

struct WebrtcOptionParser::Raw {
  gchar *token_file = nullptr, *stun = nullptr, *turn = nullptr, *video = nullptr, *ice_policy = nullptr,
        *turn_secret_file = nullptr;
  gint64 max_viewers = kUnset, max_total = kUnset, answer_timeout = kUnset, turn_ttl = kUnset;
  ~Raw() {
    for (gchar *s : {token_file, stun, turn, video, ice_policy, turn_secret_file}) g_free(s);
  }
};

WebrtcOptionParser::WebrtcOptionParser() : raw_(std::make_unique<Raw>()) {}
WebrtcOptionParser::~WebrtcOptionParser() = default;

GOptionGroup *WebrtcOptionParser::group() {
  Raw &r = *raw_;
  GOptionEntry entries[] = {
      {"viewer-token-file", 0, 0, G_OPTION_ARG_FILENAME, &r.token_file,
       "WebRTC viewers (WHEP) need this token: Authorization: Bearer or ?token= (default: --feed-token-file's, else none)", "FILE"},
      {"stun-server", 0, 0, G_OPTION_ARG_STRING, &r.stun, "STUN server for WebRTC viewers, stun://host:port", "URL"},
      {"turn-server", 0, 0, G_OPTION_ARG_STRING, &r.turn,
       "TURN server for WebRTC viewers, turn(s)://user:password@host:port (better in the environment, RTMS_GATEWAY_TURN_SERVER: the command line is public)",
       "URL"},
      {"turn-secret-file", 0, 0, G_OPTION_ARG_FILENAME, &r.turn_secret_file,
       "The secret shared with the TURN server (coturn's static-auth-secret): short-lived credentials minted per "
       "viewer, --turn-server then without user:password (or RTMS_GATEWAY_TURN_SECRET)",
       "FILE"},
      {"turn-credential-ttl", 0, 0, G_OPTION_ARG_INT64, &r.turn_ttl,
       "Seconds a minted TURN credential lasts (default 3600)", "S"},
      {"ice-transport-policy", 0, 0, G_OPTION_ARG_STRING, &r.ice_policy,
       "The gateway's ICE candidates: all (default), or relay (only the TURN server's relayed ones)", "POLICY"},
      {"webrtc-video", 0, 0, G_OPTION_ARG_STRING, &r.video,
       "H.264 to viewers: auto (passed through when the browser takes it, else re-encoded once), passthrough, encode",
       "MODE"},
      {"max-viewers", 0, 0, G_OPTION_ARG_INT64, &r.max_viewers, "WebRTC viewers per stream (default 4)", "N"},
      {"max-viewers-total", 0, 0, G_OPTION_ARG_INT64, &r.max_total, "WebRTC viewers of all streams (default 16)", "N"},
      {"whep-answer-timeout", 0, 0, G_OPTION_ARG_INT64, &r.answer_timeout,
       "Seconds a WHEP answer may take (negotiation and ICE gathering; default 5)", "S"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  GOptionGroup *g = g_option_group_new("webrtc", "Watching in the browser (WebRTC, WHEP):",
                                       "Show the WebRTC options", nullptr, nullptr);
  g_option_group_add_entries(g, entries);
  return g;
}

namespace {

bool merge_str(GKeyFile *file, const gchar *cli, const char *key, std::string *out, std::string *error) {
  if (cli) {
    *out = cli;
    return true;
  }
  if (!file || !g_key_file_has_key(file, "gateway", key, nullptr)) return true;
  GError *raw = nullptr;
  auto value = rtms::adopt(g_key_file_get_string(file, "gateway", key, &raw));
  auto owned = rtms::adopt(raw);
  if (!value) {
    *error = std::string("--config: ") + key + ": " + (owned ? owned->message : "unreadable");
    return false;
  }
  *out = value.get();
  return true;
}

bool merge_num(GKeyFile *file, gint64 cli, const char *key, gint64 min, gint64 max, int *out, std::string *error) {
  gint64 value = cli;
  if (value == kUnset) {
    if (!file || !g_key_file_has_key(file, "gateway", key, nullptr)) return true;
    GError *raw = nullptr;
    value = g_key_file_get_int64(file, "gateway", key, &raw);
    auto owned = rtms::adopt(raw);
    if (owned) {
      *error = std::string("--config: ") + key + ": " + owned->message;
      return false;
    }
  }
  if (value < min || value > max) {
    *error = std::string("--") + key + " must be between " + std::to_string(min) + " and " + std::to_string(max);
    return false;
  }
  *out = int(value);
  return true;
}

// A file holding one token or secret: printable ASCII, no spaces, 1 to 1024
// characters (surrounding white space dropped). Its contents are never shown.
bool read_one_line(const std::string &path, const char *option, const char *what, std::string *out,
                   std::string *error) {
  gchar *contents = nullptr;
  GError *raw = nullptr;
  if (!g_file_get_contents(path.c_str(), &contents, nullptr, &raw)) {
    auto owned = rtms::adopt(raw);
    *error = std::string(option) + ": " + owned->message;
    return false;
  }
  auto text = rtms::adopt(contents);
  std::string value = g_strstrip(text.get());
  if (value.empty() || value.size() > 1024) {
    *error = std::string(option) + ": the file must hold one " + what + " (1 to 1024 characters)";
    return false;
  }
  for (char c : value)
    if ((unsigned char)c <= 0x20 || (unsigned char)c >= 0x7f) {
      *error = std::string(option) + ": the " + what + " must be printable ASCII without spaces";
      return false;
    }
  *out = value;
  return true;
}

}  // namespace

bool WebrtcOptionParser::finish(GKeyFile *file, WebrtcOptions *out, std::string *error) {
  Raw &r = *raw_;
  std::string token_file, turn_secret_file;
  if (!(merge_str(file, r.token_file, "viewer-token-file", &token_file, error) &&
        merge_str(file, r.stun, "stun-server", &out->stun_server, error) &&
        merge_str(file, r.turn, "turn-server", &out->turn_server, error) &&
        merge_str(file, r.video, "webrtc-video", &out->video_mode, error) &&
        merge_str(file, r.ice_policy, "ice-transport-policy", &out->ice_transport_policy, error) &&
        merge_num(file, r.max_viewers, "max-viewers", 0, 1000, &out->max_viewers, error) &&
        merge_num(file, r.max_total, "max-viewers-total", 0, 10000, &out->max_viewers_total, error) &&
        merge_num(file, r.answer_timeout, "whep-answer-timeout", 1, 60, &out->answer_timeout_s, error) &&
        merge_str(file, r.turn_secret_file, "turn-secret-file", &turn_secret_file, error) &&
        merge_num(file, r.turn_ttl, "turn-credential-ttl", 60, 7 * 86400, &out->turn_credential_ttl_s, error)))
    return false;
  // A TURN password is a secret: the environment (the service's root-only
  // secrets file) rather than the command line or the world-readable config.
  if (out->turn_server.empty()) {
    const char *env_turn = g_getenv("RTMS_GATEWAY_TURN_SERVER");
    if (env_turn) out->turn_server = env_turn;
  }
  if (!turn_secret_file.empty()) {
    if (!read_one_line(turn_secret_file, "--turn-secret-file", "secret", &out->turn_secret, error)) return false;
  } else if (const char *env_secret = g_getenv("RTMS_GATEWAY_TURN_SECRET"); env_secret && *env_secret) {
    out->turn_secret = env_secret;
    if (out->turn_secret.size() > 1024) {
      *error = "RTMS_GATEWAY_TURN_SECRET: 1 to 1024 characters";  // the value is not shown
      return false;
    }
  }
  if (!out->turn_secret.empty()) {
    if (out->turn_server.empty()) {
      *error = "a TURN secret needs a TURN server (--turn-server or RTMS_GATEWAY_TURN_SERVER, turn://host:port)";
      return false;
    }
    if (turn_url_has_userinfo(out->turn_server)) {
      *error = "with a TURN secret, the TURN server is given without user:password (turn://host:port): the "
               "credentials are minted";
      return false;
    }
  }
  if (out->video_mode != "auto" && out->video_mode != "passthrough" && out->video_mode != "encode") {
    *error = "--webrtc-video must be auto, passthrough or encode";
    return false;
  }
  if (out->ice_transport_policy != "all" && out->ice_transport_policy != "relay") {
    *error = "--ice-transport-policy must be all or relay";
    return false;
  }
  if (out->ice_transport_policy == "relay" && out->turn_server.empty()) {
    *error = "--ice-transport-policy relay needs a TURN server (--turn-server or RTMS_GATEWAY_TURN_SERVER)";
    return false;
  }
  if (!out->stun_server.empty() && !g_str_has_prefix(out->stun_server.c_str(), "stun://")) {
    *error = "--stun-server must look like stun://host:port";
    return false;
  }
  if (!out->turn_server.empty() && !g_str_has_prefix(out->turn_server.c_str(), "turn://") &&
      !g_str_has_prefix(out->turn_server.c_str(), "turns://")) {
    *error = "--turn-server must look like turn://user:password@host:port or turns://...";  // the value is not shown
    return false;
  }
  if (!token_file.empty() && !read_one_line(token_file, "--viewer-token-file", "token", &out->viewer_token, error))
    return false;
  return true;
}

}  // namespace gateway
