// Which RTMS servers a client may connect to: host patterns matched against
// the host of a ws:// or wss:// URL (a webhook's server_urls, and later the
// media URLs a signaling server hands out). Pure: no I/O, no name lookups.
//
// Patterns (case-insensitive, a trailing dot ignored):
//   "rtms.zoom.us"  exactly that host
//   "*.zoom.us"     any host below zoom.us (one label or more), not zoom.us itself
//   "127.0.0.1", "::1" or "[::1]"   an IP address literal, exactly
//   "*"             any host at all (turns the check off; say so when you use it)
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rtms {

// Zoom's documented domain for RTMS servers: every Zoom host named in the
// RTMS documentation (developers.zoom.us, api.zoom.us, and the webhook
// examples' servers) is below zoom.us.
std::vector<std::string> default_rtms_host_patterns();

class HostAllowlist {
 public:
  // Adds one pattern; false with why when it is not a host name, an IP
  // literal, "*.<name>" or "*".
  bool add(std::string_view pattern, std::string *error);
  // The host as it appears in a URL (brackets around IPv6 allowed).
  bool allows(std::string_view host) const;
  const std::vector<std::string> &patterns() const { return patterns_; }
  bool empty() const { return patterns_.empty(); }

 private:
  std::vector<std::string> patterns_;  // normalised: lower case, no brackets, no trailing dot
};

struct WsUrl {
  bool secure = false;  // wss://
  std::string host;     // lower case, without brackets
  int port = 0;         // as given, or 80 / 443
};

// Splits a ws:// or wss:// URL into scheme, host and port. False with why
// for anything else (other schemes, user info, an empty or malformed host,
// a bad port).
bool parse_ws_url(std::string_view url, WsUrl *out, std::string *error);

enum class ServerUrlCheck {
  Allowed,
  Malformed,        // not a ws:// or wss:// URL we can read
  Plaintext,        // ws:// while plaintext is not allowed
  HostNotAllowed,   // host matches no pattern
};
const char *to_string(ServerUrlCheck check);

// The whole check of one server URL. why names the URL's host and what is
// wrong with it (callers add which of their settings changes that); it holds
// no secrets (server URLs carry none).
ServerUrlCheck check_server_url(const HostAllowlist &allowlist, bool allow_plaintext, std::string_view url,
                                std::string *why);

}  // namespace rtms
