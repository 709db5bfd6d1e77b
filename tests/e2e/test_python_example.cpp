// End to end: examples/record_meeting.py, an application that drives rtmssrc
// from Python through PyGObject, against the real emulator. It must set the
// `media` flags from a string (the media handshake asks for audio and
// transcript), write one valid WAV file per participant holding every byte
// the emulator sent for them, and print each transcript line with its
// speaker and its times from the stream's start, read from GstRtmsMeta;
// everything is checked against the emulator's manifest.
//
// Exits 77 (meson's SKIP) only when no python3 with PyGObject and GStreamer's
// introspection data (Debian: python3-gi gir1.2-gstreamer-1.0) is found.
#include <glib/gstdio.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "e2e_common.h"

namespace {

std::string g_python;  // the interpreter found by find_python()

// RTMS_PYTHON (meson's python3) first, then Debian's own, whose site
// packages are the ones python3-gi installs into.
std::string find_python() {
  std::vector<std::string> candidates;
  if (const char *env = g_getenv("RTMS_PYTHON")) candidates.push_back(env);
  candidates.push_back("/usr/bin/python3");
  candidates.push_back("python3");
  for (const std::string &python : candidates) {
    const gchar *argv[] = {python.c_str(), "-c",
                           "import gi; gi.require_version('Gst', '1.0'); "
                           "from gi.repository import Gst",
                           nullptr};
    gint status = 0;
    if (g_spawn_sync(nullptr, const_cast<gchar **>(argv), nullptr, G_SPAWN_SEARCH_PATH,
                     nullptr, nullptr, nullptr, nullptr, &status, nullptr) &&
        g_spawn_check_wait_status(status, nullptr))
      return python;
  }
  return "";
}

// In a sanitizer build the plugin needs the sanitizer runtimes loaded first;
// Python is not built with them, so preload the ones this test process runs
// with (from /proc/self/maps). Empty in a normal build.
std::string sanitizer_preload() {
  std::ifstream maps("/proc/self/maps");
  std::string line, asan, ubsan;
  while (std::getline(maps, line)) {
    size_t slash = line.find('/');
    if (slash == std::string::npos) continue;
    std::string path = line.substr(slash);
    if (asan.empty() && path.find("/libasan.so") != std::string::npos) asan = path;
    if (ubsan.empty() && path.find("/libubsan.so") != std::string::npos) ubsan = path;
  }
  std::string out = asan;
  if (!ubsan.empty()) out += (out.empty() ? "" : " ") + ubsan;
  return out;
}

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

guint32 le32(const std::string &b, size_t at) {
  return guint32(guint8(b[at])) | guint32(guint8(b[at + 1])) << 8 |
         guint32(guint8(b[at + 2])) << 16 | guint32(guint8(b[at + 3])) << 24;
}
guint16 le16(const std::string &b, size_t at) {
  return guint16(guint8(b[at]) | guint8(b[at + 1]) << 8);
}

// A finalized 16 kHz mono S16LE WAV file; returns its data chunk's size.
guint32 wav_data_size(const std::string &path) {
  std::string b = read_file(path);
  fail_unless(b.size() >= 44, "%s: %zu bytes, not a WAV file", path.c_str(), b.size());
  fail_unless(b.compare(0, 4, "RIFF") == 0 && b.compare(8, 4, "WAVE") == 0, "%s: no RIFF/WAVE",
              path.c_str());
  // wavenc writes the sizes when the file is finalized (EOS).
  fail_unless_equals_int(le32(b, 4), b.size() - 8);
  bool fmt_seen = false;
  for (size_t at = 12; at + 8 <= b.size();) {
    std::string id = b.substr(at, 4);
    guint32 size = le32(b, at + 4);
    if (id == "fmt ") {
      fail_unless_equals_int(le16(b, at + 8), 1);        // PCM
      fail_unless_equals_int(le16(b, at + 10), 1);       // mono
      fail_unless_equals_int(le32(b, at + 12), 16000);   // rate
      fail_unless_equals_int(le16(b, at + 22), 16);      // bits
      fmt_seen = true;
    } else if (id == "data") {
      fail_unless(fmt_seen, "%s: data before fmt", path.c_str());
      // (wavenc may add a LIST chunk with the tags after it.)
      fail_unless(at + 8 + size <= b.size(), "%s: data chunk of %u bytes in a %zu-byte file",
                  path.c_str(), size, b.size());
      return size;
    }
    at += 8 + size + (size & 1);
  }
  ck_abort_msg("%s: no data chunk", path.c_str());
  return 0;
}

struct Line {
  gint64 start_ms, end_ms;
  std::string speaker, text;
};

// "[mm:ss.mmm-mm:ss.mmm] Speaker: text" lines of the example's output.
std::vector<Line> transcript_lines(const std::string &out) {
  static const std::regex re(R"(^\[(\d+):(\d\d)\.(\d{3})-(\d+):(\d\d)\.(\d{3})\] (.+?): (.*)$)");
  std::vector<Line> lines;
  std::istringstream in(out);
  std::string l;
  while (std::getline(in, l)) {
    std::smatch m;
    if (!std::regex_match(l, m, re)) continue;
    auto ms = [&](int i) {
      return std::stoll(m[i].str()) * 60000 + std::stoll(m[i + 1].str()) * 1000 +
             std::stoll(m[i + 2].str());
    };
    lines.push_back({ms(1), ms(4), m[7].str(), m[8].str()});
  }
  return lines;
}

gint64 first_packet_timestamp(JsonObject *manifest) {
  JsonArray *events = json_object_get_array_member(manifest, "events_sent");
  for (guint i = 0; i < json_array_get_length(events); i++) {
    JsonObject *e = json_array_get_object_element(events, i);
    if (json_object_get_int_member(e, "event_type") == 1)
      return json_object_get_int_member(e, "timestamp");
  }
  ck_abort_msg("the emulator sent no FIRST_PACKET_TIMESTAMP");
  return 0;
}

}  // namespace

