// The options of WHEP and the page (docs/gateway.md, "Watching in the
// browser"), as a GOptionGroup of their own: command line over the
// --config key file's [gateway] group over the defaults.
#pragma once

#include <memory>
#include <string>

#include <glib.h>

namespace gateway {

struct WebrtcOptions {
  std::string viewer_token; // from --viewer-token-file; never logged
  std::string stun_server, turn_server;
  // From --turn-secret-file or RTMS_GATEWAY_TURN_SECRET: TURN credentials
  // minted per use (turn_credentials.h). Never logged.
  std::string turn_secret;
  int turn_credential_ttl_s = 3600;
  std::string video_mode = "auto";  // auto, passthrough, encode
  std::string ice_transport_policy = "all";  // all, relay (TURN's relayed candidates only)
  int max_viewers = 4;              // per stream
  int max_viewers_total = 16;
  int answer_timeout_s = 5;
};

class WebrtcOptionParser {
 public:
  WebrtcOptionParser();
  ~WebrtcOptionParser();
  WebrtcOptionParser(const WebrtcOptionParser &) = delete;
  WebrtcOptionParser &operator=(const WebrtcOptionParser &) = delete;
  // Owned by the option context it is added to.
  GOptionGroup *group();
  // After parsing: merges the key file (may be null) and reads the token file.
  bool finish(GKeyFile *file, WebrtcOptions *out, std::string *error);

 private:
  struct Raw;
  std::unique_ptr<Raw> raw_;
};

}  // namespace gateway
