// End to end through a real HTTP proxy (Debian's tinyproxy on loopback):
// the WebSockets go through CONNECT tunnels, TLS stays end to end with the
// emulator (its certificate verified against its CA and name), and every
// byte still arrives. The proxy comes from the environment here, as curl
// reads it (https_proxy, http_proxy, no_proxy); refusals are element errors
// that name the proxy and its HTTP status, never its credentials.
#include "e2e_common.h"
#include "proxy_run.h"

// "127.0.0.1:PORT" of the emulator's signaling URL (media is served on the
// same port).
static std::string server_host_port(const EmulatorRun &emulator) {
  GUri *uri = g_uri_parse(emulator.signaling_url.c_str(), G_URI_FLAGS_NONE, nullptr);
  fail_unless(uri != nullptr);
  std::string hp = std::string(g_uri_get_host(uri)) + ":" + std::to_string(g_uri_get_port(uri));
  g_uri_unref(uri);
  return hp;
}

static void clear_proxy_environment() {
  for (const char *name : {"https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy",
                           "ALL_PROXY", "no_proxy", "NO_PROXY"})
    g_unsetenv(name);
}

GST_START_TEST(wss_through_the_proxy_byte_exact) {
  clear_proxy_environment();
  ProxyRun proxy;
  EmulatorRun emulator;
  emulator.start({"--tls", "--script", meeting_script("short.json")});
  g_setenv("https_proxy", proxy.url().c_str(), TRUE);
  Capture capture("");
  configure_src(capture, emulator);
  JsonObject *manifest = run_to_end(capture, emulator);
  fail_unless(check_audio_matches_manifest(capture, manifest, false) >= 2);
  // Signaling and media both went through the proxy.
  fail_unless(proxy.connects_to(server_host_port(emulator)) >= 2, "proxy log:\n%s",
              proxy.log().c_str());
}
GST_END_TEST;

GST_START_TEST(ws_uses_http_proxy_and_no_proxy_bypasses) {
  clear_proxy_environment();
  ProxyRun proxy;
  {
    EmulatorRun emulator;
    emulator.start({"--script", meeting_script("short.json")});
    g_setenv("http_proxy", proxy.url().c_str(), TRUE);
    Capture capture("");
    configure_src(capture, emulator);
    JsonObject *manifest = run_to_end(capture, emulator);
    fail_unless(check_audio_matches_manifest(capture, manifest, false) >= 2);
    fail_unless(proxy.connects_to(server_host_port(emulator)) >= 2, "proxy log:\n%s",
                proxy.log().c_str());
  }
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json")});
  g_setenv("no_proxy", "localhost,127.0.0.1", TRUE);
  Capture capture("");
  configure_src(capture, emulator);
  JsonObject *manifest = run_to_end(capture, emulator);
  fail_unless(check_audio_matches_manifest(capture, manifest, false) >= 2);
  fail_unless_equals_int(proxy.connects_to(server_host_port(emulator)), 0);
}
GST_END_TEST;

GST_START_TEST(credentials_from_the_url_and_never_shown) {
  clear_proxy_environment();
  ProxyRun::Options options;
  options.user = "alice";
  options.password = "s3cret-pw";
  ProxyRun proxy(options);
  {
    EmulatorRun emulator;
    emulator.start({"--tls", "--script", meeting_script("short.json")});
    g_setenv("https_proxy", proxy.url(true).c_str(), TRUE);
    Capture capture("");
    configure_src(capture, emulator);
    JsonObject *manifest = run_to_end(capture, emulator);
    fail_unless(check_audio_matches_manifest(capture, manifest, false) >= 2);
  }
  // Without them: 407, named, and a hint; no retry storm, one clear error.
  EmulatorRun emulator;
  emulator.start({"--tls", "--script", meeting_script("short.json")});
  g_setenv("https_proxy", proxy.url(false).c_str(), TRUE);
  Capture capture("reconnect-delay=0");
  configure_src(capture, emulator);
  capture.run(30 * GST_SECOND);
  fail_unless(capture.error != nullptr, "no error without proxy credentials");
  std::string text = capture.error_text();
  fail_unless(text.find("HTTP proxy " + proxy.url()) != std::string::npos, "%s", text.c_str());
  fail_unless(text.find("407") != std::string::npos, "%s", text.c_str());
  fail_unless(text.find("s3cret") == std::string::npos, "%s", text.c_str());
}
GST_END_TEST;

