// Short-lived TURN credentials (docs/gateway.md, "ICE, STUN, TURN"): the
// scheme of the "TURN REST API" draft that coturn implements with
// use-auth-secret / static-auth-secret. The gateway and the TURN server
// share a secret; a credential is minted per use, without asking the TURN
// server: username "<expiry, Unix seconds>:<id>", password
// base64(HMAC-SHA1(secret, username)). The server checks the HMAC and that
// the expiry has not passed. Pure code (no I/O but the random bytes of
// turn_id_for_request): unit-tested.
//
// The id names who uses the credential, per viewer, so that coturn's
// user-quota (allocations per username) counts each viewer apart and its log
// (which shows usernames in clear) tells them apart:
//   viewer-<16 hex>        a viewer. On an OPTIONS, 16 random hex digits
//                          (no session exists yet); on the 201 of an offer,
//                          the first 16 hex digits of SHA-256 of the
//                          viewer's resource id (the last part of Location).
//   rtms-gateway-<16 hex>  the gateway's own webrtcbin for that viewer: the
//                          same 16 digits as the viewer's 201.
// Never the token or anything secret: the username is logged in clear; the
// resource id only through a one-way hash (without a viewer token it is
// all a DELETE of the viewer needs).
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

// "viewer-" and 16 lowercase hex digits of OpenSSL's random generator: a
// credential minted for a request that names no session (an OPTIONS).
std::string turn_id_for_request();

// The first 16 lowercase hex digits of SHA-256(resource_id): the part that
// names one viewer session (resource_id: the {viewer} of /whep/{viewer}).
std::string turn_session_tag(std::string_view resource_id);

// "viewer-" + turn_session_tag(resource_id): the credential on the 201.
std::string turn_id_for_viewer(std::string_view resource_id);

// "rtms-gateway-" + turn_session_tag(resource_id): the credential of the
// gateway's own webrtcbin for that viewer.
std::string turn_id_for_gateway(std::string_view resource_id);

// Whether a turn(s):// URL holds user info ("user:password@").
bool turn_url_has_userinfo(const std::string &url);

}  // namespace gateway
