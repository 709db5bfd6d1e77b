// End to end: server failover. A second rtms_started for the running stream
// names another server; setting it on the running element moves the stream
// there without an error, keeping pads, one time base and monotonic PTS.
#include "e2e_common.h"


GST_START_TEST(second_rtms_started_moves_the_stream) {
  EmulatorRun first;
  first.start({"--script", meeting_script("default.json"), "--reconnect-grace", "500"});
  EmulatorRun second;
  second.start({"--script", meeting_script("short.json")});
  // Both play the same stream id, as Zoom's servers would.
  Capture capture("");
  configure_src(capture, first);
  capture.play();
  capture.wait(1500 * GST_MSECOND);
  fail_if(capture.error != nullptr, "%s", capture.error_text().c_str());
  guint64 before = total_bytes(capture);
  fail_unless(before > 0, "no media from the first server");
  size_t pads_before = capture.pads.size();

  g_object_set(capture.src, "webhook-payload", second.webhook_json.c_str(), nullptr);
  fail_unless(capture.wait(60 * GST_SECOND), "no EOS after the failover");
  fail_if(capture.error != nullptr, "error: %s", capture.error_text().c_str());
  fail_unless(capture.has_element_message("rtms-reconnecting"));
  fail_unless(capture.has_element_message("rtms-reconnected"));

  JsonObject *manifest = second.finish();
  check_no_violations(manifest);
  fail_unless_equals_int64(json_int_path(manifest, "client.signaling_handshakes"), 1);
  // Everything the second server sent arrived, on the pads that already
  // existed (same participants), after what came from the first one.
  JsonObject *audio = json_object_path(manifest, "audio");
  gint64 second_bytes = 0;
  GList *members = json_object_get_members(audio);
  for (GList *l = members; l; l = l->next)
    second_bytes += json_object_get_int_member(json_object_get_object_member(audio, (const char *)l->data), "bytes");
  g_list_free(members);
  fail_unless(total_bytes(capture) >= before + guint64(second_bytes),
              "%" G_GUINT64_FORMAT " bytes, expected at least %" G_GUINT64_FORMAT " + %" G_GINT64_FORMAT,
              total_bytes(capture), before, second_bytes);
  fail_unless(capture.pads.size() <= pads_before + 1);
  std::lock_guard<std::mutex> guard(capture.lock);
  for (auto &kv : capture.pads) {
    PadCapture *pad = kv.second.get();
    fail_unless(pad->eos);
    for (size_t i = 1; i < pad->pts.size(); i++)
      fail_unless(pad->pts[i] > pad->pts[i - 1], "%s: PTS not increasing at %zu",
                  pad->pad_name.c_str(), i);
  }
}
GST_END_TEST;

static Suite *failover_suite() {
  Suite *s = suite_create("rtmssrc-failover-e2e");
  TCase *tc = tcase_create("failover");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, second_rtms_started_moves_the_stream);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(failover);
