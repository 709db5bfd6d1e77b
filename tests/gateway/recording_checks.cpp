#include "recording_checks.h"

#include <gst/check/gstcheck.h>
#include <gst/pbutils/pbutils.h>

#include <algorithm>
#include <cinttypes>
#include <cstdlib>
#include <cstring>

#include "protocol/webhook.h"

std::string stopped_webhook_for(const std::string &started_body) {
  rtms::Result<rtms::Webhook> started = rtms::parse_webhook(started_body);
  fail_unless(started.ok(), "%s", started.ok() ? "" : started.error().describe().c_str());
  rtms::Webhook stopped = *started;
  stopped.event = "meeting.rtms_stopped";
  stopped.kind = rtms::WebhookKind::RtmsStopped;
  stopped.server_urls.clear();
  stopped.has_stop_reason = true;
  stopped.stop_reason = rtms::StopReason(6);
  return rtms::encode_webhook(stopped);
}

size_t check_wav_per_participant(const GatewayRun &gw, JsonObject *manifest, GstClockTime min, GstClockTime max) {
  return check_wav_per_participant(gw.out_dir, manifest, min, max);
}

size_t check_wav_per_participant(const std::string &dir, JsonObject *manifest, GstClockTime min, GstClockTime max) {
  JsonObject *audio = json_object_get_object_member(manifest, "audio");
  fail_unless(audio != nullptr, "manifest has no audio");
  std::vector<std::string> files = files_under(dir, ".wav");
  GList *members = json_object_get_members(audio);
  guint participants = g_list_length(members);
  for (GList *l = members; l; l = l->next) {
    std::string suffix = std::string("-") + static_cast<const char *>(l->data) + ".wav";
    bool found = false;
    for (const auto &f : files) found = found || g_str_has_suffix(f.c_str(), suffix.c_str());
    fail_unless(found, "no WAV file for participant %s in %s", static_cast<const char *>(l->data), dir.c_str());
  }
  g_list_free(members);
  fail_unless_equals_int(files.size(), participants);
  for (const auto &f : files) {
    std::string why;
    GstClockTime d = audio_duration(f, &why);
    fail_unless(GST_CLOCK_TIME_IS_VALID(d), "%s is not playable: %s", f.c_str(), why.c_str());
    fail_unless(d >= min && d <= max, "%s lasts %" GST_TIME_FORMAT ", expected %" GST_TIME_FORMAT " .. %" GST_TIME_FORMAT,
                f.c_str(), GST_TIME_ARGS(d), GST_TIME_ARGS(min), GST_TIME_ARGS(max));
  }
  return files.size();
}

// The samples of a 16-bit PCM WAV file (its data chunk).
static std::vector<int16_t> wav_samples(const std::string &path) {
  gchar *raw = nullptr;
  gsize size = 0;
  fail_unless(g_file_get_contents(path.c_str(), &raw, &size, nullptr), "cannot read %s", path.c_str());
  std::string data(raw, size);
  g_free(raw);
  fail_unless(size >= 12 && data.compare(0, 4, "RIFF") == 0 && data.compare(8, 4, "WAVE") == 0, "%s is not a WAV file",
              path.c_str());
  size_t at = 12;
  while (at + 8 <= data.size()) {
    uint32_t chunk = 0;
    std::memcpy(&chunk, data.data() + at + 4, 4);
    if (data.compare(at, 4, "data") == 0) {
      size_t n = std::min<size_t>(chunk, data.size() - at - 8) / 2;
      std::vector<int16_t> samples(n);
      std::memcpy(samples.data(), data.data() + at + 8, n * 2);
      return samples;
    }
    at += 8 + chunk + (chunk & 1);
  }
  fail("%s has no data chunk", path.c_str());
  return {};
}

