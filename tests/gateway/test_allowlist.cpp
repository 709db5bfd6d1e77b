// What a signed webhook may make the gateway do: only RTMS servers on
// allowed hosts (Zoom's domain, plus --allow-host), wss:// unless
// --allow-plaintext; refused streams leave nothing behind. Ids and paths
// reach the log escaped. A signed webhook nested too deep is refused and the
// gateway keeps answering.
#include <gst/check/gstcheck.h>
#include <glib/gstdio.h>

#include "gateway_run.h"
#include "http_attack.h"

static std::string started(const std::string &server_urls, const std::string &stream_id = "allow0000000000") {
  return "{\"event\":\"meeting.rtms_started\",\"event_ts\":1700000000000,\"payload\":{"
         "\"meeting_uuid\":\"AllowMeeting==\",\"rtms_stream_id\":\"" + stream_id + "\","
         "\"server_urls\":\"" + server_urls + "\"}}";
}

static const char *kRejected = "rtms_gateway_webhooks_total{result=\"rejected\",reason=\"%s\"}";

static double rejected(GatewayRun &gw, const char *reason) {
  g_autofree char *sample = g_strdup_printf(kRejected, reason);
  return gw.metric(sample);
}

GST_START_TEST(servers_outside_the_allowlist_are_refused) {
  GatewayRun gw;
  gw.allow_loopback_servers = false;  // the defaults: *.zoom.us, wss:// only
  gw.start();
  HttpAnswer loopback = gw.post_signed(started("wss://127.0.0.1:9/signaling"));
  fail_unless_equals_int(loopback.status, 403);
  fail_unless(g_str_has_prefix(loopback.body.c_str(), "server_not_allowed: "), "%s", loopback.body.c_str());
  fail_unless(loopback.body.find("127.0.0.1") != std::string::npos, "%s", loopback.body.c_str());
  fail_unless(loopback.body.find("--allow-host") != std::string::npos, "%s", loopback.body.c_str());
  for (const char *urls : {"wss://rtms.zoom.us.attacker.example/s", "wss://attacker.example/?h=rtms.zoom.us",
                           "wss://evil.example@rtms.zoom.us/s", "wss://rtms.zoom.us/s,wss://attacker.example/s"})
    fail_unless_equals_int(gw.post_signed(started(urls)).status, 403);
  HttpAnswer plain = gw.post_signed(started("ws://rtms.zoom.us/signaling"));
  fail_unless_equals_int(plain.status, 403);
  fail_unless(g_str_has_prefix(plain.body.c_str(), "plaintext_not_allowed: "), "%s", plain.body.c_str());

  fail_unless_equals_int(rejected(gw, "server_not_allowed"), 4);
  fail_unless_equals_int(rejected(gw, "malformed_server_url"), 1);
  fail_unless_equals_int(rejected(gw, "plaintext_not_allowed"), 1);
  fail_unless_equals_int(gw.metric("rtms_gateway_streams_started_total"), 0);
  fail_unless(gw.output_empty(), "a refused stream left something in the output folder");
  fail_unless_equals_int(gw.terminate(5000), 0);
}
GST_END_TEST;

// --allow-host adds to the defaults; plaintext needs --allow-plaintext too.
GST_START_TEST(allow_host_and_plaintext) {
  GatewayRun gw;
  gw.allow_loopback_servers = false;
  gw.start({"--allow-host", "127.0.0.1"});
  HttpAnswer plain = gw.post_signed(started("ws://127.0.0.1:9/signaling"));
  fail_unless_equals_int(plain.status, 403);
  fail_unless(plain.body.find("--allow-plaintext") != std::string::npos, "%s", plain.body.c_str());
  fail_unless(gw.output_empty());
  // Allowed: it starts (and fails to connect: nothing listens on port 9).
  fail_unless_equals_int(gw.post_signed(started("wss://127.0.0.1:9/signaling")).status, 200);
  fail_unless(gw.wait_metric("rtms_gateway_streams_started_total", 1, 10000));
  fail_unless_equals_int(gw.terminate(10000), 0);

  GatewayRun both;
  both.allow_loopback_servers = false;
  both.start({"--allow-host", "127.0.0.1", "--allow-plaintext"});
  fail_unless_equals_int(both.post_signed(started("ws://127.0.0.1:9/signaling")).status, 200);
  // Exactly that address, not its neighbours.
  fail_unless_equals_int(both.post_signed(started("wss://127.0.0.2:9/s", "other00000000000")).status, 403);
  fail_unless_equals_int(both.terminate(10000), 0);
}
GST_END_TEST;

static std::string startup_error(const char *pattern) {
  const char *argv[] = {g_getenv("RTMS_GATEWAY"), "--port", "0", "--allow-host", pattern, nullptr};
  const char *envp[] = {"ZM_WEBHOOK_SECRET=x", nullptr};
  gchar *err = nullptr;
  gint status = 0;
  fail_unless(g_spawn_sync(nullptr, const_cast<char **>(argv), const_cast<char **>(envp), G_SPAWN_STDOUT_TO_DEV_NULL,
                           nullptr, nullptr, nullptr, &err, &status, nullptr));
  g_autofree gchar *owned = err;
  fail_if(g_spawn_check_wait_status(status, nullptr), "--allow-host %s was accepted", pattern);
  return owned ? owned : "";
}

