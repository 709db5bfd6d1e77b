// rtmstextenc on its own, fed through GstHarness with buffers that carry
// GstRtmsMeta the way rtmssrc's transcript and chat pads send them: every
// format, escaping, overlapping and out-of-order lines, empty and invalid
// UTF-8 text, GAPs and EOS, negotiation, and the restoring of lines that
// rtmssrc moved.
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <cstring>
#include <string>
#include <vector>

static const gint64 kBaseMs = 1700000000000;  // server time of PTS 0

// A transcript buffer as rtmssrc makes it: PTS and duration from the
// server's start and end (plus shift, as rtmssrc's sparse handling does).
static GstBuffer *transcript(const std::string &text, gint64 start_ms, gint64 end_ms, gint64 user,
                             const char *name, GstClockTime shift = 0) {
  GstBuffer *b = text.empty() ? gst_buffer_new() : gst_buffer_new_memdup(text.data(), text.size());
  GstClockTime pts = GstClockTime(start_ms) * GST_MSECOND;
  GstClockTime duration = GstClockTime(end_ms - start_ms) * GST_MSECOND;
  GST_BUFFER_PTS(b) = pts + shift;
  if (end_ms > start_ms) GST_BUFFER_DURATION(b) = duration > shift ? duration - shift : 0;
  GstCustomMeta *meta = gst_buffer_add_custom_meta(b, "GstRtmsMeta");
  fail_unless(meta != nullptr);
  gst_structure_set(gst_custom_meta_get_structure(meta), "user-id", G_TYPE_INT64, user, "user-name", G_TYPE_STRING,
                    name, "language", G_TYPE_INT, 9, "language-name", G_TYPE_STRING, "ENGLISH", "start-ms",
                    G_TYPE_INT64, kBaseMs + start_ms, "end-ms", G_TYPE_INT64, kBaseMs + end_ms, "attribute",
                    G_TYPE_INT, 1, nullptr);
  return b;
}

static GstBuffer *chat(const std::string &text, gint64 at_ms, gint64 sender, const char *name) {
  GstBuffer *b = gst_buffer_new_memdup(text.data(), text.size());
  GST_BUFFER_PTS(b) = GstClockTime(at_ms) * GST_MSECOND;
  GstCustomMeta *meta = gst_buffer_add_custom_meta(b, "GstRtmsMeta");
  gst_structure_set(gst_custom_meta_get_structure(meta), "structured", G_TYPE_BOOLEAN, FALSE, "sender-id",
                    G_TYPE_INT64, sender, "sender-name", G_TYPE_STRING, name, "operation", G_TYPE_INT, 1,
                    "timestamp-ms", G_TYPE_INT64, kBaseMs + at_ms, nullptr);
  return b;
}

// An encoder in a harness; format < 0 leaves the property alone.
static GstHarness *encoder(int format, GstClockTime window = GST_CLOCK_TIME_NONE, const char *sink_caps = nullptr) {
  GstHarness *h = gst_harness_new("rtmstextenc");
  if (format >= 0) gst_util_set_object_arg(G_OBJECT(h->element), "format",
                                           format == 0 ? "webvtt" : format == 1 ? "srt" : "jsonl");
  if (GST_CLOCK_TIME_IS_VALID(window)) g_object_set(h->element, "reorder-window", guint64(window), nullptr);
  if (sink_caps) gst_harness_set_sink_caps_str(h, sink_caps);
  gst_harness_set_src_caps_str(h, "text/x-raw,format=utf8");
  return h;
}

static void push(GstHarness *h, GstBuffer *b) { fail_unless_equals_int(gst_harness_push(h, b), GST_FLOW_OK); }

struct Out {
  std::string bytes;
  std::vector<GstClockTime> pts, durations;
};

