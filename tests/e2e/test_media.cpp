// End to end: every media type of a meeting (short-av.json) through one
// rtmssrc: active-speaker H.264 that decodes and starts with a keyframe, caps
// renegotiated when the speaker's picture size differs, JPEG and PNG, screen
// share, transcript and chat with who said what, and the meeting's events.
#include <glib/gstdio.h>
#include <gst/pbutils/pbutils.h>

#include <cstring>

#include "e2e_common.h"

static const char *kAllMedia = "media=audio+video+deskshare+transcript+chat";

static gint64 sum_member(JsonObject *section, const char *member) {
  gint64 total = 0;
  if (!section) return 0;
  GList *keys = json_object_get_members(section);
  for (GList *l = keys; l; l = l->next)
    total += json_object_get_int_member(
        json_object_get_object_member(section, static_cast<const char *>(l->data)), member);
  g_list_free(keys);
  return total;
}

static PadCapture *pad_named(Capture &capture, const char *name) {
  auto it = capture.pads.find(name);
  fail_if(it == capture.pads.end(), "no pad %s", name);
  return it->second.get();
}

// How many participants the emulator's events of one type named (an event
// lists several participants, or names one).
static guint count_events_sent(JsonObject *manifest, gint64 event_type) {
  JsonArray *events = json_object_get_array_member(manifest, "events_sent");
  guint count = 0;
  for (guint i = 0; i < json_array_get_length(events); i++) {
    JsonObject *e = json_array_get_object_element(events, i);
    if (json_object_get_int_member(e, "event_type") != event_type) continue;
    count += json_object_has_member(e, "participants")
                 ? json_array_get_length(json_object_get_array_member(e, "participants"))
                 : 1;
  }
  return count;
}

