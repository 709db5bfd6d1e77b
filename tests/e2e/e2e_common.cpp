#include "e2e_common.h"

#include <glib/gstdio.h>
#include <gst/app/gstappsrc.h>

#include <cstdlib>

void configure_src(Capture &capture, const EmulatorRun &emulator, const char *client_secret) {
  g_object_set(capture.src, "webhook-payload", emulator.webhook_json.c_str(), "client-id",
               E2E_CLIENT_ID, "client-secret", client_secret, nullptr);
  if (!emulator.ca_file.empty())
    g_object_set(capture.src, "ssl-ca-file", emulator.ca_file.c_str(), nullptr);
}

guint check_audio_matches_manifest(Capture &capture, JsonObject *manifest, bool mixed) {
  JsonObject *audio = json_object_path(manifest, "audio");
  fail_unless(audio != nullptr, "manifest has no audio section");
  GList *members = json_object_get_members(audio);
  guint checked = 0;
  for (GList *l = members; l; l = l->next) {
    const char *user = static_cast<const char *>(l->data);
    JsonObject *sent = json_object_get_object_member(audio, user);
    gint64 user_id = g_ascii_strtoll(user, nullptr, 10);
    gint64 packets = json_object_get_int_member(sent, "packets");
    if (packets == 0) continue;
    if (mixed) fail_unless(user_id == 0, "mixed audio must come as user 0, got %s", user);
    PadCapture *pad = capture.by_participant(user_id);
    fail_unless(pad != nullptr, "no pad for participant %s", user);
    fail_unless(pad->stream_start && pad->segment, "pad %s: no stream-start or segment",
                pad->pad_name.c_str());
    fail_unless(pad->eos, "pad %s: no EOS", pad->pad_name.c_str());
    fail_unless_equals_uint64(pad->buffers, guint64(packets));
    fail_unless_equals_uint64(pad->bytes, guint64(json_object_get_int_member(sent, "bytes")));
    std::string received_sha = pad->sha256_hex();
    fail_unless_equals_string(received_sha.c_str(), json_object_get_string_member(sent, "sha256"));
    // Timestamps: monotonic, and the server's spacing kept exactly.
    gint64 first_ts = json_object_get_int_member(sent, "first_ts");
    gint64 last_ts = json_object_get_int_member(sent, "last_ts");
    fail_unless_equals_int64(pad->server_ms.front(), first_ts);
    fail_unless_equals_int64(pad->server_ms.back(), last_ts);
    for (size_t i = 1; i < pad->pts.size(); i++) {
      fail_unless(GST_CLOCK_TIME_IS_VALID(pad->pts[i]), "pad %s buffer %zu has no PTS",
                  pad->pad_name.c_str(), i);
      fail_unless(pad->pts[i] > pad->pts[i - 1], "pad %s: PTS not increasing at %zu",
                  pad->pad_name.c_str(), i);
      GstClockTimeDiff pts_delta = GST_CLOCK_DIFF(pad->pts[0], pad->pts[i]);
      gint64 server_delta = (pad->server_ms[i] - pad->server_ms[0]) * GST_MSECOND;
      fail_unless_equals_int64(pts_delta, server_delta);
      fail_unless(GST_CLOCK_TIME_IS_VALID(pad->durations[i]), "pad %s: no duration",
                  pad->pad_name.c_str());
    }
    if (!mixed) {
      const char *name = json_object_get_string_member_with_default(sent, "user_name", "");
      fail_unless_equals_string(pad->participant_name.c_str(), name);
      fail_unless_equals_string(pad->tag_name.c_str(), name);
      fail_unless_equals_int64(pad->tag_id, user_id);
    }
    checked++;
  }
  g_list_free(members);
  return checked;
}

void check_no_violations(JsonObject *manifest) {
  JsonArray *violations = json_object_get_array_member(manifest, "violations");
  fail_unless(violations != nullptr);
  if (json_array_get_length(violations) > 0) {
    JsonGenerator *gen = json_generator_new();
    JsonNode *node = json_node_alloc();
    json_node_init_array(node, violations);
    json_generator_set_root(gen, node);
    gchar *text = json_generator_to_data(gen, nullptr);
    std::string copy = text;
    g_free(text);
    json_node_unref(node);
    g_object_unref(gen);
    fail("the emulator saw protocol violations: %s", copy.c_str());
  }
}

