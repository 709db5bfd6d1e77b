// The live feed's pure parts (tools/gateway/feed_events.*): the JSON of
// every event with its documented field names, the roster as events change
// it, the SSE framing, the feed's path and the token check.
#include <gst/check/gstcheck.h>

#include "feed_events.h"
#include "pipeline_template.h"

// fail_unless_equals_string keeps the pointers it compares: the strings
// these functions return must live until then.
#define EXPECT_TEXT(value, expected)                                                            \
  do {                                                                                          \
    std::string got_ = (value);                                                                 \
    std::string want_ = (expected);                                                             \
    fail_unless(got_ == want_, "%s:\n got  %s\n want %s", #value, got_.c_str(), want_.c_str()); \
  } while (0)

GST_START_TEST(roster_follows_events) {
  gateway::FeedState state("s1", "m/1==");
  EXPECT_TEXT(state.roster(),
                            "{\"stream_id\":\"s1\",\"meeting\":\"m/1==\",\"state\":\"connecting\",\"participants\":[],"
                            "\"active_speaker\":null,\"sharing\":null}");
  EXPECT_TEXT(state.set_state("streaming", "connected"),
                            "{\"state\":\"streaming\",\"reason\":\"connected\"}");
  EXPECT_TEXT(state.set_state("streaming", "connected"), "");  // no change, no event
  EXPECT_TEXT(state.join(1, "Alice"), "{\"user_id\":1,\"user_name\":\"Alice\"}");
  EXPECT_TEXT(state.join(2, "Bob"), "{\"user_id\":2,\"user_name\":\"Bob\"}");
  EXPECT_TEXT(state.join(2, "Bob"), "{\"user_id\":2,\"user_name\":\"Bob\"}");
  // A speaker or a share without a name takes it from the roster.
  EXPECT_TEXT(state.active_speaker(2, nullptr), "{\"user_id\":2,\"user_name\":\"Bob\"}");
  EXPECT_TEXT(state.sharing(true, 1, ""),
                            "{\"state\":\"started\",\"user_id\":1,\"user_name\":\"Alice\"}");
  fail_unless_equals_int(state.participants(), 2);
  EXPECT_TEXT(state.roster(),
                            "{\"stream_id\":\"s1\",\"meeting\":\"m/1==\",\"state\":\"streaming\",\"participants\":["
                            "{\"user_id\":1,\"user_name\":\"Alice\"},{\"user_id\":2,\"user_name\":\"Bob\"}],"
                            "\"active_speaker\":{\"user_id\":2,\"user_name\":\"Bob\"},"
                            "\"sharing\":{\"user_id\":1,\"user_name\":\"Alice\"}}");
  // A stop that names nobody ends the current share; leave takes the name
  // from the roster (Zoom's leave events carry ids only).
  EXPECT_TEXT(state.sharing(false, 0, nullptr),
                            "{\"state\":\"stopped\",\"user_id\":1,\"user_name\":\"Alice\"}");
  EXPECT_TEXT(state.leave(1, nullptr), "{\"user_id\":1,\"user_name\":\"Alice\"}");
  fail_unless_equals_int(state.participants(), 1);
  fail_unless(state.roster().find("\"sharing\":null") != std::string::npos);
  EXPECT_TEXT(state.set_state("ended", "MEETING_ENDED"),
                            "{\"state\":\"ended\",\"reason\":\"MEETING_ENDED\"}");
}
GST_END_TEST;

GST_START_TEST(event_json) {
  gateway::TranscriptLine t;
  t.user_id = 7;
  t.user_name = "Zoë \"Z\"";
  t.text = "line one\nline two";
  t.language = 9;
  t.language_name = "ENGLISH";
  t.start_ms = 1000;
  t.end_ms = 2500;
  EXPECT_TEXT(gateway::transcript_json(t),
                            "{\"user_id\":7,\"user_name\":\"Zoë \\\"Z\\\"\",\"text\":\"line one\\nline two\","
                            "\"language\":9,\"language_name\":\"ENGLISH\",\"start_ms\":1000,\"end_ms\":2500}");
  gateway::ChatLine c;
  c.user_id = 3;
  c.user_name = "Carol";
  c.text = "hi";
  c.timestamp_ms = 42;
  EXPECT_TEXT(gateway::chat_json(c),
                            "{\"user_id\":3,\"user_name\":\"Carol\",\"text\":\"hi\",\"timestamp_ms\":42}");
  c.private_message = true;
  c.to_user_id = 1;
  c.to_user_name = "Alice";
  EXPECT_TEXT(gateway::chat_json(c),
                            "{\"user_id\":3,\"user_name\":\"Carol\",\"text\":\"hi\",\"timestamp_ms\":42,"
                            "\"to_user_id\":1,\"to_user_name\":\"Alice\"}");
  // Not UTF-8 from the wire still makes valid JSON.
  c.text = std::string("a\xff" "b");
  std::string json = gateway::chat_json(c);
  fail_unless(g_utf8_validate(json.c_str(), -1, nullptr), "%s", json.c_str());
  // Nor do control characters in a name or a text break it: json-glib 1.6
  // writes U+001F raw, the project's writer escapes it (json_fields.h).
  c.user_name = "Car\x1fol";
  c.text = "a\x01\x1f\x7f" "b";
  EXPECT_TEXT(gateway::chat_json(c),
              "{\"user_id\":3,\"user_name\":\"Car\\u001fol\",\"text\":\"a\\u0001\\u001f\\u007fb\","
              "\"timestamp_ms\":42,\"to_user_id\":1,\"to_user_name\":\"Alice\"}");
  gateway::FeedHealth h{1, 2048, 30, 1500};
  EXPECT_TEXT(gateway::health_json(h),
                            "{\"reconnects\":1,\"bytes\":2048,\"buffers\":30,\"uptime_ms\":1500}");
  std::vector<gateway::StreamSummary> list = {{"s1", "m1", "streaming", "2026-12-06T10:00:00.000Z", 3}};
  EXPECT_TEXT(gateway::streams_json(list),
                            "[{\"stream_id\":\"s1\",\"meeting\":\"m1\",\"state\":\"streaming\","
                            "\"started_at\":\"2026-12-06T10:00:00.000Z\",\"participants\":3}]");
  EXPECT_TEXT(gateway::streams_json({}), "[]");
  EXPECT_TEXT(gateway::iso8601_utc(G_GINT64_CONSTANT(1796551199123456)),
                            "2026-12-06T09:59:59.123Z");
}
GST_END_TEST;

GST_START_TEST(sse_framing) {
  EXPECT_TEXT(gateway::sse_event(12, "chat", "{\"a\":1}"),
                            "id: 12\nevent: chat\ndata: {\"a\":1}\n\n");
  // A line break could end the event early: dropped.
  EXPECT_TEXT(gateway::sse_event(1, "x", "a\nb\rc"), "id: 1\nevent: x\ndata: abc\n\n");
  EXPECT_TEXT(gateway::sse_comment("ping"), ": ping\n\n");
}
GST_END_TEST;

GST_START_TEST(paths_and_tokens) {
  std::string id;
  fail_unless(gateway::feed_events_path("/streams/abc123/events", &id));
  EXPECT_TEXT(id, "abc123");
  fail_unless(gateway::feed_events_path("/streams/a%2Bb/events", &id));
  EXPECT_TEXT(id, "a+b");
  for (const char *bad : {"/streams", "/streams/", "/streams//events", "/streams/a/b/events", "/streams/a/event",
                          "/streamsX/a/events", "/streams/a%2Fb/events"})
    fail_if(gateway::feed_events_path(bad, &id), "%s", bad);

  fail_unless(gateway::feed_token_ok("", nullptr, nullptr));
  fail_unless(gateway::feed_token_ok("t0k", "Bearer t0k", nullptr));
  fail_unless(gateway::feed_token_ok("t0k", "bearer  t0k ", nullptr));
  fail_unless(gateway::feed_token_ok("t0k", nullptr, "t0k"));
  fail_unless(gateway::feed_token_ok("t0k", "Bearer wrong", "t0k"));
  fail_if(gateway::feed_token_ok("t0k", nullptr, nullptr));
  fail_if(gateway::feed_token_ok("t0k", "Bearer t0", nullptr));
  fail_if(gateway::feed_token_ok("t0k", "Bearer t0kk", nullptr));
  fail_if(gateway::feed_token_ok("t0k", "Basic t0k", nullptr));
  fail_if(gateway::feed_token_ok("t0k", "t0k", nullptr));
  fail_if(gateway::feed_token_ok("t0k", nullptr, ""));
}
GST_END_TEST;

GST_START_TEST(hls_template_is_shipped) {
  gateway::PipelineTemplate t;
  fail_unless(gateway::shipped_template("hls", &t));
  fail_unless(t.launch.find("hlssink2") != std::string::npos);
  fail_unless(t.launch.find("{out}/playlist.m3u8") != std::string::npos);
  fail_if(t.needs_rtmp_url);
}
GST_END_TEST;

static Suite *feed_events_suite() {
  Suite *s = suite_create("gateway-feed-events");
  TCase *tc = tcase_create("feed-events");
  tcase_add_test(tc, roster_follows_events);
  tcase_add_test(tc, event_json);
  tcase_add_test(tc, sse_framing);
  tcase_add_test(tc, paths_and_tokens);
  tcase_add_test(tc, hls_template_is_shipped);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(feed_events);
