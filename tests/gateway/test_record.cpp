// End to end: the emulator posts signed webhooks to the real gateway, which
// records the meeting to one WAV file per participant; a Zoom retry of the
// same rtms_started starts nothing more, nor does a second stream over --max-streams.
// With a custom template and --webvtt, transcript.vtt keeps the server's times.
#include <gst/check/gstcheck.h>

#include "emulator_run.h"
#include "gateway_run.h"
#include "recording_checks.h"

GST_START_TEST(signed_webhooks_record_the_meeting) {
  GatewayRun gw;
  gw.start({"--max-streams", "1"});
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json"), "--webhook-url", gw.url, "--webhook-secret",
                  GW_WEBHOOK_SECRET});
  fail_unless(gw.wait_metric("rtms_gateway_streams_started_total", 1, 5000), "the stream did not start");
  fail_unless_equals_int(gw.metric("rtms_gateway_active_streams"), 1);

  // Zoom retries a webhook it thinks was lost: same stream, same servers.
  fail_unless_equals_int(gw.post_signed(emulator.webhook_json).status, 200);
  fail_unless(gw.wait_metric("rtms_gateway_stream_events_total{action=\"duplicate\"}", 1, 2000));
  // Another stream while one runs, with --max-streams 1: refused.
  std::string other = emulator.webhook_json;
  other.replace(other.find("0123456789abcdef"), 16, "fedcba9876543210");
  fail_unless_equals_int(gw.post_signed(other).status, 200);
  fail_unless(gw.wait_metric("rtms_gateway_stream_events_total{action=\"limit\"}", 1, 2000));

  JsonObject *manifest = emulator.finish();
  fail_unless(gw.wait_metric("rtms_gateway_active_streams", 0, 10000), "the stream did not end");
  fail_unless_equals_int(gw.metric("rtms_gateway_streams_started_total"), 1);
  fail_unless_equals_int(gw.metric("rtms_gateway_webhooks_total{result=\"accepted\",reason=\"rtms_started\"}"), 3);
  fail_unless(gw.wait_metric("rtms_gateway_webhooks_total{result=\"accepted\",reason=\"rtms_stopped\"}", 1, 2000));
  fail_unless_equals_int(gw.metric("rtms_gateway_pipeline_errors_total"), 0);
  fail_unless_equals_int64(json_int_path(manifest, "client.signaling_handshakes"), 1);
  // short.json lasts 3 s (Bob joins at 200 ms); the files start with the pipeline, so they also
  // hold the time to connect and the emulator's video encoding before it
  // accepts the media handshake (3 s and more on a loaded 2-core CI machine).
  // The samples themselves are compared with the manifest below.
  fail_unless_equals_int(check_wav_per_participant(gw, manifest, 2 * GST_SECOND, 15 * GST_SECOND), 2);
  check_wav_content(stream_folders(gw).at(0), manifest);
  fail_unless_equals_int(gw.terminate(5000), 0);
}
GST_END_TEST;

// transcript.vtt of a custom template (--webvtt), default.json: lines that
// overlap (0-4 s, 3-5 s, 4.5-8.5 s) arrive after rtmssrc's GAPs have passed
// their start. Every cue keeps the server's start and length all the same.
GST_START_TEST(overlapping_lines_keep_server_times) {
  GatewayRun gw;
  gw.start({"--pipeline",
            "rtmssrc name=src push-mode=network-thread media=audio+transcript audio-mode=mixed "
            "src.audio_0 ! queue ! fakesink",
            "--webvtt"});
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("default.json"), "--webhook-url", gw.url, "--webhook-secret",
                  GW_WEBHOOK_SECRET});
  fail_unless(gw.wait_metric("rtms_gateway_streams_started_total", 1, 5000), "the stream did not start");
  JsonObject *manifest = emulator.finish();
  fail_unless(gw.wait_metric("rtms_gateway_active_streams", 0, 20000), "the stream did not end");
  fail_unless_equals_int(gw.metric("rtms_gateway_pipeline_errors_total"), 0);
  std::vector<std::string> folders = stream_folders(gw);
  fail_unless_equals_int(folders.size(), 1);
  fail_unless(json_array_get_length(json_object_get_array_member(manifest, "transcript")) == 8);
  check_vtt_matches_manifest(folders[0], manifest);
  fail_unless_equals_int(gw.terminate(5000), 0);
}
GST_END_TEST;

static Suite *record_suite() {
  Suite *s = suite_create("gateway-record");
  TCase *tc = tcase_create("record");
  tcase_set_timeout(tc, 90);
  tcase_add_test(tc, signed_webhooks_record_the_meeting);
  tcase_add_test(tc, overlapping_lines_keep_server_times);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(record);
