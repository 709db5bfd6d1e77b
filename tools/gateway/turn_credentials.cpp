#include "turn_credentials.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <glib.h>

#include "common/gref.h"

namespace gateway {

namespace {

// Every byte but RFC 3986's unreserved ones escaped: ':' and '@' above all,
// and base64's '+', '/' and '='.
std::string percent_encoded(std::string_view s) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(hex[(unsigned char)c >> 4]);
      out.push_back(hex[(unsigned char)c & 15]);
    }
  }
  return out;
}

size_t after_scheme(const std::string &url) {
  if (url.rfind("turn://", 0) == 0) return 7;
  if (url.rfind("turns://", 0) == 0) return 8;
  return std::string::npos;
}

std::string hex_of(const unsigned char *bytes, size_t size) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < size; i++) {
    out.push_back(hex[bytes[i] >> 4]);
    out.push_back(hex[bytes[i] & 15]);
  }
  return out;
}

}  // namespace

std::string turn_id_for_request() {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    // OpenSSL's generator unavailable (it does not happen on a running
    // system): GLib's, seeded from /dev/urandom, for an id that is no secret.
    for (unsigned char &b : bytes) b = (unsigned char)g_random_int_range(0, 256);
  }
  return "viewer-" + hex_of(bytes, sizeof bytes);
}

std::string turn_session_tag(std::string_view resource_id) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!EVP_Digest(resource_id.data(), resource_id.size(), digest, &size, EVP_sha256(), nullptr) || size < 8)
    return {};
  return hex_of(digest, 8);
}

std::string turn_id_for_viewer(std::string_view resource_id) {
  return "viewer-" + turn_session_tag(resource_id);
}

std::string turn_id_for_gateway(std::string_view resource_id) {
  return "rtms-gateway-" + turn_session_tag(resource_id);
}

TurnCredential turn_rest_credential(std::string_view secret, int64_t expiry_unix_s, std::string_view id) {
  TurnCredential out;
  out.username = std::to_string(expiry_unix_s) + ":" + std::string(id);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  static const unsigned char empty = 0;  // HMAC() wants a key pointer even for an empty key
  const void *key = secret.empty() ? static_cast<const void *>(&empty) : secret.data();
  if (!HMAC(EVP_sha1(), key, int(secret.size()), reinterpret_cast<const unsigned char *>(out.username.data()),
            out.username.size(), mac, &size))
    return {};
  auto encoded = rtms::adopt(g_base64_encode(mac, size));
  out.password = encoded.get();
  OPENSSL_cleanse(mac, sizeof mac);
  return out;
}

bool turn_url_has_userinfo(const std::string &url) {
  size_t start = after_scheme(url);
  if (start == std::string::npos) return false;
  size_t end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  return authority.find('@') != std::string::npos;
}

std::string turn_url_with_credential(const std::string &url, const TurnCredential &credential) {
  size_t start = after_scheme(url);
  if (start == std::string::npos || turn_url_has_userinfo(url) || credential.username.empty()) return {};
  return url.substr(0, start) + percent_encoded(credential.username) + ":" + percent_encoded(credential.password) +
         "@" + url.substr(start);
}

std::string turn_url_for_use(const std::string &url, std::string_view secret, int64_t now_unix_s, int64_t ttl_s,
                             std::string_view id) {
  if (secret.empty() || url.empty()) return url;
  return turn_url_with_credential(url, turn_rest_credential(secret, now_unix_s + ttl_s, id));
}

}  // namespace gateway
