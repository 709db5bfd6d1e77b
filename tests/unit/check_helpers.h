// Shared assertions for the protocol unit tests.
#pragma once

#include <gst/check/gstcheck.h>

#include <string>
#include <variant>

#include "protocol/messages.h"
#include "protocol/result.h"

// Copies first: ck_assert_str_eq keeps the pointers past the temporaries.
#define assert_str(actual, expected)                                 \
  do {                                                               \
    const std::string assert_str_a_(actual), assert_str_e_(expected); \
    ck_assert_str_eq(assert_str_a_.c_str(), assert_str_e_.c_str());  \
  } while (0)

#define assert_contains(haystack, needle)                                  \
  fail_unless(std::string(haystack).find(needle) != std::string::npos,    \
              "'%s' does not contain '%s'", std::string(haystack).c_str(), \
              std::string(needle).c_str())

// decode_message (media fast path first) and the general parser alone must
// agree on every input: equal encodings when both decode, equal errors
// when neither does. Every decode in these tests checks it.
inline void expect_decoders_agree(const std::string &json) {
  auto fast = rtms::decode_message(json);
  auto general = rtms::decode_message_general(json);
  if (fast.ok() != general.ok())
    ck_abort_msg("decoders disagree: fast path %s, general parser %s\ninput: %s",
                 fast.ok() ? "decodes" : fast.error().describe().c_str(),
                 general.ok() ? "decodes" : general.error().describe().c_str(), json.c_str());
  if (fast.ok())
    assert_str(rtms::encode_message(*fast), rtms::encode_message(*general));
  else
    assert_str(fast.error().describe(), general.error().describe());
}

// Decodes and insists on one message type; failures print the JSON.
template <typename T>
T decode_as(const std::string &json) {
  expect_decoders_agree(json);
  auto r = rtms::decode_message(json);
  if (!r.ok())
    ck_abort_msg("decode failed: %s\ninput: %s",
                 r.error().describe().c_str(), json.c_str());
  if (!std::holds_alternative<T>(*r))
    ck_abort_msg("decoded to msg_type %d, not the expected struct\ninput: %s",
                 int(rtms::message_type_of(*r)), json.c_str());
  return std::get<T>(*r);
}

// Decoding must fail on exactly `field`, with `fragment` in the message.
inline void expect_decode_error(const std::string &json, const char *field,
                                const char *fragment) {
  expect_decoders_agree(json);
  auto r = rtms::decode_message(json);
  if (r.ok())
    ck_abort_msg("decode unexpectedly succeeded\ninput: %s", json.c_str());
  const rtms::ProtocolError &e = r.error();
  if (e.field != field || e.message.find(fragment) == std::string::npos)
    ck_abort_msg("wrong error: %s\nexpected field '%s' and '%s'\ninput: %s",
                 e.describe().c_str(), field, fragment, json.c_str());
}

// encode -> decode must give back the same struct, checked by re-encoding:
// every field is serialised, so equal encodings mean equal values.
template <typename T>
T round_trip(const T &message) {
  std::string first = rtms::encode_message(message);
  T back = decode_as<T>(first);
  assert_str(rtms::encode_message(back), first);
  return back;
}