// Everything the encoder has written so far (after EOS when end is set).
static Out drain(GstHarness *h, bool end = true) {
  if (end) fail_unless(gst_harness_push_event(h, gst_event_new_eos()));
  Out out;
  while (GstBuffer *b = gst_harness_try_pull(h)) {
    GstMapInfo map;
    fail_unless(gst_buffer_map(b, &map, GST_MAP_READ));
    out.bytes.append(reinterpret_cast<const char *>(map.data), map.size);
    gst_buffer_unmap(b, &map);
    if (!GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_HEADER)) {
      out.pts.push_back(GST_BUFFER_PTS(b));
      out.durations.push_back(GST_BUFFER_DURATION(b));
    }
    gst_buffer_unref(b);
  }
  return out;
}

// The caps the encoder chose (a string the test frees with g_free; check's
// string comparison keeps the pointer, so no temporary std::string).
static gchar *src_caps_string(GstHarness *h) {
  GstCaps *caps = gst_pad_get_current_caps(h->sinkpad);
  fail_unless(caps != nullptr);
  gchar *s = gst_caps_to_string(caps);
  gst_caps_unref(caps);
  return s;
}
#define fail_unless_caps(h, expected)            \
  G_STMT_START {                                 \
    gchar *caps_ = src_caps_string(h);           \
    fail_unless_equals_string(caps_, expected); \
    g_free(caps_);                               \
  }                                              \
  G_STMT_END

GST_START_TEST(webvtt_cues) {
  GstHarness *h = encoder(-1);
  push(h, transcript("Hello everyone.", 1000, 2500, 16778240, "Alice"));
  push(h, transcript("Thanks, Alice.", 3000, 4200, 16779264, "Bob"));
  push(h, chat("see you", 5000, 16778240, "Alice"));
  Out out = drain(h);
  fail_unless_caps(h, "application/x-subtitle-vtt");
  // Once chosen, the src pad offers nothing else.
  GstCaps *offered = gst_pad_peer_query_caps(h->sinkpad, nullptr);
  gchar *offered_text = gst_caps_to_string(offered);
  fail_unless_equals_string(offered_text, "application/x-subtitle-vtt");
  g_free(offered_text);
  gst_caps_unref(offered);
  fail_unless_equals_string(out.bytes.c_str(),
                            "WEBVTT\n\n"
                            "1\n00:00:01.000 --> 00:00:02.500\n<v Alice>Hello everyone.\n\n"
                            "2\n00:00:03.000 --> 00:00:04.200\n<v Bob>Thanks, Alice.\n\n"
                            "3\n00:00:05.000 --> 00:00:07.000\n<v Alice>see you\n\n");
  fail_unless_equals_int(out.pts.size(), 3);
  fail_unless_equals_uint64(out.pts[1], 3 * GST_SECOND);
  fail_unless_equals_uint64(out.durations[1], 1200 * GST_MSECOND);
  gst_harness_teardown(h);
}
GST_END_TEST;