GST_START_TEST(every_media_type_h264) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short-av.json")});
  Capture capture(std::string(kAllMedia) +
                  " video-codec=h264 video-fps=15 video-resolution=sd deskshare-codec=h264 "
                  "deskshare-fps=5 deskshare-resolution=sd text-gap-delay=2000");
  configure_src(capture, emulator);
  capture.keep_payloads = true;
  JsonObject *manifest = run_to_end(capture, emulator);
  fail_unless(check_audio_matches_manifest(capture, manifest, false) >= 2);

  // Video: what was sent arrived, starting with a keyframe, with the size in the caps.
  PadCapture *video = pad_named(capture, "video_0");
  JsonObject *video_sent = json_object_path(manifest, "video");
  fail_unless_equals_uint64(video->buffers, guint64(sum_member(video_sent, "frames")));
  fail_unless_equals_uint64(video->bytes, guint64(sum_member(video_sent, "bytes")));
  fail_unless(g_str_has_prefix(video->caps.c_str(), "video/x-h264"), "%s", video->caps.c_str());
  fail_unless(video->caps.find("framerate=(fraction)15/1") != std::string::npos, "%s", video->caps.c_str());
  fail_unless(video->caps.find("width=(int)") != std::string::npos);
  fail_if(video->delta.front(), "the first video buffer is not a keyframe");
  // Two speakers with different picture sizes: caps follow the stream.
  fail_unless(video->all_caps.size() >= 2, "caps never renegotiated: %s", video->caps.c_str());
  for (size_t i = 0; i < video->metas.size(); i++)
    fail_unless(video->metas[i].find("user-id=(gint64)") != std::string::npos, "buffer %zu: %s", i,
                video->metas[i].c_str());
  check_decodes(video->caps, "h264parse ! avdec_h264", video->payloads);

  // Screen share.
  PadCapture *share = pad_named(capture, "deskshare_0");
  fail_unless_equals_uint64(share->buffers,
                            guint64(sum_member(json_object_path(manifest, "deskshare"), "frames")));
  fail_if(share->delta.front());
  check_decodes(share->caps, "h264parse ! avdec_h264", share->payloads);
  fail_unless(capture.has_element_message("rtms-sharing-start"));
  fail_unless(capture.has_element_message("rtms-sharing-stop"));

  // Transcript: every line, in order, with its speaker and timing.
  PadCapture *transcript = pad_named(capture, "transcript_0");
  JsonArray *lines = json_object_get_array_member(manifest, "transcript");
  guint n_lines = json_array_get_length(lines);
  fail_unless(n_lines >= 2);
  fail_unless_equals_uint64(transcript->buffers, n_lines);
  fail_unless(transcript->caps.find("text/x-raw") == 0 && transcript->caps.find("utf8") != std::string::npos);
  JsonObject *first_line = json_array_get_object_element(lines, 0);
  for (guint i = 0; i < n_lines; i++) {
    JsonObject *line = json_array_get_object_element(lines, i);
    std::string text(transcript->payloads[i].begin(), transcript->payloads[i].end());
    fail_unless_equals_string(text.c_str(), json_object_get_string_member(line, "text"));
    fail_unless(transcript->metas[i].find(json_object_get_string_member(line, "user_name")) !=
                    std::string::npos,
                "%s", transcript->metas[i].c_str());
    gint64 duration_ms = json_object_get_int_member(line, "end_time") -
                         json_object_get_int_member(line, "start_time");
    fail_unless_equals_uint64(transcript->durations[i], guint64(duration_ms) * GST_MSECOND);
    // Same time base as audio: PTS spacing is the server's start_time spacing.
    gint64 since_first = json_object_get_int_member(line, "start_time") -
                         json_object_get_int_member(first_line, "start_time");
    fail_unless_equals_int64(GST_CLOCK_DIFF(transcript->pts[0], transcript->pts[i]),
                             since_first * GST_MSECOND);
  }

  // Chat: every message with its sender, plain and structured.
  PadCapture *chat = pad_named(capture, "chat_0");
  JsonArray *chats = json_object_get_array_member(manifest, "chat");
  fail_unless_equals_uint64(chat->buffers, json_array_get_length(chats));
  for (guint i = 0; i < json_array_get_length(chats); i++) {
    JsonObject *c = json_array_get_object_element(chats, i);
    std::string text(chat->payloads[i].begin(), chat->payloads[i].end());
    fail_unless_equals_string(text.c_str(), json_object_get_string_member(c, "text"));
    fail_unless(chat->metas[i].find(json_object_get_string_member(c, "user_name")) != std::string::npos,
                "%s", chat->metas[i].c_str());
  }

  // Events: a message for every join and speaker change the emulator sent.
  guint joins = count_events_sent(manifest, 3);
  guint leaves = count_events_sent(manifest, 4);
  guint speakers = count_events_sent(manifest, 2);
  fail_unless(joins >= 3);
  fail_unless_equals_int(capture.count_element_messages("rtms-participant-join"), joins);
  fail_unless_equals_int(capture.count_element_messages("rtms-participant-leave"), leaves);
  fail_unless_equals_int(capture.count_element_messages("rtms-active-speaker-change"), speakers);
  // The last stream collection lists exactly the pads; the initial roster
  // was announced once.
  fail_unless(capture.collections >= capture.pads.size());
  fail_unless_equals_int(capture.last_collection_size, capture.pads.size());
  fail_unless_equals_int(capture.no_more_pads, 1);
}
GST_END_TEST;

// Video frames larger than one TLS record from an emulator that polls its
// sockets only every 20 ms (--socket-poll-interval): libsoup writes such a
// frame one record per main-loop wake-up, so the emulator must end its hold
// for it. Every frame arrives whole, and some are over 16 KiB.
GST_START_TEST(large_video_frames_from_a_polling_emulator_wss) {
  TempScript script("snow.json",
                    "{\"duration_ms\": 2000, \"participants\": [{\"user_id\": 16778240, \"user_name\": "
                    "\"Alice\", \"video_pattern\": \"snow\", \"talk\": [[0, 2000]]}]}");
  EmulatorRun emulator;
  emulator.start({"--tls", "--script", script.path, "--socket-poll-interval", "20", "--video-bitrate",
                  "20000"});
  Capture capture("media=audio+video video-codec=h264 video-fps=15 video-resolution=sd");
  configure_src(capture, emulator);
  capture.keep_payloads = true;
  JsonObject *manifest = run_to_end(capture, emulator);
  PadCapture *video = pad_named(capture, "video_0");
  JsonObject *video_sent = json_object_path(manifest, "video");
  fail_unless_equals_uint64(video->buffers, guint64(sum_member(video_sent, "frames")));
  fail_unless_equals_uint64(video->bytes, guint64(sum_member(video_sent, "bytes")));
  size_t large = 0;
  for (const auto &payload : video->payloads) large += payload.size() > 16 * 1024 ? 1 : 0;
  fail_unless(large > 0, "no video frame over 16 KiB: the test does not cover large frames");
  check_decodes(video->caps, "h264parse ! avdec_h264", video->payloads);
}
GST_END_TEST;

