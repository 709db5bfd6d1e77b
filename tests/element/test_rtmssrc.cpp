// rtmssrc without a server: properties, configuration errors, state changes
// in every order, and a server that accepts connections but never answers.
#include <gio/gio.h>
#include <gst/check/gstcheck.h>

#include <cstring>
#include <string>

static const char *kWebhook =
    "{\"event\":\"meeting.rtms_started\",\"event_ts\":1626230691572,\"payload\":{"
    "\"meeting_uuid\":\"4444AAAiAAAAAiAiAiiAii==\",\"operator_id\":\"30R7kT7bTIKSNUFEuH_Qlg\","
    "\"rtms_stream_id\":\"609340fb2a7946909659956c8aa9250c\","
    "\"server_urls\":\"wss://127.0.0.1:1\"}}";

static GstElement *make_src() {
  GstElement *src = gst_element_factory_make("rtmssrc", nullptr);
  fail_unless(src != nullptr, "rtmssrc not found");
  return src;
}

// Runs src alone to PAUSED and returns the first error message text (empty
// when there was none within the timeout).
static std::string first_error(GstElement *src, GstClockTime timeout,
                               const GstStructure **details_out = nullptr,
                               GstMessage **keep = nullptr) {
  GstElement *pipeline = gst_pipeline_new(nullptr);
  gst_bin_add(GST_BIN(pipeline), src);
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstBus *bus = gst_element_get_bus(pipeline);
  GstMessage *msg = gst_bus_timed_pop_filtered(bus, timeout, GST_MESSAGE_ERROR);
  std::string text;
  if (msg) {
    GError *err = nullptr;
    gst_message_parse_error(msg, &err, nullptr);
    text = err->message;
    g_clear_error(&err);
    if (details_out) gst_message_parse_error_details(msg, details_out);
    if (keep) *keep = gst_message_ref(msg);
    gst_message_unref(msg);
  }
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  return text;
}

GST_START_TEST(webhook_payload_fills_properties) {
  GstElement *src = make_src();
  g_object_set(src, "webhook-payload", kWebhook, nullptr);
  gchar *stream = nullptr, *meeting = nullptr, *urls = nullptr;
  g_object_get(src, "stream-id", &stream, "meeting-uuid", &meeting, "server-urls", &urls, nullptr);
  fail_unless_equals_string(stream, "609340fb2a7946909659956c8aa9250c");
  fail_unless_equals_string(meeting, "4444AAAiAAAAAiAiAiiAii==");
  fail_unless_equals_string(urls, "wss://127.0.0.1:1");
  g_free(stream);
  g_free(meeting);
  g_free(urls);
  gst_object_unref(src);
}
GST_END_TEST;

GST_START_TEST(payload_only_is_accepted) {
  GstElement *src = make_src();
  g_object_set(src, "webhook-payload",
               "{\"webinar_uuid\":\"w1\",\"rtms_stream_id\":\"abc\",\"server_urls\":"
               "\"ws://a:1,wss://b:2\"}",
               nullptr);
  gchar *webinar = nullptr, *urls = nullptr;
  g_object_get(src, "webinar-uuid", &webinar, "server-urls", &urls, nullptr);
  fail_unless_equals_string(webinar, "w1");
  fail_unless_equals_string(urls, "ws://a:1,wss://b:2");
  g_free(webinar);
  g_free(urls);
  gst_object_unref(src);
}
GST_END_TEST;

GST_START_TEST(client_secret_is_write_only) {
  GstElement *src = make_src();
  GParamSpec *pspec = g_object_class_find_property(G_OBJECT_GET_CLASS(src), "client-secret");
  fail_unless(pspec != nullptr);
  fail_if(pspec->flags & G_PARAM_READABLE, "client-secret must not be readable");
  gst_object_unref(src);
}
GST_END_TEST;

GST_START_TEST(bad_webhook_is_a_clear_error) {
  GstElement *src = make_src();
  g_object_set(src, "webhook-payload", "{\"payload\":{\"meeting_uuid\":\"m\"}}", "client-id", "id",
               "client-secret", "s", nullptr);
  std::string error = first_error(src, 5 * GST_SECOND);
  fail_unless(error.find("webhook-payload") != std::string::npos, "error was: %s", error.c_str());
  fail_unless(error.find("rtms_stream_id") != std::string::npos, "error was: %s", error.c_str());
}
GST_END_TEST;

