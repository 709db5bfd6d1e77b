#include "http_proxy.h"

#include <glib.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

#include "base64.h"

namespace rtms {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char &c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_ip_literal(const std::string &host) { return g_hostname_is_ip_address(host.c_str()); }

// Printable ASCII only, at most max bytes: the reason phrase comes from the
// network.
std::string printable(std::string_view s, size_t max) {
  std::string out;
  for (char c : s) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    unsigned char u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  return out;
}

std::string host_port(std::string_view host, int port) {
  std::string h(host);
  if (h.find(':') != std::string::npos) h = "[" + h + "]";
  return h + ":" + std::to_string(port);
}

}  // namespace

std::string HttpProxy::shown() const { return "http://" + host_port(host, port); }

Result<HttpProxy> parse_http_proxy(std::string_view url) {
  using R = Result<HttpProxy>;
  if (url.size() > kMaxProxyUrl)
    return R::fail("proxy", "longer than " + std::to_string(kMaxProxyUrl) + " bytes");
  std::string text(trim(url));
  if (text.empty()) return R::fail("proxy", "empty");
  if (std::memchr(text.data(), '\0', text.size()))
    return R::fail("proxy", "contains a NUL byte");
  // curl takes "host:port" without a scheme as an HTTP proxy; so do we.
  if (text.find("://") == std::string::npos) text = "http://" + text;
  GError *error = nullptr;
  GUri *uri = g_uri_parse(text.c_str(), GUriFlags(G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_NON_DNS),
                          &error);
  if (!uri) {
    // GLib's message may quote the URL, credentials included: not shown.
    g_clear_error(&error);
    return R::fail("proxy", "not a valid URL (expected http://[user:password@]host:port)");
  }
  HttpProxy p;
  std::string scheme = lower(g_uri_get_scheme(uri));
  const char *host = g_uri_get_host(uri);
  const char *path = g_uri_get_path(uri);
  bool bad_path = path && *path && std::strcmp(path, "/") != 0;
  bool extra = g_uri_get_query(uri) || g_uri_get_fragment(uri);
  if (host) p.host = host;
  p.port = g_uri_get_port(uri);
  if (const char *user = g_uri_get_user(uri)) {
    p.user = user;
    p.has_credentials = true;
  }
  if (const char *password = g_uri_get_password(uri)) {
    p.password = password;
    p.has_credentials = true;
  }
  g_uri_unref(uri);
  if (scheme != "http") {
    if (scheme == "https")
      return R::fail("proxy", "https:// proxies (TLS to the proxy) are not supported; use http://");
    if (scheme.rfind("socks", 0) == 0)
      return R::fail("proxy", "SOCKS proxies are not supported; use an HTTP proxy (http://)");
    return R::fail("proxy", "unsupported scheme \"" + printable(scheme, 16) + "\"; use http://");
  }
  if (p.host.empty()) return R::fail("proxy", "no host");
  if (bad_path || extra) return R::fail("proxy", "a proxy URL has no path, query or fragment");
  if (p.port == -1) p.port = 80;
  if (p.port <= 0 || p.port > 65535) return R::fail("proxy", "port out of range");
  if (p.user.find(':') != std::string::npos)
    return R::fail("proxy", "the user name contains ':'");
  for (const std::string *s : {&p.user, &p.password, &p.host})
    for (char c : *s)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
        return R::fail("proxy", "control characters in the URL");
  return p;
}

std::string proxy_url_without_credentials(std::string_view url) {
  size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string_view authority = url.substr(start, end == std::string_view::npos ? url.npos : end - start);
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, start)) + std::string(url.substr(start + at + 1));
}

