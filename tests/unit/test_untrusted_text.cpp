// UTF-8 validation and repair, and the JSON bounds checked before json-glib
// parses anything from the network.
#include "check_helpers.h"
#include "protocol/messages.h"
#include "protocol/untrusted_text.h"
#include "protocol/webhook.h"

#include <glib.h>

#include <string>

using namespace rtms;

GST_START_TEST(test_utf8_agrees_with_glib)
{
  GRand *rand = g_rand_new_with_seed(20261206);
  // Bytes drawn mostly from the interesting ranges (lead bytes, continuation
  // bytes, the edges of surrogates and of U+10FFFF), no NUL (GLib refuses it).
  const uint8_t edges[] = {0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEE, 0xEF, 0x9F, 0xA0,
                           0xF0, 0xF4, 0xF5, 0x8F, 0x90, 0xFF, 'a', 'z'};
  int valid_seen = 0;
  for (int round = 0; round < 200000; ++round) {
    std::string s(size_t(g_rand_int_range(rand, 0, 24)), 'x');
    for (auto &c : s)
      c = g_rand_boolean(rand) ? char(edges[g_rand_int_range(rand, 0, sizeof edges)])
                               : char(g_rand_int_range(rand, 1, 256));
    bool ours = utf8_is_valid(s), glib = g_utf8_validate(s.data(), gssize(s.size()), nullptr);
    if (ours != glib) {
      std::string hex;
      for (unsigned char c : s) {
        char byte[4];
        g_snprintf(byte, sizeof byte, "%02x ", c);
        hex += byte;
      }
      ck_abort_msg("utf8_is_valid says %d, GLib %d for %s", ours, glib, hex.c_str());
    }
    valid_seen += ours;
    std::string repaired = utf8_repair(s);
    fail_unless(g_utf8_validate(repaired.data(), gssize(repaired.size()), nullptr));
    if (ours) fail_unless(repaired == s);
  }
  fail_unless(valid_seen > 1000, "the generator made too few valid strings (%d)", valid_seen);
  g_rand_free(rand);
  // Long ASCII runs go through the eight-byte path, with the bad byte anywhere.
  for (size_t at = 0; at < 40; ++at) {
    std::string s(40, 'a');
    fail_unless(utf8_is_valid(s));
    s[at] = char(0xE9);
    fail_unless(!utf8_is_valid(s), "bad byte at %zu", at);
  }
  fail_unless(utf8_is_valid(std::string("a\0b", 3)));
}
GST_END_TEST;

