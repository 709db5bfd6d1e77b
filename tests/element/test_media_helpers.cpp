// The element's pure helpers against real encoder output: picture sizes read
// from H.264 SPS, JPEG and PNG headers; H.264 keyframe detection; server time
// mapping; audio caps and durations.
#include <gst/app/gstappsink.h>
#include <gst/check/gstcheck.h>

#include <vector>

#include "rtms-caps.h"
#include "rtms-timing.h"
#include "rtms-video-probe.h"

// Encodes a few frames of videotestsrc and returns each encoded buffer.
static std::vector<std::vector<guint8>> encode(const char *encoder, int width, int height) {
  std::string desc = "videotestsrc num-buffers=12 ! video/x-raw,width=" + std::to_string(width) +
                     ",height=" + std::to_string(height) + ",framerate=10/1 ! videoconvert ! " +
                     encoder + " ! appsink name=out sync=false";
  GError *error = nullptr;
  GstElement *pipeline = gst_parse_launch(desc.c_str(), &error);
  fail_unless(pipeline != nullptr, "%s", error ? error->message : "?");
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), "out");
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  std::vector<std::vector<guint8>> frames;
  while (GstSample *sample = gst_app_sink_pull_sample(GST_APP_SINK(sink))) {
    GstMapInfo map;
    GstBuffer *b = gst_sample_get_buffer(sample);
    gst_buffer_map(b, &map, GST_MAP_READ);
    frames.emplace_back(map.data, map.data + map.size);
    gst_buffer_unmap(b, &map);
    gst_sample_unref(sample);
  }
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(pipeline);
  fail_unless(!frames.empty());
  return frames;
}

GST_START_TEST(jpeg_size) {
  auto frames = encode("jpegenc", 320, 240);
  rtms::VideoProbe p = rtms::probe_jpeg(frames[0].data(), frames[0].size());
  fail_unless(p.valid && p.has_size);
  fail_unless_equals_int(p.width, 320);
  fail_unless_equals_int(p.height, 240);
  // Not a JPEG at all, and a JPEG cut short before its frame header.
  const guint8 junk[] = {0x89, 'P', 'N', 'G'};
  fail_if(rtms::probe_jpeg(junk, sizeof junk).valid);
  fail_if(rtms::probe_jpeg(frames[0].data(), 10).has_size);
}
GST_END_TEST;

GST_START_TEST(png_size) {
  auto frames = encode("pngenc", 200, 100);
  rtms::VideoProbe p = rtms::probe_png(frames[0].data(), frames[0].size());
  fail_unless(p.valid && p.has_size);
  fail_unless_equals_int(p.width, 200);
  fail_unless_equals_int(p.height, 100);
  fail_if(rtms::probe_png(frames[0].data(), 20).valid);
}
GST_END_TEST;

GST_START_TEST(h264_keyframes_and_size) {
  auto frames = encode(
      "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=5 ! "
      "h264parse config-interval=-1 ! video/x-h264,stream-format=byte-stream,alignment=au",
      640, 360);
  rtms::VideoProbe key = rtms::probe_h264(frames[0].data(), frames[0].size());
  fail_unless(key.valid && key.has_sps && key.has_pps && key.has_idr);
  fail_unless_equals_int(key.width, 640);
  // 360 is not a multiple of 16: the SPS crops 368 down to 360.
  fail_unless_equals_int(key.height, 360);
  // x264 writes the input's 10 fps into the SPS (VUI timing).
  fail_unless_equals_int(key.fps_n, 10);
  fail_unless_equals_int(key.fps_d, 1);
  rtms::VideoProbe second = rtms::probe_h264(frames[1].data(), frames[1].size());
  fail_unless(second.valid);
  fail_if(second.has_idr || second.has_sps, "frame 1 should be a delta frame");
  guint keyframes = 0;
  for (const auto &f : frames) keyframes += rtms::probe_h264(f.data(), f.size()).has_idr;
  fail_unless(keyframes >= 2);
  const guint8 junk[] = {1, 2, 3, 4, 5, 6};
  fail_if(rtms::probe_h264(junk, sizeof junk).valid);
}
GST_END_TEST;

GST_START_TEST(server_time_mapping) {
  rtms::ServerTimeMapper mapper;
  // The first timestamp lands where it arrived; later ones keep the server's spacing.
  fail_unless_equals_uint64(mapper.to_running_time(1000000, 5 * GST_SECOND), 5 * GST_SECOND);
  fail_unless_equals_uint64(mapper.to_running_time(1000020, 9 * GST_SECOND),
                            5 * GST_SECOND + 20 * GST_MSECOND);
  // Older than the anchor: earlier running time, never below zero.
  fail_unless_equals_uint64(mapper.to_running_time(999000, 0), 4 * GST_SECOND);
  fail_unless_equals_uint64(mapper.to_running_time(990000, 0), 0);
}
GST_END_TEST;

GST_START_TEST(audio_durations) {
  rtms::AudioParams l16 = rtms::apply_defaults(rtms::AudioParams{});
  std::vector<guint8> payload(640);
  fail_unless_equals_uint64(rtms::audio_payload_duration(l16, payload.data(), 640), 20 * GST_MSECOND);
  rtms::AudioParams g722 = l16;
  g722.codec = rtms::Codec::G722;
  fail_unless_equals_uint64(rtms::audio_payload_duration(g722, payload.data(), 160), 20 * GST_MSECOND);
  GstCaps *caps = rtms::audio_caps(g722, GST_RTMS_G711_MULAW);
  gchar *text = gst_caps_to_string(caps);
  fail_unless_equals_string(text, "audio/G722, rate=(int)16000, channels=(int)1");
  g_free(text);
  gst_caps_unref(caps);
  // Opus: TOC config 9 (SILK wideband, 20 ms frames), code 0: one frame.
  rtms::AudioParams opus = l16;
  opus.codec = rtms::Codec::Opus;
  const guint8 toc[] = {guint8(9 << 3), 0, 0};
  fail_unless_equals_uint64(rtms::audio_payload_duration(opus, toc, sizeof toc), 20 * GST_MSECOND);
}
GST_END_TEST;

static Suite *media_helpers_suite() {
  Suite *s = suite_create("rtms-media-helpers");
  TCase *tc = tcase_create("general");
  tcase_add_test(tc, jpeg_size);
  tcase_add_test(tc, png_size);
  tcase_add_test(tc, h264_keyframes_and_size);
  tcase_add_test(tc, server_time_mapping);
  tcase_add_test(tc, audio_durations);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(media_helpers);
