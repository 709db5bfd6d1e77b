// rtmssrc as a URI handler, without a server: what an rtms:// URI sets, that
// get_uri gives a URI setting the same, and that bad URIs are refused with a
// message naming what is wrong.
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>

#include <string>

static std::string prop_string(GstElement *e, const char *name) {
  gchar *v = nullptr;
  g_object_get(e, name, &v, nullptr);
  std::string out = v ? v : "";
  g_free(v);
  return out;
}

#define check_prop(e, name, expected)                          \
  do {                                                         \
    std::string got_ = prop_string(e, name);                   \
    fail_unless(got_ == (expected), "%s is '%s', not '%s'", name, \
                got_.c_str(), std::string(expected).c_str());  \
  } while (0)

static GstElement *from_uri(const std::string &uri, GError **error) {
  return gst_element_make_from_uri(GST_URI_SRC, uri.c_str(), nullptr, error);
}

// The message of the GError a bad URI gives; fails if it was accepted.
static std::string refusal(const std::string &uri) {
  GstElement *src = gst_element_factory_make("rtmssrc", nullptr);
  fail_unless(src != nullptr);
  GError *err = nullptr;
  gboolean ok = gst_uri_handler_set_uri(GST_URI_HANDLER(src), uri.c_str(), &err);
  fail_if(ok, "accepted %s", uri.c_str());
  fail_unless(err != nullptr);
  fail_unless(g_error_matches(err, GST_URI_ERROR, GST_URI_ERROR_BAD_URI), "%s", err->message);
  std::string msg = err->message;
  g_error_free(err);
  gst_object_unref(src);
  return msg;
}

static bool contains(const std::string &s, const char *part) {
  return s.find(part) != std::string::npos;
}

GST_START_TEST(protocol_is_registered) {
  fail_unless(gst_uri_protocol_is_supported(GST_URI_SRC, "rtms"));
  GstElementFactory *f = gst_element_factory_find("rtmssrc");
  fail_unless(f != nullptr);
  fail_unless_equals_int(gst_element_factory_get_uri_type(f), GST_URI_SRC);
  const gchar *const *protocols = gst_element_factory_get_uri_protocols(f);
  fail_unless(protocols && g_str_equal(protocols[0], "rtms") && !protocols[1]);
  gst_object_unref(f);
}
GST_END_TEST;