// Individual video mode: nothing until the application subscribes to one
// participant with the subscribe-video action signal; the answer is on the bus.
GST_START_TEST(individual_video_subscription) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short-av.json")});
  Capture capture("media=video video-mode=individual video-codec=h264 video-fps=15 "
                  "video-resolution=sd");
  configure_src(capture, emulator);
  capture.keep_payloads = true;
  capture.play();
  capture.wait(800 * GST_MSECOND);
  fail_if(capture.error != nullptr, "%s", capture.error_text().c_str());
  fail_unless(capture.pads.empty(), "video before any subscription");
  const gint64 bob = 16779264;
  gboolean sent = FALSE;
  g_signal_emit_by_name(capture.src, "subscribe-video", bob, TRUE, &sent);
  fail_unless(sent);
  fail_unless(capture.wait(60 * GST_SECOND), "no EOS");
  fail_if(capture.error != nullptr, "%s", capture.error_text().c_str());
  JsonObject *manifest = emulator.finish();
  check_no_violations(manifest);
  fail_unless(capture.has_element_message("rtms-video-subscription"));
  JsonArray *subs = json_object_get_array_member(manifest, "video_subscriptions");
  fail_unless_equals_int(json_array_get_length(subs), 1);
  JsonObject *sub = json_array_get_object_element(subs, 0);
  fail_unless_equals_int64(json_object_get_int_member(sub, "user_id"), bob);
  fail_unless_equals_int64(json_object_get_int_member(sub, "status_code"), 0);
  PadCapture *video = pad_named(capture, "video_0");
  // The pad shows Bob from its first event on: property and tags.
  fail_unless_equals_int64(video->participant_id, bob);
  fail_unless_equals_int64(video->first_tag_id, bob);
  fail_unless_equals_int64(video->tag_id, bob);
  fail_unless_equals_string(video->participant_name.c_str(), "Bob");
  fail_unless(video->caps.find("width=(int)320, height=(int)240") != std::string::npos, "%s",
              video->caps.c_str());
  JsonObject *sent_video = json_object_path(manifest, "video");
  fail_unless(sent_video && json_object_has_member(sent_video, std::to_string(bob).c_str()));
  fail_unless_equals_uint64(video->buffers, guint64(sum_member(sent_video, "frames")));
  fail_if(video->delta.front(), "the subscribed video does not start with a keyframe");
  check_decodes(video->caps, "h264parse ! avdec_h264", video->payloads);
}
GST_END_TEST;

GST_START_TEST(jpeg_video_png_share) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short-av.json")});
  Capture capture("media=video+deskshare+chat video-codec=jpeg video-fps=5 video-resolution=sd "
                  "deskshare-codec=png deskshare-fps=1 deskshare-resolution=sd "
                  "text-gap-delay=500");
  configure_src(capture, emulator);
  capture.keep_payloads = true;
  JsonObject *manifest = run_to_end(capture, emulator);
  PadCapture *video = pad_named(capture, "video_0");
  fail_unless(g_str_has_prefix(video->caps.c_str(), "image/jpeg, width=(int)"), "%s", video->caps.c_str());
  fail_unless_equals_uint64(video->buffers,
                            guint64(sum_member(json_object_path(manifest, "video"), "frames")));
  for (auto &payload : video->payloads) check_decodes(video->all_caps.back(), "jpegdec", {payload});
  PadCapture *share = pad_named(capture, "deskshare_0");
  fail_unless(g_str_has_prefix(share->caps.c_str(), "image/png, width=(int)"), "%s", share->caps.c_str());
  check_decodes(share->caps, "pngdec", share->payloads);
  // The chat pad is sparse: between messages it declares the silence with
  // GAP events (trailing real time by text-gap-delay), so muxers never wait.
  PadCapture *chat = pad_named(capture, "chat_0");
  fail_unless_equals_uint64(chat->buffers, json_array_get_length(json_object_get_array_member(manifest, "chat")));
  fail_unless(chat->gaps >= 2, "the sparse chat pad sent %u GAP events", chat->gaps);
  for (size_t i = 1; i < chat->pts.size(); i++) fail_unless(chat->pts[i] > chat->pts[i - 1]);
}
GST_END_TEST;

