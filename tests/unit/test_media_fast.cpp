// The media fast path (protocol/media_fast.h): which messages it reads
// itself, which it leaves to the general parser, and that whatever it reads
// decodes exactly as the general parser would, on hand-written cases and on
// many thousands of mutated messages.
#include <gst/check/gstcheck.h>

#include <random>
#include <string>

#include "check_helpers.h"
#include "protocol/media_fast.h"

using namespace rtms;

namespace {

// The fast path must take it, and agree with the general parser.
MediaData fast(const std::string &json) {
  auto m = decode_media_fast(json);
  if (!m) ck_abort_msg("the fast path declined a clean media message\ninput: %s", json.c_str());
  expect_decoders_agree(json);
  return *m;
}

// The fast path must decline it (the general parser decides).
void declined(const std::string &json) {
  if (decode_media_fast(json))
    ck_abort_msg("the fast path took a message it must leave to the general parser\ninput: %s",
                 json.c_str());
  expect_decoders_agree(json);
}

const char *const kAudio =
    R"({"msg_type":14,"content":{"user_id":16778240,"user_name":"Alice",)"
    R"("data":"AAABAAIA","length":6,"timestamp":1727384380000}})";

}  // namespace

GST_START_TEST(test_fast_path_reads_media)
{
  MediaData a = fast(kAudio);
  fail_unless(a.type == MessageType::MediaDataAudio);
  ck_assert_int_eq(a.user.user_id, 16778240);
  assert_str(a.user.user_name, "Alice");
  assert_str(a.data, "AAABAAIA");
  ck_assert_int_eq(a.length, 6);
  ck_assert_int_eq(a.timestamp, 1727384380000LL);

  // Any key order, JSON whitespace, unknown scalar members, no user.
  a = fast(" {\n\t\"content\" : { \"timestamp\" : 5 , \"data\" : \"AAAA\", \"seq\": 7,"
           " \"muted\": false, \"note\": null, \"tag\": \"x\" } , \"msg_type\" : 14, \"v\": -2 }\r\n");
  ck_assert_int_eq(a.timestamp, 5);
  ck_assert_int_eq(a.user.user_id, 0);
  fail_if(a.user.has_user_name);

  // Non-ASCII names are read when they are valid UTF-8.
  a = fast(R"({"msg_type":14,"content":{"user_id":1,"user_name":"José Ñuñez 山田",)"
           R"("data":"AAAA","timestamp":1}})");
  assert_str(a.user.user_name, "José Ñuñez 山田");

  // Video and share lose a data: URL prefix; transcript text keeps it.
  MediaData v = fast(R"({"msg_type":15,"content":{"user_id":2,"data":"data:image/jpeg;base64,/9j/4A",)"
                     R"("timestamp":10}})");
  assert_str(v.data, "/9j/4A");
  MediaData t = fast(R"({"msg_type":17,"content":{"user_id":2,"user_name":"Bob",)"
                     R"("data":"data:x;base64, hello","timestamp":10,"start_time":8,)"
                     R"("end_time":12,"language":9,"attribute":2}})");
  assert_str(t.data, "data:x;base64, hello");
  fail_unless(t.has_times && t.start_time == 8 && t.end_time == 12);
  fail_unless(t.has_language && t.language == 9);
  fail_unless(t.attribute == DataMessageAttribute(2));
  MediaData c = fast(R"({"msg_type":18,"content":{"channel_id":"ch-2","data":"hi","timestamp":-1}})");
  assert_str(c.channel_id, "ch-2");
  ck_assert_int_eq(c.timestamp, -1);
  fast(R"({"msg_type":16,"content":{"data":"","timestamp":0}})");
}
GST_END_TEST;