GST_START_TEST(refused_and_unreachable_proxies_are_named) {
  clear_proxy_environment();
  {
    ProxyRun::Options options;
    options.only_connect_port = 1;  // refuses the emulator's port
    ProxyRun proxy(options);
    EmulatorRun emulator;
    emulator.start({"--tls", "--script", meeting_script("short.json")});
    g_setenv("https_proxy", proxy.url().c_str(), TRUE);
    Capture capture("reconnect-delay=0");
    configure_src(capture, emulator);
    capture.run(30 * GST_SECOND);
    fail_unless(capture.error != nullptr, "a refusing proxy went unnoticed");
    std::string text = capture.error_text();
    fail_unless(text.find("HTTP proxy " + proxy.url() + " refused the tunnel") != std::string::npos,
                "%s", text.c_str());
    fail_unless(text.find("HTTP 403") != std::string::npos, "%s", text.c_str());
  }
  int closed = closed_loopback_port();
  std::string url = "http://user:hidden-pw@127.0.0.1:" + std::to_string(closed);
  EmulatorRun emulator;
  emulator.start({"--tls", "--script", meeting_script("short.json")});
  g_setenv("https_proxy", url.c_str(), TRUE);
  Capture capture("reconnect-delay=0");
  configure_src(capture, emulator);
  capture.run(30 * GST_SECOND);
  fail_unless(capture.error != nullptr, "an unreachable proxy went unnoticed");
  std::string text = capture.error_text();
  fail_unless(text.find("cannot connect to the HTTP proxy http://127.0.0.1:" +
                        std::to_string(closed)) != std::string::npos,
              "%s", text.c_str());
  fail_unless(text.find("hidden-pw") == std::string::npos, "%s", text.c_str());
  // A proxy variable that is not a usable proxy: named, its value not shown.
  g_setenv("https_proxy", "socks5://user:hidden-pw@127.0.0.1:1080", TRUE);
  EmulatorRun emulator2;
  emulator2.start({"--tls", "--script", meeting_script("short.json")});
  Capture capture2("reconnect-delay=0");
  configure_src(capture2, emulator2);
  capture2.run(30 * GST_SECOND);
  fail_unless(capture2.error != nullptr);
  text = capture2.error_text();
  fail_unless(text.find("https_proxy") != std::string::npos && text.find("SOCKS") != std::string::npos,
              "%s", text.c_str());
  fail_unless(text.find("hidden-pw") == std::string::npos, "%s", text.c_str());
}
GST_END_TEST;

// The server drops the media socket, then the signaling socket: both come
// back through the proxy (new tunnels) and nothing is lost.
GST_START_TEST(reconnection_through_the_proxy) {
  clear_proxy_environment();
  ProxyRun proxy;
  for (const char *socket : {"media", "signaling"}) {
    EmulatorRun emulator;
    emulator.start({"--tls", "--script", meeting_script("short.json"), "--inject",
                    std::string("drop@800:") + socket, "--reconnect-grace", "5000"});
    g_setenv("https_proxy", proxy.url().c_str(), TRUE);
    int before = proxy.connects_to(server_host_port(emulator));
    Capture capture("reconnect-delay=200");
    configure_src(capture, emulator);
    JsonObject *manifest = run_to_end(capture, emulator);
    fail_unless(check_audio_matches_manifest(capture, manifest, false) >= 2);
    fail_unless(capture.has_element_message("rtms-reconnected"), "%s not re-established", socket);
    fail_unless(proxy.connects_to(server_host_port(emulator)) - before >= 3, "%s: proxy log:\n%s",
                socket, proxy.log().c_str());
  }
}
GST_END_TEST;

// Failover to another server (a second rtms_started for the running stream)
// through the proxy: the new server's sockets are new tunnels, nothing is
// lost, the pads stay. ws:// here (http_proxy): each emulator has a CA of
// its own, and ssl-ca-file is read once, when the stream starts.
GST_START_TEST(failover_through_the_proxy) {
  clear_proxy_environment();
  ProxyRun proxy;
  EmulatorRun first;
  first.start({"--script", meeting_script("default.json"), "--reconnect-grace", "500"});
  EmulatorRun second;
  second.start({"--script", meeting_script("short.json")});
  g_setenv("http_proxy", proxy.url().c_str(), TRUE);
  Capture capture("");
  configure_src(capture, first);
  capture.play();
  capture.wait(1500 * GST_MSECOND);
  fail_if(capture.error != nullptr, "%s", capture.error_text().c_str());
  fail_unless(total_bytes(capture) > 0, "no media from the first server");
  g_object_set(capture.src, "webhook-payload", second.webhook_json.c_str(), nullptr);
  fail_unless(capture.wait(60 * GST_SECOND), "no EOS after the failover");
  fail_if(capture.error != nullptr, "error: %s", capture.error_text().c_str());
  fail_unless(capture.has_element_message("rtms-reconnected"));
  JsonObject *manifest = second.finish();
  check_no_violations(manifest);
  fail_unless(proxy.connects_to(server_host_port(first)) >= 2, "proxy log:\n%s", proxy.log().c_str());
  fail_unless(proxy.connects_to(server_host_port(second)) >= 2, "proxy log:\n%s",
              proxy.log().c_str());
}
GST_END_TEST;

static Suite *proxy_suite() {
  Suite *s = suite_create("rtmssrc-proxy-e2e");
  TCase *tc = tcase_create("proxy");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, wss_through_the_proxy_byte_exact);
  tcase_add_test(tc, ws_uses_http_proxy_and_no_proxy_bypasses);
  tcase_add_test(tc, credentials_from_the_url_and_never_shown);
  tcase_add_test(tc, refused_and_unreachable_proxies_are_named);
  tcase_add_test(tc, reconnection_through_the_proxy);
  tcase_add_test(tc, failover_through_the_proxy);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(proxy);
