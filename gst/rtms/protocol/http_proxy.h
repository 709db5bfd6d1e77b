// HTTP proxies for the RTMS WebSockets (docs/rtmssrc.md, "Through an HTTP
// proxy"): the pure part. Which proxy a connection uses (a `proxy` setting,
// else the environment as curl reads it), the proxy URL, `no_proxy`, the
// CONNECT request and the proxy's answer. No I/O here; the session's
// WebSocket opens the tunnel.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "result.h"

namespace rtms {

// A parsed proxy URL: http://[user[:password]@]host[:port][/]. Only plain
// HTTP proxies (CONNECT over TCP) are supported; TLS to the RTMS server
// still runs end to end inside the tunnel.
struct HttpProxy {
  std::string host;  // without brackets for IPv6
  int port = 0;      // 80 when the URL gives none (the scheme's port)
  std::string user;      // decoded
  std::string password;  // decoded; a secret: never logged
  bool has_credentials = false;

  // "http://host:port" (credentials never shown): for logs and errors.
  std::string shown() const;
};

// Longest proxy URL accepted (from a property or the environment).
constexpr size_t kMaxProxyUrl = 2048;

Result<HttpProxy> parse_http_proxy(std::string_view url);

// The URL as given, with any "user:password@" taken out (for reading a
// proxy setting back, or showing it): everything between "://" (or the
// start) and the last '@' before the host.
std::string proxy_url_without_credentials(std::string_view url);

// True when host (a name or an IP literal, without brackets) must be reached
// directly according to a no_proxy list: comma- or space-separated entries;
// "*" matches everything; "example.com" and ".example.com" match the name
// and every name under it; an IP literal matches only itself (no CIDR
// ranges); ":port" suffixes are ignored. Case-insensitive.
bool no_proxy_matches(std::string_view no_proxy, std::string_view host);

// The proxy URL a ws:// (secure = false) or wss:// URL to host would use
// from the environment, as curl and libsoup read it: https_proxy then
// HTTPS_PROXY for wss, http_proxy (lower case only: HTTP_PROXY can be set
// by a CGI request header) for ws, then all_proxy and ALL_PROXY; none when
// no_proxy/NO_PROXY matches host. getenv returns nullopt for unset (an
// empty value counts as unset).
using EnvLookup = std::function<std::optional<std::string>(const char *name)>;
struct ProxyChoice {
  std::string url;       // empty: connect directly
  std::string variable;  // which variable it came from, e.g. "https_proxy"
};
ProxyChoice proxy_from_environment(bool secure, std::string_view host, const EnvLookup &getenv);

// The CONNECT request for host:port ("[v6]:port" for IPv6 literals), with
// Proxy-Authorization: Basic when the proxy URL had credentials. Empty when
// host is not a plain DNS name or IP literal (letters, digits, '.', '-', '_',
// ':' only) or port is out of range: nothing from a server URL can add a
// header line.
std::string http_connect_request(const HttpProxy &proxy, std::string_view host, int port,
                                 std::string_view user_agent);

// The proxy's answer to CONNECT, from its head (up to and including the
// blank line; ws_response_head_length() finds it). ok when the status is
// 2xx: the tunnel is open and every byte after the head belongs to the
// server.
struct ConnectAnswer {
  int status = 0;
  std::string reason;  // the reason phrase, made printable and bounded
  bool ok() const { return status >= 200 && status < 300; }
  // "HTTP 407 Proxy Authentication Required"
  std::string describe() const;
};
Result<ConnectAnswer> parse_connect_answer(std::string_view head);

// Longest proxy answer head read before giving up.
constexpr size_t kMaxConnectAnswerHead = 16 * 1024;

}  // namespace rtms
