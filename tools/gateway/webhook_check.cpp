#include "webhook_check.h"

#include "protocol/signature.h"

namespace gateway {

namespace {

const char *signature_reason(rtms::WebhookCheck check) {
  switch (check) {
    case rtms::WebhookCheck::Ok: return "ok";
    case rtms::WebhookCheck::MissingSignature: return "missing_signature";
    case rtms::WebhookCheck::MissingTimestamp: return "missing_timestamp";
    case rtms::WebhookCheck::MalformedTimestamp: return "malformed_timestamp";
    case rtms::WebhookCheck::StaleTimestamp: return "stale_timestamp";
    case rtms::WebhookCheck::BadSignature: return "bad_signature";
  }
  return "bad_signature";
}

Verdict reject(int status, const char *reason, std::string detail) {
  Verdict v;
  v.status = status;
  v.reason = reason;
  v.detail = std::move(detail);
  return v;
}

// JSON of an authenticated event; secret_token answers url_validation.
Verdict parse_event(std::string_view raw_body, std::string_view secret_token) {
  rtms::Result<rtms::Webhook> parsed = rtms::parse_webhook(raw_body);
  if (!parsed.ok())
    return reject(400, "malformed", "body is not a webhook: " + parsed.error().describe());

  Verdict v;
  v.status = 200;
  v.reason = event_label(parsed->kind);
  if (parsed->kind == rtms::WebhookKind::UrlValidation) {
    if (parsed->plain_token.empty())
      return reject(400, "malformed", "url_validation without plainToken");
    v.response_body = rtms::url_validation_response(parsed->plain_token, secret_token);
  }
  v.webhook = std::move(parsed.value());
  return v;
}

}  // namespace

const char *event_label(rtms::WebhookKind kind) {
  switch (kind) {
    case rtms::WebhookKind::UrlValidation: return "url_validation";
    case rtms::WebhookKind::RtmsStarted: return "rtms_started";
    case rtms::WebhookKind::RtmsStopped: return "rtms_stopped";
    case rtms::WebhookKind::RtmsInterrupted: return "rtms_interrupted";
    case rtms::WebhookKind::ConcurrencyNearLimit: return "concurrency_near_limit";
    case rtms::WebhookKind::ConcurrencyLimited: return "concurrency_limited";
    case rtms::WebhookKind::StartFailed: return "start_failed";
    case rtms::WebhookKind::Unknown: break;
  }
  return "other";
}

Verdict check_webhook(std::string_view secret_token, std::string_view signature_header,
                      std::string_view timestamp_header, std::string_view raw_body, int64_t now_s,
                      const CheckLimits &limits) {
  if (int64_t(raw_body.size()) > limits.max_body_bytes)
    return reject(413, "too_large",
                  "body of " + std::to_string(raw_body.size()) + " bytes is over --max-body " +
                      std::to_string(limits.max_body_bytes));
  // Authenticity first: nothing unauthenticated gets parsed.
  rtms::WebhookCheck check = rtms::verify_webhook(secret_token, signature_header, timestamp_header,
                                                  raw_body, now_s, limits.timestamp_window_s);
  if (check != rtms::WebhookCheck::Ok) {
    std::string detail = rtms::to_string(check);
    if (check == rtms::WebhookCheck::MissingSignature)
      detail += ": no x-zm-signature header (not from Zoom, or a proxy dropped it)";
    else if (check == rtms::WebhookCheck::MissingTimestamp)
      detail += ": no x-zm-request-timestamp header";
    else if (check == rtms::WebhookCheck::MalformedTimestamp)
      detail += ": x-zm-request-timestamp is not a number of seconds";
    else if (check == rtms::WebhookCheck::StaleTimestamp)
      detail += ": x-zm-request-timestamp is more than " + std::to_string(limits.timestamp_window_s) +
                " s from now (clock skew or a replay)";
    else if (check == rtms::WebhookCheck::BadSignature)
      detail += ": x-zm-signature does not match the body under the webhook secret token";
    return reject(401, signature_reason(check), detail);
  }
  return parse_event(raw_body, secret_token);
}

Verdict check_event_body(std::string_view raw_body, const CheckLimits &limits) {
  if (int64_t(raw_body.size()) > limits.max_body_bytes)
    return reject(413, "too_large",
                  "event of " + std::to_string(raw_body.size()) + " bytes is over --max-body " +
                      std::to_string(limits.max_body_bytes));
  Verdict v = parse_event(raw_body, {});
  if (v.accepted() && v.webhook->kind == rtms::WebhookKind::UrlValidation)
    return reject(400, "url_validation",
                  "endpoint.url_validation is for the webhook endpoint only");
  return v;
}

}  // namespace gateway