GST_START_TEST(not_json_webhook_is_a_clear_error) {
  GstElement *src = make_src();
  g_object_set(src, "webhook-payload", "meeting.rtms_started?", "client-id", "id",
               "client-secret", "s", nullptr);
  std::string error = first_error(src, 5 * GST_SECOND);
  fail_unless(error.find("webhook-payload") != std::string::npos, "error was: %s", error.c_str());
}
GST_END_TEST;

GST_START_TEST(missing_credentials_are_named) {
  g_unsetenv("ZM_RTMS_CLIENT");
  g_unsetenv("ZM_RTMS_SECRET");
  GstElement *src = make_src();
  g_object_set(src, "webhook-payload", kWebhook, nullptr);
  std::string error = first_error(src, 5 * GST_SECOND);
  fail_unless(error.find("client id") != std::string::npos, "error was: %s", error.c_str());

  src = make_src();
  g_object_set(src, "webhook-payload", kWebhook, "client-id", "id", nullptr);
  error = first_error(src, 5 * GST_SECOND);
  fail_unless(error.find("client secret") != std::string::npos, "error was: %s", error.c_str());
}
GST_END_TEST;

GST_START_TEST(bad_settings_are_named) {
  struct Case {
    const char *property;
    int value;
    const char *expect;
  } cases[] = {
      {"audio-sample-rate", 44100, "audio-sample-rate 44100"},
  };
  for (const auto &c : cases) {
    GstElement *src = make_src();
    g_object_set(src, "webhook-payload", kWebhook, "client-id", "id", "client-secret", "s",
                 c.property, c.value, nullptr);
    std::string error = first_error(src, 5 * GST_SECOND);
    fail_unless(error.find(c.expect) != std::string::npos, "error was: %s", error.c_str());
  }
  GstElement *src = make_src();
  g_object_set(src, "webhook-payload", kWebhook, "client-id", "id", "client-secret", "s",
               "audio-codec", 4 /* opus */, "audio-sample-rate", 16000, nullptr);
  std::string error = first_error(src, 5 * GST_SECOND);
  fail_unless(error.find("opus needs audio-sample-rate 48000") != std::string::npos,
              "error was: %s", error.c_str());

  struct VideoCase {
    const char *description;
    const char *expect;
  } video_cases[] = {
      {"media=video video-mode=gallery", "video-mode gallery is not supported"},
      {"media=video video-codec=jpeg video-fps=10", "video-fps 10 is too high for JPEG"},
      {"media=deskshare deskshare-codec=png deskshare-fps=2", "deskshare-fps 2 is too high"},
      {"media=0", "media is empty"},
  };
  for (const auto &c : video_cases) {
    std::string desc = std::string("rtmssrc ") + c.description;
    GstElement *vsrc = gst_parse_launch(desc.c_str(), nullptr);
    fail_unless(vsrc != nullptr, "%s", desc.c_str());
    g_object_set(vsrc, "webhook-payload", kWebhook, "client-id", "id", "client-secret", "s",
                 nullptr);
    std::string verror = first_error(vsrc, 5 * GST_SECOND);
    fail_unless(verror.find(c.expect) != std::string::npos, "%s: error was: %s", c.description,
                verror.c_str());
  }

  src = make_src();
  g_object_set(src, "server-urls", "http://example.invalid/", "stream-id", "s", "meeting-uuid",
               "m", "client-id", "id", "client-secret", "s", nullptr);
  error = first_error(src, 5 * GST_SECOND);
  fail_unless(error.find("not a ws:// or wss:// URL") != std::string::npos, "error was: %s",
              error.c_str());
}
GST_END_TEST;

GST_START_TEST(connection_refused_is_an_error) {
  GstElement *src = make_src();
  g_object_set(src, "server-urls", "ws://127.0.0.1:1/signaling", "stream-id", "s",
               "meeting-uuid", "m", "client-id", "id", "client-secret", "s", nullptr);
  std::string error = first_error(src, 10 * GST_SECOND);
  fail_unless(error.find("cannot open the signaling WebSocket") != std::string::npos,
              "error was: %s", error.c_str());
}
GST_END_TEST;

