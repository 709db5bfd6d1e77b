// End to end: what the server refuses and what cannot be trusted ends in a
// clear element error, quickly, never a hang.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <thread>

#include "e2e_common.h"

static void expect_handshake_error(const char *secret, bool wrong_stream, int status_code,
                                   const char *status_name) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json"), "--wait-client", "5000"});
  Capture capture("");
  configure_src(capture, emulator, secret);
  if (wrong_stream) g_object_set(capture.src, "stream-id", "ffffffffffffffffffffffffffffffff", nullptr);
  capture.run(10 * GST_SECOND);
  fail_unless(capture.error != nullptr, "no error");
  // "within a second" of starting
  fail_unless(capture.error_after < GST_SECOND, "error after %" GST_TIME_FORMAT,
              GST_TIME_ARGS(capture.error_after));
  const GstStructure *details = capture.error_details();
  fail_unless(details != nullptr, "the error has no details");
  int code = -1;
  fail_unless(gst_structure_get_int(details, "rtms-status-code", &code));
  fail_unless_equals_int(code, status_code);
  fail_unless_equals_string(gst_structure_get_string(details, "rtms-status-name"), status_name);
  std::string text = capture.error_text();
  fail_unless(text.find(status_name) != std::string::npos, "error text: %s", text.c_str());
  GError *err = nullptr;
  gst_message_parse_error(capture.error, &err, nullptr);
  fail_unless(g_error_matches(err, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_AUTHORIZED));
  g_clear_error(&err);
  // Secrets never appear in what the user sees.
  fail_if(text.find(E2E_CLIENT_SECRET) != std::string::npos);
}

GST_START_TEST(wrong_secret_is_refused) {
  expect_handshake_error("not-the-secret", false, 3, "INVALID_SIGNATURE");
}
GST_END_TEST;

GST_START_TEST(unknown_stream_is_refused) {
  expect_handshake_error(E2E_CLIENT_SECRET, true, 2, "INVALID_RTMS_STREAM_ID");
}
GST_END_TEST;

GST_START_TEST(untrusted_certificate) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json"), "--tls", "--wait-client", "5000"});
  Capture capture("");
  // The webhook and credentials, but not the emulator's CA: the system store
  // does not know it.
  g_object_set(capture.src, "webhook-payload", emulator.webhook_json.c_str(), "client-id",
               E2E_CLIENT_ID, "client-secret", E2E_CLIENT_SECRET, nullptr);
  capture.run(10 * GST_SECOND);
  fail_unless(capture.error != nullptr, "an untrusted certificate was accepted");
  std::string text = capture.error_text();
  fail_unless(text.find("TLS certificate is not trusted") != std::string::npos, "%s", text.c_str());
  fail_unless(text.find("unknown certificate authority") != std::string::npos, "%s", text.c_str());
  fail_unless(text.find("ssl-ca-file") != std::string::npos, "%s", text.c_str());
}
GST_END_TEST;

