// Records every participant of an RTMS stream to its own WAV file, however
// many there turn out to be: the application links each rtmssrc pad as it
// appears, which gst-launch-1.0 syntax cannot express.
//
//   record-participants WEBHOOK.json OUTPUT_DIR [CA_FILE]
//
// Credentials come from ZM_RTMS_CLIENT and ZM_RTMS_SECRET. Ctrl-C closes the
// stream on the server and finalizes the files.
#include <glib-unix.h>
#include <gst/gst.h>

#include <string>

struct App {
  GstElement *pipeline = nullptr;
  GMainLoop *loop = nullptr;
  std::string out_dir;
  int exit_code = 0;
};

// Names are user input: keep file names to a safe subset.
static std::string file_safe(const std::string &name) {
  std::string s;
  for (char c : name) s += g_ascii_isalnum(c) || c == '-' || c == '_' ? c : '_';
  return s.empty() ? "unknown" : s;
}

static void on_pad_added(GstElement *, GstPad *pad, gpointer data) {
  auto *app = static_cast<App *>(data);
  gint64 id = 0;
  gchar *name = nullptr;
  g_object_get(pad, "participant-id", &id, "participant-name", &name, nullptr);
  std::string file = app->out_dir + "/" + GST_PAD_NAME(pad) + "-" +
                     (id == 0 ? std::string("mixed") : std::to_string(id)) + "-" +
                     file_safe(name ? name : "") + ".wav";
  g_free(name);
  GError *error = nullptr;
  GstElement *branch = gst_parse_bin_from_description(
      "queue ! audiorate ! audioconvert ! wavenc ! filesink name=file", TRUE, &error);
  if (!branch) {
    g_printerr("cannot build the recording branch: %s\n", error->message);
    g_clear_error(&error);
    return;
  }
  GstElement *sink = gst_bin_get_by_name(GST_BIN(branch), "file");
  g_object_set(sink, "location", file.c_str(), nullptr);
  gst_object_unref(sink);
  gst_bin_add(GST_BIN(app->pipeline), branch);
  gst_element_sync_state_with_parent(branch);
  GstPad *sinkpad = gst_element_get_static_pad(branch, "sink");
  if (gst_pad_link(pad, sinkpad) != GST_PAD_LINK_OK) g_printerr("cannot link %s\n", GST_PAD_NAME(pad));
  gst_object_unref(sinkpad);
  g_print("recording participant %" G_GINT64_FORMAT " to %s\n", id, file.c_str());
}

static gboolean on_bus(GstBus *, GstMessage *msg, gpointer data) {
  auto *app = static_cast<App *>(data);
  switch (GST_MESSAGE_TYPE(msg)) {
    case GST_MESSAGE_EOS:
      g_print("stream ended, files finalized\n");
      g_main_loop_quit(app->loop);
      break;
    case GST_MESSAGE_ERROR: {
      GError *err = nullptr;
      gst_message_parse_error(msg, &err, nullptr);
      g_printerr("error: %s\n", err->message);
      g_clear_error(&err);
      app->exit_code = 1;
      g_main_loop_quit(app->loop);
      break;
    }
    case GST_MESSAGE_ELEMENT: {
      const GstStructure *s = gst_message_get_structure(msg);
      if (gst_structure_has_name(s, "rtms-participant-join") ||
          gst_structure_has_name(s, "rtms-participant-leave") ||
          gst_structure_has_name(s, "rtms-stream-stopped")) {
        gchar *text = gst_structure_to_string(s);
        g_print("%s\n", text);
        g_free(text);
      }
      break;
    }
    default:
      break;
  }
  return TRUE;
}

static gboolean on_interrupt(gpointer data) {
  auto *app = static_cast<App *>(data);
  g_print("interrupted: closing the stream\n");
  gst_element_send_event(app->pipeline, gst_event_new_eos());
  return G_SOURCE_CONTINUE;
}

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  if (argc < 3) {
    g_printerr("usage: %s WEBHOOK.json OUTPUT_DIR [CA_FILE]\n", argv[0]);
    return 2;
  }
  gchar *webhook = nullptr;
  GError *error = nullptr;
  if (!g_file_get_contents(argv[1], &webhook, nullptr, &error)) {
    g_printerr("cannot read %s: %s\n", argv[1], error->message);
    g_clear_error(&error);
    return 2;
  }
  App app;
  app.out_dir = argv[2];
  g_mkdir_with_parents(app.out_dir.c_str(), 0755);
  app.pipeline = gst_pipeline_new("record-participants");
  GstElement *src = gst_element_factory_make("rtmssrc", "src");
  if (!src) {
    g_printerr("rtmssrc is not installed (set GST_PLUGIN_PATH to the build's gst/rtms)\n");
    return 2;
  }
  g_object_set(src, "webhook-payload", webhook, nullptr);
  if (argc > 3) g_object_set(src, "ssl-ca-file", argv[3], nullptr);
  g_free(webhook);
  gst_bin_add(GST_BIN(app.pipeline), src);
  g_signal_connect(src, "pad-added", G_CALLBACK(on_pad_added), &app);

  app.loop = g_main_loop_new(nullptr, FALSE);
  GstBus *bus = gst_element_get_bus(app.pipeline);
  gst_bus_add_watch(bus, on_bus, &app);
  g_unix_signal_add(SIGINT, on_interrupt, &app);
  g_unix_signal_add(SIGTERM, on_interrupt, &app);
  gst_element_set_state(app.pipeline, GST_STATE_PLAYING);
  g_main_loop_run(app.loop);
  gst_element_set_state(app.pipeline, GST_STATE_NULL);
  gst_bus_remove_watch(bus);
  gst_object_unref(bus);
  gst_object_unref(app.pipeline);
  g_main_loop_unref(app.loop);
  return app.exit_code;
}