GST_START_TEST(missing_ca_file_is_named) {
  GstElement *src = make_src();
  g_object_set(src, "webhook-payload", kWebhook, "client-id", "id", "client-secret", "s",
               "ssl-ca-file", "/nonexistent/ca.pem", nullptr);
  std::string error = first_error(src, 5 * GST_SECOND);
  fail_unless(error.find("/nonexistent/ca.pem") != std::string::npos, "error was: %s",
              error.c_str());
}
GST_END_TEST;

// A server that accepts TCP connections and never says a word.
struct SilentServer {
  GSocketService *service = nullptr;
  guint16 port = 0;
  GList *held = nullptr;

  static gboolean on_incoming(GSocketService *, GSocketConnection *conn, GObject *,
                              gpointer data) {
    auto *self = static_cast<SilentServer *>(data);
    self->held = g_list_prepend(self->held, g_object_ref(conn));
    return TRUE;
  }
  SilentServer() {
    service = g_socket_service_new();
    GInetAddress *loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *addr = g_inet_socket_address_new(loopback, 0);
    GSocketAddress *effective = nullptr;
    fail_unless(g_socket_listener_add_address(G_SOCKET_LISTENER(service), addr,
                                              G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                              nullptr, &effective, nullptr));
    port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(effective));
    g_object_unref(effective);
    g_object_unref(addr);
    g_object_unref(loopback);
    g_signal_connect(service, "incoming", G_CALLBACK(on_incoming), this);
    g_socket_service_start(service);
  }
  ~SilentServer() {
    g_socket_service_stop(service);
    g_list_free_full(held, g_object_unref);
    g_object_unref(service);
  }
};

// The test's default main context serves the silent server from a thread.
struct ContextThread {
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  explicit ContextThread(GMainContext *c) : context(c) {
    loop = g_main_loop_new(context, FALSE);
    thread = g_thread_new("silent-server", [](gpointer d) -> gpointer {
      g_main_loop_run(static_cast<GMainLoop *>(d));
      return nullptr;
    }, loop);
  }
  ~ContextThread() {
    g_main_loop_quit(loop);
    g_thread_join(thread);
    g_main_loop_unref(loop);
  }
};

GST_START_TEST(silent_server_times_out) {
  SilentServer server;
  ContextThread serving(g_main_context_default());
  std::string url = "ws://127.0.0.1:" + std::to_string(server.port) + "/signaling";
  GstElement *src = make_src();
  g_object_set(src, "server-urls", url.c_str(), "stream-id", "s", "meeting-uuid", "m",
               "client-id", "id", "client-secret", "s", "handshake-timeout", 500, nullptr);
  gint64 start = g_get_monotonic_time();
  std::string error = first_error(src, 10 * GST_SECOND);
  gint64 took_ms = (g_get_monotonic_time() - start) / 1000;
  fail_unless(error.find("within 500 ms") != std::string::npos, "error was: %s", error.c_str());
  fail_unless(took_ms < 5000, "took %" G_GINT64_FORMAT " ms", took_ms);
}
GST_END_TEST;

GST_START_TEST(state_changes_in_any_order) {
  SilentServer server;
  ContextThread serving(g_main_context_default());
  std::string url = "ws://127.0.0.1:" + std::to_string(server.port) + "/signaling";
  static const GstState sequence[] = {
      GST_STATE_READY,  GST_STATE_NULL,   GST_STATE_PAUSED,  GST_STATE_NULL,
      GST_STATE_PLAYING, GST_STATE_PAUSED, GST_STATE_PLAYING, GST_STATE_READY,
      GST_STATE_PLAYING, GST_STATE_NULL,   GST_STATE_PAUSED,  GST_STATE_READY,
      GST_STATE_NULL};
  GstElement *pipeline = gst_pipeline_new(nullptr);
  GstElement *src = make_src();
  g_object_set(src, "server-urls", url.c_str(), "stream-id", "s", "meeting-uuid", "m",
               "client-id", "id", "client-secret", "s", nullptr);
  gst_bin_add(GST_BIN(pipeline), src);
  for (GstState state : sequence) {
    GstStateChangeReturn ret = gst_element_set_state(pipeline, state);
    fail_if(ret == GST_STATE_CHANGE_FAILURE, "cannot go to %s", gst_element_state_get_name(state));
    ret = gst_element_get_state(pipeline, nullptr, nullptr, 5 * GST_SECOND);
    fail_if(ret == GST_STATE_CHANGE_FAILURE || ret == GST_STATE_CHANGE_ASYNC,
            "stuck going to %s", gst_element_state_get_name(state));
  }
  gst_object_unref(pipeline);
}
GST_END_TEST;

