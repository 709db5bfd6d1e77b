// End to end: stopping a running stream from our side, by EOS or by a state
// change, closes it on the server (STREAM_CLOSE_REQ) and loses nothing that
// was pushed.
#include "e2e_common.h"


// Every push mode: with network-thread, audio is pushed from the session's
// thread, with shared-threads (the default) from the process's push pool,
// which the EOS and the state change must stop cleanly too.
static const char *const kNetworkThread = "push-mode=network-thread";
static const char *const kPadThreads = "push-mode=pad-threads";
static const char *const kSharedThreads = "";

// Streams default.json for 1.5 s, which must bring no error.
static void start_streaming(EmulatorRun &emulator, Capture &capture) {
  emulator.start({"--script", meeting_script("default.json")});
  configure_src(capture, emulator);
  capture.play();
  capture.wait(1500 * GST_MSECOND);
  fail_if(capture.error != nullptr, "%s", capture.error_text().c_str());
}

static void eos_closes_the_stream(const char *src_properties) {
  EmulatorRun emulator;
  Capture capture(src_properties);
  // Let media flow, then end it from the application's side.
  start_streaming(emulator, capture);
  fail_unless(total_bytes(capture) > 0, "no media before the EOS");
  gst_element_send_event(capture.pipeline, gst_event_new_eos());
  fail_unless(capture.wait(10 * GST_SECOND), "no EOS after sending EOS");
  fail_if(capture.error != nullptr, "%s", capture.error_text().c_str());
  for (auto &kv : capture.pads) fail_unless(kv.second->eos, "%s: no EOS", kv.first.c_str());
  JsonObject *manifest = emulator.finish();
  JsonObject *client = json_object_path(manifest, "client");
  fail_unless(json_object_get_boolean_member(client, "stream_close_req"),
              "the emulator did not get STREAM_CLOSE_REQ");
  fail_unless_equals_int64(json_int_path(manifest, "stop_reason"), 20);
  check_no_violations(manifest);
}

GST_START_TEST(eos_closes_the_stream_pad_threads) {
  eos_closes_the_stream(kPadThreads);
}
GST_END_TEST;

GST_START_TEST(eos_closes_the_stream_shared_threads) {
  eos_closes_the_stream(kSharedThreads);
}
GST_END_TEST;

GST_START_TEST(eos_closes_the_stream_network_thread) {
  eos_closes_the_stream(kNetworkThread);
}
GST_END_TEST;

static void stopping_the_pipeline_closes_the_stream(const char *src_properties) {
  EmulatorRun emulator;
  Capture capture(src_properties);
  start_streaming(emulator, capture);
  fail_unless(total_bytes(capture) > 0, "no media before stopping");
  gint64 start = g_get_monotonic_time();
  gst_element_set_state(capture.pipeline, GST_STATE_NULL);
  gint64 took_ms = (g_get_monotonic_time() - start) / 1000;
  fail_unless(took_ms < 3000, "stopping took %" G_GINT64_FORMAT " ms", took_ms);
  JsonObject *manifest = emulator.finish();
  JsonObject *client = json_object_path(manifest, "client");
  fail_unless(json_object_get_boolean_member(client, "stream_close_req"));
  check_no_violations(manifest);
}

GST_START_TEST(stopping_the_pipeline_pad_threads) {
  stopping_the_pipeline_closes_the_stream(kPadThreads);
}
GST_END_TEST;

GST_START_TEST(stopping_the_pipeline_shared_threads) {
  stopping_the_pipeline_closes_the_stream(kSharedThreads);
}
GST_END_TEST;

GST_START_TEST(stopping_the_pipeline_network_thread) {
  stopping_the_pipeline_closes_the_stream(kNetworkThread);
}
GST_END_TEST;

// A live source produces in PLAYING: what arrives while the pipeline is
// PAUSED waits in the pads and none of it is lost or reordered.
static void paused_first_loses_nothing(const char *src_properties) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json")});
  Capture capture(src_properties);
  configure_src(capture, emulator);
  fail_if(gst_element_set_state(capture.pipeline, GST_STATE_PAUSED) == GST_STATE_CHANGE_FAILURE);
  g_usleep(1500 * 1000);
  JsonObject *manifest = run_to_end(capture, emulator);
  fail_unless(check_audio_matches_manifest(capture, manifest, false) >= 2);
}