GST_START_TEST(test_fast_path_declines_the_rest)
{
  // Escapes (even a harmless \/), string or fractional numbers, big numbers.
  declined(R"({"msg_type":14,"content":{"data":"AA\/A","timestamp":1}})");
  declined(R"({"msg_type":17,"content":{"data":"she said \"hi\"\n","timestamp":1}})");
  declined(R"({"msg_type":14,"content":{"user_id":"16778240","data":"AAAA","timestamp":1}})");
  declined(R"({"msg_type":14,"content":{"data":"AAAA","timestamp":"1"}})");
  declined(R"({"msg_type":14,"content":{"data":"AAAA","timestamp":1.0}})");
  declined(R"({"msg_type":14,"content":{"data":"AAAA","timestamp":1e3}})");
  declined(R"({"msg_type":14,"content":{"data":"AAAA","timestamp":0123}})");
  declined(R"({"msg_type":14,"content":{"data":"AAAA","timestamp":1234567890123456789}})");
  declined(R"({"msg_type":14.0,"content":{"data":"AAAA","timestamp":1}})");
  declined(R"({"msg_type":14,"content":{"channel_id":2,"data":"AAAA","timestamp":1}})");
  // Values the general parser refuses or reads its own way.
  declined(R"({"msg_type":14,"content":{"data":"AAAA","timestamp":1,"length":-1}})");
  declined(R"({"msg_type":17,"content":{"data":"x","timestamp":1,"language":4294967296}})");
  declined(R"({"msg_type":14,"content":{"data":"AAAA","timestamp":1,"user_name":null}})");
  declined(R"({"msg_type":14,"content":{"data":"AAAA"}})");
  declined(R"({"msg_type":14,"content":{"timestamp":1}})");
  declined(R"({"msg_type":14})");
  declined(R"({"content":{"data":"AAAA","timestamp":1}})");
  // Duplicates, nesting, trailing bytes, other message types, not JSON.
  declined(R"({"msg_type":14,"content":{"data":"AAAA","data":"BBBB","timestamp":1}})");
  declined(R"({"msg_type":14,"msg_type":15,"content":{"data":"AAAA","timestamp":1}})");
  declined(R"({"msg_type":14,"content":{"data":"AAAA","timestamp":1,"extra":{"a":1}}})");
  declined(R"({"msg_type":14,"content":{"data":"AAAA","timestamp":1,"list":[1]}})");
  declined(std::string(kAudio) + "x");
  declined(std::string(kAudio) + "{}");
  declined(R"({"msg_type":12,"timestamp":1})");
  declined(R"({"msg_type":13,"content":{"data":"AAAA","timestamp":1}})");
  declined(R"({"msg_type":19,"content":{"data":"AAAA","timestamp":1}})");
  declined(R"({"msg_type":14,"content":{"data":"AAAA","timestamp":1},})");
  declined(R"({"msg_type":14,"content":{"data":"AAAA","timestamp":1,}})");
  declined("");
  declined("{");
  declined("[]");
  // Control characters and invalid UTF-8 inside strings.
  declined(std::string(R"({"msg_type":18,"content":{"data":"a)") + '\x01' +
           R"(b","timestamp":1}})");
  declined(std::string(R"({"msg_type":18,"content":{"user_name":")") + "\xc3\x28" +
           R"(","data":"x","timestamp":1}})");
  declined(std::string(R"({"msg_type":18,"content":{"data":"x","timestamp":1}})") +
           std::string(1, '\0'));
}
GST_END_TEST;

// Random edits of real-looking messages: wherever the fast path answers, the
// general parser must give the same message. Fixed seed: reproducible.
GST_START_TEST(test_fast_path_agrees_on_mutations)
{
  const std::string seeds[] = {
      kAudio,
      R"({"msg_type":15,"content":{"user_id":3,"user_name":"Carol","data":"data:image/png;base64,iVBO","length":3,"timestamp":77}})",
      R"({"msg_type":17,"content":{"user_id":2,"user_name":"Bob","data":"ok","timestamp":10,"start_time":8,"end_time":12,"language":9,"attribute":1}})",
      R"({ "content" : { "channel_id" : "c", "data" : "AAAA", "timestamp" : 3 }, "msg_type" : 14 })",
  };
  const std::string alphabet = "{}[]\":,\\ -+.0123456789eEaAtrufnl/\x01\xc3\xa9";
  std::mt19937 random(20261123);
  int taken = 0;
  for (int i = 0; i < 40000; i++) {
    std::string text = seeds[random() % G_N_ELEMENTS(seeds)];
    int edits = 1 + int(random() % 3);
    for (int e = 0; e < edits && !text.empty(); e++) {
      size_t at = random() % text.size();
      char c = alphabet[random() % alphabet.size()];
      switch (random() % 3) {
        case 0: text[at] = c; break;
        case 1: text.erase(at, 1); break;
        default: text.insert(at, 1, c); break;
      }
    }
    if (decode_media_fast(text)) taken++;
    expect_decoders_agree(text);
  }
  // Most single edits land in the base64 or a name and stay decodable: the
  // fast path must have been exercised, not just declined everything.
  fail_unless(taken > 1000, "the fast path took only %d mutated messages", taken);
}
GST_END_TEST;