void check_wav_content(const std::string &dir, JsonObject *manifest) {
  JsonObject *audio = json_object_get_object_member(manifest, "audio");
  std::vector<std::string> files = files_under(dir, ".wav");
  GList *members = json_object_get_members(audio);
  for (GList *l = members; l; l = l->next) {
    const char *id = static_cast<const char *>(l->data);
    JsonObject *sent = json_object_get_object_member(audio, id);
    // L16 at 16 kHz mono (rtmssrc's defaults): 2 bytes a sample.
    gint64 sent_samples = json_object_get_int_member(sent, "bytes") / 2;
    std::string suffix = std::string("-") + id + ".wav";
    std::string file;
    for (const auto &f : files)
      if (g_str_has_suffix(f.c_str(), suffix.c_str())) file = f;
    fail_if(file.empty(), "no WAV file for participant %s", id);
    std::vector<int16_t> samples = wav_samples(file);
    gint64 sounding = 0;
    for (int16_t s : samples) sounding += s != 0;
    // A sine tone crosses zero on a sample now and then: at most 2 %.
    fail_unless(sounding <= sent_samples && sounding >= sent_samples * 98 / 100,
                "%s: %" G_GINT64_FORMAT " sounding samples, the emulator sent %" G_GINT64_FORMAT, file.c_str(),
                sounding, sent_samples);
  }
  g_list_free(members);
}

MediaInfo discover(const std::string &path) {
  MediaInfo out;
  g_autoptr(GError) error = nullptr;
  g_autoptr(GstDiscoverer) discoverer = gst_discoverer_new(10 * GST_SECOND, &error);
  fail_unless(discoverer != nullptr);
  g_autofree char *uri = g_filename_to_uri(path.c_str(), nullptr, nullptr);
  g_autoptr(GstDiscovererInfo) info = gst_discoverer_discover_uri(discoverer, uri, &error);
  if (!info || gst_discoverer_info_get_result(info) != GST_DISCOVERER_OK) {
    out.error = error ? error->message : "not discoverable";
    return out;
  }
  auto count = [](GList *streams) {
    guint n = g_list_length(streams);
    gst_discoverer_stream_info_list_free(streams);
    return n;
  };
  out.audio = count(gst_discoverer_info_get_audio_streams(info));
  out.video = count(gst_discoverer_info_get_video_streams(info));
  out.subtitles = count(gst_discoverer_info_get_subtitle_streams(info));
  out.duration = gst_discoverer_info_get_duration(info);
  out.ok = true;
  return out;
}

void check_matroska(const std::string &dir, GstClockTime min, GstClockTime max) {
  std::vector<std::string> files = files_under(dir, ".mkv");
  fail_unless_equals_int(files.size(), 1);
  MediaInfo info = discover(files[0]);
  fail_unless(info.ok, "%s is not playable: %s", files[0].c_str(), info.error.c_str());
  fail_unless(info.audio == 1 && info.video == 1 && info.subtitles == 1,
              "%s has %u audio, %u video and %u subtitle tracks, expected one of each", files[0].c_str(), info.audio,
              info.video, info.subtitles);
  fail_unless(info.duration >= min && info.duration <= max,
              "%s lasts %" GST_TIME_FORMAT ", expected %" GST_TIME_FORMAT " .. %" GST_TIME_FORMAT, files[0].c_str(),
              GST_TIME_ARGS(info.duration), GST_TIME_ARGS(min), GST_TIME_ARGS(max));
}

void check_matroska_spans_recording(const std::string &dir) {
  GstClockTime longest = 0;
  for (const auto &wav : files_under(dir, ".wav")) {
    std::string why;
    GstClockTime d = audio_duration(wav, &why);
    fail_unless(GST_CLOCK_TIME_IS_VALID(d), "%s is not playable: %s", wav.c_str(), why.c_str());
    longest = std::max(longest, d);
  }
  std::vector<std::string> mkv = files_under(dir, ".mkv");
  fail_unless_equals_int(mkv.size(), 1);
  MediaInfo info = discover(mkv[0]);
  fail_unless(info.ok, "%s is not playable: %s", mkv[0].c_str(), info.error.c_str());
  fail_unless(info.duration + 300 * GST_MSECOND >= longest && info.duration <= longest + 2 * GST_SECOND,
              "%s lasts %" GST_TIME_FORMAT ", the longest WAV file %" GST_TIME_FORMAT, mkv[0].c_str(),
              GST_TIME_ARGS(info.duration), GST_TIME_ARGS(longest));
}