GST_START_TEST(paused_first_pad_threads) {
  paused_first_loses_nothing(kPadThreads);
}
GST_END_TEST;

GST_START_TEST(paused_first_shared_threads) {
  paused_first_loses_nothing(kSharedThreads);
}
GST_END_TEST;

GST_START_TEST(paused_first_network_thread) {
  paused_first_loses_nothing(kNetworkThread);
}
GST_END_TEST;

GST_START_TEST(restart_after_stop) {
  // A second stream in the same process and element (a crash in the SDK).
  for (int round = 0; round < 2; round++) {
    EmulatorRun emulator;
    emulator.start({"--script", meeting_script("short.json")});
    Capture capture("");
    configure_src(capture, emulator);
    fail_unless(capture.run(60 * GST_SECOND));
    fail_if(capture.error != nullptr, "%s", capture.error_text().c_str());
    JsonObject *manifest = emulator.finish();
    fail_unless(check_audio_matches_manifest(capture, manifest, false) >= 2);
  }
}
GST_END_TEST;

// The LATENCY answer of a pad: live, and as low as the source can be
// (jitter allowance + one packet + the network thread's wake interval).
static void check_pad_latency(const char *src_properties, GstClockTime expected) {
  EmulatorRun emulator;
  Capture capture(src_properties);
  start_streaming(emulator, capture);
  std::string name;
  {
    std::lock_guard<std::mutex> guard(capture.lock);
    fail_if(capture.pads.empty(), "no pad after 1.5 s");
    name = capture.pads.begin()->first;
  }
  GstPad *pad = gst_element_get_static_pad(capture.src, name.c_str());
  fail_unless(pad != nullptr, "no pad %s", name.c_str());
  GstQuery *query = gst_query_new_latency();
  fail_unless(gst_pad_query(pad, query), "%s: LATENCY query not answered", name.c_str());
  gboolean live = FALSE;
  GstClockTime min = 0, max = 0;
  gst_query_parse_latency(query, &live, &min, &max);
  fail_unless(live, "%s: not live", name.c_str());
  fail_unless_equals_uint64(min, expected);
  fail_unless(!GST_CLOCK_TIME_IS_VALID(max), "%s: a maximum latency", name.c_str());
  gst_query_unref(query);
  gst_object_unref(pad);
  gst_element_set_state(capture.pipeline, GST_STATE_NULL);
}

GST_START_TEST(latency_query_pad_threads) {
  check_pad_latency("latency=50 audio-send-rate=20 push-mode=pad-threads", 70 * GST_MSECOND);
}
GST_END_TEST;

// shared-threads: the pool's batch window (1 ms) on top.
GST_START_TEST(latency_query_shared_threads) {
  check_pad_latency("latency=50 audio-send-rate=20", 71 * GST_MSECOND);
}
GST_END_TEST;

GST_START_TEST(latency_query_wake_interval) {
  check_pad_latency("latency=50 audio-send-rate=20 push-mode=network-thread wake-interval=5000",
                    75 * GST_MSECOND);
}
GST_END_TEST;

static Suite *lifecycle_suite() {
  Suite *s = suite_create("rtmssrc-lifecycle-e2e");
  TCase *tc = tcase_create("lifecycle");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, eos_closes_the_stream_pad_threads);
  tcase_add_test(tc, eos_closes_the_stream_shared_threads);
  tcase_add_test(tc, eos_closes_the_stream_network_thread);
  tcase_add_test(tc, stopping_the_pipeline_pad_threads);
  tcase_add_test(tc, stopping_the_pipeline_shared_threads);
  tcase_add_test(tc, stopping_the_pipeline_network_thread);
  tcase_add_test(tc, paused_first_pad_threads);
  tcase_add_test(tc, paused_first_shared_threads);
  tcase_add_test(tc, paused_first_network_thread);
  tcase_add_test(tc, restart_after_stop);
  tcase_add_test(tc, latency_query_pad_threads);
  tcase_add_test(tc, latency_query_shared_threads);
  tcase_add_test(tc, latency_query_wake_interval);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(lifecycle);
