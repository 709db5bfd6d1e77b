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
                 "--inject", "many-values@500:signaling", "--inject", "octal-name@600",
                 "--inject", "surrogate-name@700"});
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
  fail_unless_equals_int(json_array_get_length(injected), 6);
  for (guint i = 0; i < json_array_get_length(injected); i++)
    fail_unless(json_object_get_boolean_member(json_array_get_object_element(injected, i), "sent"));

  const std::string all = dump(attacked.warnings);
  fail_unless(attacked.has_warning({"media", "nested deeper than 32 levels"}), "%s", all.c_str());
  fail_unless(attacked.has_warning({"signaling", "nested deeper than 32 levels"}), "%s", all.c_str());
  fail_unless(attacked.has_warning({"media", "more than 100000 values"}), "%s", all.c_str());
  fail_unless(attacked.has_warning({"signaling", "more than 100000 values"}), "%s", all.c_str());
  // An octal escape is not JSON, and a lone surrogate stands for no
  // character (json-glib 1.6 would decode either to bytes that are not
  // UTF-8): both refused before it.
  fail_unless(attacked.has_warning({"media", "invalid escape"}), "%s", all.c_str());
  fail_unless(attacked.has_warning({"media", "without its low surrogate"}), "%s", all.c_str());
  fail_unless(total_bytes(attacked) > 0);
  fail_unless(check_audio_matches_manifest(attacked, manifest, false) >= 2);
  // Every name that reached a pad is valid UTF-8.
  std::lock_guard<std::mutex> guard(names.lock);
  fail_unless(!names.names.empty());
  for (const auto &name : names.names)
    fail_unless(g_utf8_validate(name.data(), gssize(name.size()), nullptr), "a name is not valid UTF-8");
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

// Runs an rtmssrc with extra properties against a webhook until its first
// error, which must be RESOURCE/SETTINGS and contain every fragment.
static void expect_refusal(const std::string &webhook, const char *properties,
                           std::initializer_list<const char *> fragments) {
  Capture capture(properties);
  g_object_set(capture.src, "webhook-payload", webhook.c_str(), "client-id", E2E_CLIENT_ID, "client-secret",
               E2E_CLIENT_SECRET, nullptr);
  capture.run(20 * GST_SECOND);
  fail_unless(capture.error != nullptr, "%s: not refused", properties);
  std::string text = capture.error_text();
  for (const char *fragment : fragments)
    fail_unless(text.find(fragment) != std::string::npos, "%s: '%s' not in: %s", properties, fragment, text.c_str());
  GError *err = nullptr;
  gst_message_parse_error(capture.error, &err, nullptr);
  fail_unless(g_error_matches(err, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS), "%s", err->message);
  g_clear_error(&err);
  fail_unless(capture.pads.empty(), "%s: pads appeared although the server was refused", properties);
}

static std::string replace_all(std::string text, const std::string &from, const std::string &to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// allowed-hosts and allow-plaintext hold the signaling URLs of the webhook
// and the media URLs the signaling server hands out.
GST_START_TEST(servers_outside_allowed_hosts_are_refused) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json")});
  expect_refusal(emulator.webhook_json, "allowed-hosts=*.zoom.us",
                 {"refusing the signaling server", "127.0.0.1", "allowed-hosts"});
  expect_refusal(emulator.webhook_json, "allowed-hosts=127.0.0.1 allow-plaintext=false",
                 {"refusing the signaling server", "plaintext ws://", "allow-plaintext"});
  // Signaling by name, allowed; the media URLs the emulator hands out name
  // 127.0.0.1, which is not.
  std::string by_name = replace_all(emulator.webhook_json, "127.0.0.1", "localhost");
  expect_refusal(by_name, "allowed-hosts=\"rtms.zoom.us, localhost\"",
                 {"refusing the media(all) server", "127.0.0.1", "allowed-hosts"});
  // A pattern that is no host name is a settings error before anything starts.
  expect_refusal(emulator.webhook_json, "allowed-hosts=\"exa mple.*\"", {"allowed-hosts:"});
  // And the same emulator, allowed, streams.
  Capture capture("allowed-hosts=\"*.zoom.us 127.0.0.1\"");
  configure_src(capture, emulator);
  JsonObject *manifest = run_to_end(capture, emulator);
  fail_unless(check_audio_matches_manifest(capture, manifest, false) >= 2);
}
GST_END_TEST;

static Suite *hostile_server_suite() {
  Suite *s = suite_create("rtmssrc-hostile-server-e2e");
  TCase *tc = tcase_create("hostile-server");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, hostile_json_is_skipped_and_other_streams_run);
  tcase_add_test(tc, deep_webhook_payload_is_a_clear_error);
  tcase_add_test(tc, servers_outside_allowed_hosts_are_refused);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(hostile_server);
