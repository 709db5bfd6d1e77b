// End to end: rtmssrc's transcript pad through rtmstextenc, as WebVTT, SRT
// and JSON lines at once, against the real emulator. Every line of the
// emulator's script is in each file once, with its speaker, its length and
// its start relative to the first line exactly as the server sent them,
// overlapping lines included (rtmssrc moves those; the encoder puts them
// back), in order of start time.
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "e2e_common.h"

struct Line {
  std::string speaker, text;
  gint64 start_ms = 0, end_ms = 0;
};

static std::string read_file(const std::string &path) {
  gchar *raw = nullptr;
  gsize size = 0;
  fail_unless(g_file_get_contents(path.c_str(), &raw, &size, nullptr), "cannot read %s", path.c_str());
  std::string out(raw, size);
  g_free(raw);
  return out;
}

static std::vector<std::string> split(const std::string &text, const std::string &sep) {
  std::vector<std::string> out;
  size_t at = 0;
  for (;;) {
    size_t next = text.find(sep, at);
    out.push_back(text.substr(at, next == std::string::npos ? std::string::npos : next - at));
    if (next == std::string::npos) return out;
    at = next + sep.size();
  }
}

static gint64 clock_ms(const std::string &text, char separator) {
  unsigned h = 0, m = 0, s = 0, ms = 0;
  char sep = 0;
  fail_unless(std::sscanf(text.c_str(), "%u:%u:%u%c%u", &h, &m, &s, &sep, &ms) == 5 && sep == separator,
              "bad time '%s'", text.c_str());
  return gint64((h * 3600 + m * 60 + s) * 1000 + ms);
}