bool no_proxy_matches(std::string_view no_proxy, std::string_view host_in) {
  std::string host = lower(host_in);
  while (!host.empty() && host.back() == '.') host.pop_back();
  if (host.empty()) return false;
  bool ip = is_ip_literal(host);
  size_t start = 0;
  while (start <= no_proxy.size()) {
    size_t end = no_proxy.find_first_of(", ", start);
    if (end == std::string_view::npos) end = no_proxy.size();
    std::string entry = lower(trim(no_proxy.substr(start, end - start)));
    start = end + 1;
    if (entry.empty()) continue;
    if (entry == "*") return true;
    // "[v6]" and "[v6]:port", "name:port", "v4:port": strip the port.
    if (entry.front() == '[') {
      size_t close = entry.find(']');
      entry = close == std::string::npos ? entry.substr(1) : entry.substr(1, close - 1);
    } else if (std::count(entry.begin(), entry.end(), ':') == 1) {
      entry = entry.substr(0, entry.find(':'));
    }
    if (ip || is_ip_literal(entry)) {
      if (entry == host) return true;
      continue;
    }
    if (entry.front() == '.') entry.erase(0, 1);
    while (!entry.empty() && entry.back() == '.') entry.pop_back();
    if (entry.empty()) continue;
    if (host == entry) return true;
    if (host.size() > entry.size() && host.compare(host.size() - entry.size(), entry.size(), entry) == 0 &&
        host[host.size() - entry.size() - 1] == '.')
      return true;
  }
  return false;
}

ProxyChoice proxy_from_environment(bool secure, std::string_view host, const EnvLookup &getenv) {
  auto get = [&](const char *name) -> std::optional<std::string> {
    auto v = getenv(name);
    if (v && v->empty()) return std::nullopt;
    return v;
  };
  std::optional<std::string> bypass = get("no_proxy");
  if (!bypass) bypass = get("NO_PROXY");
  if (bypass && no_proxy_matches(*bypass, host)) return {};
  const char *secure_names[] = {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"};
  const char *plain_names[] = {"http_proxy", "all_proxy", "ALL_PROXY"};
  if (secure) {
    for (const char *name : secure_names)
      if (auto v = get(name)) return {*v, name};
  } else {
    for (const char *name : plain_names)
      if (auto v = get(name)) return {*v, name};
  }
  return {};
}

std::string http_connect_request(const HttpProxy &proxy, std::string_view host, int port,
                                 std::string_view user_agent) {
  if (host.empty() || host.size() > 255 || port <= 0 || port > 65535) return std::string();
  for (char c : host)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_' && c != ':')
      return std::string();
  std::string target = host_port(host, port);
  std::string req = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n";
  if (proxy.has_credentials) {
    std::string pair = proxy.user + ":" + proxy.password;
    req += "Proxy-Authorization: Basic " +
           base64_encode(reinterpret_cast<const uint8_t *>(pair.data()), pair.size()) + "\r\n";
  }
  req += "User-Agent: ";
  req.append(user_agent);
  req += "\r\n\r\n";
  return req;
}

std::string ConnectAnswer::describe() const {
  return "HTTP " + std::to_string(status) + (reason.empty() ? "" : " " + reason);
}

Result<ConnectAnswer> parse_connect_answer(std::string_view head) {
  using R = Result<ConnectAnswer>;
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol == std::string_view::npos ? head.size() : eol);
  // "HTTP/1.x SSS reason"
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || !std::isdigit(static_cast<unsigned char>(line[7])) ||
      line[8] != ' ')
    return R::fail("status line", "not an HTTP/1.x status line: \"" + printable(line, 64) + "\"");
  int status = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(line[i])))
      return R::fail("status line", "no three-digit status: \"" + printable(line, 64) + "\"");
    status = status * 10 + (line[i] - '0');
  }
  if (line.size() > 12 && line[12] != ' ')
    return R::fail("status line", "no three-digit status: \"" + printable(line, 64) + "\"");
  if (status < 100) return R::fail("status line", "status " + std::to_string(status) + " is not HTTP");
  ConnectAnswer a;
  a.status = status;
  a.reason = printable(trim(line.size() > 13 ? line.substr(13) : std::string_view()), 80);
  return a;
}

}  // namespace rtms
