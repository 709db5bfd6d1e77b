// End to end, the `record` template: the emulator's signed webhooks start
// the recording of a meeting with speakers, cameras of different sizes and a
// transcript; every file is checked against what the emulator sent: one WAV
// per participant with its audio, meeting.mkv (speaker video, mixed audio,
// subtitles) and transcript.vtt. /metrics counts what went through. SIGTERM
// in the middle of a meeting still leaves a playable Matroska file.
#include <gst/check/gstcheck.h>

#include "emulator_run.h"
#include "gateway_run.h"
#include "recording_checks.h"

static gint64 manifest_sum(JsonObject *manifest, const char *kind, const char *field) {
  JsonObject *per_user = json_object_get_object_member(manifest, kind);
  gint64 sum = 0;
  GList *members = json_object_get_members(per_user);
  for (GList *l = members; l; l = l->next)
    sum += json_object_get_int_member(json_object_get_object_member(per_user, static_cast<const char *>(l->data)),
                                      field);
  g_list_free(members);
  return sum;
}

GST_START_TEST(record_template_writes_every_file) {
  GatewayRun gw;
  gw.start();
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short-av.json"), "--webhook-url", gw.url, "--webhook-secret",
                  GW_WEBHOOK_SECRET});
  JsonObject *manifest = emulator.finish();
  fail_unless(gw.wait_metric("rtms_gateway_active_streams", 0, 10000), "the stream did not end");
  fail_unless_equals_int(gw.metric("rtms_gateway_pipeline_errors_total"), 0);
  std::vector<std::string> folders = stream_folders(gw);
  fail_unless_equals_int(folders.size(), 1);
  // short-av.json: 4 s; Alice speaks first and last, Bob's camera is 320x240.
  // Every file starts with the recording, a moment before the meeting.
  fail_unless_equals_int(check_wav_per_participant(folders[0], manifest, 1 * GST_SECOND, 10 * GST_SECOND), 3);
  check_wav_content(folders[0], manifest);
  check_matroska(folders[0], 3800 * GST_MSECOND, 10 * GST_SECOND);
  check_matroska_spans_recording(folders[0]);
  check_vtt_matches_manifest(folders[0], manifest);

  // The stream has ended: its counts stay in /metrics.
  fail_unless_equals_int64(gint64(gw.metric("rtms_gateway_media_bytes_total{media=\"audio\"}")),
                           manifest_sum(manifest, "audio", "bytes"));
  fail_unless_equals_int64(gint64(gw.metric("rtms_gateway_media_buffers_total{media=\"audio\"}")),
                           manifest_sum(manifest, "audio", "packets"));
  fail_unless_equals_int(gw.metric("rtms_gateway_media_buffers_total{media=\"transcript\"}"), 4);
  fail_unless(gw.metric("rtms_gateway_media_bytes_total{media=\"video\"}") > 0);
  fail_unless_equals_int(gw.metric("rtms_gateway_media_buffers_total{media=\"chat\"}"), 0);  // not asked for
  fail_unless_equals_int(gw.metric("rtms_gateway_reconnects_total"), 0);
  fail_unless_equals_int(gw.terminate(5000), 0);
}
GST_END_TEST;

GST_START_TEST(sigterm_leaves_playable_matroska) {
  GatewayRun gw;
  gw.start();
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("default.json"), "--webhook-url", gw.url, "--webhook-secret",
                  GW_WEBHOOK_SECRET});
  fail_unless(gw.wait_metric("rtms_gateway_streams_started_total", 1, 5000), "the stream did not start");
  // While it records, /metrics reads the running element's counts.
  fail_unless(gw.wait_metric("rtms_gateway_media_buffers_total{media=\"transcript\"}", 1, 10000),
              "the first transcript line (at 4 s) never showed in /metrics");
  fail_unless(gw.metric("rtms_gateway_media_bytes_total{media=\"audio\"}") > 0);
  fail_unless_equals_int(gw.terminate(15000), 0);
  JsonObject *manifest = emulator.finish();
  fail_unless(json_object_get_boolean_member(json_object_get_object_member(manifest, "client"), "stream_close_req"));
  std::vector<std::string> folders = stream_folders(gw);
  fail_unless_equals_int(folders.size(), 1);
  // Stopped about 4 s into a 30 s meeting (plus connecting).
  check_matroska(folders[0], 3500 * GST_MSECOND, 12 * GST_SECOND);
  std::vector<std::string> vtt = files_under(folders[0], ".vtt");
  fail_unless_equals_int(vtt.size(), 1);
  std::vector<VttCue> cues = read_vtt(vtt[0]);
  fail_unless(!cues.empty(), "no transcript line in %s", vtt[0].c_str());
  fail_unless_equals_string(cues[0].speaker.c_str(), "Alice");
}
GST_END_TEST;

static Suite *matroska_suite() {
  Suite *s = suite_create("gateway-matroska");
  TCase *tc = tcase_create("matroska");
  tcase_set_timeout(tc, 90);
  tcase_add_test(tc, record_template_writes_every_file);
  tcase_add_test(tc, sigterm_leaves_playable_matroska);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(matroska);