// The cookbook's Matroska recording of a 30 s meeting: active speaker video
// (passthrough), mixed audio and the transcript as subtitles, in one file
// whose length is the meeting's. Matroska cannot change the picture size
// mid-file, so every camera has one size here. Cameras go on and off in this
// meeting: each change is a bus message.
GST_START_TEST(record_to_matroska) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("default-one-size.json")});
  std::string file = emulator.dir + "/meeting.mkv";
  std::string desc =
      "rtmssrc name=src media=audio+video+transcript audio-mode=mixed video-codec=h264 "
      "video-fps=15 video-resolution=sd text-gap-delay=3000 "
      "matroskamux name=mux ! filesink location=" + file + " "
      "src.video_0 ! queue ! h264parse ! mux. "
      "src.audio_0 ! queue ! audioconvert ! opusenc ! mux. "
      "src.transcript_0 ! queue ! mux.subtitle_%u";
  GstElement *pipeline = launch_against(emulator, desc);
  guint video_on = 0, video_off = 0;
  play_to_eos(pipeline, 90 * GST_SECOND, [&](GstMessage *msg) {
    if (GST_MESSAGE_TYPE(msg) != GST_MESSAGE_ELEMENT) return;
    const GstStructure *s = gst_message_get_structure(msg);
    video_on += gst_structure_has_name(s, "rtms-participant-video-on");
    video_off += gst_structure_has_name(s, "rtms-participant-video-off");
  });
  gst_object_unref(pipeline);
  JsonObject *manifest = emulator.finish();
  guint sent_on = count_events_sent(manifest, 8);
  guint sent_off = count_events_sent(manifest, 9);
  fail_unless(sent_on > 0 && sent_off > 0, "the meeting has no camera changes");
  fail_unless_equals_int(video_on, sent_on);
  fail_unless_equals_int(video_off, sent_off);

  GstDiscoverer *discoverer = gst_discoverer_new(10 * GST_SECOND, nullptr);
  gchar *uri = gst_filename_to_uri(file.c_str(), nullptr);
  GError *error = nullptr;
  GstDiscovererInfo *info = gst_discoverer_discover_uri(discoverer, uri, &error);
  fail_unless(info != nullptr, "%s", error ? error->message : "?");
  GList *video = gst_discoverer_info_get_video_streams(info);
  GList *audio = gst_discoverer_info_get_audio_streams(info);
  GList *subtitles = gst_discoverer_info_get_subtitle_streams(info);
  fail_unless_equals_int(g_list_length(video), 1);
  fail_unless_equals_int(g_list_length(audio), 1);
  fail_unless_equals_int(g_list_length(subtitles), 1);
  // Tracks are titled after what they carry, not after whoever spoke last.
  auto title_of = [](GList *streams) {
    const GstTagList *tags = gst_discoverer_stream_info_get_tags(GST_DISCOVERER_STREAM_INFO(streams->data));
    gchar *title = nullptr;
    std::string out = tags && gst_tag_list_get_string(tags, GST_TAG_TITLE, &title) ? title : "(none)";
    g_free(title);
    return out;
  };
  const std::string video_title = title_of(video), audio_title = title_of(audio);
  fail_unless_equals_string(video_title.c_str(), "Video");
  fail_unless_equals_string(audio_title.c_str(), "Mixed audio");
  // matroskamux names a sparse track only if its tags were read before it
  // wrote the header (not always, with the first line seconds away); when
  // it does, the name is the pad's, never a speaker's.
  std::string subtitle_title = title_of(subtitles);
  fail_unless(subtitle_title == "Transcript" || subtitle_title == "(none)", "subtitle track titled %s",
              subtitle_title.c_str());
  // The meeting lasts 30 s; the file covers it, within a frame or two.
  GstClockTime duration = gst_discoverer_info_get_duration(info);
  fail_unless(duration > 29 * GST_SECOND && duration < 31 * GST_SECOND,
              "duration %" GST_TIME_FORMAT, GST_TIME_ARGS(duration));
  gst_discoverer_stream_info_list_free(video);
  gst_discoverer_stream_info_list_free(audio);
  gst_discoverer_stream_info_list_free(subtitles);
  gst_discoverer_info_unref(info);
  g_free(uri);
  g_object_unref(discoverer);
  g_remove(file.c_str());
}
GST_END_TEST;

