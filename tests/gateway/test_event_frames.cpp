// The event WebSocket's pure parts: Zoom's frames, the token answer, the
// token renewal time, reconnect delays, the event rate bound, redaction, and
// an event that came over the socket checked like a webhook body.
#include <gst/check/gstcheck.h>

#include "event_frames.h"
#include "webhook_check.h"

using gateway::EventFrame;

// fail_unless_equals_string keeps a pointer into its argument: these
// compare temporaries safely.
static void expect_eq_at(const std::string &got, const std::string &want, int line) {
  fail_unless(got == want, "line %d: got '%s', want '%s'", line, got.c_str(), want.c_str());
}
#define expect_eq(got, want) expect_eq_at((got), (want), __LINE__)

static EventFrame parsed(const std::string &text) {
  EventFrame frame;
  std::string error;
  fail_unless(gateway::parse_event_frame(text, 1024, &frame, &error), "%s: %s", text.c_str(),
              error.c_str());
  return frame;
}

static std::string refused(const std::string &text, size_t max_content = 1024) {
  EventFrame frame;
  std::string error;
  fail_if(gateway::parse_event_frame(text, max_content, &frame, &error), "accepted %s",
          text.c_str());
  fail_if(error.empty());
  return error;
}

GST_START_TEST(frames) {
  fail_unless(parsed("{\"module\":\"build_connection\",\"success\":true}").kind ==
              EventFrame::Kind::BuildConnection);
  fail_if(parsed("{\"module\":\"build_connection\",\"success\":false}").success);
  fail_unless(parsed("{\"module\":\"heartbeat\",\"success\":true}").kind ==
              EventFrame::Kind::Heartbeat);
  EventFrame message = parsed(
      "{\"module\":\"message\",\"content\":\"{\\\"event\\\":\\\"meeting.rtms_started\\\"}\"}");
  fail_unless(message.kind == EventFrame::Kind::Message);
  expect_eq(message.content.c_str(), "{\"event\":\"meeting.rtms_started\"}");
  EventFrame other = parsed("{\"module\":\"something_new\",\"extra\":[1,2]}");
  fail_unless(other.kind == EventFrame::Kind::Other);
  expect_eq(other.module.c_str(), "something_new");
  expect_eq(refused("not json"),
            "JSON goes on after its value (at byte 1 of 8): one value per message");
  expect_eq(refused("{\"module\":}").substr(0, 9), "not JSON:");
  expect_eq(refused("[1]").c_str(), "not a JSON object");
  expect_eq(refused("{\"success\":true}").c_str(), "no \"module\" member");
  expect_eq(refused("{\"module\":7}").c_str(), "\"module\" is not a string");
  expect_eq(refused("{\"module\":\"heartbeat\",\"success\":\"yes\"}").c_str(),
            "\"success\" is not a boolean");
  expect_eq(refused("{\"module\":\"message\"}").c_str(), "message without \"content\"");
  expect_eq(refused("{\"module\":\"message\",\"content\":{}}").c_str(),
            "\"content\" is not a string");
  std::string big = "{\"module\":\"message\",\"content\":\"" + std::string(2000, 'x') + "\"}";
  fail_unless(refused(big).find("content of 2000 bytes is over the limit of 1024") !=
              std::string::npos);
  // Depth is bounded before json-glib recurses.
  std::string deep =
      "{\"module\":\"message\",\"x\":" + std::string(100, '[') + std::string(100, ']') + "}";
  fail_unless(refused(deep).find("deeper") != std::string::npos, "%s", refused(deep).c_str());
  expect_eq(gateway::heartbeat_frame(), "{\"module\":\"heartbeat\"}");
}
GST_END_TEST;

