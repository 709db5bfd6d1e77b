// End to end: rtms_stopped in the middle of a meeting, and SIGTERM during a
// recording, both end the pipeline with EOS: the stream is closed on the
// server's side and the WAV files are finalized and playable.
#include <gst/check/gstcheck.h>

#include "emulator_run.h"
#include "gateway_run.h"
#include "recording_checks.h"

// Returns when the webhook was posted (g_get_monotonic_time()).
static gint64 start_recording(GatewayRun &gw, EmulatorRun &emulator) {
  gw.start();
  emulator.start({"--script", meeting_script("short.json")});
  gint64 posted = g_get_monotonic_time();
  fail_unless_equals_int(gw.post_signed(emulator.webhook_json).status, 200);
  fail_unless(gw.wait_metric("rtms_gateway_streams_started_total", 1, 5000), "the stream did not start");
  // short.json, in 20 ms packets: Alice talks from 0 to 1.2 s (60), Bob from
  // 1 s on; 100 packets mean 1.8 s of meeting time, both have spoken for a
  // while. Counted by meeting time, not wall time: under a sanitizer the
  // handshakes alone can take half a second.
  fail_unless(gw.wait_metric_at_least("rtms_gateway_media_buffers_total{media=\"audio\"}", 100, 10000),
              "the audio did not reach 1.8 s of the meeting");
  return posted;
}

// The longest a file may be, called once the stream has ended. Every file
// starts with the pipeline, before the stream connects, and the emulator
// encodes the meeting's video before it accepts the media handshake (0.3 s
// on an idle machine, 3 s on a loaded one): a file is longer than the 1.8 s
// of meeting it holds by all that, so no fixed bound fits. It is no longer
// than the pipeline lived, from the webhook to the end of the stream; 0.5 s
// more for timestamps that follow the server's clock, not ours.
static GstClockTime longest_file(gint64 posted) {
  return GstClockTime(g_get_monotonic_time() - posted) * GST_USECOND + 500 * GST_MSECOND;
}

GST_START_TEST(rtms_stopped_finalizes_the_files) {
  GatewayRun gw;
  EmulatorRun emulator;
  gint64 posted = start_recording(gw, emulator);
  fail_unless_equals_int(gw.post_signed(stopped_webhook_for(emulator.webhook_json)).status, 200);
  fail_unless(gw.wait_metric("rtms_gateway_active_streams", 0, 5000), "the stream did not end");
  GstClockTime longest = longest_file(posted);
  fail_unless_equals_int(gw.metric("rtms_gateway_stream_events_total{action=\"stopped\"}"), 1);
  JsonObject *manifest = emulator.finish();
  fail_unless(json_object_get_boolean_member(json_object_get_object_member(manifest, "client"), "stream_close_req"),
              "the gateway did not close the stream on the server");
  check_wav_per_participant(gw, manifest, 500 * GST_MSECOND, longest);
  fail_unless_equals_int(gw.terminate(5000), 0);
}
GST_END_TEST;

GST_START_TEST(sigterm_finalizes_the_files) {
  GatewayRun gw;
  EmulatorRun emulator;
  gint64 posted = start_recording(gw, emulator);
  fail_unless_equals_int(gw.terminate(12000), 0);
  GstClockTime longest = longest_file(posted);
  JsonObject *manifest = emulator.finish();
  fail_unless(json_object_get_boolean_member(json_object_get_object_member(manifest, "client"), "stream_close_req"));
  check_wav_per_participant(gw, manifest, 500 * GST_MSECOND, longest);
}
GST_END_TEST;

static Suite *stop_suite() {
  Suite *s = suite_create("gateway-stop");
  TCase *tc = tcase_create("stop");
  tcase_set_timeout(tc, 90);
  tcase_add_test(tc, rtms_stopped_finalizes_the_files);
  tcase_add_test(tc, sigterm_finalizes_the_files);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(stop);
