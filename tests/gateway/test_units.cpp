// The gateway's pure parts: webhook checks with hand-made signatures,
// placeholders and file-safe names, and what a new rtms_started means.
#include <gst/check/gstcheck.h>

#include "pipeline_template.h"
#include "protocol/signature.h"
#include "stream_registry.h"
#include "webhook_check.h"

static const char *kStarted =
    "{\"event\":\"webinar.rtms_started\",\"event_ts\":1700000000000,\"payload\":{"
    "\"webinar_uuid\":\"W/ebinar+1==\",\"rtms_stream_id\":\"s1\",\"server_urls\":\"wss://a/x, wss://b/y\"}}";

GST_START_TEST(checks_in_order) {
  gateway::CheckLimits limits{300, 1024};
  const gint64 now = 1700000000;
  std::string ts = std::to_string(now);
  std::string sig = rtms::webhook_signature("s3cr3t-T0ken", ts, kStarted);
  gateway::Verdict ok = gateway::check_webhook("s3cr3t-T0ken", sig, ts, kStarted, now, limits);
  fail_unless_equals_int(ok.status, 200);
  fail_unless_equals_string(ok.reason.c_str(), "rtms_started");
  fail_unless(ok.webhook.has_value());
  fail_unless_equals_string(ok.webhook->rtms_stream_id.c_str(), "s1");
  fail_unless_equals_int(ok.webhook->server_urls.size(), 2);
  // The window is inclusive of 300 s, not of 301.
  fail_unless_equals_int(gateway::check_webhook("s3cr3t-T0ken", sig, ts, kStarted, now + 300, limits).status, 200);
  std::string stale = gateway::check_webhook("s3cr3t-T0ken", sig, ts, kStarted, now + 301, limits).reason;
  fail_unless_equals_string(stale.c_str(), "stale_timestamp");
  // Size wins over everything: an oversized body is never even verified.
  std::string big(2000, ' ');
  fail_unless_equals_int(gateway::check_webhook("s3cr3t-T0ken", "", "", big, now, limits).status, 413);
  // A signed body that is not a webhook is a 400, an unsigned one a 401.
  std::string junk = "[1,2]";
  std::string junk_sig = rtms::webhook_signature("s3cr3t-T0ken", ts, junk);
  fail_unless_equals_int(gateway::check_webhook("s3cr3t-T0ken", junk_sig, ts, junk, now, limits).status, 400);
  fail_unless_equals_int(gateway::check_webhook("s3cr3t-T0ken", "", ts, junk, now, limits).status, 401);
  // Details never carry the secret or the signature.
  gateway::Verdict bad = gateway::check_webhook("s3cr3t-T0ken", "v0=00", ts, kStarted, now, limits);
  fail_unless_equals_int(bad.status, 401);
  fail_unless(bad.detail.find("s3cr3t-T0ken") == std::string::npos && bad.detail.find("v0=") == std::string::npos);
}
GST_END_TEST;

GST_START_TEST(placeholders_and_names) {
  // gst-check's string macros keep the pointer: no temporaries in them.
  const std::pair<const char *, const char *> names[] = {
      {"W/ebinar+1==", "W_ebinar_1__"}, {"../..", "_._.."}, {"a b\"c'd!", "a_b_c_d_"}, {"", "_"}};
  for (const auto &[in, expected] : names) {
    std::string safe = gateway::file_safe(in);
    fail_unless_equals_string(safe.c_str(), expected);
  }
  std::string out = gateway::expand_placeholders("x location={out}/{meeting}-{start_time}.wav caps={unknown} {",
                                                 {{"out", "/r/o"}, {"meeting", "m"}, {"start_time", "t"}});
  fail_unless_equals_string(out.c_str(), "x location=/r/o/m-t.wav caps={unknown} {");
  gateway::PipelineTemplate t;
  fail_unless(gateway::shipped_template("record", &t));
  fail_unless(t.per_participant_audio);
  fail_unless(gateway::shipped_template("mixed", &t));
  fail_if(gateway::shipped_template("rtmp", &t));
}
GST_END_TEST;

GST_START_TEST(retry_failover_limit) {
  gateway::StreamRegistry registry(1);
  std::vector<std::string> urls = {"wss://a/x"};
  fail_unless(registry.decide("s1", urls) == gateway::StartAction::Start);
  registry.add("s1", urls, nullptr);
  fail_unless(registry.decide("s1", urls) == gateway::StartAction::Duplicate);
  fail_unless(registry.decide("s1", {"wss://b/y"}) == gateway::StartAction::Failover);
  fail_unless(registry.decide("s2", urls) == gateway::StartAction::LimitReached);
  registry.set_server_urls("s1", {"wss://b/y"});
  fail_unless(registry.decide("s1", {"wss://b/y"}) == gateway::StartAction::Duplicate);
  registry.remove("s1");
  fail_unless(registry.decide("s2", urls) == gateway::StartAction::Start);
}
GST_END_TEST;

static Suite *units_suite() {
  Suite *s = suite_create("gateway-units");
  TCase *tc = tcase_create("units");
  tcase_add_test(tc, checks_in_order);
  tcase_add_test(tc, placeholders_and_names);
  tcase_add_test(tc, retry_failover_limit);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(units);