static GstClockTime vtt_time(const std::string &text) {
  unsigned h = 0, m = 0, s = 0, ms = 0;
  fail_unless(std::sscanf(text.c_str(), "%u:%u:%u.%u", &h, &m, &s, &ms) == 4, "bad WebVTT time '%s'", text.c_str());
  return ((h * 3600 + m * 60 + s) * 1000 + ms) * GST_MSECOND;
}

std::vector<VttCue> read_vtt(const std::string &path) {
  gchar *raw = nullptr;
  fail_unless(g_file_get_contents(path.c_str(), &raw, nullptr, nullptr), "cannot read %s", path.c_str());
  g_auto(GStrv) blocks = g_strsplit(raw, "\n\n", -1);
  g_free(raw);
  fail_unless(blocks[0] && g_str_has_prefix(blocks[0], "WEBVTT"), "%s does not start with WEBVTT", path.c_str());
  std::vector<VttCue> cues;
  for (int i = 1; blocks[i]; i++) {
    if (!*blocks[i]) continue;
    g_auto(GStrv) lines = g_strsplit(blocks[i], "\n", 3);
    fail_unless(lines[0] && lines[1] && lines[2], "cue '%s' of %s is incomplete", blocks[i], path.c_str());
    fail_unless_equals_int(std::atoi(lines[0]), int(cues.size() + 1));
    std::string timing = lines[1];
    size_t arrow = timing.find(" --> ");
    fail_unless(arrow != std::string::npos, "bad timing line '%s'", lines[1]);
    VttCue cue;
    cue.start = vtt_time(timing.substr(0, arrow));
    cue.end = vtt_time(timing.substr(arrow + 5));
    std::string text = lines[2];
    if (g_str_has_prefix(text.c_str(), "<v ")) {
      size_t close = text.find('>');
      fail_unless(close != std::string::npos, "bad voice span in '%s'", lines[2]);
      cue.speaker = text.substr(3, close - 3);
      text = text.substr(close + 1);
    }
    cue.text = text;
    cues.push_back(cue);
  }
  return cues;
}

void check_vtt_matches_manifest(const std::string &dir, JsonObject *manifest) {
  std::vector<std::string> files = files_under(dir, ".vtt");
  fail_unless_equals_int(files.size(), 1);
  std::vector<VttCue> cues = read_vtt(files[0]);
  JsonArray *lines = json_object_get_array_member(manifest, "transcript");
  guint n = lines ? json_array_get_length(lines) : 0;
  fail_unless_equals_int(cues.size(), n);
  for (guint i = 0; i < n; i++) {
    JsonObject *line = json_array_get_object_element(lines, i);
    fail_unless_equals_string(cues[i].speaker.c_str(), json_object_get_string_member(line, "user_name"));
    fail_unless_equals_string(cues[i].text.c_str(), json_object_get_string_member(line, "text"));
    gint64 length_ms = json_object_get_int_member(line, "end_time") - json_object_get_int_member(line, "start_time");
    gint64 cue_ms = gint64((cues[i].end - cues[i].start) / GST_MSECOND);
    fail_unless(std::llabs(cue_ms - length_ms) <= 2, "cue %u lasts %" G_GINT64_FORMAT " ms, the line %" G_GINT64_FORMAT,
                i + 1, cue_ms, length_ms);
    if (i == 0) continue;
    JsonObject *first = json_array_get_object_element(lines, 0);
    gint64 server_ms = json_object_get_int_member(line, "start_time") - json_object_get_int_member(first, "start_time");
    gint64 vtt_ms = gint64((cues[i].start - cues[0].start) / GST_MSECOND);
    fail_unless(std::llabs(vtt_ms - server_ms) <= 2, "cue %u starts %" G_GINT64_FORMAT " ms after the first, the line %" G_GINT64_FORMAT,
                i + 1, vtt_ms, server_ms);
  }
}

std::vector<std::string> stream_folders(const GatewayRun &gw) {
  std::vector<std::string> out;
  g_autoptr(GDir) d = g_dir_open(gw.out_dir.c_str(), 0, nullptr);
  if (!d) return out;
  while (const char *name = g_dir_read_name(d)) {
    std::string path = gw.out_dir + "/" + name;
    if (g_file_test(path.c_str(), G_FILE_TEST_IS_DIR)) out.push_back(path);
  }
  return out;
}
