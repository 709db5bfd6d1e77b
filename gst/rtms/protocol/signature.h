// Authentication helpers (docs/protocol.md, "Handshake signature" and
// "Webhook events"): the handshake
// signature, webhook signature verification and the endpoint URL validation
// answer. All comparisons of secrets-derived values are constant time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rtms {

// Lowercase hex HMAC-SHA256(key = client_secret,
//   message = client_id + "," + instance_id + "," + rtms_stream_id).
std::string handshake_signature(std::string_view client_id,
                                std::string_view instance_id,
                                std::string_view rtms_stream_id,
                                std::string_view client_secret);

// Whether `candidate` is the handshake signature of these values. Accepts the
// lowercase or uppercase hex form, and the base64 form of the same HMAC that
// one ZCC doc example shows.
bool verify_handshake_signature(std::string_view candidate,
                                std::string_view client_id,
                                std::string_view instance_id,
                                std::string_view rtms_stream_id,
                                std::string_view client_secret);

// Lowercase hex HMAC-SHA256 of message under key.
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// "v0=" + hex HMAC-SHA256(secret_token, "v0:" + timestamp + ":" + raw_body).
std::string webhook_signature(std::string_view secret_token,
                              std::string_view timestamp,
                              std::string_view raw_body);

enum class WebhookCheck {
  Ok,
  MissingSignature,   // no x-zm-signature
  MissingTimestamp,   // no x-zm-request-timestamp
  MalformedTimestamp, // not a decimal number of seconds
  StaleTimestamp,     // outside the allowed window
  BadSignature,       // present but wrong
};
const char *to_string(WebhookCheck check);

// Verifies x-zm-signature over the raw body, and that x-zm-request-timestamp
// (Unix seconds) is within window_s of now_s. Empty views mean "header
// missing".
WebhookCheck verify_webhook(std::string_view secret_token,
                            std::string_view signature_header,
                            std::string_view timestamp_header,
                            std::string_view raw_body, int64_t now_s,
                            int64_t window_s = 300);

// The JSON answer to an endpoint.url_validation event:
// {"plainToken":"<plain>","encryptedToken":"<hex HMAC(secret, plain)>"}.
std::string url_validation_response(std::string_view plain_token,
                                    std::string_view secret_token);

bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace rtms
