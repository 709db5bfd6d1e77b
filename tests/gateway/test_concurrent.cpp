// End to end: ten emulated meetings at once (ten emulator processes, one
// stream each, each posting its own signed webhooks) recorded by one gateway
// with the `record` template. Every stream gets its own folder with its own
// participants' audio (checked sample by sample against what its emulator
// sent), a playable Matroska file of the meeting's length and its transcript.
#include <gst/check/gstcheck.h>

#include <memory>

#include "emulator_run.h"
#include "gateway_run.h"
#include "recording_checks.h"

constexpr int kMeetings = 10;

// short.json with an id of its own and one transcript line naming it.
static std::string write_script(const std::string &dir, int n, std::string *stream_id) {
  g_autoptr(JsonParser) parser = json_parser_new();
  fail_unless(json_parser_load_from_file(parser, meeting_script("short.json").c_str(), nullptr));
  JsonObject *script = json_node_get_object(json_parser_get_root(parser));
  char id[33];
  g_snprintf(id, sizeof id, "%02d%030d", n, 0);
  *stream_id = id;
  json_object_set_string_member(script, "rtms_stream_id", id);
  json_object_set_string_member(script, "meeting_uuid", ("ConcurrentMeeting" + std::to_string(n) + "==").c_str());
  JsonArray *transcript = json_array_new();
  JsonObject *line = json_object_new();
  json_object_set_int_member(line, "user_id", 16778240);
  json_object_set_int_member(line, "start_ms", 0);
  json_object_set_int_member(line, "end_ms", 1200);
  json_object_set_string_member(line, "text", ("This is meeting " + std::to_string(n) + ".").c_str());
  json_array_add_object_element(transcript, line);
  json_object_set_array_member(script, "transcript", transcript);
  g_autoptr(JsonGenerator) gen = json_generator_new();
  json_generator_set_root(gen, json_parser_get_root(parser));
  std::string path = dir + "/meeting-" + std::to_string(n) + ".json";
  fail_unless(json_generator_to_file(gen, path.c_str(), nullptr));
  return path;
}

GST_START_TEST(ten_meetings_in_one_gateway) {
  GatewayRun gw;
  gw.start({"--max-streams", std::to_string(kMeetings)});
  g_autofree char *scripts = g_dir_make_tmp("rtms-gw-scripts-XXXXXX", nullptr);
  std::vector<std::unique_ptr<EmulatorRun>> emulators;
  std::vector<std::string> ids(kMeetings);
  for (int n = 0; n < kMeetings; n++) {
    std::string script = write_script(scripts, n, &ids[n]);
    emulators.push_back(std::make_unique<EmulatorRun>());
    emulators.back()->start({"--script", script, "--webhook-url", gw.url, "--webhook-secret", GW_WEBHOOK_SECRET});
  }
  fail_unless(gw.wait_metric("rtms_gateway_streams_started_total", kMeetings, 10000), "not every stream started");
  std::vector<JsonObject *> manifests;
  for (auto &emulator : emulators) manifests.push_back(emulator->finish());
  fail_unless(gw.wait_metric("rtms_gateway_active_streams", 0, 20000), "not every stream ended");
  fail_unless_equals_int(gw.metric("rtms_gateway_pipeline_errors_total"), 0);

  std::vector<std::string> folders = stream_folders(gw);
  fail_unless_equals_int(folders.size(), kMeetings);
  gint64 audio_bytes = 0;
  for (int n = 0; n < kMeetings; n++) {
    std::string folder;
    for (const auto &f : folders)
      if (g_str_has_suffix(f.c_str(), ids[n].c_str())) folder = f;
    fail_if(folder.empty(), "no folder for stream %s", ids[n].c_str());
    // short.json: 3 s, Alice and Bob (who joins at 200 ms). Every file starts
    // when the recording does; with ten emulators encoding their video on
    // two cores (under ASan too), connecting can take seconds: the content
    // checks are exact, the lengths are checked against each other.
    fail_unless_equals_int(check_wav_per_participant(folder, manifests[n], 2 * GST_SECOND, 20 * GST_SECOND), 2);
    check_wav_content(folder, manifests[n]);
    check_matroska(folder, 2800 * GST_MSECOND, 20 * GST_SECOND);
    check_matroska_spans_recording(folder);
    check_vtt_matches_manifest(folder, manifests[n]);
    JsonObject *audio = json_object_get_object_member(manifests[n], "audio");
    GList *members = json_object_get_members(audio);
    for (GList *l = members; l; l = l->next)
      audio_bytes += json_object_get_int_member(json_object_get_object_member(audio, static_cast<const char *>(l->data)),
                                                "bytes");
    g_list_free(members);
  }
  fail_unless_equals_int64(gint64(gw.metric("rtms_gateway_media_bytes_total{media=\"audio\"}")), audio_bytes);
  fail_unless_equals_int(gw.metric("rtms_gateway_media_buffers_total{media=\"transcript\"}"), kMeetings);
  fail_unless_equals_int(gw.terminate(5000), 0);
  remove_tree(scripts);
}
GST_END_TEST;

static Suite *concurrent_suite() {
  Suite *s = suite_create("gateway-concurrent");
  TCase *tc = tcase_create("concurrent");
  tcase_set_timeout(tc, 90);
  tcase_add_test(tc, ten_meetings_in_one_gateway);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(concurrent);