// Strings are scanned a block at a time (16 bytes with SSE2, 8 without)
// up to the first byte that needs a look of its own: every length, with
// every kind of such byte at every position, in the payload and in a name.
GST_START_TEST(test_fast_path_string_blocks)
{
  struct Special {
    const char *bytes;
    bool fast;  // whether the fast path takes a string holding it
  };
  const Special specials[] = {
      {"", true},          {"\xc3\xa9", true},  {"\xe5\xb1\xb1", true}, {"\x7f", true},
      {" ", true},         {"~", true},           {"\x01", false},         {"\x1f", false},
      {"\\\"", false},  {"\\n", false},      {"\xc3\x28", false},    {"\xff", false},
      {"\xc3", false},
  };
  for (size_t n = 0; n <= 64; n++) {
    for (const Special &sp : specials) {
      // Without a special byte, positions do not matter.
      for (size_t at = 0; at <= (*sp.bytes ? n : 0); at++) {
        std::string text(n, 'A');
        for (size_t k = 0; k < n; k++) text[k] = "QUJD+/09az"[k % 10];
        text.insert(at, sp.bytes);
        const std::string as_data =
            R"({"msg_type":17,"content":{"user_id":1,"data":")" + text + R"(","timestamp":5}})";
        const std::string as_name = R"({"msg_type":14,"content":{"user_id":1,"user_name":")" +
                                    text + R"(","data":"AAAA","timestamp":5}})";
        for (const std::string *json : {&as_data, &as_name}) {
          auto m = decode_media_fast(*json);
          if (bool(m) != sp.fast)
            ck_abort_msg("the fast path %s a string of %zu bytes with '%s' at %zu\ninput: %s",
                         m ? "took" : "declined", n, sp.bytes, at, json->c_str());
          if (m && (json == &as_data ? m->data : m->user.user_name) != text)
            ck_abort_msg("the fast path read the string wrong\ninput: %s", json->c_str());
          if (!sp.fast || at % 7 == 0) expect_decoders_agree(*json);
        }
      }
    }
  }
}
GST_END_TEST;

// The view the session hands to the element: every string points into the
// received text (nothing copied), and it holds exactly what the owned form
// holds; MediaData::view() and MediaView::to_owned() give back the same
// (one conversion, BasicMediaData::with_text, serves both).
GST_START_TEST(test_fast_path_views_point_into_the_text)
{
  const std::string messages[] = {
      kAudio,
      R"({"msg_type":15,"content":{"user_id":2,"user_name":"Bo","data":"data:image/jpeg;base64,/9j/4A",)"
      R"("timestamp":10,"length":4}})",
      R"({"msg_type":17,"content":{"user_id":2,"user_name":"Bob","data":"hello","timestamp":10,)"
      R"("start_time":8,"end_time":12,"language":9,"attribute":2}})",
      R"({"msg_type":18,"content":{"channel_id":"ch-2","data":"hi","timestamp":-1}})",
  };
  for (const std::string &json : messages) {
    auto view = decode_media_fast_view(json);
    fail_unless(bool(view), "the fast path declined %s", json.c_str());
    const char *begin = json.data(), *end = json.data() + json.size();
    for (std::string_view field : {view->data, view->user.user_key, view->user.user_name, view->channel_id}) {
      if (field.empty()) continue;
      fail_unless(field.data() >= begin && field.data() + field.size() <= end,
                  "a view points outside the text\ninput: %s", json.c_str());
    }
    MediaData owned = fast(json);
    assert_str(encode_message(view->to_owned()), encode_message(owned));
    assert_str(encode_message(owned.view().to_owned()), encode_message(owned));
    fail_unless(view->data == owned.data && view->user.user_name == owned.user.user_name &&
                view->channel_id == owned.channel_id);
  }
  fail_if(decode_media_fast_view(R"({"msg_type":14,"content":{"data":"AA\/A","timestamp":1}})"));
  // Both forms have the same fields: a string user id survives the round trip.
  MediaData zcc = fast(kAudio);
  zcc.user.user_key = "zcc-user-7";
  MediaView zcc_view = zcc.view();
  fail_unless(zcc_view.user.user_key.data() == zcc.user.user_key.data());
  assert_str(encode_message(zcc_view.to_owned()), encode_message(zcc));
}
GST_END_TEST;

static Suite *media_fast_suite() {
  Suite *s = suite_create("media_fast");
  TCase *tc = tcase_create("media_fast");
  tcase_add_test(tc, test_fast_path_reads_media);
  tcase_add_test(tc, test_fast_path_declines_the_rest);
  tcase_add_test(tc, test_fast_path_agrees_on_mutations);
  tcase_add_test(tc, test_fast_path_string_blocks);
  tcase_add_test(tc, test_fast_path_views_point_into_the_text);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(media_fast);
