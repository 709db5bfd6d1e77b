// The `hls` template: a meeting from the emulator recorded as HLS in the
// stream's folder; the playlist and its segments read back with stock
// GStreamer elements (GstDiscoverer, and playbin to the end) hold H.264
// video and AAC audio for about the meeting's length.
#include <gst/check/gstcheck.h>
#include <gst/pbutils/pbutils.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "emulator_run.h"
#include "gateway_run.h"
#include "recording_checks.h"

namespace {

std::string read_file(const std::string &path) {
  gchar *raw = nullptr;
  gsize size = 0;
  if (!g_file_get_contents(path.c_str(), &raw, &size, nullptr)) return "";
  std::string text(raw, size);
  g_free(raw);
  return text;
}

// The playlist's segments and the sum of their #EXTINF durations.
std::vector<std::string> playlist_segments(const std::string &playlist, double *seconds) {
  std::vector<std::string> segments;
  *seconds = 0;
  std::string text = read_file(playlist);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? text.size() : end + 1;
    if (g_str_has_prefix(line.c_str(), "#EXTINF:")) *seconds += std::atof(line.c_str() + 8);
    else if (!line.empty() && line[0] != '#') segments.push_back(line);
  }
  return segments;
}

// The first and last buffer times a sink got, and how many buffers.
struct Span {
  GstClockTime first = GST_CLOCK_TIME_NONE, last = GST_CLOCK_TIME_NONE;
  guint buffers = 0;
};

GstPadProbeReturn on_buffer(GstPad *, GstPadProbeInfo *info, gpointer data) {
  auto *span = static_cast<Span *>(data);
  GstClockTime t = GST_BUFFER_PTS(GST_PAD_PROBE_INFO_BUFFER(info));
  if (GST_CLOCK_TIME_IS_VALID(t)) {
    if (!GST_CLOCK_TIME_IS_VALID(span->first) || t < span->first) span->first = t;
    if (!GST_CLOCK_TIME_IS_VALID(span->last) || t > span->last) span->last = t;
  }
  span->buffers++;
  return GST_PAD_PROBE_OK;
}

void watch(GstElement *sink, Span *span) {
  GstPad *pad = gst_element_get_static_pad(sink, "sink");
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_buffer, span, nullptr);
  gst_object_unref(pad);
}

}  // namespace

