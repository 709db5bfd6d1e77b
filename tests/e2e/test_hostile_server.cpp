// End to end: a hostile server sends JSON built to crash a recursive parser
// (deep nesting, a flood of values) on the media and the signaling socket,
// and a name that json-glib decodes to invalid UTF-8. The stream skips each
// message with a warning that names the limit, its own good data goes on,
// and another stream in the same process (sharing its network threads) is
// untouched. Before the bound, the first message crashed the process.
#include "e2e_common.h"

#include <mutex>
#include <set>

namespace {

std::string dump(const std::vector<std::string> &warnings) {
  std::string all;
  for (const auto &w : warnings) all += "\n  " + w;
  return all;
}

// Every participant name any pad of the element announced: its tags at
// the start, and its participant-name property when the name changes.
struct NameTags {
  std::mutex lock;
  std::vector<std::string> names;
  void add(const char *name) {
    std::lock_guard<std::mutex> guard(lock);
    names.emplace_back(name ? name : "");
  }
};

GstPadProbeReturn on_pad_event(GstPad *, GstPadProbeInfo *info, gpointer data) {
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
  if (GST_EVENT_TYPE(event) != GST_EVENT_TAG) return GST_PAD_PROBE_OK;
  GstTagList *tags = nullptr;
  gst_event_parse_tag(event, &tags);
  gchar *name = nullptr;
  if (gst_tag_list_get_string(tags, "rtms-participant-name", &name)) {
    static_cast<NameTags *>(data)->add(name);
    g_free(name);
  }
  return GST_PAD_PROBE_OK;
}

void on_name_changed(GObject *pad, GParamSpec *, gpointer data) {
  gchar *name = nullptr;
  g_object_get(pad, "participant-name", &name, nullptr);
  static_cast<NameTags *>(data)->add(name);
  g_free(name);
}

void on_pad_added(GstElement *, GstPad *pad, gpointer data) {
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_pad_event, data, nullptr);
  g_signal_connect(pad, "notify::participant-name", G_CALLBACK(on_name_changed), data);
}

}  // namespace

GST_START_TEST(hostile_json_is_skipped_and_other_streams_run) {
  EmulatorRun hostile, good;
  hostile.start({"--script", meeting_script("short.json"), "--inject", "deep-json@200",
                 "--inject", "deep-json@300:signaling", "--inject", "many-values@400",
                 "--inject", "many-values@500:signaling", "--inject", "octal-name@600"});
  good.start({"--script", meeting_script("short.json")});
  Capture attacked(""), bystander("");
  configure_src(attacked, hostile);
  configure_src(bystander, good);
  NameTags names;
  g_signal_connect(attacked.src, "pad-added", G_CALLBACK(on_pad_added), &names);

  attacked.play();
  // The bystander shares the process's network threads with the attacked
  // stream while every hostile message arrives.
  JsonObject *good_manifest = run_to_end(bystander, good);
  fail_unless(bystander.warnings.empty(), "the bystander saw warnings:%s", dump(bystander.warnings).c_str());
  fail_unless(check_audio_matches_manifest(bystander, good_manifest, false) >= 2);

  fail_unless(attacked.wait(60 * GST_SECOND), "the attacked stream did not reach EOS");
  fail_if(attacked.error != nullptr, "error: %s", attacked.error_text().c_str());
  JsonObject *manifest = hostile.finish();
  JsonArray *injected = json_object_get_array_member(manifest, "injected");
  fail_unless_equals_int(json_array_get_length(injected), 5);
  for (guint i = 0; i < json_array_get_length(injected); i++)
    fail_unless(json_object_get_boolean_member(json_array_get_object_element(injected, i), "sent"));

  const std::string all = dump(attacked.warnings);
  fail_unless(attacked.has_warning({"media", "nested deeper than 32 levels"}), "%s", all.c_str());
  fail_unless(attacked.has_warning({"signaling", "nested deeper than 32 levels"}), "%s", all.c_str());
  fail_unless(attacked.has_warning({"media", "more than 100000 values"}), "%s", all.c_str());
  fail_unless(attacked.has_warning({"signaling", "more than 100000 values"}), "%s", all.c_str());
  // Every real packet still arrived (the octal-name one adds 4 bytes to
  // its speaker's pad, which is why the count is not exact here).
  fail_unless(total_bytes(attacked) > 0);
  // The name json-glib decoded to a lone 0xE9 byte reached the pad as
  // valid UTF-8, with U+FFFD in its place.
  std::lock_guard<std::mutex> guard(names.lock);
  bool repaired = false;
  for (const auto &name : names.names) {
    fail_unless(g_utf8_validate(name.data(), gssize(name.size()), nullptr), "a name is not valid UTF-8");
    repaired |= name == "Ren\xEF\xBF\xBD" "e";
  }
  fail_unless(repaired, "the octal-escaped name never reached the pad (%zu names seen)", names.names.size());
}
GST_END_TEST;

// The same attack in the webhook given to the element: a clear error at
// start, naming the limit, not a crash.
GST_START_TEST(deep_webhook_payload_is_a_clear_error) {
  Capture capture("");
  std::string deep = "{\"event\":\"meeting.rtms_started\",\"payload\":" + std::string(100000, '[') +
                     std::string(100000, ']') + "}";
  g_object_set(capture.src, "webhook-payload", deep.c_str(), "client-id", E2E_CLIENT_ID, "client-secret",
               E2E_CLIENT_SECRET, nullptr);
  capture.run(10 * GST_SECOND);
  fail_unless(capture.error != nullptr, "a 200 KB nested webhook was accepted");
  std::string text = capture.error_text();
  fail_unless(text.find("nested deeper than 32 levels") != std::string::npos, "%s", text.c_str());
}
GST_END_TEST;

static Suite *hostile_server_suite() {
  Suite *s = suite_create("rtmssrc-hostile-server-e2e");
  TCase *tc = tcase_create("hostile-server");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, hostile_json_is_skipped_and_other_streams_run);
  tcase_add_test(tc, deep_webhook_payload_is_a_clear_error);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(hostile_server);