static std::string unescape_vtt(std::string text) {
  for (auto [from, to] : {std::pair<const char *, const char *>{"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}}) {
    size_t at = 0;
    while ((at = text.find(from, at)) != std::string::npos) {
      text.replace(at, strlen(from), to);
      at += strlen(to);
    }
  }
  return text;
}

// Numbered cues: "<n>\n<start> --> <end>\n<text>".
static std::vector<Line> read_cues(const std::string &path, bool vtt) {
  std::string raw = read_file(path);
  if (vtt) {
    fail_unless(g_str_has_prefix(raw.c_str(), "WEBVTT\n\n"), "%s does not start with WEBVTT", path.c_str());
    raw = raw.substr(8);
  }
  std::vector<Line> cues;
  for (const std::string &block : split(raw, "\n\n")) {
    if (block.empty()) continue;
    std::vector<std::string> lines = split(block, "\n");
    fail_unless(lines.size() == 3, "cue '%s' of %s", block.c_str(), path.c_str());
    fail_unless_equals_int(std::atoi(lines[0].c_str()), int(cues.size() + 1));
    size_t arrow = lines[1].find(" --> ");
    fail_unless(arrow != std::string::npos, "bad timing line '%s'", lines[1].c_str());
    Line cue;
    cue.start_ms = clock_ms(lines[1].substr(0, arrow), vtt ? '.' : ',');
    cue.end_ms = clock_ms(lines[1].substr(arrow + 5), vtt ? '.' : ',');
    std::string text = lines[2];
    if (vtt) {
      fail_unless(g_str_has_prefix(text.c_str(), "<v "), "no voice in '%s'", text.c_str());
      size_t close = text.find('>');
      cue.speaker = unescape_vtt(text.substr(3, close - 3));
      cue.text = unescape_vtt(text.substr(close + 1));
    } else {
      size_t colon = text.find(": ");
      fail_unless(colon != std::string::npos, "no speaker in '%s'", text.c_str());
      cue.speaker = text.substr(0, colon);
      cue.text = text.substr(colon + 2);
      // The encoder breaks timing arrows in SRT text with a zero-width space.
      size_t at;
      while ((at = cue.text.find("--\xe2\x80\x8b>")) != std::string::npos) cue.text.erase(at + 2, 3);
    }
    cues.push_back(cue);
  }
  return cues;
}

static std::vector<Line> read_json_lines(const std::string &path) {
  std::vector<Line> out;
  JsonParser *parser = json_parser_new();
  for (const std::string &line : split(read_file(path), "\n")) {
    if (line.empty()) continue;
    GError *error = nullptr;
    fail_unless(json_parser_load_from_data(parser, line.c_str(), -1, &error), "%s: %s", line.c_str(),
                error ? error->message : "?");
    JsonObject *o = json_node_get_object(json_parser_get_root(parser));
    fail_unless_equals_string(json_object_get_string_member(o, "kind"), "transcript");
    Line l;
    l.speaker = json_object_get_string_member(o, "speaker");
    l.text = json_object_get_string_member(o, "text");
    l.start_ms = std::llround(json_object_get_double_member(o, "start") * 1000);
    l.end_ms = std::llround(json_object_get_double_member(o, "end") * 1000);
    JsonObject *meta = json_object_get_object_member(o, "meta");
    fail_unless(meta && json_object_has_member(meta, "start-ms") && json_object_has_member(meta, "user-id"));
    fail_unless_equals_int64(json_object_get_int_member(o, "speaker_id"), json_object_get_int_member(meta, "user-id"));
    out.push_back(l);
  }
  g_object_unref(parser);
  return out;
}

// The script's lines (the manifest: what went on the wire), sorted by start.
static std::vector<Line> sent_lines(JsonObject *manifest) {
  JsonArray *lines = json_object_get_array_member(manifest, "transcript");
  std::vector<Line> out;
  for (guint i = 0; i < json_array_get_length(lines); i++) {
    JsonObject *line = json_array_get_object_element(lines, i);
    Line l;
    l.speaker = json_object_get_string_member(line, "user_name");
    l.text = json_object_get_string_member(line, "text");
    l.start_ms = json_object_get_int_member(line, "start_time");
    l.end_ms = json_object_get_int_member(line, "end_time");
    out.push_back(l);
  }
  std::stable_sort(out.begin(), out.end(), [](const Line &a, const Line &b) { return a.start_ms < b.start_ms; });
  return out;
}

static void check_matches(const char *what, const std::vector<Line> &got, const std::vector<Line> &sent) {
  fail_unless_equals_int(got.size(), sent.size());
  for (size_t i = 0; i < sent.size(); i++) {
    fail_unless_equals_string(got[i].text.c_str(), sent[i].text.c_str());
    fail_unless_equals_string(got[i].speaker.c_str(), sent[i].speaker.c_str());
    fail_unless_equals_int64(got[i].end_ms - got[i].start_ms, sent[i].end_ms - sent[i].start_ms);
    // The server's spacing, exactly (rtmssrc maps whole milliseconds).
    fail_unless(got[i].start_ms - got[0].start_ms == sent[i].start_ms - sent[0].start_ms,
                "%s cue %zu starts %" G_GINT64_FORMAT " ms after the first, the line %" G_GINT64_FORMAT " ms", what,
                i + 1, got[i].start_ms - got[0].start_ms, sent[i].start_ms - sent[0].start_ms);
  }
  // Running time: the first line starts early in the recording.
  fail_unless(got[0].start_ms < 10000, "%s: the first cue at %" G_GINT64_FORMAT " ms", what, got[0].start_ms);
}

static void run(EmulatorRun &emulator, const std::string &dir, guint *moved) {
  std::string desc =
      "rtmssrc name=src media=audio+transcript audio-mode=mixed text-gap-delay=2000 "
      "src.audio_0 ! fakesink sync=false async=false "
      "src.transcript_0 ! identity name=seen ! tee name=t "
      "t. ! queue ! rtmstextenc ! filesink location=\"" + dir + "/t.vtt\" "
      "t. ! queue ! rtmstextenc format=srt ! filesink location=\"" + dir + "/t.srt\" "
      "t. ! queue ! rtmstextenc format=jsonl ! filesink location=\"" + dir + "/t.jsonl\"";
  GError *error = nullptr;
  GstElement *pipeline = gst_parse_launch(desc.c_str(), &error);
  fail_unless(pipeline != nullptr, "%s", error ? error->message : "?");
  g_clear_error(&error);
  GstElement *src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
  g_object_set(src, "webhook-payload", emulator.webhook_json.c_str(), "client-id", E2E_CLIENT_ID, "client-secret",
               E2E_CLIENT_SECRET, nullptr);
  gst_object_unref(src);
  // How many lines rtmssrc moved (shortened): for the log, not a condition.
  GstElement *seen = gst_bin_get_by_name(GST_BIN(pipeline), "seen");
  GstPad *seen_pad = gst_element_get_static_pad(seen, "sink");
  gst_pad_add_probe(
      seen_pad, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad *, GstPadProbeInfo *info, gpointer data) -> GstPadProbeReturn {
        GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER(info);
        GstCustomMeta *meta = gst_buffer_get_custom_meta(b, "GstRtmsMeta");
        gint64 start = 0, end = 0;
        if (meta && gst_structure_get_int64(gst_custom_meta_get_structure(meta), "start-ms", &start) &&
            gst_structure_get_int64(gst_custom_meta_get_structure(meta), "end-ms", &end) &&
            GST_BUFFER_DURATION(b) != GstClockTime(end - start) * GST_MSECOND)
          (*static_cast<guint *>(data))++;
        return GST_PAD_PROBE_OK;
      },
      moved, nullptr);
  gst_object_unref(seen_pad);
  gst_object_unref(seen);

  play_to_eos(pipeline, 90 * GST_SECOND);
  gst_object_unref(pipeline);
}

static void check_script(const std::string &script) {
  EmulatorRun emulator;
  emulator.start({"--script", script});
  std::string dir = emulator.dir;
  guint moved = 0;
  run(emulator, dir, &moved);
  JsonObject *manifest = emulator.finish();
  check_no_violations(manifest);
  std::vector<Line> sent = sent_lines(manifest);
  fail_unless(sent.size() >= 4);
  g_print("%s: rtmssrc moved %u of %zu lines\n", script.c_str(), moved, sent.size());
  check_matches("WebVTT", read_cues(dir + "/t.vtt", true), sent);
  check_matches("SRT", read_cues(dir + "/t.srt", false), sent);
  std::vector<Line> json = read_json_lines(dir + "/t.jsonl");
  check_matches("JSON", json, sent);
  for (const char *name : {"/t.vtt", "/t.srt", "/t.jsonl"}) g_remove((dir + name).c_str());
}

// The default meeting: lines that overlap their predecessors (0-4 s, 3-5 s,
// 4.5-8.5 s), which rtmssrc's GAPs have passed by the time they arrive.
GST_START_TEST(overlapping_lines_keep_their_times) { check_script(meeting_script("default.json")); }
GST_END_TEST;

// A line that starts before others but ends (and so arrives) after them,
// with text that needs escaping: written in order of start time.
GST_START_TEST(late_long_line_in_order) {
  JsonParser *parser = json_parser_new();
  fail_unless(json_parser_load_from_file(parser, meeting_script("short-av.json").c_str(), nullptr));
  JsonObject *root = json_node_get_object(json_parser_get_root(parser));
  JsonArray *lines = json_object_get_array_member(root, "transcript");
  JsonObject *line = json_object_new();
  json_object_set_int_member(line, "user_id", 16780288);  // Carol, in the meeting from 500 ms
  json_object_set_int_member(line, "start_ms", 600);
  json_object_set_int_member(line, "end_ms", 3900);
  json_object_set_string_member(line, "text", "A <long> aside & \"quotes\" --> and more");
  json_array_add_object_element(lines, line);
  JsonGenerator *generator = json_generator_new();
  json_generator_set_root(generator, json_parser_get_root(parser));
  gchar *json = json_generator_to_data(generator, nullptr);
  TempScript script("late-long-line.json", json);
  g_free(json);
  g_object_unref(generator);
  g_object_unref(parser);
  check_script(script.path);
}
GST_END_TEST;

static Suite *textenc_suite() {
  Suite *s = suite_create("e2e-textenc");
  TCase *tc = tcase_create("textenc");
  tcase_set_timeout(tc, 180);
  tcase_add_test(tc, overlapping_lines_keep_their_times);
  tcase_add_test(tc, late_long_line_in_order);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(textenc);