void check_decodes(const std::string &caps_text, const std::string &chain,
                   const std::vector<std::vector<guint8>> &payloads) {
  std::string desc = "appsrc name=in format=time ! " + chain + " ! fakesink";
  GError *error = nullptr;
  GstElement *pipeline = gst_parse_launch(desc.c_str(), &error);
  fail_unless(pipeline != nullptr, "%s", error ? error->message : "?");
  GstElement *in = gst_bin_get_by_name(GST_BIN(pipeline), "in");
  GstCaps *caps = gst_caps_from_string(caps_text.c_str());
  g_object_set(in, "caps", caps, nullptr);
  gst_caps_unref(caps);
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  for (const auto &p : payloads)
    fail_unless_equals_int(
        gst_app_src_push_buffer(GST_APP_SRC(in), gst_buffer_new_memdup(p.data(), p.size())),
        GST_FLOW_OK);
  gst_app_src_end_of_stream(GST_APP_SRC(in));
  GstBus *bus = gst_element_get_bus(pipeline);
  GstMessage *msg = gst_bus_timed_pop_filtered(bus, 30 * GST_SECOND,
                                               GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  fail_unless(msg != nullptr, "%s: no EOS", chain.c_str());
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
    GError *err = nullptr;
    gst_message_parse_error(msg, &err, nullptr);
    std::string text = err->message;
    g_clear_error(&err);
    fail("%s could not decode the stream: %s", chain.c_str(), text.c_str());
  }
  gst_message_unref(msg);
  gst_object_unref(bus);
  gst_object_unref(in);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
}

guint64 total_bytes(Capture &capture) {
  std::lock_guard<std::mutex> guard(capture.lock);
  guint64 n = 0;
  for (auto &kv : capture.pads) n += kv.second->bytes;
  return n;
}

JsonObject *run_to_end(Capture &capture, EmulatorRun &emulator) {
  fail_unless(capture.run(60 * GST_SECOND), "no EOS within 60 s");
  fail_if(capture.error != nullptr, "error: %s", capture.error_text().c_str());
  JsonObject *manifest = emulator.finish();
  check_no_violations(manifest);
  return manifest;
}

TempScript::TempScript(const char *name, const std::string &json) {
  gchar *made = g_dir_make_tmp("rtms-e2e-script-XXXXXX", nullptr);
  fail_unless(made != nullptr);
  dir = made;
  g_free(made);
  path = dir + "/" + name;
  fail_unless(g_file_set_contents(path.c_str(), json.c_str(), -1, nullptr));
}

TempScript::~TempScript() {
  g_unlink(path.c_str());
  g_rmdir(dir.c_str());
}

GstElement *launch_against(const EmulatorRun &emulator, const std::string &description) {
  GError *error = nullptr;
  GstElement *pipeline = gst_parse_launch(description.c_str(), &error);
  fail_unless(pipeline != nullptr, "%s", error ? error->message : "?");
  g_clear_error(&error);
  GstElement *src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
  g_object_set(src, "webhook-payload", emulator.webhook_json.c_str(), "client-id", E2E_CLIENT_ID,
               "client-secret", E2E_CLIENT_SECRET, nullptr);
  gst_object_unref(src);
  return pipeline;
}

void play_to_eos(GstElement *pipeline, GstClockTime timeout,
                 const std::function<void(GstMessage *)> &on_message) {
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstBus *bus = gst_element_get_bus(pipeline);
  for (;;) {
    GstMessage *msg = gst_bus_timed_pop(bus, timeout);
    fail_unless(msg != nullptr, "no EOS");
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
      GError *err = nullptr;
      gst_message_parse_error(msg, &err, nullptr);
      std::string text = err->message;
      g_clear_error(&err);
      gst_message_unref(msg);
      gst_object_unref(bus);
      gst_element_set_state(pipeline, GST_STATE_NULL);
      fail("the pipeline failed: %s", text.c_str());
    }
    bool eos = GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;
    if (!eos && on_message) on_message(msg);
    gst_message_unref(msg);
    if (eos) break;
  }
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
}