// gst-launch's delayed links give up at no-more-pads. It must not come
// before the speaker's video pad (which appears with the first keyframe),
// so a launch line naming src.video_0 and src.deskshare_0 links them.
static GstPadProbeReturn count_buffer(GstPad *, GstPadProbeInfo *, gpointer counter) {
  g_atomic_int_inc(static_cast<gint *>(counter));
  return GST_PAD_PROBE_OK;
}

GST_START_TEST(launch_line_links_video_and_share) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short-av.json")});
  GstElement *pipeline = launch_against(
      emulator,
      "rtmssrc name=src media=audio+video+deskshare push-mode=network-thread "
      "src.video_0 ! queue ! fakesink name=video async=false "
      "src.deskshare_0 ! queue ! fakesink name=share async=false");
  gint counts[2] = {0, 0};
  const char *sinks[2] = {"video", "share"};
  for (int i = 0; i < 2; i++) {
    GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), sinks[i]);
    GstPad *pad = gst_element_get_static_pad(sink, "sink");
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, &counts[i], nullptr);
    gst_object_unref(pad);
    gst_object_unref(sink);
  }
  bool delayed_link_failed = false;
  play_to_eos(pipeline, 30 * GST_SECOND, [&](GstMessage *msg) {
    if (GST_MESSAGE_TYPE(msg) != GST_MESSAGE_WARNING) return;
    GError *w = nullptr;
    gst_message_parse_warning(msg, &w, nullptr);
    if (w && strstr(w->message, "Delayed linking failed")) delayed_link_failed = true;
    g_clear_error(&w);
  });
  gst_object_unref(pipeline);
  fail_if(delayed_link_failed, "gst-launch gave up on a pad that came later");
  JsonObject *manifest = emulator.finish();
  check_no_violations(manifest);
  fail_unless(counts[0] > 10, "video_0 got %d buffers", counts[0]);
  fail_unless(counts[1] > 5, "deskshare_0 got %d buffers", counts[1]);
}
GST_END_TEST;