// A server that answers the WebSocket upgrade with a plain HTTP error, as a
// wrong URL or a proxy would: the error names the answer.
GST_START_TEST(upgrade_refused_by_http_server) {
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  fail_unless(listener >= 0);
  struct sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  fail_unless(bind(listener, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  fail_unless(getsockname(listener, reinterpret_cast<sockaddr *>(&addr), &len) == 0);
  fail_unless(listen(listener, 4) == 0);
  std::thread server([listener] {
    int client = accept(listener, nullptr, nullptr);
    if (client < 0) return;
    char request[4096];
    ssize_t got = 0, n;
    while (got < ssize_t(sizeof request) - 1 &&
           (n = read(client, request + got, sizeof request - 1 - size_t(got))) > 0) {
      got += n;
      request[got] = 0;
      if (strstr(request, "\r\n\r\n")) break;
    }
    const char answer[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
    if (write(client, answer, sizeof answer - 1) < 0) {
    }
    close(client);
  });
  std::string url = "ws://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/nothing-here";
  Capture capture("");
  g_object_set(capture.src, "server-urls", url.c_str(), "stream-id",
               "609340fb2a7946909659956c8aa9250c", "meeting-uuid", "4444AAAiAAAAAiAiAiiAii==",
               "client-id", E2E_CLIENT_ID, "client-secret", E2E_CLIENT_SECRET, nullptr);
  capture.run(10 * GST_SECOND);
  server.join();
  close(listener);
  fail_unless(capture.error != nullptr, "no error");
  std::string text = capture.error_text();
  fail_unless(text.find("signaling WebSocket " + url) != std::string::npos, "%s", text.c_str());
  fail_unless(text.find("HTTP 404 Not Found instead of switching to WebSocket") != std::string::npos,
              "%s", text.c_str());
}
GST_END_TEST;

GST_START_TEST(ssl_strict_off_accepts_any_certificate) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json"), "--tls"});
  Capture capture("ssl-strict=false");
  g_object_set(capture.src, "webhook-payload", emulator.webhook_json.c_str(), "client-id",
               E2E_CLIENT_ID, "client-secret", E2E_CLIENT_SECRET, nullptr);
  fail_unless(capture.run(60 * GST_SECOND));
  fail_if(capture.error != nullptr, "%s", capture.error_text().c_str());
  JsonObject *manifest = emulator.finish();
  fail_unless(check_audio_matches_manifest(capture, manifest, false) >= 2);
}
GST_END_TEST;

GST_START_TEST(credentials_from_environment) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json")});
  g_setenv("ZM_RTMS_CLIENT", E2E_CLIENT_ID, TRUE);
  g_setenv("ZM_RTMS_SECRET", E2E_CLIENT_SECRET, TRUE);
  Capture capture("");
  g_object_set(capture.src, "webhook-payload", emulator.webhook_json.c_str(), nullptr);
  bool done = capture.run(60 * GST_SECOND);
  g_unsetenv("ZM_RTMS_CLIENT");
  g_unsetenv("ZM_RTMS_SECRET");
  fail_unless(done);
  fail_if(capture.error != nullptr, "%s", capture.error_text().c_str());
  JsonObject *manifest = emulator.finish();
  fail_unless(check_audio_matches_manifest(capture, manifest, false) >= 2);
}
GST_END_TEST;

// Every debug line of a whole stream, at the most verbose level, is free of
// the client secret.
static GString *debug_log = nullptr;
static std::mutex debug_log_lock;

static void collect_log(GstDebugCategory *, GstDebugLevel, const gchar *, const gchar *, gint,
                        GObject *, GstDebugMessage *message, gpointer) {
  std::lock_guard<std::mutex> guard(debug_log_lock);
  const gchar *text = gst_debug_message_get(message);
  if (text) g_string_append_printf(debug_log, "%s\n", text);
}

GST_START_TEST(secret_never_logged) {
  debug_log = g_string_new(nullptr);
  gst_debug_set_active(TRUE);
  gst_debug_set_threshold_from_string("rtmssrc:9", FALSE);
  gst_debug_add_log_function(collect_log, nullptr, nullptr);
  {
    EmulatorRun emulator;
    emulator.start({"--script", meeting_script("short.json")});
    Capture capture("");
    configure_src(capture, emulator);
    fail_unless(capture.run(60 * GST_SECOND));
    fail_if(capture.error != nullptr, "%s", capture.error_text().c_str());
    gchar *dump = nullptr;
    g_object_get(capture.src, "client-id", &dump, nullptr);
    g_free(dump);
  }
  gst_debug_remove_log_function(collect_log);
  gst_debug_set_threshold_from_string("rtmssrc:0", TRUE);
  std::lock_guard<std::mutex> guard(debug_log_lock);
  fail_unless(debug_log->len > 1000, "too little was logged (%zu bytes) to prove anything",
              debug_log->len);
  fail_if(strstr(debug_log->str, E2E_CLIENT_SECRET) != nullptr, "the client secret was logged");
  g_string_free(debug_log, TRUE);
  debug_log = nullptr;
}
GST_END_TEST;

static Suite *errors_suite() {
  Suite *s = suite_create("rtmssrc-errors-e2e");
  TCase *tc = tcase_create("errors");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, wrong_secret_is_refused);
  tcase_add_test(tc, unknown_stream_is_refused);
  tcase_add_test(tc, untrusted_certificate);
  tcase_add_test(tc, upgrade_refused_by_http_server);
  tcase_add_test(tc, ssl_strict_off_accepts_any_certificate);
  tcase_add_test(tc, credentials_from_environment);
  tcase_add_test(tc, secret_never_logged);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(errors);
