#include "host_allowlist.h"

namespace rtms {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// Lower case, without brackets or a trailing dot. Empty when it is neither a
// DNS name (labels of letters, digits, '-' and '_') nor an IP literal
// (IPv4 dotted digits, IPv6 hex and colons); the check fails closed on
// anything else (percent escapes, user info, zone ids, spaces).
std::string normalise_host(std::string_view host) {
  bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) host = host.substr(1, host.size() - 2);
  std::string out;
  out.reserve(host.size());
  for (char c : host) out.push_back(lower(c));
  if (!out.empty() && out.back() == '.' && !bracketed) out.pop_back();
  if (out.empty() || out.size() > 253) return {};
  if (out.find(':') != std::string::npos) {
    // IPv6 literal (a dotted IPv4 tail allowed).
    for (char c : out)
      if (!is_hex(c) && c != ':' && c != '.') return {};
    return out;
  }
  if (bracketed) return {};
  size_t label = 0;
  for (char c : out) {
    if (c == '.') {
      if (label == 0) return {};
      label = 0;
    } else if (is_name_char(c)) {
      if (++label > 63) return {};
    } else {
      return {};
    }
  }
  return label == 0 ? std::string() : out;
}

}  // namespace

std::vector<std::string> default_rtms_host_patterns() { return {"*.zoom.us"}; }

bool HostAllowlist::add(std::string_view pattern, std::string *error) {
  std::string p(pattern);
  if (p == "*") {
    patterns_.push_back(p);
    return true;
  }
  bool wildcard = p.size() > 2 && p.compare(0, 2, "*.") == 0;
  std::string host = normalise_host(wildcard ? std::string_view(p).substr(2) : std::string_view(p));
  if (host.empty() || (wildcard && host.find(':') != std::string::npos)) {
    if (error)
      *error = "'" + p + "' is not a host pattern (a host name, an IP address, *.domain, or *)";
    return false;
  }
  // "*.us" would be most of a country: a wildcard needs a dot in its domain.
  if (wildcard && host.find('.') == std::string::npos) {
    if (error) *error = "'" + p + "' is too wide: a wildcard needs at least two labels after '*.' (e.g. *.zoom.us)";
    return false;
  }
  patterns_.push_back(wildcard ? "*." + host : host);
  return true;
}

bool HostAllowlist::allows(std::string_view raw_host) const {
  std::string host = normalise_host(raw_host);
  if (host.empty()) return false;
  for (const std::string &p : patterns_) {
    if (p == "*") return true;
    if (p.size() > 2 && p[0] == '*' && p[1] == '.') {
      std::string_view domain = std::string_view(p).substr(1);  // ".zoom.us"
      if (host.find(':') == std::string::npos && host.size() > domain.size() &&
          host.compare(host.size() - domain.size(), domain.size(), domain) == 0)
        return true;
    } else if (host == p) {
      return true;
    }
  }
  return false;
}

bool parse_ws_url(std::string_view url, WsUrl *out, std::string *error) {
  auto fail = [&](const char *why) {
    if (error) *error = why;
    return false;
  };
  WsUrl result;
  std::string_view rest;
  auto has_prefix = [&](std::string_view prefix) {
    if (url.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); i++)
      if (lower(url[i]) != prefix[i]) return false;
    return true;
  };
  if (has_prefix("wss://")) {
    result.secure = true;
    rest = url.substr(6);
  } else if (has_prefix("ws://")) {
    rest = url.substr(5);
  } else {
    return fail("not a ws:// or wss:// URL");
  }
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (authority.find('@') != std::string_view::npos) return fail("user info in a server URL");
  if (authority.find('\\') != std::string_view::npos) return fail("a backslash in the host");
  std::string_view host = authority, port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("an unclosed [ in the host");
    host = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("garbage after the IPv6 address");
      port = after.substr(1);
    }
  } else {
    size_t colon = authority.find(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
  }
  result.host = normalise_host(host);
  if (result.host.empty()) return fail("no readable host name or IP address");
  result.port = result.secure ? 443 : 80;
  if (!port.empty() || (authority.size() > host.size())) {
    if (port.empty() || port.size() > 5) return fail("a bad port");
    int value = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return fail("a bad port");
      value = value * 10 + (c - '0');
    }
    if (value < 1 || value > 65535) return fail("a bad port");
    result.port = value;
  }
  *out = std::move(result);
  return true;
}

const char *to_string(ServerUrlCheck check) {
  switch (check) {
    case ServerUrlCheck::Allowed: return "allowed";
    case ServerUrlCheck::Malformed: return "malformed_server_url";
    case ServerUrlCheck::Plaintext: return "plaintext_not_allowed";
    case ServerUrlCheck::HostNotAllowed: return "server_not_allowed";
  }
  return "server_not_allowed";
}

ServerUrlCheck check_server_url(const HostAllowlist &allowlist, bool allow_plaintext, std::string_view url,
                                std::string *why) {
  WsUrl parts;
  std::string error;
  if (!parse_ws_url(url, &parts, &error)) {
    if (why) *why = "server URL is not usable: " + error;
    return ServerUrlCheck::Malformed;
  }
  if (!allowlist.allows(parts.host)) {
    if (why) *why = "server host " + parts.host + " matches no allowed host pattern";
    return ServerUrlCheck::HostNotAllowed;
  }
  if (!parts.secure && !allow_plaintext) {
    if (why) *why = "server URL for " + parts.host + " is plaintext ws:// (wss:// only)";
    return ServerUrlCheck::Plaintext;
  }
  return ServerUrlCheck::Allowed;
}

}  // namespace rtms