GST_START_TEST(uri_sets_webhook_fields_and_properties) {
  // A real-looking meeting UUID with '/', '+' and '=', percent-encoded.
  GError *err = nullptr;
  GstElement *src = from_uri(
      "rtms://?stream_id=609340fb2a79&meeting_uuid=ab%2Fcd%2Bef%3D%3D"
      "&server_urls=wss%3A%2F%2Fa.example%2Fx%2Cwss%3A%2F%2Fb.example"
      "&media=audio+transcript&audio-mode=mixed&audio_sample_rate=16000&ssl-strict=false"
      "&allowed-hosts=a.example%2Cb.example",
      &err);
  fail_unless(src != nullptr, "%s", err ? err->message : "");
  check_prop(src, "stream-id", "609340fb2a79");
  check_prop(src, "meeting-uuid", "ab/cd+ef==");
  check_prop(src, "server-urls", "wss://a.example/x,wss://b.example");
  check_prop(src, "allowed-hosts", "a.example,b.example");
  guint media = 0;
  gint mode = 0, rate = 0;
  gboolean strict = TRUE;
  g_object_get(src, "media", &media, "audio-mode", &mode, "audio-sample-rate", &rate,
               "ssl-strict", &strict, nullptr);
  fail_unless_equals_int(media, 1 | 8);
  fail_unless_equals_int(mode, 1);
  fail_unless_equals_int(rate, 16000);
  fail_if(strict);

  // get_uri round-trips: a second element from it has the same properties,
  // and gives the same URI back.
  gchar *uri = gst_uri_handler_get_uri(GST_URI_HANDLER(src));
  fail_unless(g_str_has_prefix(uri, "rtms://?"), "%s", uri);
  fail_unless(contains(uri, "meeting_uuid=ab%2Fcd%2Bef%3D%3D"), "%s", uri);
  fail_unless(contains(uri, "media=audio+transcript"), "%s", uri);
  fail_if(contains(uri, "client"), "%s", uri);
  GstElement *again = from_uri(uri, &err);
  fail_unless(again != nullptr, "%s", err ? err->message : "");
  for (const char *p : {"stream-id", "meeting-uuid", "server-urls", "allowed-hosts"})
    check_prop(again, p, prop_string(src, p));
  gchar *uri2 = gst_uri_handler_get_uri(GST_URI_HANDLER(again));
  fail_unless_equals_string(uri, uri2);
  g_free(uri2);
  g_free(uri);
  gst_object_unref(again);

  // A second URI replaces the first: what it does not name is back to its
  // default, the credentials stay.
  g_object_set(src, "client-id", "kept", nullptr);
  fail_unless(gst_uri_handler_set_uri(GST_URI_HANDLER(src),
                                      "rtms://?stream_id=s2&webinar_uuid=W%2B%2F"
                                      "&server_urls=ws%3A%2F%2F127.0.0.1%3A1",
                                      &err));
  check_prop(src, "meeting-uuid", "");
  check_prop(src, "webinar-uuid", "W+/");
  check_prop(src, "allowed-hosts", "");
  check_prop(src, "client-id", "kept");
  g_object_get(src, "media", &media, "audio-mode", &mode, nullptr);
  fail_unless_equals_int(media, 1);
  fail_unless_equals_int(mode, 1);  // mixed unless the URI says otherwise

  // per-participant is asked for explicitly, and round-trips.
  fail_unless(gst_uri_handler_set_uri(GST_URI_HANDLER(src),
                                      "rtms://?stream_id=s3&meeting_uuid=m"
                                      "&server_urls=ws%3A%2F%2Fh%3A1"
                                      "&audio_mode=per-participant",
                                      &err));
  g_object_get(src, "audio-mode", &mode, nullptr);
  fail_unless_equals_int(mode, 2);
  uri = gst_uri_handler_get_uri(GST_URI_HANDLER(src));
  fail_unless(contains(uri, "audio-mode=per-participant"), "%s", uri);
  g_free(uri);
  gst_object_unref(src);
}
GST_END_TEST;

GST_START_TEST(uri_path_is_a_webhook_file) {
  const char *hook =
      "{\"event\":\"meeting.rtms_started\",\"payload\":{\"meeting_uuid\":\"4444AAAi/A+A==\","
      "\"rtms_stream_id\":\"abc123\",\"server_urls\":\"wss://127.0.0.1:1\"}}";
  gchar *path = g_build_filename(g_get_tmp_dir(), "rtms-uri-test-XXXXXX.json", nullptr);
  gint fd = g_mkstemp(path);
  fail_unless(fd >= 0);
  fail_unless(write(fd, hook, strlen(hook)) == ssize_t(strlen(hook)));
  close(fd);
  gchar *file_uri = g_strdup_printf("rtms://%s?audio-mode=mixed", path);
  GError *err = nullptr;
  GstElement *src = from_uri(file_uri, &err);
  fail_unless(src != nullptr, "%s", err ? err->message : "");
  check_prop(src, "stream-id", "abc123");
  check_prop(src, "meeting-uuid", "4444AAAi/A+A==");
  gint mode = 0;
  g_object_get(src, "audio-mode", &mode, nullptr);
  fail_unless_equals_int(mode, 1);
  // get_uri gives the fields themselves.
  gchar *uri = gst_uri_handler_get_uri(GST_URI_HANDLER(src));
  fail_unless(contains(uri, "stream_id=abc123"), "%s", uri);
  fail_unless(contains(uri, "meeting_uuid=4444AAAi%2FA%2BA%3D%3D"), "%s", uri);
  g_free(uri);
  gst_object_unref(src);
  // A payload file is bounded.
  std::string big(300 * 1024, ' ');
  fail_unless(g_file_set_contents(path, big.c_str(), gssize(big.size()), nullptr));
  fail_unless(contains(refusal(std::string("rtms://") + path), "larger than"));
  fail_unless(g_file_set_contents(path, "{\"event\":", -1, nullptr));
  fail_unless(contains(refusal(std::string("rtms://") + path), "not a webhook payload"));
  fail_unless(g_file_set_contents(path, "", 0, nullptr));
  fail_unless(contains(refusal(std::string("rtms://") + path), "empty"));
  g_unlink(path);
  g_free(file_uri);
  g_free(path);
}
GST_END_TEST;

