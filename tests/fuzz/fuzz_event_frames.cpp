// The pure parts of the gateway's event WebSocket (tools/gateway/
// event_frames.cpp, compiled in with tools/common/log.cpp): everything Zoom's
// event socket and its token endpoint send reaches these first.
//
// Input: one frame or answer body, tried as each of them.
//  * parse_event_frame: accepted frames have the kind their module names,
//    a message's content within the limit, and "success" true unless the
//    frame said false.
//  * parse_token_answer: an accepted token is non-empty and made only of
//    the characters that go into a URL's query unescaped; its lifetime is
//    within 1 s .. 366 days.
//  * describe_token_error: one bounded line without control characters.
//  * redact: a token-like secret taken from the input never survives in the
//    text (unless it is part of the mark that replaces it).
//  * token_refresh_after_s, backoff_delay_ms, RateLimit with values drawn
//    from the input: within their documented bounds.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "event_frames.h"
#include "fuzz_check.h"

namespace {

constexpr size_t kMaxContent = 4096;

bool token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

// Little-endian unsigned from up to 8 bytes at offset (0 beyond the end).
uint64_t number_at(std::string_view data, size_t offset, size_t bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < bytes && offset + i < data.size(); i++)
    value |= uint64_t(uint8_t(data[offset + i])) << (8 * i);
  return value;
}

void check_frame(std::string_view text) {
  gateway::EventFrame frame;
  std::string error;
  if (!gateway::parse_event_frame(text, kMaxContent, &frame, &error)) {
    FUZZ_CHECK(!error.empty(), "a refused frame without a reason");
    return;
  }
  using Kind = gateway::EventFrame::Kind;
  Kind expected = frame.module == "build_connection" ? Kind::BuildConnection
                  : frame.module == "heartbeat"      ? Kind::Heartbeat
                  : frame.module == "message"        ? Kind::Message
                                                     : Kind::Other;
  FUZZ_CHECK(frame.kind == expected, "module " + fuzz::printable(frame.module) + " got another kind");
  if (frame.kind == Kind::Message)
    FUZZ_CHECK(frame.content.size() <= kMaxContent, "content over the limit accepted");
  else
    FUZZ_CHECK(frame.content.empty(), "content kept for a frame that is not a message");
  if (text.find("false") == std::string_view::npos)
    FUZZ_CHECK(frame.success, "success false without a false in the frame");
}

void check_token(std::string_view body) {
  gateway::AccessToken token;
  std::string error;
  if (gateway::parse_token_answer(body, &token, &error)) {
    FUZZ_CHECK(!token.token.empty(), "an empty token accepted");
    for (char c : token.token) FUZZ_CHECK(token_char(c), "token character " + fuzz::printable({&c, 1}));
    FUZZ_CHECK(token.expires_in_s >= 1 && token.expires_in_s <= 366 * 86400,
               "lifetime " + std::to_string(token.expires_in_s));
  } else {
    FUZZ_CHECK(!error.empty(), "a refused token answer without a reason");
    // The refusal never quotes the token it refused. A token that happens to
    // be part of a refusal's own fixed words is no quote (found by this
    // target: "s a character a token").
    static const char *const kFixedWords[] = {"\"access_token\" holds a character a token never has",
                                              "\"access_token\" is not a string", "no \"access_token\"",
                                              "\"expires_in\" is missing or not an integer"};
    bool in_fixed_words = false;
    for (const char *words : kFixedWords) in_fixed_words |= std::string_view(words).find(token.token) != std::string_view::npos;
    if (!token.token.empty() && token.token.size() >= 8 && !in_fixed_words)
      FUZZ_CHECK(error.find(token.token) == std::string::npos, "the refusal quotes the token");
  }
  std::string described = gateway::describe_token_error(body);
  FUZZ_CHECK(described.size() <= 400, "describe_token_error: " + std::to_string(described.size()) + " bytes");
  for (unsigned char c : described)
    FUZZ_CHECK(c >= 0x20 && c != 0x7f, "describe_token_error let a control character through: " +
                                           fuzz::printable(described));
}

void check_redact(std::string_view data) {
  // A secret shaped like a token: the longest run of token characters at
  // the start, at most 16 of them.
  size_t n = 0;
  while (n < data.size() && n < 16 && token_char(data[n])) n++;
  if (n == 0) return;
  std::string secret(data.substr(0, n));
  std::string text(data);
  std::string out = gateway::redact(text, secret);
  if (std::string_view("<redacted>").find(secret) == std::string_view::npos)
    FUZZ_CHECK(out.find(secret) == std::string::npos, "the secret survived: " + fuzz::printable(out));
  FUZZ_CHECK(gateway::redact(text, "") == text, "an empty secret changed the text");
}

void check_arithmetic(std::string_view data) {
  int64_t expires = int64_t(number_at(data, 0, 4) % (366 * 86400)) + 1;
  int64_t after = gateway::token_refresh_after_s(expires);
  FUZZ_CHECK(after >= 1 && after <= expires, "refresh after " + std::to_string(after) + " of " +
                                                 std::to_string(expires));
  if (expires >= 300) FUZZ_CHECK(after <= expires - 60, "refresh later than 60 s before expiry");
  if (expires >= 2) FUZZ_CHECK(after < expires, "refresh not before expiry");

  // The option ranges: base 1 ms .. 10 min, cap at least the base, up to 1 h.
  int64_t base = int64_t(number_at(data, 4, 4) % 600000) + 1;
  int64_t cap = base + int64_t(number_at(data, 8, 4) % 3600000);
  int attempt = int(number_at(data, 12, 2) % 2000);
  double random01 = double(number_at(data, 14, 2)) / 65536.0;
  int64_t delay = gateway::backoff_delay_ms(attempt, base, cap, random01);
  FUZZ_CHECK(delay >= base / 2 && delay <= cap, "backoff " + std::to_string(delay) + " for base " +
                                                    std::to_string(base) + " cap " + std::to_string(cap));

  // A token bucket never lets more through than its burst plus what the
  // elapsed time refilled.
  double rate = double(number_at(data, 16, 1) % 50 + 1);
  double burst = double(number_at(data, 17, 1) % 20 + 1);
  gateway::RateLimit limit(rate, burst);
  int64_t now = 1000000, first = now;
  int allowed = 0;
  for (size_t i = 18; i + 1 < data.size() && i < 218; i += 2) {
    now += int64_t(number_at(data, i, 2));  // up to 65 ms per step, never back
    if (limit.allow(now)) allowed++;
  }
  double ceiling = burst + double(now - first) * rate / 1e6 + 1e-6;
  FUZZ_CHECK(double(allowed) <= ceiling, std::to_string(allowed) + " allowed, at most " +
                                             std::to_string(ceiling));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size) {
  std::string_view data(reinterpret_cast<const char *>(bytes), size);
  check_frame(data);
  check_token(data);
  check_redact(data);
  check_arithmetic(data);
  return 0;
}
