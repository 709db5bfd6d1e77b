// End to end: bad input from the network (the emulator's fault injection)
// never crashes, hangs or loses the good data around it; each class gets a
// warning that names what was wrong, and a frame over the size limit is a
// clear error.
#include "e2e_common.h"

static std::string dump(const std::vector<std::string> &warnings) {
  std::string all;
  for (const auto &w : warnings) all += "\n  " + w;
  return all;
}

GST_START_TEST(every_class_of_bad_frame_is_survived) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json"), "--keepalive-interval", "400", "--keepalive-when-busy",
                  "--inject", "malformed-json@100", "--inject", "not-an-object@200",
                  "--inject", "unknown-msg-type@300", "--inject", "wrong-type@400",
                  "--inject", "bad-base64@500", "--inject", "empty-data@600",
                  "--inject", "binary-json@700", "--inject", "unknown-event@800",
                  "--inject", "malformed-json@900:signaling",
                  "--inject", "bad-base64@1000:signaling"});
  Capture capture("");
  configure_src(capture, emulator);
  fail_unless(capture.run(60 * GST_SECOND), "no EOS within 60 s");
  fail_if(capture.error != nullptr, "error: %s", capture.error_text().c_str());
  JsonObject *manifest = emulator.finish();

  // Every injection went out...
  JsonArray *injected = json_object_get_array_member(manifest, "injected");
  fail_unless_equals_int(json_array_get_length(injected), 10);
  for (guint i = 0; i < json_array_get_length(injected); i++)
    fail_unless(json_object_get_boolean_member(json_array_get_object_element(injected, i), "sent"));
  // ...and every real packet still arrived, in order, byte for byte.
  fail_unless(check_audio_matches_manifest(capture, manifest, false) >= 2);

  const std::string all = dump(capture.warnings);
  fail_unless(capture.has_warning({"media", "does not decode", "not valid JSON"}), "%s", all.c_str());
  fail_unless(capture.has_warning({"expected a JSON object"}), "%s", all.c_str());
  fail_unless(capture.has_warning({"msg_type", "unknown message type 99"}), "%s", all.c_str());
  fail_unless(capture.has_warning({"content.user_id", "expected an integer"}), "%s", all.c_str());
  fail_unless(capture.has_warning({"not base64", "offset 0"}), "%s", all.c_str());
  fail_unless(capture.has_warning({"content.data is empty"}), "%s", all.c_str());
  fail_unless(capture.has_warning({"signaling message that does not decode"}), "%s", all.c_str());
  fail_unless(capture.has_warning({"media data on the signaling socket"}), "%s", all.c_str());
  // An event type nobody knows is passed on, not dropped.
  fail_unless(capture.has_element_message("rtms-event"));
  // A keep-alive in a BINARY frame is still answered.
  gint64 sent = json_int_path(manifest, "keepalives.media.sent");
  gint64 answered = json_int_path(manifest, "keepalives.media.answered");
  fail_unless(sent >= 2 && answered >= sent - 1, "media keep-alives %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
              answered, sent);
}
GST_END_TEST;

GST_START_TEST(oversized_frame_is_a_clear_error) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json"), "--inject", "huge-frame@300",
                  "--huge-frame-bytes", "300000"});
  Capture capture("max-message-size=65536");
  configure_src(capture, emulator);
  capture.run(30 * GST_SECOND);
  fail_unless(capture.error != nullptr, "a frame over max-message-size was accepted");
  std::string text = capture.error_text();
  fail_unless(text.find("max-message-size") != std::string::npos, "%s", text.c_str());
  fail_unless(text.find("65536") != std::string::npos, "%s", text.c_str());
  GError *err = nullptr;
  gst_message_parse_error(capture.error, &err, nullptr);
  fail_unless(g_error_matches(err, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_READ), "%s", err->message);
  g_clear_error(&err);
}
GST_END_TEST;

static Suite *bad_input_suite() {
  Suite *s = suite_create("rtmssrc-bad-input-e2e");
  TCase *tc = tcase_create("bad-input");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, every_class_of_bad_frame_is_survived);
  tcase_add_test(tc, oversized_frame_is_a_clear_error);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(bad_input);