GST_START_TEST(token_answers) {
  gateway::AccessToken token;
  std::string error;
  fail_unless(gateway::parse_token_answer("{\"access_token\":\"eyJ0.abc-_~\",\"token_type\":"
                                          "\"bearer\",\"expires_in\":3599,\"scope\":\"x\"}",
                                          &token, &error),
              "%s", error.c_str());
  expect_eq(token.token.c_str(), "eyJ0.abc-_~");
  fail_unless_equals_int(token.expires_in_s, 3599);
  for (const char *bad :
       {"{\"expires_in\":3599}", "{\"access_token\":\"\",\"expires_in\":1}",
        "{\"access_token\":\"a&b=c\",\"expires_in\":1}", "{\"access_token\":\"abc\"}",
        "{\"access_token\":\"abc\",\"expires_in\":\"3599\"}",
        "{\"access_token\":\"abc\",\"expires_in\":0}", "{\"access_token\":1,\"expires_in\":1}"}) {
    gateway::AccessToken t;
    error.clear();
    fail_if(gateway::parse_token_answer(bad, &t, &error), "accepted %s", bad);
    fail_if(error.empty());
  }
  expect_eq(gateway::describe_token_error(
                "{\"reason\":\"Invalid client_id or client_secret\",\"error\":\"invalid_client\"}")
                .c_str(),
            "invalid_client: Invalid client_id or client_secret");
  expect_eq(gateway::describe_token_error("<html>").c_str(), "");
  // A line feed from the server cannot forge a log line.
  expect_eq(gateway::describe_token_error("{\"error\":\"a\\nb\"}").c_str(), "a\\nb");
  expect_eq(gateway::token_request_query("").c_str(), "grant_type=client_credentials");
  expect_eq(gateway::token_request_query("Ab c&d").c_str(),
            "grant_type=account_credentials&account_id=Ab%20c%26d");
}
GST_END_TEST;

GST_START_TEST(timing) {
  fail_unless_equals_int(gateway::token_refresh_after_s(3600), 2880);
  fail_unless_equals_int(gateway::token_refresh_after_s(300), 240);
  fail_unless_equals_int(gateway::token_refresh_after_s(5), 4);
  fail_unless_equals_int(gateway::token_refresh_after_s(1), 1);
  // Equal jitter: [d/2, d) with d = 1 s, 2 s, 4 s, ... capped at 60 s.
  fail_unless_equals_int(gateway::backoff_delay_ms(0, 1000, 60000, 0.0), 500);
  fail_unless_equals_int(gateway::backoff_delay_ms(0, 1000, 60000, 0.999), 999);
  fail_unless_equals_int(gateway::backoff_delay_ms(3, 1000, 60000, 0.0), 4000);
  fail_unless_equals_int(gateway::backoff_delay_ms(10, 1000, 60000, 0.0), 30000);
  fail_unless_equals_int(gateway::backoff_delay_ms(1000, 1000, 60000, 1.0), 60000);
  gateway::RateLimit rate(10, 3);
  int passed = 0;
  for (int i = 0; i < 10; i++) passed += rate.allow(1000000) ? 1 : 0;
  fail_unless_equals_int(passed, 3);
  fail_if(rate.allow(1050000));  // half a token back
  fail_unless(rate.allow(1100000));
  expect_eq(gateway::redact("GET /ws?access_token=T0K&x=T0K", "T0K").c_str(),
            "GET /ws?access_token=<redacted>&x=<redacted>");
  expect_eq(gateway::redact("a", "a").c_str(), "<redacted>");
}
GST_END_TEST;

GST_START_TEST(event_bodies_checked_like_webhooks) {
  gateway::CheckLimits limits{300, 512};
  const char *started =
      "{\"event\":\"meeting.rtms_started\",\"event_ts\":1,\"payload\":{\"meeting_uuid\":\"m\","
      "\"rtms_stream_id\":\"s\",\"server_urls\":\"wss://rtms.zoom.us/x\"}}";
  gateway::Verdict ok = gateway::check_event_body(started, limits);
  fail_unless_equals_int(ok.status, 200);
  expect_eq(ok.reason.c_str(), "rtms_started");
  expect_eq(gateway::check_event_body("{", limits).reason.c_str(), "malformed");
  expect_eq(gateway::check_event_body(std::string(600, ' '), limits).reason.c_str(), "too_large");
  const char *validation =
      "{\"event\":\"endpoint.url_validation\",\"payload\":{\"plainToken\":\"p\"}}";
  expect_eq(gateway::check_event_body(validation, limits).reason.c_str(), "url_validation");
}
GST_END_TEST;

static Suite *event_frames_suite() {
  Suite *s = suite_create("gateway-event-frames");
  TCase *tc = tcase_create("event-frames");
  tcase_add_test(tc, frames);
  tcase_add_test(tc, token_answers);
  tcase_add_test(tc, timing);
  tcase_add_test(tc, event_bodies_checked_like_webhooks);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(event_frames);
