// Short-lived TURN credentials (docs/gateway.md, "ICE, STUN, TURN"): the
// scheme of the "TURN REST API" draft that coturn implements with
// use-auth-secret / static-auth-secret. The gateway and the TURN server
// share a secret; a credential is minted per use, without asking the TURN
// server: username "<expiry, Unix seconds>:<id>", password
// base64(HMAC-SHA1(secret, username)). The server checks the HMAC and that
// the expiry has not passed. Pure code (no I/O): unit-tested.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gateway {

struct TurnCredential {
  std::string username;
  std::string password;  // a secret while it lasts: never logged
};

// The credential for id, valid until expiry_unix_s.
TurnCredential turn_rest_credential(std::string_view secret, int64_t expiry_unix_s, std::string_view id);

// url (turn(s)://host:port[?transport=...], no user info) with user and
// password percent-encoded into it, as webrtcbin reads it
// (turn://user:password@host:port); empty when url is not a turn(s):// URL
// or already holds user info.
std::string turn_url_with_credential(const std::string &url, const TurnCredential &credential);

// The TURN URL to use now: url as it is without a secret, else url with a
// credential for id minted to last ttl_s from now_unix_s.
std::string turn_url_for_use(const std::string &url, std::string_view secret, int64_t now_unix_s, int64_t ttl_s,
                             std::string_view id);

// Whether a turn(s):// URL holds user info ("user:password@").
bool turn_url_has_userinfo(const std::string &url);

}  // namespace gateway
