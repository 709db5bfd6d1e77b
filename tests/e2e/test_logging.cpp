// End to end: the session layer's debug categories (rtmssession,
// rtmswebsocket, rtmstls, rtmsnet) show a whole stream, follow threshold
// changes made while it runs, and never show a secret, at any level.
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "e2e_common.h"
#include "proxy_run.h"
#include "protocol/signature.h"
#include "protocol/webhook.h"

namespace {

// Distinctive values, so that any appearance is a leak and not a coincidence.
constexpr const char *kClientSecret = "cs-Qx7Zp9Lm4Wv2Tt8Hh3Kk";
constexpr const char *kWebhookSecret = "wh-Jk8Rt5Yn1Bc6Dd0Ff2Gg";
// A token in the signaling URL's query (some deployments sign URLs): logs
// show URLs without their query.
constexpr const char *kUrlToken = "qt-Mn3Bv6Cx9Zl1Ka4";
// The password of the HTTP proxy the stream goes through (in the proxy
// property's URL, and base64 in its Proxy-Authorization header).
constexpr const char *kProxyPassword = "px-Wq7Rt2Yu5Io8Pa3";

// Every debug line of the process while a test runs.
struct LogCapture {
  std::mutex lock;
  std::vector<std::string> needles;  // must never appear
  std::vector<std::string> leaks;    // lines that held one
  std::map<std::string, std::vector<std::string>> lines;  // of the rtms* session categories
  guint64 total = 0;
};

LogCapture *g_log = nullptr;

bool is_session_category(const char *name) {
  return strcmp(name, "rtmssession") == 0 || strcmp(name, "rtmswebsocket") == 0 ||
         strcmp(name, "rtmstls") == 0 || strcmp(name, "rtmsnet") == 0;
}

void collect(GstDebugCategory *category, GstDebugLevel level, const gchar *, const gchar *function,
             gint, GObject *, GstDebugMessage *message, gpointer) {
  const gchar *text = gst_debug_message_get(message);
  if (!text || !g_log) return;
  const char *name = gst_debug_category_get_name(category);
  std::lock_guard<std::mutex> guard(g_log->lock);
  g_log->total++;
  for (const auto &needle : g_log->needles)
    if (strstr(text, needle.c_str()) || (function && strstr(function, needle.c_str())))
      g_log->leaks.push_back(std::string(name) + ": " + text);
  if (is_session_category(name))
    g_log->lines[name].push_back(std::string(gst_debug_level_get_name(level)) + " " + text);
}

// Installs collect as the only log function, at these thresholds.
void start_capture(LogCapture &capture, const char *thresholds) {
  g_log = &capture;
  gst_debug_remove_log_function(gst_debug_log_default);
  gst_debug_add_log_function(collect, nullptr, nullptr);
  gst_debug_set_threshold_from_string(thresholds, TRUE);
}

void stop_capture() {
  gst_debug_set_threshold_from_string("*:0", TRUE);
  gst_debug_remove_log_function(collect);
  gst_debug_add_log_function(gst_debug_log_default, nullptr, nullptr);
  g_log = nullptr;
}

guint count_lines(LogCapture &capture, const char *category, const char *fragment) {
  std::lock_guard<std::mutex> guard(capture.lock);
  guint n = 0;
  for (const auto &line : capture.lines[category])
    if (line.find(fragment) != std::string::npos) n++;
  return n;
}

std::string dump(LogCapture &capture, const char *category) {
  std::lock_guard<std::mutex> guard(capture.lock);
  std::string all;
  for (const auto &line : capture.lines[category]) all += line + "\n";
  return all.size() > 6000 ? all.substr(0, 6000) + "..." : all;
}

}  // namespace

