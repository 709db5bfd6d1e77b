// End to end: every audio codec and L16 rate, the caps they negotiate, and
// that what arrives decodes with stock GStreamer decoders.
#include "e2e_common.h"

struct CodecCase {
  const char *src_properties;
  const char *emulator_g711;  // --g711 value, or nullptr
  const char *caps_prefix;    // what the pad caps must start with
  const char *decoder;        // element that must decode it, or nullptr
  GstClockTime packet_duration;
};

static void run_codec(const CodecCase &c) {
  EmulatorRun emulator;
  std::vector<std::string> args = {"--script", meeting_script("short.json")};
  if (c.emulator_g711) {
    args.push_back("--g711");
    args.push_back(c.emulator_g711);
  }
  emulator.start(args);
  Capture capture(c.src_properties);
  configure_src(capture, emulator);
  capture.keep_payloads = true;
  JsonObject *manifest = run_to_end(capture, emulator);
  guint participants = check_audio_matches_manifest(capture, manifest, false);
  fail_unless(participants >= 2);
  for (auto &kv : capture.pads) {
    PadCapture *pad = kv.second.get();
    fail_unless(g_str_has_prefix(pad->caps.c_str(), c.caps_prefix), "caps %s, expected %s",
                pad->caps.c_str(), c.caps_prefix);
    for (GstClockTime d : pad->durations)
      fail_unless_equals_uint64(d, c.packet_duration);
    if (c.decoder) check_decodes(pad->caps, std::string(c.decoder) + " ! audioconvert", pad->payloads);
  }
}

GST_START_TEST(l16_8k) {
  run_codec({"audio-sample-rate=8000", nullptr,
             "audio/x-raw, format=(string)S16LE, layout=(string)interleaved, rate=(int)8000, "
             "channels=(int)1",
             nullptr, 20 * GST_MSECOND});
}
GST_END_TEST;

GST_START_TEST(l16_32k_stereo) {
  run_codec({"audio-sample-rate=32000 audio-channels=2", nullptr,
             "audio/x-raw, format=(string)S16LE, layout=(string)interleaved, rate=(int)32000, "
             "channels=(int)2",
             nullptr, 20 * GST_MSECOND});
}
GST_END_TEST;

GST_START_TEST(l16_48k_40ms) {
  run_codec({"audio-sample-rate=48000 audio-send-rate=40", nullptr,
             "audio/x-raw, format=(string)S16LE, layout=(string)interleaved, rate=(int)48000",
             nullptr, 40 * GST_MSECOND});
}
GST_END_TEST;

GST_START_TEST(g711_mulaw) {
  run_codec({"audio-codec=g711", "mulaw", "audio/x-mulaw, rate=(int)8000", "mulawdec",
             20 * GST_MSECOND});
}
GST_END_TEST;

GST_START_TEST(g711_alaw) {
  run_codec({"audio-codec=g711 g711-law=alaw", "alaw", "audio/x-alaw, rate=(int)8000", "alawdec",
             20 * GST_MSECOND});
}
GST_END_TEST;

GST_START_TEST(g722) {
  run_codec({"audio-codec=g722", nullptr, "audio/G722, rate=(int)16000", "avdec_g722",
             20 * GST_MSECOND});
}
GST_END_TEST;

GST_START_TEST(opus) {
  run_codec({"audio-codec=opus", nullptr, "audio/x-opus, rate=(int)48000", "opusdec",
             20 * GST_MSECOND});
}
GST_END_TEST;

static Suite *codecs_suite() {
  Suite *s = suite_create("rtmssrc-codecs-e2e");
  TCase *tc = tcase_create("codecs");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, l16_8k);
  tcase_add_test(tc, l16_32k_stereo);
  tcase_add_test(tc, l16_48k_40ms);
  tcase_add_test(tc, g711_mulaw);
  tcase_add_test(tc, g711_alaw);
  tcase_add_test(tc, g722);
  tcase_add_test(tc, opus);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(codecs);