GST_START_TEST(hls_template_plays_back) {
  GatewayRun gw;
  gw.start({"--template", "hls"});
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short-av.json"), "--webhook-url", gw.url, "--webhook-secret",
                  GW_WEBHOOK_SECRET});
  fail_unless(gw.wait_metric("rtms_gateway_streams_started_total", 1, 5000), "the stream did not start");
  emulator.finish();
  fail_unless(gw.wait_metric("rtms_gateway_active_streams", 0, 15000), "the stream did not end");
  fail_unless_equals_int(gw.metric("rtms_gateway_pipeline_errors_total"), 0);
  fail_unless_equals_int(gw.terminate(10000), 0);

  std::vector<std::string> folders = stream_folders(gw);
  fail_unless_equals_int(folders.size(), 1);
  std::string playlist = folders[0] + "/playlist.m3u8";
  std::string text = read_file(playlist);
  fail_unless(text.find("#EXTM3U") == 0, "no playlist: %s", text.c_str());
  fail_unless(text.find("#EXT-X-ENDLIST") != std::string::npos, "the playlist was not ended:\n%s", text.c_str());
  double listed = 0;
  std::vector<std::string> segments = playlist_segments(playlist, &listed);
  fail_unless(!segments.empty());
  for (const auto &segment : segments)
    fail_unless(g_file_test((folders[0] + "/" + segment).c_str(), G_FILE_TEST_IS_REGULAR), "%s is missing",
                segment.c_str());
  // short-av.json lasts 4 s; the segments start with the first video
  // frame, after connecting.
  fail_unless(listed >= 3.0 && listed <= 12.0, "the playlist lists %.2f s", listed);

  // What a player finds in it.
  g_autofree gchar *uri = gst_filename_to_uri(playlist.c_str(), nullptr);
  g_autoptr(GstDiscoverer) discoverer = gst_discoverer_new(20 * GST_SECOND, nullptr);
  g_autoptr(GError) error = nullptr;
  g_autoptr(GstDiscovererInfo) info = gst_discoverer_discover_uri(discoverer, uri, &error);
  fail_unless(info != nullptr && gst_discoverer_info_get_result(info) == GST_DISCOVERER_OK, "%s does not play: %s",
              playlist.c_str(), error ? error->message : "?");
  GstClockTime duration = gst_discoverer_info_get_duration(info);
  fail_unless(duration >= 3 * GST_SECOND && duration <= 12 * GST_SECOND, "playlist lasts %" GST_TIME_FORMAT,
              GST_TIME_ARGS(duration));
  bool h264 = false, aac = false;
  GList *streams = gst_discoverer_info_get_stream_list(info);
  for (GList *l = streams; l; l = l->next) {
    g_autoptr(GstCaps) caps = gst_discoverer_stream_info_get_caps(GST_DISCOVERER_STREAM_INFO(l->data));
    GstStructure *s = gst_caps_get_structure(caps, 0);
    int version = 0;
    if (gst_structure_has_name(s, "video/x-h264")) h264 = true;
    if (gst_structure_has_name(s, "audio/mpeg") && gst_structure_get_int(s, "mpegversion", &version) && version == 4)
      aac = true;
  }
  gst_discoverer_stream_info_list_free(streams);
  fail_unless(h264, "no H.264 video in %s", playlist.c_str());
  fail_unless(aac, "no AAC audio in %s", playlist.c_str());

  // Every segment, decoded to the end by playbin (as fast as it goes).
  GstElement *playbin = gst_element_factory_make("playbin", nullptr);
  fail_unless(playbin != nullptr);
  GstElement *video = gst_element_factory_make("fakesink", nullptr);
  GstElement *audio = gst_element_factory_make("fakesink", nullptr);
  g_object_set(video, "sync", FALSE, nullptr);
  g_object_set(audio, "sync", FALSE, nullptr);
  Span video_span, audio_span;
  watch(video, &video_span);
  watch(audio, &audio_span);
  g_object_set(playbin, "uri", uri, "video-sink", video, "audio-sink", audio, nullptr);
  fail_unless(gst_element_set_state(playbin, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  g_autoptr(GstBus) bus = gst_element_get_bus(playbin);
  g_autoptr(GstMessage) end = gst_bus_timed_pop_filtered(bus, 30 * GST_SECOND,
                                                         GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  fail_unless(end != nullptr, "playbin did not reach the end of the playlist");
  if (GST_MESSAGE_TYPE(end) == GST_MESSAGE_ERROR) {
    g_autoptr(GError) err = nullptr;
    gst_message_parse_error(end, &err, nullptr);
    ck_abort_msg("playbin: %s", err->message);
  }
  gst_element_set_state(playbin, GST_STATE_NULL);
  gst_object_unref(playbin);
  // Both decoded through the whole playlist: each spans about its length
  // (the first segment's audio may start a little before its first video
  // frame, which the #EXTINF durations count from).
  for (const Span *span : {&video_span, &audio_span}) {
    fail_unless(span->buffers > 10 && GST_CLOCK_TIME_IS_VALID(span->first), "nothing decoded");
    GstClockTime covered = span->last - span->first;
    fail_unless(covered + 1500 * GST_MSECOND >= duration && covered <= duration + 1000 * GST_MSECOND,
                "decoded %" GST_TIME_FORMAT " of %" GST_TIME_FORMAT, GST_TIME_ARGS(covered), GST_TIME_ARGS(duration));
  }
}
GST_END_TEST;

// Nobody turns a camera on: hlssink2 waits for video that never comes, and
// the audio in front of it must not block the live silence under the mix
// (the gateway sends that source EOS from its main loop when the stream
// ends). The stream ends, the gateway keeps answering, the playlist is
// ended.
GST_START_TEST(hls_without_cameras_ends) {
  g_autofree char *dir = g_dir_make_tmp("rtms-hls-XXXXXX", nullptr);
  std::string script = std::string(dir) + "/no-cameras.json";
  fail_unless(g_file_set_contents(
      script.c_str(),
      "{\"duration_ms\":4000,\"participants\":["
      "{\"user_id\":16778240,\"user_name\":\"Alice\",\"tone_hz\":440,\"camera\":[],\"talk\":[[0,2000]]},"
      "{\"user_id\":16779264,\"user_name\":\"Bob\",\"tone_hz\":660,\"camera\":[],\"talk\":[[2000,4000]]}]}",
      -1, nullptr));
  GatewayRun gw;
  gw.start({"--template", "hls"});
  EmulatorRun emulator;
  emulator.start({"--script", script, "--webhook-url", gw.url, "--webhook-secret", GW_WEBHOOK_SECRET});
  fail_unless(gw.wait_metric("rtms_gateway_streams_started_total", 1, 5000), "the stream did not start");
  emulator.finish();
  fail_unless(gw.wait_metric("rtms_gateway_active_streams", 0, 15000), "the stream did not end");
  fail_unless_equals_int(gw.get("/healthz").status, 200);
  std::vector<std::string> folders = stream_folders(gw);
  fail_unless_equals_int(folders.size(), 1);
  std::string text = read_file(folders[0] + "/playlist.m3u8");
  fail_unless(text.find("#EXT-X-ENDLIST") != std::string::npos, "the playlist was not ended:\n%s", text.c_str());
  fail_unless_equals_int(gw.terminate(10000), 0);
  remove_tree(dir);
}
GST_END_TEST;

static Suite *hls_suite() {
  Suite *s = suite_create("gateway-hls");
  TCase *tc = tcase_create("hls");
  tcase_set_timeout(tc, 90);
  tcase_add_test(tc, hls_template_plays_back);
  tcase_add_test(tc, hls_without_cameras_ends);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(hls);