// text/vtt when downstream asks for it; the header comes even with no cue.
GST_START_TEST(webvtt_text_vtt_and_empty_file) {
  GstHarness *h = encoder(0, GST_CLOCK_TIME_NONE, "text/vtt");
  Out out = drain(h);
  fail_unless_caps(h, "text/vtt");
  fail_unless_equals_string(out.bytes.c_str(), "WEBVTT\n\n");
  gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(webvtt_escaping) {
  GstHarness *h = encoder(0);
  push(h, transcript("a < b && c > d --> e\r\n\r\n\n  second line \x01\x7f\r", 0, 1000, 1, "Ann <admin> & co\nX"));
  push(h, transcript("tab\there", 1000, 2000, 2, ""));
  Out out = drain(h);
  fail_unless_equals_string(out.bytes.c_str(),
                            "WEBVTT\n\n"
                            "1\n00:00:00.000 --> 00:00:01.000\n<v Ann &lt;admin&gt; &amp; co X>"
                            "a &lt; b &amp;&amp; c &gt; d --&gt; e\nsecond line\n\n"
                            "2\n00:00:01.000 --> 00:00:02.000\ntab\there\n\n");
  gst_harness_teardown(h);
}
GST_END_TEST;

// Empty text (or nothing but blank lines) makes no cue in WebVTT and SRT;
// invalid UTF-8 is replaced, never passed on.
GST_START_TEST(empty_and_invalid_utf8) {
  for (int format = 0; format < 3; format++) {
    GstHarness *h = encoder(format);
    push(h, transcript("", 0, 1000, 1, "A"));
    push(h, transcript("\n \r\n", 1000, 1500, 1, "A"));
    push(h, transcript(std::string("bad \xff\xfe end \xe2\x82", 13), 2000, 3000, 2, "B"));
    Out out = drain(h);
    fail_unless(g_utf8_validate(out.bytes.data(), gssize(out.bytes.size()), nullptr), "format %d: %s", format,
                out.bytes.c_str());
    fail_unless(out.bytes.find("bad \xef\xbf\xbd\xef\xbf\xbd end \xef\xbf\xbd") != std::string::npos, "format %d: %s",
                format, out.bytes.c_str());
    if (format == 0)
      fail_unless(g_str_has_prefix(out.bytes.c_str(), "WEBVTT\n\n1\n00:00:02.000 --> 00:00:03.000\n<v B>"),
                  "%s", out.bytes.c_str());
    if (format == 1)
      fail_unless(g_str_has_prefix(out.bytes.c_str(), "1\n00:00:02,000 --> 00:00:03,000\nB: bad"), "%s",
                  out.bytes.c_str());
    // JSON keeps the empty ones.
    fail_unless_equals_int(out.pts.size(), format == 2 ? 3 : 1);
    gst_harness_teardown(h);
  }
}
GST_END_TEST;

GST_START_TEST(srt_entries) {
  GstHarness *h = encoder(1);
  push(h, transcript("Hello --> there\n\nagain", 3723045, 3725000, 1, "Alice"));
  push(h, chat("bye", 3726000, 2, "Bob"));
  Out out = drain(h);
  fail_unless_caps(h, "application/x-subtitle");
  fail_unless_equals_string(out.bytes.c_str(),
                            "1\n01:02:03,045 --> 01:02:05,000\nAlice: Hello --\xe2\x80\x8b> there\nagain\n\n"
                            "2\n01:02:06,000 --> 01:02:08,000\nBob: bye\n\n");
  gst_harness_teardown(h);
}
GST_END_TEST;

// Without a format set, the first one downstream accepts.
GST_START_TEST(negotiation) {
  GstHarness *h = encoder(-1, GST_CLOCK_TIME_NONE, "application/x-subtitle");
  push(h, transcript("x", 0, 1000, 1, "A"));
  Out out = drain(h);
  fail_unless_caps(h, "application/x-subtitle");
  fail_unless(g_str_has_prefix(out.bytes.c_str(), "1\n00:00:00,000 --> "));
  gst_harness_teardown(h);

  // A format that downstream refuses is an error, not another format.
  h = gst_harness_new("rtmstextenc");
  gst_util_set_object_arg(G_OBJECT(h->element), "format", "jsonl");
  gst_harness_set_sink_caps_str(h, "text/vtt");
  gst_harness_set_src_caps_str(h, "text/x-raw,format=utf8");
  fail_unless_equals_int(gst_harness_push(h, transcript("x", 0, 1000, 1, "A")), GST_FLOW_NOT_NEGOTIATED);
  gst_harness_teardown(h);
}
GST_END_TEST;

static JsonObject *parse_line(JsonParser *parser, const std::string &line) {
  GError *error = nullptr;
  fail_unless(json_parser_load_from_data(parser, line.c_str(), gssize(line.size()), &error), "%s: %s",
              line.c_str(), error ? error->message : "?");
  JsonNode *root = json_parser_get_root(parser);
  fail_unless(JSON_NODE_HOLDS_OBJECT(root));
  return json_node_get_object(root);
}

GST_START_TEST(json_lines) {
  GstHarness *h = encoder(2);
  const std::string weird = std::string("quote \" backslash \\ nl \n cr \r tab \t nul ") + '\0' +
                            " bell \x07 del \x7f ls \xe2\x80\xa8 ps \xe2\x80\xa9 emoji \xf0\x9f\x98\x80 \xc3\xa9";
  push(h, transcript(weird, 1500, 4250, 16778240, "Al\"ice\n"));
  push(h, chat("hi </script>", 5000, 7, "Bob"));
  GstBuffer *bare = gst_buffer_new_memdup("no meta", 7);
  GST_BUFFER_PTS(bare) = 6 * GST_SECOND;
  push(h, bare);
  Out out = drain(h);
  fail_unless_caps(h, "application/x-json");
  gchar **lines = g_strsplit(out.bytes.c_str(), "\n", -1);
  fail_unless_equals_int(g_strv_length(lines), 4);
  fail_unless_equals_string(lines[3], "");
  for (int i = 0; i < 3; i++)
    for (const char *c = lines[i]; *c; c++) fail_unless(guchar(*c) >= 0x20, "raw control character in %s", lines[i]);
  fail_unless(strstr(lines[0], "\\u2028") && strstr(lines[0], "\\u2029") && strstr(lines[0], "\\u0007") &&
              strstr(lines[0], "\\u007f") && strstr(lines[0], "\\\"") && strstr(lines[0], "\\\\"));
  JsonParser *parser = json_parser_new();
  JsonObject *o = parse_line(parser, lines[0]);
  fail_unless_equals_string(json_object_get_string_member(o, "kind"), "transcript");
  fail_unless(json_object_get_double_member(o, "start") == 1.5);
  fail_unless(json_object_get_double_member(o, "end") == 4.25);
  fail_unless_equals_int64(json_object_get_int_member(o, "speaker_id"), 16778240);
  fail_unless_equals_string(json_object_get_string_member(o, "speaker"), "Al\"ice\n");
  fail_unless_equals_string(json_object_get_string_member(o, "language"), "ENGLISH");
  fail_unless_equals_int64(json_object_get_int_member(o, "language_id"), 9);
  // The text comes back byte for byte, but for the NUL (not text: U+FFFD).
  std::string expected = weird;
  expected.replace(expected.find('\0'), 1, "\xef\xbf\xbd");
  fail_unless_equals_string(json_object_get_string_member(o, "text"), expected.c_str());
  JsonObject *meta = json_object_get_object_member(o, "meta");
  fail_unless_equals_int64(json_object_get_int_member(meta, "start-ms"), kBaseMs + 1500);
  fail_unless_equals_int64(json_object_get_int_member(meta, "end-ms"), kBaseMs + 4250);
  fail_unless_equals_int64(json_object_get_int_member(meta, "attribute"), 1);

  o = parse_line(parser, lines[1]);
  fail_unless_equals_string(json_object_get_string_member(o, "kind"), "chat");
  fail_unless(json_object_get_null_member(o, "end"));
  fail_unless_equals_string(json_object_get_string_member(o, "speaker"), "Bob");
  fail_unless_equals_string(json_object_get_string_member(o, "text"), "hi </script>");
  fail_unless(json_object_get_boolean_member(json_object_get_object_member(o, "meta"), "structured") == FALSE);

  o = parse_line(parser, lines[2]);
  fail_unless_equals_string(json_object_get_string_member(o, "kind"), "text");
  fail_unless(json_object_get_null_member(o, "speaker"));
  fail_unless(!json_object_has_member(o, "meta"));
  g_object_unref(parser);
  g_strfreev(lines);
  gst_harness_teardown(h);
}
GST_END_TEST;

// Overlapping speakers: Bob's short line ends (and arrives) first although
// Alice started earlier. Both keep their own times; within the reorder
// window they come out in order of start time, without it as they came.
GST_START_TEST(overlapping_cues) {
  GstHarness *h = encoder(0);
  push(h, transcript("short", 2000, 3000, 2, "Bob"));
  push(h, transcript("long one", 1000, 6000, 1, "Alice"));
  push(h, transcript("later", 4000, 5000, 2, "Bob"));
  Out out = drain(h);
  fail_unless_equals_string(out.bytes.c_str(),
                            "WEBVTT\n\n"
                            "1\n00:00:01.000 --> 00:00:06.000\n<v Alice>long one\n\n"
                            "2\n00:00:02.000 --> 00:00:03.000\n<v Bob>short\n\n"
                            "3\n00:00:04.000 --> 00:00:05.000\n<v Bob>later\n\n");
  gst_harness_teardown(h);

  h = encoder(0, 0);
  push(h, transcript("short", 2000, 3000, 2, "Bob"));
  push(h, transcript("long one", 1000, 6000, 1, "Alice"));
  out = drain(h);
  fail_unless_equals_string(out.bytes.c_str(),
                            "WEBVTT\n\n"
                            "1\n00:00:02.000 --> 00:00:03.000\n<v Bob>short\n\n"
                            "2\n00:00:01.000 --> 00:00:06.000\n<v Alice>long one\n\n");
  gst_harness_teardown(h);
}
GST_END_TEST;

// rtmssrc moves a line that starts before time its GAPs already declared
// empty and shortens it by as much; the encoder puts it back from the
// meta's server times (unless told not to).
GST_START_TEST(moved_lines_restored) {
  for (gboolean restore : {gboolean(TRUE), gboolean(FALSE)}) {
    GstHarness *h = encoder(0, 0);
    g_object_set(h->element, "restore-server-times", restore, nullptr);
    push(h, transcript("first", 1000, 2000, 1, "A"));
    // 3.0-5.0 s, moved to 3.5 s (1.5 s left).
    push(h, transcript("moved", 3000, 5000, 2, "B", 500 * GST_MSECOND));
    // 6.0-6.4 s, moved past its end (nothing left): placed by the offset.
    push(h, transcript("gone", 6000, 6400, 1, "A", 900 * GST_MSECOND));
    Out out = drain(h);
    const char *expected = restore ? "WEBVTT\n\n"
                                     "1\n00:00:01.000 --> 00:00:02.000\n<v A>first\n\n"
                                     "2\n00:00:03.000 --> 00:00:05.000\n<v B>moved\n\n"
                                     "3\n00:00:06.000 --> 00:00:06.400\n<v A>gone\n\n"
                                   : "WEBVTT\n\n"
                                     "1\n00:00:01.000 --> 00:00:02.000\n<v A>first\n\n"
                                     "2\n00:00:03.500 --> 00:00:05.000\n<v B>moved\n\n"
                                     "3\n00:00:06.900 --> 00:00:06.901\n<v A>gone\n\n";
    fail_unless_equals_string(out.bytes.c_str(), expected);
    gst_harness_teardown(h);
  }
}
GST_END_TEST;

// Cue times are running time: a segment that starts later (or with a base)
// shifts them like any other stream of the pipeline.
GST_START_TEST(running_time) {
  GstHarness *h = encoder(1);
  GstSegment segment;
  gst_segment_init(&segment, GST_FORMAT_TIME);
  segment.start = 10 * GST_SECOND;
  segment.time = 10 * GST_SECOND;
  segment.base = 1 * GST_SECOND;
  fail_unless(gst_harness_push_event(h, gst_event_new_segment(&segment)));
  push(h, transcript("x", 12000, 13000, 1, "A"));
  Out out = drain(h);
  fail_unless(g_str_has_prefix(out.bytes.c_str(), "1\n00:00:03,000 --> 00:00:04,000\n"), "%s", out.bytes.c_str());
  gst_harness_teardown(h);
}
GST_END_TEST;

// GAPs move the reorder window on and go downstream for time without cues;
// EOS writes whatever still waits.
GST_START_TEST(gaps_and_eos) {
  GstHarness *h = encoder(0, 2 * GST_SECOND);
  // Drop the stream-start, caps and segment already there.
  while (GstEvent *e = gst_harness_try_pull_event(h)) gst_event_unref(e);
  GstBuffer *header = gst_harness_pull(h);
  fail_unless(GST_BUFFER_FLAG_IS_SET(header, GST_BUFFER_FLAG_HEADER));
  gst_buffer_unref(header);

  push(h, transcript("one", 1000, 2000, 1, "A"));
  fail_unless(gst_harness_try_pull(h) == nullptr);  // waiting for earlier ones
  fail_unless(gst_harness_push_event(h, gst_event_new_gap(2 * GST_SECOND, GST_SECOND / 2)));
  fail_unless(gst_harness_try_pull(h) == nullptr);  // 2.5 s - 2 s window: not yet past 1 s
  while (GstEvent *e = gst_harness_try_pull_event(h)) gst_event_unref(e);  // GAP 0 - 0.5 s
  fail_unless(gst_harness_push_event(h, gst_event_new_gap(3 * GST_SECOND, 2 * GST_SECOND)));
  GstBuffer *cue = gst_harness_try_pull(h);
  fail_unless(cue != nullptr);
  fail_unless_equals_uint64(GST_BUFFER_PTS(cue), GST_SECOND);
  gst_buffer_unref(cue);
  // Then the time known empty, from the cue's end to 5 s - 2 s.
  GstEvent *gap = nullptr;
  while (GstEvent *e = gst_harness_try_pull_event(h)) {
    if (GST_EVENT_TYPE(e) == GST_EVENT_GAP && !gap) gap = e;
    else gst_event_unref(e);
  }
  fail_unless(gap != nullptr);
  GstClockTime ts, duration;
  gst_event_parse_gap(gap, &ts, &duration);
  fail_unless_equals_uint64(ts, 2 * GST_SECOND);
  fail_unless_equals_uint64(duration, GST_SECOND);
  gst_event_unref(gap);

  push(h, transcript("two", 4000, 4500, 1, "A"));
  fail_unless(gst_harness_try_pull(h) == nullptr);
  fail_unless(gst_harness_push_event(h, gst_event_new_eos()));
  cue = gst_harness_try_pull(h);
  fail_unless(cue != nullptr);
  fail_unless_equals_uint64(GST_BUFFER_PTS(cue), 4 * GST_SECOND);
  gst_buffer_unref(cue);
  bool eos = false;
  while (GstEvent *e = gst_harness_try_pull_event(h)) {
    eos = eos || GST_EVENT_TYPE(e) == GST_EVENT_EOS;
    gst_event_unref(e);
  }
  fail_unless(eos);
  gst_harness_teardown(h);
}
GST_END_TEST;

// Long text is cut (at a character), never passed on unbounded.
GST_START_TEST(bounded_text) {
  GstHarness *h = encoder(0);
  std::string big;
  while (big.size() < 100000) big += "\xc3\xa9";
  push(h, transcript(big, 0, 1000, 1, std::string(1000, 'n').c_str()));
  Out out = drain(h);
  fail_unless(out.bytes.size() < 17 * 1024, "%" G_GSIZE_FORMAT " bytes", out.bytes.size());
  fail_unless(g_utf8_validate(out.bytes.data(), gssize(out.bytes.size()), nullptr));
  gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(inspect_documents_everything) {
  GstElement *enc = gst_element_factory_make("rtmstextenc", nullptr);
  fail_unless(enc != nullptr);
  guint n = 0;
  GParamSpec **specs = g_object_class_list_properties(G_OBJECT_GET_CLASS(enc), &n);
  guint own = 0;
  for (guint i = 0; i < n; i++) {
    GParamSpec *p = specs[i];
    if (p->owner_type != G_OBJECT_TYPE(enc)) continue;
    own++;
    fail_unless(strlen(g_param_spec_get_blurb(p)) > 40, "property %s has no useful description", p->name);
    fail_unless(strcmp(g_param_spec_get_nick(p), p->name) != 0, "property %s has no nick", p->name);
    if (G_IS_PARAM_SPEC_ENUM(p)) {
      GEnumClass *e = G_PARAM_SPEC_ENUM(p)->enum_class;
      for (guint v = 0; v < e->n_values; v++) fail_unless(strlen(e->values[v].value_name) > 10);
    }
  }
  fail_unless_equals_int(own, 4);
  g_free(specs);
  GstElementFactory *factory = gst_element_get_factory(enc);
  fail_unless(strlen(gst_element_factory_get_metadata(factory, GST_ELEMENT_METADATA_DESCRIPTION)) > 40);
  fail_unless(gst_element_class_get_pad_template(GST_ELEMENT_GET_CLASS(enc), "sink") != nullptr);
  fail_unless(gst_element_class_get_pad_template(GST_ELEMENT_GET_CLASS(enc), "src") != nullptr);
  gst_object_unref(enc);
}
GST_END_TEST;

// From gst-launch syntax, into a file.
GST_START_TEST(launch_into_file) {
  gchar *dir = g_dir_make_tmp("rtmstextenc-XXXXXX", nullptr);
  std::string path = std::string(dir) + "/out.srt";
  std::string desc = "appsrc name=in format=time caps=text/x-raw,format=utf8 ! rtmstextenc format=srt ! filesink "
                     "location=\"" + path + "\"";
  GstElement *pipeline = gst_parse_launch(desc.c_str(), nullptr);
  fail_unless(pipeline != nullptr);
  GstElement *in = gst_bin_get_by_name(GST_BIN(pipeline), "in");
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstFlowReturn ret;
  g_signal_emit_by_name(in, "push-buffer", transcript("hi", 0, 1000, 1, "A"), &ret);
  g_signal_emit_by_name(in, "end-of-stream", &ret);
  GstBus *bus = gst_element_get_bus(pipeline);
  GstMessage *msg = gst_bus_timed_pop_filtered(bus, 10 * GST_SECOND, GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  fail_unless(msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS);
  gst_message_unref(msg);
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(in);
  gst_object_unref(pipeline);
  gchar *contents = nullptr;
  fail_unless(g_file_get_contents(path.c_str(), &contents, nullptr, nullptr));
  fail_unless_equals_string(contents, "1\n00:00:00,000 --> 00:00:01,000\nA: hi\n\n");
  g_free(contents);
  g_unlink(path.c_str());
  g_rmdir(dir);
  g_free(dir);
}
GST_END_TEST;

static Suite *rtmstextenc_suite() {
  Suite *s = suite_create("rtmstextenc");
  TCase *tc = tcase_create("general");
  tcase_add_test(tc, webvtt_cues);
  tcase_add_test(tc, webvtt_text_vtt_and_empty_file);
  tcase_add_test(tc, webvtt_escaping);
  tcase_add_test(tc, empty_and_invalid_utf8);
  tcase_add_test(tc, srt_entries);
  tcase_add_test(tc, negotiation);
  tcase_add_test(tc, json_lines);
  tcase_add_test(tc, overlapping_cues);
  tcase_add_test(tc, moved_lines_restored);
  tcase_add_test(tc, running_time);
  tcase_add_test(tc, gaps_and_eos);
  tcase_add_test(tc, bounded_text);
  tcase_add_test(tc, inspect_documents_everything);
  tcase_add_test(tc, launch_into_file);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(rtmstextenc);
