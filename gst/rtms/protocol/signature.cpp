#include "signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

#include "base64.h"
#include "json_fields.h"

namespace rtms {

namespace {

using Mac = std::array<uint8_t, 32>;

Mac hmac_sha256(std::string_view key, std::string_view message) {
  Mac mac{};
  unsigned int length = 0;
  // HMAC() wants a non-null key pointer even for an empty key.
  static const unsigned char kEmpty = 0;
  const void *key_ptr =
      key.empty() ? static_cast<const void *>(&kEmpty) : key.data();
  HMAC(EVP_sha256(), key_ptr, static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char *>(message.data()), message.size(),
       mac.data(), &length);
  return mac;
}

std::string to_hex(const Mac &mac) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(mac.size() * 2);
  for (uint8_t b : mac) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::string handshake_message(std::string_view client_id,
                              std::string_view instance_id,
                              std::string_view rtms_stream_id) {
  std::string message;
  message.reserve(client_id.size() + instance_id.size() +
                  rtms_stream_id.size() + 2);
  message.append(client_id);
  message.push_back(',');
  message.append(instance_id);
  message.push_back(',');
  message.append(rtms_stream_id);
  return message;
}

// Folds only ASCII letters so a comparison of the result stays a plain
// byte comparison.
std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char &c : out) {
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool all_digits(std::string_view s) {
  if (s.empty())
    return false;
  for (char c : s) {
    if (c < '0' || c > '9')
      return false;
  }
  return true;
}

}  // namespace

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  return to_hex(hmac_sha256(key, message));
}

std::string handshake_signature(std::string_view client_id,
                                std::string_view instance_id,
                                std::string_view rtms_stream_id,
                                std::string_view client_secret) {
  return hmac_sha256_hex(client_secret,
                         handshake_message(client_id, instance_id,
                                           rtms_stream_id));
}

bool verify_handshake_signature(std::string_view candidate,
                                std::string_view client_id,
                                std::string_view instance_id,
                                std::string_view rtms_stream_id,
                                std::string_view client_secret) {
  Mac mac = hmac_sha256(client_secret,
                        handshake_message(client_id, instance_id,
                                          rtms_stream_id));
  // Both forms are computed and compared so the time taken does not reveal
  // which encoding the candidate was judged by.
  bool hex_ok = constant_time_equal(ascii_lower(candidate), to_hex(mac));
  bool b64_ok =
      constant_time_equal(candidate, base64_encode(mac.data(), mac.size()));
  return hex_ok | b64_ok;
}

std::string webhook_signature(std::string_view secret_token,
                              std::string_view timestamp,
                              std::string_view raw_body) {
  std::string message;
  message.reserve(timestamp.size() + raw_body.size() + 4);
  message.append("v0:");
  message.append(timestamp);
  message.push_back(':');
  message.append(raw_body);
  return "v0=" + hmac_sha256_hex(secret_token, message);
}

const char *to_string(WebhookCheck check) {
  switch (check) {
    case WebhookCheck::Ok:
      return "OK";
    case WebhookCheck::MissingSignature:
      return "MISSING_SIGNATURE";
    case WebhookCheck::MissingTimestamp:
      return "MISSING_TIMESTAMP";
    case WebhookCheck::MalformedTimestamp:
      return "MALFORMED_TIMESTAMP";
    case WebhookCheck::StaleTimestamp:
      return "STALE_TIMESTAMP";
    case WebhookCheck::BadSignature:
      return "BAD_SIGNATURE";
  }
  return "UNKNOWN";
}

WebhookCheck verify_webhook(std::string_view secret_token,
                            std::string_view signature_header,
                            std::string_view timestamp_header,
                            std::string_view raw_body, int64_t now_s,
                            int64_t window_s) {
  if (signature_header.empty())
    return WebhookCheck::MissingSignature;
  if (timestamp_header.empty())
    return WebhookCheck::MissingTimestamp;
  int64_t ts = 0;
  // Only plain decimal seconds: a sign, blanks or a fraction would let two
  // different header texts carry one signed timestamp.
  if (!all_digits(timestamp_header) ||
      !json::parse_decimal(timestamp_header, &ts))
    return WebhookCheck::MalformedTimestamp;
  // Unsigned so a far-off timestamp cannot overflow the difference.
  uint64_t skew = now_s >= ts ? uint64_t(now_s) - uint64_t(ts)
                              : uint64_t(ts) - uint64_t(now_s);
  if (window_s < 0 || skew > uint64_t(window_s))
    return WebhookCheck::StaleTimestamp;
  std::string expected =
      webhook_signature(secret_token, timestamp_header, raw_body);
  if (!constant_time_equal(signature_header, expected))
    return WebhookCheck::BadSignature;
  return WebhookCheck::Ok;
}

std::string url_validation_response(std::string_view plain_token,
                                    std::string_view secret_token) {
  auto builder = adopt(json_builder_new());
  std::string plain(plain_token);
  std::string encrypted = hmac_sha256_hex(secret_token, plain_token);
  json_builder_begin_object(builder.get());
  json_builder_set_member_name(builder.get(), "plainToken");
  json_builder_add_string_value(builder.get(), plain.c_str());
  json_builder_set_member_name(builder.get(), "encryptedToken");
  json_builder_add_string_value(builder.get(), encrypted.c_str());
  json_builder_end_object(builder.get());
  return json::to_compact_string(builder.get());
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    // Lengths of MACs are public; still touch every byte of a so the time
    // depends on nothing but the candidate's own length.
    CRYPTO_memcmp(a.data(), a.data(), a.size());
    return false;
  }
  if (a.empty())
    return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace rtms
