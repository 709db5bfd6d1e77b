// What the webhook endpoint decides about one request, before anything else
// happens: size, signature and timestamp (over the raw body), then JSON.
// Pure, so every rejection is testable without a socket.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/webhook.h"

namespace gateway {

struct CheckLimits {
  int64_t timestamp_window_s = 300;
  int64_t max_body_bytes = 64 * 1024;
};

struct Verdict {
  int status = 200;
  // Metric label: why it was rejected, or the kind of event accepted.
  std::string reason;
  // For the log line; never holds the secret, a signature or the body.
  std::string detail;
  std::optional<rtms::Webhook> webhook;  // set when accepted
  std::string response_body;             // JSON answer (url_validation)
  bool accepted() const { return status >= 200 && status < 300; }
};

// Empty views mean a header is missing.
Verdict check_webhook(std::string_view secret_token, std::string_view signature_header,
                      std::string_view timestamp_header, std::string_view raw_body, int64_t now_s,
                      const CheckLimits &limits);

// The part of check_webhook after the signature: size and JSON of an event
// that came authenticated another way (the event WebSocket, over TLS with an
// access token). url_validation is refused (reason "url_validation"): only
// the webhook endpoint answers it.
Verdict check_event_body(std::string_view raw_body, const CheckLimits &limits);

// Label of an accepted event for metrics and logs ("rtms_started", ...).
const char *event_label(rtms::WebhookKind kind);

}  // namespace gateway