// gst-inspect-1.0 documents everything: every property has a nick and a
// sentence, enums describe every value, the pad template and its pad type
// are there.
GST_START_TEST(inspect_documents_everything) {
  GstElement *src = make_src();
  guint n = 0;
  GParamSpec **specs = g_object_class_list_properties(G_OBJECT_GET_CLASS(src), &n);
  for (guint i = 0; i < n; i++) {
    GParamSpec *p = specs[i];
    if (p->owner_type != G_OBJECT_TYPE(src)) continue;
    const char *blurb = g_param_spec_get_blurb(p);
    fail_unless(blurb && strlen(blurb) > 20, "property %s has no useful description", p->name);
    fail_unless(g_param_spec_get_nick(p) && strcmp(g_param_spec_get_nick(p), p->name) != 0,
                "property %s has no nick", p->name);
    if (G_IS_PARAM_SPEC_ENUM(p)) {
      GEnumClass *e = G_PARAM_SPEC_ENUM(p)->enum_class;
      for (guint v = 0; v < e->n_values; v++)
        fail_unless(strlen(e->values[v].value_name) > 5, "%s value %s undocumented", p->name,
                    e->values[v].value_nick);
    }
  }
  g_free(specs);
  for (const char *name : {"video_%u", "deskshare_%u", "transcript_%u", "chat_%u"}) {
    GstPadTemplate *t = gst_element_class_get_pad_template(GST_ELEMENT_GET_CLASS(src), name);
    fail_unless(t != nullptr, "no %s template", name);
    fail_unless_equals_int(GST_PAD_TEMPLATE_PRESENCE(t), GST_PAD_SOMETIMES);
  }
  fail_unless(g_signal_lookup("subscribe-video", G_OBJECT_TYPE(src)) != 0);
  GstPadTemplate *templ =
      gst_element_class_get_pad_template(GST_ELEMENT_GET_CLASS(src), "audio_%u");
  fail_unless(templ != nullptr);
  fail_unless_equals_int(GST_PAD_TEMPLATE_PRESENCE(templ), GST_PAD_SOMETIMES);
  GType pad_type = GST_PAD_TEMPLATE_GTYPE(templ);
  fail_unless(g_type_is_a(pad_type, GST_TYPE_PAD) && pad_type != GST_TYPE_PAD);
  GObjectClass *pad_class = G_OBJECT_CLASS(g_type_class_ref(pad_type));
  for (const char *name : {"participant-id", "participant-name", "media-type"}) {
    GParamSpec *p = g_object_class_find_property(pad_class, name);
    fail_unless(p != nullptr, "pad property %s missing", name);
    fail_unless(strlen(g_param_spec_get_blurb(p)) > 20);
  }
  g_type_class_unref(pad_class);
  GstElementFactory *factory = gst_element_get_factory(src);
  fail_unless(strlen(gst_element_factory_get_metadata(factory, GST_ELEMENT_METADATA_DESCRIPTION)) > 40);
  fail_unless(GST_OBJECT_FLAG_IS_SET(src, GST_ELEMENT_FLAG_SOURCE));
  gst_object_unref(src);
}
GST_END_TEST;

static Suite *rtmssrc_suite() {
  Suite *s = suite_create("rtmssrc");
  TCase *tc = tcase_create("general");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, inspect_documents_everything);
  tcase_add_test(tc, webhook_payload_fills_properties);
  tcase_add_test(tc, payload_only_is_accepted);
  tcase_add_test(tc, client_secret_is_write_only);
  tcase_add_test(tc, bad_webhook_is_a_clear_error);
  tcase_add_test(tc, not_json_webhook_is_a_clear_error);
  tcase_add_test(tc, missing_credentials_are_named);
  tcase_add_test(tc, bad_settings_are_named);
  tcase_add_test(tc, connection_refused_is_an_error);
  tcase_add_test(tc, missing_ca_file_is_named);
  tcase_add_test(tc, silent_server_times_out);
  tcase_add_test(tc, state_changes_in_any_order);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(rtmssrc);
