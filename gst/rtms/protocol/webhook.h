// Webhook bodies (https://developers.zoom.us/docs/api/rtms/events/): parsing what Zoom posts, building
// what the emulator posts. Accepts the whole body or only its `payload`, and
// the `payload.object` nesting some docs show.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "enums.h"
#include "messages.h"
#include "result.h"

namespace rtms {

enum class WebhookKind {
  Unknown,
  UrlValidation,       // endpoint.url_validation
  RtmsStarted,         // *.rtms_started
  RtmsStopped,         // *.rtms_stopped
  RtmsInterrupted,     // *.rtms_interrupted
  ConcurrencyNearLimit,
  ConcurrencyLimited,
  StartFailed,         // rtms.start_failed
};
const char *to_string(WebhookKind kind);

struct Webhook {
  std::string event;  // as received, e.g. "meeting.rtms_started"; may be
                      // empty when only a payload was given
  WebhookKind kind = WebhookKind::Unknown;
  int64_t event_ts = 0;  // ms
  Identity identity;     // product from the event prefix or the id key
  std::string session_key;  // Video SDK
  std::string operator_id;
  std::string rtms_stream_id;
  std::vector<std::string> server_urls;  // split on commas, trimmed
  bool has_stop_reason = false;
  StopReason stop_reason = StopReason::Undefined;
  std::string plain_token;  // url_validation
  // Added to *.rtms_started in Zoom's RTMS changelog of April 2026
  // (account_id also for session.rtms_started). Their JSON types are not
  // documented in our sources: ids are read as strings or integers, and
  // anything else leaves them empty; is_original_host only as a boolean.
  std::string account_id;
  std::string meeting_id;
  std::string webinar_id;
  std::optional<bool> is_original_host;
};

// Parses a webhook body, or just its payload object. Errors name the field.
// For *.rtms_started, rtms_stream_id, an identity key and server_urls are
// required.
Result<Webhook> parse_webhook(std::string_view json);

// Builds a webhook body ({event, event_ts, payload{...}}) with fields flat
// under payload, as Zoom sends them.
std::string encode_webhook(const Webhook &webhook);

// Splits a server_urls string on commas, trimming blanks and dropping empty
// entries.
std::vector<std::string> split_server_urls(std::string_view urls);

}  // namespace rtms