GST_START_TEST(bad_allow_host_is_refused_at_startup) {
  std::string wide = startup_error("*.us");
  fail_unless(wide.find("too wide") != std::string::npos, "%s", wide.c_str());
  std::string path = startup_error("evil.example/x");
  fail_unless(path.find("not a host pattern") != std::string::npos, "%s", path.c_str());
}
GST_END_TEST;

// Newlines, terminal escapes and bidi controls in ids and paths reach the
// log escaped: no forged line, no escape byte.
GST_START_TEST(log_lines_are_escaped) {
  g_autofree char *dir = g_dir_make_tmp("rtms-gw-log-XXXXXX", nullptr);
  std::string log = std::string(dir) + "/gateway.log";
  {
    GatewayRun gw;
    gw.allow_loopback_servers = false;
    gw.log_file = log;
    gw.start();
    std::string forged = "evil\\nrtms-gateway 00:00:00.000 ERROR: forged\\u001b[2J\\u202e\\r";
    std::string stopped = "{\"event\":\"meeting.rtms_stopped\",\"event_ts\":1700000000000,\"payload\":{"
                          "\"meeting_uuid\":\"M\\u001b]0;title\\u0007\",\"rtms_stream_id\":\"" + forged + "\"}}";
    fail_unless_equals_int(gw.post_signed(stopped).status, 200);
    fail_unless_equals_int(gw.post_signed(started("wss://attacker.example/s", forged)).status, 403);
    // A path with a newline, on a refusal that logs it.
    std::string answer = gw.raw_exchange(
        "POST /x%0aFORGED%1b[31m HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000000\r\n\r\n", 5000);
    fail_unless(g_str_has_prefix(answer.c_str(), "HTTP/1.1 413"), "%s", answer.c_str());
    fail_unless(gw.wait_metric("rtms_gateway_stream_events_total{action=\"unknown_stream\"}", 1, 5000));
    fail_unless_equals_int(gw.terminate(5000), 0);
  }
  gchar *raw = nullptr;
  gsize size = 0;
  fail_unless(g_file_get_contents(log.c_str(), &raw, &size, nullptr));
  g_autofree gchar *text = raw;
  std::string contents(text, size);
  fail_unless(contents.find('\x1b') == std::string::npos, "an escape byte reached the log:\n%s", text);
  fail_unless(contents.find('\r') == std::string::npos, "a carriage return reached the log");
  fail_unless(contents.find('\x07') == std::string::npos, "a bell reached the log");
  fail_unless(contents.find("\xe2\x80\xae") == std::string::npos, "a bidi override reached the log");
  fail_unless(contents.find("\nrtms-gateway 00:00:00.000") == std::string::npos, "a forged line:\n%s", text);
  fail_unless(contents.find("\nFORGED") == std::string::npos, "a forged line:\n%s", text);
  // The ids are still there, readable.
  fail_unless(contents.find("evil\\nrtms-gateway 00:00:00.000 ERROR: forged\\x1b[2J\\u{202e}\\r") != std::string::npos,
              "escaped id not found:\n%s", text);
  fail_unless(contents.find("M\\x1b]0;title\\x07") != std::string::npos, "escaped meeting not found:\n%s", text);
  // Every line is one of ours.
  size_t pos = 0;
  while (pos < contents.size()) {
    size_t end = contents.find('\n', pos);
    if (end == std::string::npos) end = contents.size();
    std::string line = contents.substr(pos, end - pos);
    fail_unless(line.empty() || g_str_has_prefix(line.c_str(), "rtms-gateway "), "foreign line: %s", line.c_str());
    pos = end + 1;
  }
  g_remove(log.c_str());
  g_rmdir(dir);
}
GST_END_TEST;

// A signed webhook of ~200 KB of nested arrays (json-glib recursed on it
// until the stack ran out) is refused as malformed; the gateway lives on.
GST_START_TEST(signed_deep_webhook_is_refused) {
  GatewayRun gw;
  gw.start({"--max-body", "400000"});
  std::string body = "{\"event\":\"meeting.rtms_started\",\"event_ts\":1700000000000,\"payload\":{\"x\":" +
                     std::string(100000, '[') + std::string(100000, ']') + "}}";
  HttpAnswer answer = gw.post_signed(body);
  fail_unless_equals_int(answer.status, 400);
  fail_unless(g_str_has_prefix(answer.body.c_str(), "malformed: "), "%s", answer.body.c_str());
  fail_unless_equals_int(rejected(gw, "malformed"), 1);
  fail_unless_equals_int(attack::get_status(gw.port(), "/healthz", 5000), 200);
  fail_unless(gw.output_empty());
  fail_unless_equals_int(gw.terminate(5000), 0);
}
GST_END_TEST;

static Suite *allowlist_suite() {
  Suite *s = suite_create("gateway-allowlist");
  TCase *tc = tcase_create("allowlist");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, servers_outside_the_allowlist_are_refused);
  tcase_add_test(tc, allow_host_and_plaintext);
  tcase_add_test(tc, bad_allow_host_is_refused_at_startup);
  tcase_add_test(tc, log_lines_are_escaped);
  tcase_add_test(tc, signed_deep_webhook_is_refused);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(allowlist);
