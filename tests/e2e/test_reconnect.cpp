// End to end: the server drops a socket mid-stream (the emulator's "drop"
// fault). rtmssrc re-establishes it (media alone, or signaling and then
// media), and because the server keeps buffering audio meanwhile, every
// packet still arrives, in order, on the same pads.
#include "e2e_common.h"

static void drop_and_recover(const char *socket, const char *reconnected_socket_prefix) {
  EmulatorRun emulator;
  std::string inject = std::string("drop@800:") + socket;
  emulator.start({"--script", meeting_script("short.json"), "--inject", inject,
                  "--reconnect-grace", "5000"});
  Capture capture("reconnect-delay=200");
  configure_src(capture, emulator);
  fail_unless(capture.run(60 * GST_SECOND), "no EOS");
  fail_if(capture.error != nullptr, "error: %s", capture.error_text().c_str());
  JsonObject *manifest = emulator.finish();
  JsonArray *injected = json_object_get_array_member(manifest, "injected");
  fail_unless(json_object_get_boolean_member(json_array_get_object_element(injected, 0), "sent"));
  // Nothing lost, nothing out of order: the byte-exact check of every participant.
  fail_unless(check_audio_matches_manifest(capture, manifest, false) >= 2);
  fail_unless(capture.has_element_message("rtms-reconnecting"));
  bool reconnected = false;
  for (auto *m : capture.element_messages) {
    const GstStructure *s = gst_message_get_structure(m);
    if (gst_structure_has_name(s, "rtms-reconnected") &&
        g_str_has_prefix(gst_structure_get_string(s, "socket"), reconnected_socket_prefix))
      reconnected = true;
  }
  fail_unless(reconnected, "no rtms-reconnected for %s", reconnected_socket_prefix);
  fail_unless(capture.has_warning({"reconnecting in"}));
  GstStructure *stats = nullptr;
  g_object_get(capture.src, "stats", &stats, nullptr);
  guint reconnects = 0;
  gst_structure_get_uint(stats, "reconnects", &reconnects);
  gst_structure_free(stats);
  fail_unless(reconnects >= 1);
}

GST_START_TEST(media_socket_dropped) {
  drop_and_recover("media", "media");
}
GST_END_TEST;

GST_START_TEST(signaling_socket_dropped) {
  drop_and_recover("signaling", "signaling");
}
GST_END_TEST;

GST_START_TEST(no_reconnection_when_turned_off) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json"), "--inject", "drop@800:media"});
  Capture capture("reconnect-delay=0");
  configure_src(capture, emulator);
  capture.run(30 * GST_SECOND);
  fail_unless(capture.error != nullptr, "a dropped socket went unnoticed");
  std::string text = capture.error_text();
  fail_unless(text.find("media") != std::string::npos && text.find("1011") != std::string::npos,
              "%s", text.c_str());
}
GST_END_TEST;

// A half-open connection never closes by itself: a socket on which nothing
// arrives for keepalive-timeout is presumed dead. The emulator's keep-alives
// are made too rare (20 s) for a 3 s meeting, so its signaling socket falls
// silent between the join and speaker events (up to 800 ms apart).
GST_START_TEST(silent_socket_is_presumed_dead) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json"), "--keepalive-interval", "20000"});
  Capture capture("reconnect-delay=0 keepalive-timeout=500");
  configure_src(capture, emulator);
  capture.run(30 * GST_SECOND);
  fail_unless(capture.error != nullptr, "a silent signaling socket went unnoticed");
  std::string text = capture.error_text();
  fail_unless(text.find("nothing arrived on the signaling socket") != std::string::npos &&
                  text.find("presumed dead") != std::string::npos,
              "%s", text.c_str());
}
GST_END_TEST;

GST_START_TEST(silent_socket_is_re_established) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json"), "--keepalive-interval", "20000",
                  "--reconnect-grace", "5000"});
  Capture capture("reconnect-delay=200 keepalive-timeout=500");
  configure_src(capture, emulator);
  fail_unless(capture.run(60 * GST_SECOND), "no EOS");
  fail_if(capture.error != nullptr, "error: %s", capture.error_text().c_str());
  bool silent = false;
  for (auto *m : capture.element_messages) {
    const GstStructure *s = gst_message_get_structure(m);
    const char *reason = gst_structure_get_string(s, "reason");
    if (gst_structure_has_name(s, "rtms-reconnecting") && reason &&
        std::string(reason).find("nothing arrived on the signaling socket") != std::string::npos)
      silent = true;
  }
  fail_unless(silent, "no reconnection for the silent signaling socket");
  fail_unless(capture.has_element_message("rtms-reconnected"));
  JsonObject *manifest = emulator.finish();
  fail_unless(check_audio_matches_manifest(capture, manifest, false) >= 2);
}
GST_END_TEST;

// Keep-alives count: an idle socket that gets them is alive.
GST_START_TEST(keepalives_keep_an_idle_socket_alive) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json"), "--keepalive-interval", "300"});
  Capture capture("reconnect-delay=0 keepalive-timeout=1500");
  configure_src(capture, emulator);
  fail_unless(capture.run(60 * GST_SECOND), "no EOS");
  fail_if(capture.error != nullptr, "error: %s", capture.error_text().c_str());
  fail_if(capture.has_element_message("rtms-reconnecting"));
  JsonObject *manifest = emulator.finish();
  fail_unless(check_audio_matches_manifest(capture, manifest, false) >= 2);
}
GST_END_TEST;

static Suite *reconnect_suite() {
  Suite *s = suite_create("rtmssrc-reconnect-e2e");
  TCase *tc = tcase_create("reconnect");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, media_socket_dropped);
  tcase_add_test(tc, signaling_socket_dropped);
  tcase_add_test(tc, no_reconnection_when_turned_off);
  tcase_add_test(tc, silent_socket_is_presumed_dead);
  tcase_add_test(tc, silent_socket_is_re_established);
  tcase_add_test(tc, keepalives_keep_an_idle_socket_alive);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(reconnect);
