// End to end over HTTPS: the gateway serves the webhook endpoint with a
// certificate the test makes (its own CA, a server certificate for
// 127.0.0.1), the emulator posts its signed webhooks to https:// trusting
// that CA, and the meeting is recorded. A client that does not trust the CA,
// or talks plain HTTP to the port, gets nothing in.
#include <gst/check/gstcheck.h>

#include "emulator_run.h"
#include "gateway_run.h"
#include "recording_checks.h"

static void openssl(const std::string &dir, const std::vector<std::string> &args) {
  std::vector<const char *> argv = {"openssl"};
  for (const auto &a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  gchar *err = nullptr;
  gint status = 0;
  g_autoptr(GError) error = nullptr;
  gboolean ran = g_spawn_sync(dir.c_str(), const_cast<gchar **>(argv.data()), nullptr, G_SPAWN_SEARCH_PATH,
                              nullptr, nullptr, nullptr, &err, &status, &error);
  std::string why = err ? err : "";
  g_free(err);
  fail_unless(ran, "cannot run openssl (scripts/install-deps.sh installs it): %s", error ? error->message : "?");
  fail_unless(g_spawn_check_wait_status(status, nullptr), "openssl %s failed: %s", args[0].c_str(), why.c_str());
}

// ca.pem, server.pem and server.key (EC P-256) in dir.
static void make_certificates(const std::string &dir) {
  std::string ext = dir + "/server.ext";
  fail_unless(g_file_set_contents(ext.c_str(), "subjectAltName=IP:127.0.0.1,DNS:localhost\n", -1, nullptr));
  openssl(dir, {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
                "-out", "ca.pem", "-days", "2", "-subj", "/CN=rtms-gateway test CA"});
  openssl(dir, {"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "server.key",
                "-out", "server.csr", "-subj", "/CN=127.0.0.1"});
  openssl(dir, {"x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
                "server.pem", "-days", "2", "-extfile", ext});
}

GST_START_TEST(webhooks_over_https) {
  g_autofree char *tmp = g_dir_make_tmp("rtms-gw-tls-XXXXXX", nullptr);
  std::string dir = tmp;
  make_certificates(dir);
  GatewayRun gw;
  gw.ca_file = dir + "/ca.pem";
  gw.start({"--tls-cert", dir + "/server.pem", "--tls-key", dir + "/server.key"});
  fail_unless(g_str_has_prefix(gw.url.c_str(), "https://127.0.0.1:"), "ready line names %s", gw.url.c_str());
  fail_unless_equals_int(gw.get("/healthz").status, 200);

  // Without the CA the certificate is not trusted: no request gets through.
  g_autoptr(SoupSession) untrusting = soup_session_new();
  g_autoptr(SoupMessage) probe = soup_message_new("GET", (gw.base + "/healthz").c_str());
  g_autoptr(GError) error = nullptr;
  g_autoptr(GBytes) nothing = soup_session_send_and_read(untrusting, probe, nullptr, &error);
  fail_unless(error != nullptr && error->domain == G_TLS_ERROR, "an untrusting client got in: %s",
              error ? error->message : "no error");
  // Plain HTTP on the TLS port is not a request either.
  std::string plain = gw.raw_exchange("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 3000);
  fail_if(plain.find("200 OK") != std::string::npos, "plain HTTP was answered: %s", plain.c_str());

  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json"), "--webhook-url", gw.url, "--webhook-secret",
                  GW_WEBHOOK_SECRET, "--webhook-ca-file", dir + "/ca.pem"});
  JsonObject *manifest = emulator.finish();
  fail_unless(gw.wait_metric("rtms_gateway_active_streams", 0, 10000), "the stream did not end");
  fail_unless_equals_int(gw.metric("rtms_gateway_webhooks_total{result=\"accepted\",reason=\"rtms_started\"}"), 1);
  fail_unless(gw.wait_metric("rtms_gateway_webhooks_total{result=\"accepted\",reason=\"rtms_stopped\"}", 1, 3000));
  fail_unless_equals_int(gw.metric("rtms_gateway_pipeline_errors_total"), 0);
  // short.json lasts 3 s; the files start with the pipeline, so they also
  // hold the time to connect and the emulator's video encoding before it
  // accepts the media handshake (3 s and more on a loaded 2-core CI machine).
  // The samples themselves are compared with the manifest below.
  fail_unless_equals_int(check_wav_per_participant(gw, manifest, 2 * GST_SECOND, 15 * GST_SECOND), 2);
  check_wav_content(stream_folders(gw).at(0), manifest);
  fail_unless_equals_int(gw.terminate(5000), 0);
  remove_tree(dir);
}
GST_END_TEST;

static Suite *https_suite() {
  Suite *s = suite_create("gateway-https");
  TCase *tc = tcase_create("https");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, webhooks_over_https);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(https);