GST_START_TEST(bad_uris_are_named) {
  fail_unless(contains(refusal("rtms://?stream_id=a&client_secret=x"), "credentials"));
  fail_unless(contains(refusal("rtms://?client-id=x"), "ZM_RTMS_CLIENT"));
  fail_unless(contains(refusal("rtms://?stream_id=a&bogus=1"), "unknown parameter 'bogus'"));
  fail_unless(contains(refusal("rtms://?stats=1"), "unknown parameter 'stats'"));
  fail_unless(contains(refusal("rtms://?name=x"), "unknown parameter 'name'"));
  fail_unless(contains(refusal("rtms://?audio-mode=loud"), "audio-mode"));
  fail_unless(contains(refusal("rtms://?media=audio+smell"), "media"));
  fail_unless(contains(refusal("rtms://?audio-channels=3"), "out of range"));
  fail_unless(contains(refusal("rtms://?latency=-5"), "latency"));
  fail_unless(contains(refusal("rtms://?stream_id=a&stream_id=b"), "more than once"));
  fail_unless(contains(refusal("rtms://?stream_id=a&rtms_stream_id=b"), "twice"));
  fail_unless(contains(refusal("rtms://zoom.us/?stream_id=a"), "no host"));
  fail_unless(contains(refusal("rtms://?stream_id=a#frag"), "fragment"));
  fail_unless(contains(refusal("rtms://"), "query parameters"));
  fail_unless(contains(refusal("rtms:///nonexistent/rtms_started.json"), "webhook payload"));
  fail_unless(contains(refusal("rtms://?webhook=%2Ftmp%2Fx"), "URI path"));
  fail_unless(contains(refusal("rtms:///dev/zero"), "not a regular file"));
  fail_unless(contains(refusal("rtms:///tmp"), "not a regular file"));
  fail_unless(contains(refusal("rtms://?stream_id=a%0Ab"), "control"));
  fail_unless(contains(refusal("rtms://?stream_id=%ZZ"), "encoding"));
  fail_unless(contains(refusal("rtms://?stream_id=" + std::string(20000, 'a')), "longer"));
}
GST_END_TEST;

GST_START_TEST(uri_only_changes_when_stopped) {
  GstElement *src = gst_element_factory_make("rtmssrc", nullptr);
  // Pretend the element is playing; nothing runs.
  GST_STATE(src) = GST_STATE_PLAYING;
  GError *err = nullptr;
  fail_if(gst_uri_handler_set_uri(GST_URI_HANDLER(src), "rtms://?stream_id=a", &err));
  fail_unless(g_error_matches(err, GST_URI_ERROR, GST_URI_ERROR_BAD_STATE));
  g_error_free(err);
  GST_STATE(src) = GST_STATE_NULL;
  gst_object_unref(src);
}
GST_END_TEST;

static Suite *rtms_uri_suite() {
  Suite *s = suite_create("rtms-uri");
  TCase *tc = tcase_create("general");
  tcase_add_test(tc, protocol_is_registered);
  tcase_add_test(tc, uri_sets_webhook_fields_and_properties);
  tcase_add_test(tc, uri_path_is_a_webhook_file);
  tcase_add_test(tc, bad_uris_are_named);
  tcase_add_test(tc, uri_only_changes_when_stopped);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(rtms_uri);
