// The gateway's pure parts: webhook checks with hand-made signatures,
// placeholders and file-safe names, and what a new rtms_started means.
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>

#include "log.h"
#include "media_stats.h"
#include "metrics.h"
#include "pipeline_template.h"
#include "protocol/signature.h"
#include "stream_registry.h"
#include "webhook_check.h"
#include "webrtc_options.h"

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
  fail_unless(t.webvtt);
  fail_unless(gateway::shipped_template("mixed", &t));
  fail_unless(gateway::shipped_template("rtmp", &t));
  fail_unless(t.needs_rtmp_url);
  fail_if(gateway::shipped_template("nope", &t));
  std::string why;
  fail_unless(gateway::valid_rtmp_url("rtmp://127.0.0.1:1935/live/{stream_id}", &why));
  fail_if(gateway::valid_rtmp_url("http://example.com/live", &why));
  fail_if(gateway::valid_rtmp_url("rtmp://h/live/x\" location=/etc/passwd", &why));
  fail_if(gateway::valid_rtmp_url("rtmp://h/live/a b", &why));
}
GST_END_TEST;

GST_START_TEST(media_stats_from_rtmssrc_structure) {
  GstStructure *s = gst_structure_new("application/x-rtms-stats", "audio-buffers", G_TYPE_UINT64, G_GUINT64_CONSTANT(10),
                                      "audio-bytes", G_TYPE_UINT64, G_GUINT64_CONSTANT(6400), "chat-bytes",
                                      G_TYPE_UINT64, G_GUINT64_CONSTANT(5), "reconnects", G_TYPE_UINT, 2u, nullptr);
  gateway::MediaStats a = gateway::MediaStats::from_structure(s);
  gst_structure_free(s);
  fail_unless_equals_int(a.buffers[0], 10);
  fail_unless_equals_int(a.bytes[0], 6400);
  fail_unless_equals_int(a.bytes[4], 5);
  fail_unless_equals_int(a.reconnects, 2);
  gateway::MediaStats sum = a;
  sum += a;
  fail_unless_equals_int(sum.bytes[0], 12800);
  fail_unless_equals_int(sum.reconnects, 4);
  std::string text = gateway::Metrics().render(sum);
  fail_unless(text.find("rtms_gateway_media_bytes_total{media=\"audio\"} 12800\n") != std::string::npos, "%s",
              text.c_str());
  fail_unless(text.find("rtms_gateway_reconnects_total 4\n") != std::string::npos);
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

// Externally supplied strings in log lines: nothing that starts a line,
// moves the cursor or reorders text gets through raw.
GST_START_TEST(log_safe_escapes) {
  auto expect_log_safe = [](std::string_view in, const char *want) {
    std::string got = tools::log_safe(in);
    fail_unless(got == want, "log_safe gave '%s', not '%s'", got.c_str(), want);
  };
  expect_log_safe("stream 1a2B-_.=", "stream 1a2B-_.=");
  expect_log_safe("a\nb\rc\td\\e", "a\\nb\\rc\\td\\\\e");
  expect_log_safe("\x1b[31mred\x07\x7f", "\\x1b[31mred\\x07\\x7f");
  // UTF-8 names stay readable; C1 controls, separators and bidi do not.
  expect_log_safe("Zoë 会议", "Zoë 会议");
  expect_log_safe("\xc2\x9b" "2J", "\\u{009b}2J");
  expect_log_safe("a\xe2\x80\xa8" "b\xe2\x80\xae" "c", "a\\u{2028}b\\u{202e}c");
  // Not UTF-8: byte by byte.
  expect_log_safe("\xff\xc3(", "\\xff\\xc3(");
  expect_log_safe(std::string("nul\0x", 5), "nul\\x00x");
  // Long values are cut and say so.
  std::string cut = tools::log_safe(std::string(1000, 'x'), 16);
  fail_unless(cut == "xxxxxxxxxxxxxxxx...(1000 bytes)", "%s", cut.c_str());
}
GST_END_TEST;

// The WebRTC options' TURN secret (webrtc_options.h): read from its file or
// the environment, only with a TURN server without user info; never echoed.
static bool parse_webrtc(std::vector<std::string> args, gateway::WebrtcOptions *out, std::string *error) {
  gateway::WebrtcOptionParser parser;
  auto context = rtms::adopt(g_option_context_new(nullptr));
  g_option_context_add_group(context.get(), parser.group());
  args.insert(args.begin(), "rtms-gateway");
  std::vector<char *> argv;
  for (std::string &a : args) argv.push_back(a.data());
  int argc = int(argv.size());
  char **p = argv.data();
  GError *raw = nullptr;
  if (!g_option_context_parse(context.get(), &argc, &p, &raw)) {
    auto owned = rtms::adopt(raw);
    *error = owned->message;
    return false;
  }
  return parser.finish(nullptr, out, error);
}

GST_START_TEST(turn_secret_options) {
  gchar *dir = g_dir_make_tmp("rtms-units-XXXXXX", nullptr);
  auto owned_dir = rtms::adopt(dir);
  std::string file = std::string(dir) + "/turn.secret";
  fail_unless(g_file_set_contents(file.c_str(), "  the-shared-secret\n", -1, nullptr));
  gateway::WebrtcOptions o;
  std::string error;
  fail_unless(parse_webrtc({"--turn-server", "turn://127.0.0.1:3478", "--turn-secret-file", file,
                            "--turn-credential-ttl", "600"}, &o, &error), "%s", error.c_str());
  fail_unless_equals_string(o.turn_secret.c_str(), "the-shared-secret");
  fail_unless_equals_int(o.turn_credential_ttl_s, 600);
  gateway::WebrtcOptions defaults;
  fail_unless(parse_webrtc({"--turn-server", "turn://h:1"}, &defaults, &error));
  fail_unless(defaults.turn_secret.empty());
  fail_unless_equals_int(defaults.turn_credential_ttl_s, 3600);
  // With user info, or without a server: refused, the secret not in the message.
  gateway::WebrtcOptions bad;
  fail_if(parse_webrtc({"--turn-server", "turn://u:p@h:1", "--turn-secret-file", file}, &bad, &error));
  fail_unless(error.find("without user:password") != std::string::npos, "%s", error.c_str());
  fail_if(parse_webrtc({"--turn-secret-file", file}, &bad, &error));
  fail_unless(error.find("the-shared-secret") == std::string::npos);
  fail_if(parse_webrtc({"--turn-server", "turn://h:1", "--turn-credential-ttl", "59"}, &bad, &error));
  // From the environment when there is no file.
  g_setenv("RTMS_GATEWAY_TURN_SECRET", "env-secret", TRUE);
  gateway::WebrtcOptions env;
  fail_unless(parse_webrtc({"--turn-server", "turns://h:5349"}, &env, &error), "%s", error.c_str());
  fail_unless_equals_string(env.turn_secret.c_str(), "env-secret");
  g_unsetenv("RTMS_GATEWAY_TURN_SECRET");
  g_remove(file.c_str());
  g_rmdir(dir);
}
GST_END_TEST;

static Suite *units_suite() {
  Suite *s = suite_create("gateway-units");
  TCase *tc = tcase_create("units");
  tcase_add_test(tc, checks_in_order);
  tcase_add_test(tc, placeholders_and_names);
  tcase_add_test(tc, retry_failover_limit);
  tcase_add_test(tc, media_stats_from_rtmssrc_structure);
  tcase_add_test(tc, log_safe_escapes);
  tcase_add_test(tc, turn_secret_options);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(units);