GST_START_TEST(records_and_prints_transcript) {
  const char *example = g_getenv("RTMS_EXAMPLE_PY");
  fail_unless(example != nullptr, "RTMS_EXAMPLE_PY is not set");
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short-av.json"), "--tls"});
  std::string webhook = emulator.dir + "/rtms_started.json";
  fail_unless(g_file_set_contents(webhook.c_str(), emulator.webhook_json.c_str(), -1, nullptr));
  std::string out_dir = emulator.dir + "/recordings";

  GSubprocessLauncher *launcher =
      g_subprocess_launcher_new(GSubprocessFlags(G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                 G_SUBPROCESS_FLAGS_STDERR_PIPE));
  g_subprocess_launcher_setenv(launcher, "ZM_RTMS_CLIENT", E2E_CLIENT_ID, TRUE);
  g_subprocess_launcher_setenv(launcher, "ZM_RTMS_SECRET", E2E_CLIENT_SECRET, TRUE);
  g_subprocess_launcher_setenv(launcher, "PYTHONIOENCODING", "utf-8", TRUE);
  g_subprocess_launcher_setenv(launcher, "PYTHONDONTWRITEBYTECODE", "1", TRUE);
  std::string preload = sanitizer_preload();
  if (!preload.empty()) {
    g_subprocess_launcher_setenv(launcher, "LD_PRELOAD", preload.c_str(), TRUE);
    // Python's own allocations are not ours to judge; the plugin's leaks are
    // checked by every other end-to-end test.
    std::string asan = g_getenv("ASAN_OPTIONS") ? g_getenv("ASAN_OPTIONS") : "";
    asan += std::string(asan.empty() ? "" : ":") + "detect_leaks=0";
    g_subprocess_launcher_setenv(launcher, "ASAN_OPTIONS", asan.c_str(), TRUE);
  }
  GError *error = nullptr;
  GSubprocess *proc = g_subprocess_launcher_spawn(
      launcher, &error, g_python.c_str(), example, webhook.c_str(), out_dir.c_str(), "--ca-file",
      emulator.ca_file.c_str(), nullptr);
  fail_unless(proc != nullptr, "%s", error ? error->message : "?");
  gchar *out = nullptr, *err = nullptr;
  fail_unless(g_subprocess_communicate_utf8(proc, nullptr, nullptr, &out, &err, &error), "%s",
              error ? error->message : "?");
  fail_unless(g_subprocess_get_if_exited(proc) && g_subprocess_get_exit_status(proc) == 0,
              "the example failed:\n%s\n%s", out, err);
  std::string output = out;
  g_free(out);
  g_free(err);
  g_object_unref(proc);
  g_object_unref(launcher);

  JsonObject *manifest = emulator.finish();
  check_no_violations(manifest);
  // Gst.util_set_object_arg(src, "media", "audio+transcript") reached the
  // wire: one unified socket asking for AUDIO|TRANSCRIPT.
  JsonArray *handshakes = json_object_get_array_member(json_object_path(manifest, "client"),
                                                       "media_handshakes");
  fail_unless_equals_int(json_array_get_length(handshakes), 1);
  fail_unless_equals_int(
      json_object_get_int_member(json_array_get_object_element(handshakes, 0), "media_type"), 1 | 8);
  gint64 t0 = first_packet_timestamp(manifest);

  // The transcript, line by line, in the order sent.
  std::vector<Line> lines = transcript_lines(output);
  JsonArray *sent = json_object_get_array_member(manifest, "transcript");
  fail_unless_equals_int(lines.size(), json_array_get_length(sent));
  fail_unless(lines.size() == 4, "output:\n%s", output.c_str());
  for (guint i = 0; i < lines.size(); i++) {
    JsonObject *s = json_array_get_object_element(sent, i);
    assert_equals_string(lines[i].speaker.c_str(), json_object_get_string_member(s, "user_name"));
    assert_equals_string(lines[i].text.c_str(), json_object_get_string_member(s, "text"));
    assert_equals_int64(lines[i].start_ms, json_object_get_int_member(s, "start_time") - t0);
    assert_equals_int64(lines[i].end_ms, json_object_get_int_member(s, "end_time") - t0);
  }

  // One WAV file per participant, named after them, holding at least every
  // byte sent for them (audiorate only adds silence) and running from the
  // start to their last packet.
  JsonObject *audio = json_object_get_object_member(manifest, "audio");
  GList *ids = json_object_get_members(audio);
  guint files = 0;
  for (GList *l = ids; l; l = l->next) {
    const char *id = static_cast<const char *>(l->data);
    JsonObject *a = json_object_get_object_member(audio, id);
    std::string suffix = std::string("-") + id + "-" +
                         json_object_get_string_member(a, "user_name") + ".wav";
    std::string found;
    GDir *dir = g_dir_open(out_dir.c_str(), 0, nullptr);
    fail_unless(dir != nullptr);
    while (const char *f = g_dir_read_name(dir))
      if (g_str_has_prefix(f, "audio_") && g_str_has_suffix(f, suffix.c_str())) found = f;
    g_dir_close(dir);
    fail_if(found.empty(), "no recording *%s", suffix.c_str());
    std::string path = out_dir + "/" + found;
    guint32 data = wav_data_size(path);
    gint64 sent_bytes = json_object_get_int_member(a, "bytes");
    fail_unless(data >= sent_bytes, "%s: %u bytes of audio, %" G_GINT64_FORMAT " sent",
                found.c_str(), data, sent_bytes);
    gint64 duration_ms = data / 32;  // 16 kHz, 2 bytes per sample
    gint64 expected_ms = json_object_get_int_member(a, "last_ts") + 20 - t0;
    fail_unless(duration_ms >= expected_ms - 40 && duration_ms <= expected_ms + 3000,
                "%s: %" G_GINT64_FORMAT " ms, the last packet ends at %" G_GINT64_FORMAT " ms",
                found.c_str(), duration_ms, expected_ms);
    g_remove(path.c_str());
    files++;
  }
  g_list_free(ids);
  fail_unless_equals_int(files, 3);
  g_rmdir(out_dir.c_str());
  g_remove(webhook.c_str());
}
GST_END_TEST;

static Suite *python_example_suite() {
  Suite *s = suite_create("record-meeting-py-e2e");
  TCase *tc = tcase_create("example");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, records_and_prints_transcript);
  suite_add_tcase(s, tc);
  return s;
}

int main(int argc, char **argv) {
  gst_check_init(&argc, &argv);
  g_python = find_python();
  if (g_python.empty()) {
    g_print("SKIP: no python3 with PyGObject and GStreamer's introspection data "
            "(Debian: apt-get install python3-gi gir1.2-gstreamer-1.0)\n");
    return 77;
  }
  return gst_check_run_suite(python_example_suite(), "python_example", __FILE__);
}