GST_START_TEST(test_utf8_repair_examples)
{
  // One U+FFFD per maximal ill-formed subpart (Unicode 15, 3.9).
  assert_str(utf8_repair("caf\xE9"), "caf\xEF\xBF\xBD");
  assert_str(utf8_repair("a\xE2\x82z"), "a\xEF\xBF\xBDz");            // truncated 3-byte sequence
  assert_str(utf8_repair("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");     // overlong: two
  assert_str(utf8_repair("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  assert_str(utf8_repair("\xF4\x90\x80\x80"),
             "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // above U+10FFFF
  assert_str(utf8_repair("ok \xC3\xA9 \xF0\x9F\x8E\xA4"), "ok \xC3\xA9 \xF0\x9F\x8E\xA4");
  assert_str(utf8_repair(""), "");
}
GST_END_TEST;

static std::string nested_arrays(size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

GST_START_TEST(test_json_limits)
{
  JsonLimits limits;
  assert_str(json_check_limits("{\"msg_type\":14,\"content\":{\"a\":[1,2,{\"b\":[]}]}}"), "");
  assert_str(json_check_limits(nested_arrays(limits.max_depth)), "");
  assert_contains(json_check_limits(nested_arrays(limits.max_depth + 1)), "nested deeper than 32 levels");
  // Brackets, commas and escaped quotes inside strings are text.
  assert_str(json_check_limits("{\"s\":\"" + std::string(100, '[') + "\\\"" + std::string(100, ',') + "\"}"),
             "");
  std::string many = "[";
  for (size_t i = 0; i < limits.max_values; ++i) many += "1,";
  many += "1]";
  assert_contains(json_check_limits(many), "more than 100000 values");
  JsonLimits small{4, 10};
  assert_str(json_check_limits("[1,2,3,[4,5]]", small), "");
  assert_contains(json_check_limits("[[[[[1]]]]]", small), "deeper than 4");
  assert_contains(json_check_limits("[1,2,3,4,5,6,7,8,9,10,11]", small), "more than 10 values");
  // Lexically JSON but not grammatically: left to the parser.
  assert_str(json_check_limits("{1:}"), "");
  assert_str(json_check_limits("[1 2 , ]"), "");
  // Not even lexically JSON: refused here, whatever json-glib would take.
  assert_contains(json_check_limits("]]]]}}}"), "not valid JSON: unexpected ']' (at byte 0");
  assert_contains(json_check_limits("{\"n\":\"Ren\\351e\"}"), "invalid escape \\'3' (at byte 9");
  assert_contains(json_check_limits("{\"n\":\"\\u00\",\"}{\"}"), "\\u needs four hex digits");
  assert_contains(json_check_limits("{\"n\":\"abc"), "a string does not end (at byte 5");
  assert_contains(json_check_limits("{\"n\":'x'}"), "unexpected character ''' (at byte 5");
  assert_contains(json_check_limits("/* \" */ [[[]]]"), "unexpected character '/'");
  assert_contains(json_check_limits("[NaN]"), "unexpected character 'N'");
  assert_contains(json_check_limits("{\"a\":1}\x01"), "goes on after its value");
  assert_contains(json_check_limits("[\x01]"), "unexpected character 0x01");
  // Raw control characters in strings (json-glib fails them, leaking what
  // it built: tests/fuzz/corpus/messages/regress-control-character).
  assert_contains(json_check_limits("{\"a\":\"x\x05y\"}"), "control character 0x05 in a string (at byte 7");
  assert_contains(json_check_limits("{\"a\":\"0123456789\n\"}"), "control character 0x0a");
  // Surrogates in pairs only (regress-lone-surrogates).
  assert_contains(json_check_limits("{\"a\":\"\\ud800\\ud800\"}"), "high surrogate \\ud800 without its low");
  assert_contains(json_check_limits("{\"a\":\"\\ud800e\"}"), "high surrogate");
  assert_contains(json_check_limits("{\"a\":\"\\ud800\"}"), "high surrogate");
  assert_contains(json_check_limits("{\"a\":\"\\uDC00\"}"), "lone low surrogate \\uDC00");
  assert_str(json_check_limits("{\"a\":\"\\ud83c\\udfa4\\uffff\\u0000\"}"), "");
  assert_str(json_check_limits("{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83C\\uDFA4\",\"x\":[-1.5e+3,true,false,null]}"), "");
  // One value per message; whitespace after it is fine
  // (tests/fuzz/repro/messages-json-glib-trailing-value-leak).
  assert_str(json_check_limits("{\"a\":1} \r\n\t"), "");
  assert_contains(json_check_limits("{\"msg_type\":14}{}"), "goes on after its value (at byte 15 of 17)");
  assert_contains(json_check_limits("[1] \"x\""), "goes on after its value");
  assert_contains(json_check_limits("{} 5"), "goes on after its value");
  // Top-level scalars too (tests/fuzz/corpus/*/regress-scalar-then-object).
  assert_contains(json_check_limits("\"src_language\"{\"msg_type\":12}"), "goes on after its value (at byte 14");
  assert_contains(json_check_limits("42{}"), "goes on after its value (at byte 2");
  assert_contains(json_check_limits("true [1]"), "goes on after its value (at byte 5");
  assert_contains(json_check_limits("null,1"), "goes on after its value (at byte 4");
  for (const char *alone : {"42", " \"x\" ", "-1.5e3", "true", "null\n", "\"a\\\"b\""})
    assert_str(json_check_limits(alone), "");
}
GST_END_TEST;

// The crash the limit prevents: ~200 KB of nested arrays, as a hostile
// server or webhook sender would send, is an error naming the limit.
GST_START_TEST(test_deep_json_is_refused_not_parsed)
{
  std::string deep = "{\"msg_type\":6,\"content\":" + nested_arrays(100000) + "}";
  auto general = decode_message_general(deep);
  fail_unless(!general.ok());
  assert_contains(general.error().describe(), "nested deeper than 32 levels");
  expect_decoders_agree(deep);
  auto webhook = parse_webhook("{\"event\":\"meeting.rtms_started\",\"payload\":" + nested_arrays(100000) + "}");
  fail_unless(!webhook.ok());
  assert_contains(webhook.error().describe(), "nested deeper");
}
GST_END_TEST;

// json-glib 1.6 decodes an octal escape ("\351") to a lone 0xE9 and a lone
// surrogate escape ("\ud800") to ED A0 80: neither is UTF-8. Both are
// refused before json-glib sees them (octal escapes are not JSON; lone
// surrogates have no character to stand for), and every string that is
// decoded goes through utf8_repair all the same (json_fields.cpp).
GST_START_TEST(test_decoded_strings_are_utf8)
{
  auto name = [](const char *escaped) {
    return std::string("{\"msg_type\":14,\"content\":{\"user_id\":16778240,\"user_name\":\"Ren") + escaped +
           "e\",\"data\":\"AAAA\",\"timestamp\":1}}";
  };
  auto pair = decode_message_general(name("\\ud83c\\udfa4"));
  fail_unless(pair.ok(), "%s", pair.ok() ? "" : pair.error().describe().c_str());
  assert_str(std::get<MediaData>(*pair).user.user_name, "Ren\xF0\x9F\x8E\xA4" "e");
  auto octal = decode_message_general(name("\\351"));
  fail_unless(!octal.ok());
  assert_contains(octal.error().describe(), "invalid escape");
  auto lone = decode_message_general(name("\\ud800"));
  fail_unless(!lone.ok());
  assert_contains(lone.error().describe(), "without its low surrogate");
  expect_decoders_agree(name("\\ud800"));
}
GST_END_TEST;

static Suite *untrusted_text_suite(void) {
  Suite *s = suite_create("rtms-untrusted-text");
  TCase *tc = tcase_create("untrusted-text");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_utf8_agrees_with_glib);
  tcase_add_test(tc, test_utf8_repair_examples);
  tcase_add_test(tc, test_json_limits);
  tcase_add_test(tc, test_deep_json_is_refused_not_parsed);
  tcase_add_test(tc, test_decoded_strings_are_utf8);
  return s;
}

GST_CHECK_MAIN(untrusted_text);
