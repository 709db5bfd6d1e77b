// The pure parts of the event WebSocket (Zoom's event subscriptions over an
// outbound WebSocket instead of webhooks): the frames Zoom sends and the one
// the gateway sends, the access token answer, the reconnect delays and the
// event rate bound. No I/O, so every rule has a unit test.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gateway {

// One text frame from the event WebSocket.
struct EventFrame {
  enum class Kind {
    BuildConnection,  // {"module":"build_connection","success":...}
    Heartbeat,        // {"module":"heartbeat","success":...}: the answer to ours
    Message,          // {"module":"message","content":"<event JSON>"}
    Other,            // a module we do not know: skipped
  };
  Kind kind = Kind::Other;
  std::string module;   // as sent (for the log; unescaped, pass it through log_safe)
  bool success = true;  // when the frame says "success": false
  std::string content;  // Message: the event JSON, a webhook body
};

// Parses one frame. Bounded before anything recursive sees it (depth,
// number of values); content longer than max_content_bytes is refused.
// false with *error naming what was wrong.
bool parse_event_frame(std::string_view text, size_t max_content_bytes, EventFrame *frame,
                       std::string *error);

// What the gateway sends every heartbeat interval.
const char *heartbeat_frame();

// The answer of an OAuth token endpoint.
struct AccessToken {
  std::string token;  // never logged
  int64_t expires_in_s = 0;
};
// Parses {"access_token": "...", "token_type": "bearer", "expires_in": 3599,
// "scope": "..."}; false with *error naming the field.
bool parse_token_answer(std::string_view body, AccessToken *token, std::string *error);
// Zoom's error answer, {"reason": "...", "error": "invalid_client"}, as one
// line for the log (escaped, bounded), or empty.
std::string describe_token_error(std::string_view body);
// The form body of the token request: client credentials (a general app),
// or account credentials when account_id is set (a Server-to-Server OAuth
// app).
std::string token_request_query(const std::string &account_id);

// Seconds after which a token of this lifetime is renewed: at 80 % of it,
// at least 60 s before it expires when it lives long enough, never sooner
// than 1 s.
int64_t token_refresh_after_s(int64_t expires_in_s);

// Delay before reconnect attempt `attempt` (0 for the first after a
// failure): base_ms * 2^attempt capped at max_ms, then "equal jitter": a
// uniformly drawn half of it added to the other half (random01 in [0, 1)).
int64_t backoff_delay_ms(int attempt, int64_t base_ms, int64_t max_ms, double random01);

// A token bucket: at most `burst` events at once, refilled at `per_second`.
class RateLimit {
 public:
  RateLimit(double per_second, double burst) : rate_(per_second), burst_(burst), tokens_(burst) {}
  // Whether one more event may pass at now_us (monotonic microseconds).
  bool allow(int64_t now_us);

 private:
  double rate_, burst_, tokens_;
  int64_t last_us_ = -1;
};

// text with every occurrence of secret replaced (an error text that might
// quote a URL holding the access token).
std::string redact(std::string text, const std::string &secret);

}  // namespace gateway