// Two people talk at once: the second line starts before the first ends.
// Each keeps the server's start and duration (WebVTT and SRT allow
// overlapping cues); nothing is moved later.
GST_START_TEST(overlapping_transcript_lines_keep_their_times) {
  TempScript script("overlap.json",
      "{\"duration_ms\": 3500, \"participants\": ["
      "{\"user_id\": 16778240, \"user_name\": \"Alice\", \"talk\": [[0, 3500]]},"
      "{\"user_id\": 16779264, \"user_name\": \"Bob\", \"talk\": [[0, 3500]]}],"
      "\"transcript\": ["
      "{\"user_id\": 16778240, \"start_ms\": 100, \"end_ms\": 2000, \"text\": \"I was saying that\"},"
      "{\"user_id\": 16779264, \"start_ms\": 900, \"end_ms\": 2400, \"text\": \"Sorry, go on\"},"
      "{\"user_id\": 16778240, \"start_ms\": 2500, \"end_ms\": 3000, \"text\": \"Thanks\"}]}");
  EmulatorRun emulator;
  emulator.start({"--script", script.path});
  Capture capture("media=audio+transcript");
  configure_src(capture, emulator);
  capture.keep_payloads = true;
  JsonObject *manifest = run_to_end(capture, emulator);
  PadCapture *transcript = pad_named(capture, "transcript_0");
  JsonArray *lines = json_object_get_array_member(manifest, "transcript");
  fail_unless_equals_uint64(transcript->buffers, 3);
  fail_unless_equals_int(json_array_get_length(lines), 3);
  JsonObject *first = json_array_get_object_element(lines, 0);
  for (guint i = 0; i < 3; i++) {
    JsonObject *line = json_array_get_object_element(lines, i);
    gint64 duration_ms = json_object_get_int_member(line, "end_time") - json_object_get_int_member(line, "start_time");
    fail_unless_equals_uint64(transcript->durations[i], guint64(duration_ms) * GST_MSECOND);
    gint64 since_first =
        json_object_get_int_member(line, "start_time") - json_object_get_int_member(first, "start_time");
    fail_unless_equals_int64(GST_CLOCK_DIFF(transcript->pts[0], transcript->pts[i]), since_first * GST_MSECOND);
  }
  // The second line really overlaps the first.
  fail_unless(transcript->pts[1] < transcript->pts[0] + transcript->durations[0]);
}
GST_END_TEST;

// The README's first line, for the two speakers of short.json: every pad
// named on the line is linked when its participant first speaks, and
// gst-launch warns about nothing (no-more-pads comes at the end of the
// stream, not at the audio handshake).
static std::vector<std::string> warnings_of(GstElement *pipeline) {
  std::vector<std::string> texts;
  play_to_eos(pipeline, 30 * GST_SECOND, [&](GstMessage *msg) {
    if (GST_MESSAGE_TYPE(msg) != GST_MESSAGE_WARNING) return;
    GError *w = nullptr;
    gst_message_parse_warning(msg, &w, nullptr);
    texts.push_back(w ? w->message : "?");
    g_clear_error(&w);
  });
  gst_object_unref(pipeline);
  return texts;
}

GST_START_TEST(launch_line_per_participant_has_no_warnings) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json")});
  std::vector<std::string> warnings = warnings_of(launch_against(
      emulator,
      "rtmssrc name=src "
      "src.audio_0 ! queue ! audiorate ! audioconvert ! wavenc ! fakesink async=false "
      "src.audio_1 ! queue ! audiorate ! audioconvert ! wavenc ! fakesink async=false"));
  std::string all;
  for (const auto &w : warnings) all += "\n  " + w;
  fail_unless(warnings.empty(), "warnings:%s", all.c_str());
  check_no_violations(emulator.finish());
}
GST_END_TEST;

// `rtmssrc ! fakesink` links the first speaker's pad only: the second
// speaker's media is dropped, with a warning that says whose and what to do.
GST_START_TEST(unlinked_participant_is_named) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json")});
  std::vector<std::string> warnings =
      warnings_of(launch_against(emulator, "rtmssrc name=src ! fakesink async=false"));
  std::string all;
  for (const auto &w : warnings) all += "\n  " + w;
  fail_unless_equals_int(warnings.size(), 1);
  fail_unless(warnings[0].find("Pad audio_1 is not linked: the media of participant 16779264 (Bob) is "
                               "dropped") != std::string::npos,
              "warnings:%s", all.c_str());
  check_no_violations(emulator.finish());
}
GST_END_TEST;

static Suite *media_suite() {
  Suite *s = suite_create("rtmssrc-media-e2e");
  TCase *tc = tcase_create("media");
  tcase_set_timeout(tc, 180);
  tcase_add_test(tc, every_media_type_h264);
  tcase_add_test(tc, jpeg_video_png_share);
  tcase_add_test(tc, individual_video_subscription);
  tcase_add_test(tc, large_video_frames_from_a_polling_emulator_wss);
  tcase_add_test(tc, record_to_matroska);
  tcase_add_test(tc, launch_line_links_video_and_share);
  tcase_add_test(tc, launch_line_per_participant_has_no_warnings);
  tcase_add_test(tc, overlapping_transcript_lines_keep_their_times);
  tcase_add_test(tc, unlinked_participant_is_named);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(media);