// A whole wss stream with keep-alives, at level 9 in every category, with
// every secret set: the client secret (property and environment), the
// handshake signature it makes, the emulator's webhook secret token, and
// the credentials of the HTTP proxy it goes through (a real tinyproxy).
GST_START_TEST(no_secret_at_any_level) {
  EmulatorRun emulator;
  // Keep-alives on the streaming media socket too, so their log lines are
  // checked (Zoom sends them only on an idle one).
  emulator.start({"--script", meeting_script("short.json"), "--tls", "--keepalive-interval",
                  "200", "--keepalive-when-busy", "--client-secret", kClientSecret,
                  "--webhook-secret", kWebhookSecret});
  rtms::Result<rtms::Webhook> hook = rtms::parse_webhook(emulator.webhook_json);
  fail_unless(bool(hook), "the emulator's webhook does not parse");
  std::string signature =
      rtms::handshake_signature(E2E_CLIENT_ID, hook.value().identity.instance_id,
                                hook.value().rtms_stream_id, kClientSecret);
  ProxyRun::Options proxy_options;
  proxy_options.user = "proxy-user";
  proxy_options.password = kProxyPassword;
  ProxyRun proxy(proxy_options);
  std::string basic_pair = std::string("proxy-user:") + kProxyPassword;
  gchar *basic = g_base64_encode(reinterpret_cast<const guchar *>(basic_pair.data()), basic_pair.size());
  std::string proxy_authorization = basic;
  g_free(basic);
  LogCapture log;
  // Whole values, and long enough parts of them that a cut or a prefix
  // ("abc…") would still be caught.
  log.needles = {kClientSecret, kWebhookSecret, signature, signature.substr(0, 16),
                 signature.substr(signature.size() - 16), std::string(kClientSecret).substr(3, 12),
                 std::string(kWebhookSecret).substr(3, 12), kUrlToken, kProxyPassword,
                 std::string(kProxyPassword).substr(3, 12), proxy_authorization,
                 proxy_authorization.substr(4, 16)};
  g_setenv("ZM_RTMS_SECRET", kClientSecret, TRUE);
  start_capture(log, "*:9");
  {
    Capture capture("keepalive-timeout=2000");
    configure_src(capture, emulator, kClientSecret);
    std::string url = emulator.signaling_url + "?access_token=" + kUrlToken;
    g_object_set(capture.src, "server-urls", url.c_str(), "proxy", proxy.url(true).c_str(), nullptr);
    // The property reads back without the credentials.
    gchar *shown = nullptr;
    g_object_get(capture.src, "proxy", &shown, nullptr);
    const std::string plain = proxy.url(false);
    fail_unless_equals_string(shown, plain.c_str());
    g_free(shown);
    fail_unless(capture.run(60 * GST_SECOND));
    fail_if(capture.error != nullptr, "%s", capture.error_text().c_str());
    // No ssl-strict=false here: nothing may say a certificate went unchecked.
    fail_if(capture.has_warning({"not verified"}));
    JsonObject *manifest = emulator.finish();
    fail_unless(check_audio_matches_manifest(capture, manifest, false) >= 2);
    fail_unless(json_int_path(manifest, "keepalives.signaling.answered") > 0,
                "the emulator saw no keep-alive answered");
  }
  fail_unless(proxy.log().find("CONNECT ") != std::string::npos, "the stream did not use the proxy");
  stop_capture();
  g_unsetenv("ZM_RTMS_SECRET");

  fail_unless(log.total > 10000, "only %" G_GUINT64_FORMAT " lines at level 9", log.total);
  fail_unless(log.leaks.empty(), "%zu line(s) hold a secret, e.g.: %s", log.leaks.size(),
              log.leaks.empty() ? "" : log.leaks.front().c_str());
  // The new categories saw the stream: handshakes, keep-alives, TLS, threads.
  fail_unless(count_lines(log, "rtmssession", "sending SIGNALING_HAND_SHAKE_REQ") == 1, "%s",
              dump(log, "rtmssession").c_str());
  fail_unless(count_lines(log, "rtmssession", "signaling: handshake accepted") == 1);
  fail_unless(count_lines(log, "rtmssession", "media(all): media handshake accepted") == 1);
  fail_unless(count_lines(log, "rtmssession", "signaling: keep-alive") > 0, "%s",
              dump(log, "rtmssession").c_str());
  fail_unless(count_lines(log, "rtmssession", "media(all): keep-alive") > 0);
  fail_unless(count_lines(log, "rtmssession", "stream ended (MEETING_ENDED)") == 1);
  fail_unless(count_lines(log, "rtmswebsocket", "signaling: WebSocket open to wss://") == 1,
              "%s", dump(log, "rtmswebsocket").c_str());
  fail_unless(count_lines(log, "rtmswebsocket", "message of") > 0, "no TRACE lines");
  fail_unless(count_lines(log, "rtmswebsocket", "close frame from the server: code 1000") >= 1);
  fail_unless(count_lines(log, "rtmstls", "certificate verified") == 2, "%s",
              dump(log, "rtmstls").c_str());
  fail_unless(count_lines(log, "rtmsnet", "on network thread rtms-net-") == 1, "%s",
              dump(log, "rtmsnet").c_str());
  // Lines of several streams are told apart: every session line names its stream.
  std::string tag = "[" + hook.value().rtms_stream_id + "]";
  fail_unless(count_lines(log, "rtmssession", tag.c_str()) == log.lines["rtmssession"].size());
}
GST_END_TEST;

// Thresholds raised while a stream runs take effect in that stream, and a
// category left at 0 stays silent.
GST_START_TEST(levels_follow_thresholds) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json"), "--keepalive-interval", "100"});
  LogCapture log;
  start_capture(log, "rtms*:0");
  {
    Capture capture("keepalive-timeout=400");
    configure_src(capture, emulator);
    capture.play();
    fail_if(capture.wait(1 * GST_SECOND), "the stream ended within a second");
    fail_unless_equals_int(int(count_lines(log, "rtmssession", "")), 0);
    gst_debug_set_threshold_from_string("rtmssession:6", FALSE);
    fail_unless(capture.wait(60 * GST_SECOND));
    fail_if(capture.error != nullptr, "%s", capture.error_text().c_str());
    emulator.finish();
  }
  stop_capture();
  fail_unless(count_lines(log, "rtmssession", "keep-alive") > 0, "%s",
              dump(log, "rtmssession").c_str());
  fail_unless(count_lines(log, "rtmssession", "stream ended") == 1);
  fail_unless_equals_int(int(count_lines(log, "rtmswebsocket", "")), 0);
  fail_unless_equals_int(int(count_lines(log, "rtmstls", "")), 0);
}
GST_END_TEST;

static Suite *logging_suite() {
  Suite *s = suite_create("rtmssrc-logging-e2e");
  TCase *tc = tcase_create("logging");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, no_secret_at_any_level);
  tcase_add_test(tc, levels_follow_thresholds);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(logging);
