#include "check_helpers.h"
#include "protocol/media_params.h"

#include <json-glib/json-glib.h>

using namespace rtms;

// Parses the value of a hand-written media_params object.
static Result<MediaParams> parse(const char *json)
{
  JsonParser *parser = json_parser_new();
  GError *error = nullptr;
  if (!json_parser_load_from_data(parser, json, -1, &error))
    ck_abort_msg("test JSON does not parse: %s", error->message);
  auto r = parse_media_params(json_node_get_object(json_parser_get_root(parser)),
                              "media_params");
  g_object_unref(parser);
  return r;
}

static MediaParams parse_ok(const char *json)
{
  auto r = parse(json);
  if (!r.ok())
    ck_abort_msg("parse failed: %s\ninput: %s", r.error().describe().c_str(),
                 json);
  return *r;
}

static void expect_parse_error(const char *json, const char *field,
                               const char *fragment)
{
  auto r = parse(json);
  if (r.ok())
    ck_abort_msg("parse unexpectedly succeeded: %s", json);
  if (r.error().field != field ||
      r.error().message.find(fragment) == std::string::npos)
    ck_abort_msg("wrong error: %s (wanted field '%s', '%s')",
                 r.error().describe().c_str(), field, fragment);
}

static std::string build(const MediaParams &p)
{
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  build_media_params(b, p);
  json_builder_end_object(b);
  JsonGenerator *gen = json_generator_new();
  JsonNode *root = json_builder_get_root(b);
  json_generator_set_root(gen, root);
  gchar *text = json_generator_to_data(gen, nullptr);
  std::string out = text;
  g_free(text);
  json_node_unref(root);
  g_object_unref(gen);
  g_object_unref(b);
  return out;
}

GST_START_TEST(test_audio_defaults)
{
  AudioParams a = apply_defaults(AudioParams{});
  fail_unless(a.content_type == ContentType::RawAudio);
  fail_unless(a.sample_rate == SampleRate::SR16K);
  fail_unless(a.channel == AudioChannel::Mono);
  fail_unless(a.codec == Codec::L16);
  fail_unless(a.data_opt == DataOption::AudioMixedStream);
  fail_unless(a.send_rate_ms == 20);
  fail_unless(validate(a).ok());

  AudioParams asked;
  asked.sample_rate = SampleRate::SR48K;
  asked.data_opt = DataOption::AudioMultiStreams;
  asked.send_rate_ms = 100;
  a = apply_defaults(asked);
  fail_unless(a.sample_rate == SampleRate::SR48K);
  fail_unless(a.data_opt == DataOption::AudioMultiStreams);
  fail_unless(a.send_rate_ms == 100);
  fail_unless(a.codec == Codec::L16);

  // [DOC]: send_rate above 1000 is clamped to 1000.
  asked.send_rate_ms = 5000;
  a = apply_defaults(asked);
  fail_unless(a.send_rate_ms == 1000);
  fail_unless(validate(a).ok());
}
GST_END_TEST;

GST_START_TEST(test_audio_validation)
{
  AudioParams a = apply_defaults(AudioParams{});

  AudioParams opus = a;
  opus.codec = Codec::Opus;
  Validation v = validate(opus);
  fail_unless(v.status == StatusCode::InvalidMediaAudioSampleRate);
  assert_contains(v.reason, "audio.sample_rate");
  opus.sample_rate = SampleRate::SR48K;
  opus.channel = AudioChannel::Stereo;
  fail_unless(validate(opus).ok());

  for (int rate : {0, -20, 30, 1010, 19}) {
    AudioParams bad = a;
    bad.send_rate_ms = rate;
    fail_unless(validate(bad).status == StatusCode::InvalidMediaAudioSendRate,
                "send_rate %d", rate);
  }
  for (int rate : {20, 40, 100, 1000}) {
    AudioParams good = a;
    good.send_rate_ms = rate;
    fail_unless(validate(good).ok(), "send_rate %d", rate);
  }

  AudioParams bad = a;
  bad.data_opt = DataOption::VideoSingleActiveStream;
  v = validate(bad);
  fail_unless(v.status == StatusCode::InvalidMediaAudioDataOpt);
  assert_contains(v.reason, "audio.data_opt");
  bad.data_opt = DataOption::Undefined;
  fail_unless(validate(bad).status == StatusCode::InvalidMediaAudioDataOpt);

  bad = a;
  bad.codec = Codec::H264;
  fail_unless(validate(bad).status == StatusCode::InvalidMediaAudioCodec);
  bad.codec = Codec::Undefined;
  fail_unless(validate(bad).status == StatusCode::InvalidMediaAudioCodec);

  bad = a;
  bad.content_type = ContentType::RawVideo;
  fail_unless(validate(bad).status == StatusCode::InvalidMediaAudioContentType);
  // The official JS sample sends RTP (1) and it is accepted.
  bad.content_type = ContentType::Rtp;
  fail_unless(validate(bad).ok());

  bad = a;
  bad.channel = static_cast<AudioChannel>(3);
  fail_unless(validate(bad).status == StatusCode::InvalidMediaAudioChannel);

  bad = a;
  bad.frame_size = 321;
  fail_unless(validate(bad).status == StatusCode::InvalidMediaAudioParams);
  bad.frame_size = 320;  // 16 kHz x 20 ms
  fail_unless(validate(bad).ok());

  for (Codec c : {Codec::G711, Codec::G722}) {
    AudioParams g = a;
    g.codec = c;
    fail_unless(validate(g).ok());
  }
}
GST_END_TEST;

GST_START_TEST(test_video_defaults_and_fallback)
{
  VideoParams v = apply_video_defaults(VideoParams{});
  fail_unless(v.content_type == ContentType::RawVideo);
  fail_unless(v.codec == Codec::Jpg);
  fail_unless(v.resolution == Resolution::HD);
  fail_unless(v.data_opt == DataOption::VideoSingleActiveStream);
  fail_unless(v.fps == 5);
  fail_unless(validate_video(v).ok());

  // fps > 5 without a codec falls back to JPG at 5 fps.
  VideoParams asked;
  asked.fps = 25;
  v = apply_video_defaults(asked);
  fail_unless(v.codec == Codec::Jpg);
  fail_unless(v.fps == 5);
  fail_unless(validate_video(v).ok());

  // A low fps without a codec is kept.
  asked.fps = 2;
  v = apply_video_defaults(asked);
  fail_unless(v.codec == Codec::Jpg && v.fps == 2);

  // What [S-JS] sends: codec 7, resolution 2, fps 25.
  asked = VideoParams{};
  asked.codec = Codec::H264;
  asked.resolution = Resolution::HD;
  asked.fps = 25;
  v = apply_video_defaults(asked);
  fail_unless(v.codec == Codec::H264 && v.fps == 25);
  fail_unless(v.content_type == ContentType::RawVideo);
  fail_unless(v.data_opt == DataOption::VideoSingleActiveStream);
  fail_unless(validate_video(v).ok());

  // H264 without a fps gets a rate H264 can carry.
  asked.fps.reset();
  v = apply_video_defaults(asked);
  fail_unless(v.fps == 30);
  fail_unless(validate_video(v).ok());
}
GST_END_TEST;

GST_START_TEST(test_video_validation)
{
  VideoParams v = apply_video_defaults(VideoParams{});
  VideoParams bad = v;
  bad.fps = 6;
  Validation r = validate_video(bad);
  fail_unless(r.status == StatusCode::InvalidMediaVideoFps);
  assert_contains(r.reason, "video.fps");
  bad.codec = Codec::Png;
  fail_unless(validate_video(bad).status == StatusCode::InvalidMediaVideoFps);
  bad.fps = 5;
  fail_unless(validate_video(bad).ok());

  VideoParams h264 = v;
  h264.codec = Codec::H264;
  for (int fps : {1, 6, 24, 30}) {
    h264.fps = fps;
    fail_unless(validate_video(h264).ok(), "fps %d", fps);
  }
  for (int fps : {0, 31, -1}) {
    h264.fps = fps;
    fail_unless(validate_video(h264).status == StatusCode::InvalidMediaVideoFps,
                "fps %d", fps);
  }

  bad = v;
  bad.data_opt = DataOption::VideoMixedGalleryView;
  r = validate_video(bad);
  fail_unless(r.status == StatusCode::InvalidMediaVideoDataOpt);
  assert_contains(r.reason, "video.data_opt");
  bad.data_opt = DataOption::AudioMixedStream;
  fail_unless(validate_video(bad).status == StatusCode::InvalidMediaVideoDataOpt);
  bad.data_opt = DataOption::VideoSingleIndividualStream;
  fail_unless(validate_video(bad).ok());

  bad = v;
  bad.codec = Codec::L16;
  fail_unless(validate_video(bad).status == StatusCode::InvalidMediaVideoCodec);
  bad = v;
  bad.resolution = Resolution::Undefined;
  fail_unless(validate_video(bad).status ==
              StatusCode::InvalidMediaVideoResolution);
  bad = v;
  bad.content_type = ContentType::RawAudio;
  fail_unless(validate_video(bad).status ==
              StatusCode::InvalidMediaVideoContentType);
}
GST_END_TEST;

GST_START_TEST(test_deskshare)
{
  VideoParams d = apply_deskshare_defaults(VideoParams{});
  fail_unless(d.codec == Codec::Jpg);
  fail_unless(d.resolution == Resolution::FHD);
  fail_unless(d.fps == 1);
  fail_unless(d.content_type == ContentType::RawVideo);
  fail_unless(!d.data_opt, "deskshare has no data_opt");
  fail_unless(validate_deskshare(d).ok());

  VideoParams asked;
  asked.fps = 10;
  d = apply_deskshare_defaults(asked);
  fail_unless(d.codec == Codec::Jpg && d.fps == 1);

  // What [S-JS] sends: only codec 5.
  asked = VideoParams{};
  asked.codec = Codec::Jpg;
  d = apply_deskshare_defaults(asked);
  fail_unless(d.fps == 1);

  VideoParams bad = d;
  bad.fps = 2;
  Validation r = validate_deskshare(bad);
  fail_unless(r.status == StatusCode::InvalidMediaDeskshareFps);
  assert_contains(r.reason, "deskshare.fps");
  bad.codec = Codec::H264;
  fail_unless(validate_deskshare(bad).ok());
  bad.codec = Codec::Opus;
  fail_unless(validate_deskshare(bad).status ==
              StatusCode::InvalidMediaDeskshareCodec);
  bad = d;
  bad.resolution = static_cast<Resolution>(9);
  fail_unless(validate_deskshare(bad).status ==
              StatusCode::InvalidMediaDeskshareResolution);
  bad = d;
  bad.content_type = ContentType::Text;
  fail_unless(validate_deskshare(bad).status ==
              StatusCode::InvalidMediaDeskshareContentType);
}
GST_END_TEST;

GST_START_TEST(test_transcript_and_chat)
{
  TranscriptParams t = apply_defaults(TranscriptParams{});
  fail_unless(t.content_type == ContentType::Text);
  fail_unless(t.src_language == TranscriptLanguage::None);
  fail_unless(t.enable_lid == true);
  fail_unless(validate(t).ok());
  TranscriptParams asked;
  asked.src_language = TranscriptLanguage::English;
  asked.enable_lid = false;
  t = apply_defaults(asked);
  fail_unless(t.src_language == TranscriptLanguage::English);
  fail_unless(t.enable_lid == false);
  t.src_language = static_cast<TranscriptLanguage>(40);
  fail_unless(validate(t).status ==
              StatusCode::InvalidMediaTranscriptSourceLanguage);
  t = apply_defaults(TranscriptParams{});
  t.content_type = ContentType::Rtp;
  fail_unless(validate(t).status ==
              StatusCode::InvalidMediaTranscriptContentType);

  ChatParams c = apply_defaults(ChatParams{});
  fail_unless(c.content_type == ContentType::Text);
  fail_unless(validate(c).ok());
  c.content_type = ContentType::RawVideo;
  fail_unless(validate(c).status == StatusCode::InvalidMediaChatContentType);
}
GST_END_TEST;

GST_START_TEST(test_apply_defaults_by_media_type)
{
  MediaParams none;
  MediaParams all = apply_defaults(none, kMediaAll);
  ck_assert_uint_eq(all.present_types(), kMediaEveryType);
  fail_unless(validate(all).ok());

  MediaParams av = apply_defaults(none, kMediaAudio | kMediaVideo);
  ck_assert_uint_eq(av.present_types(), kMediaAudio | kMediaVideo);
  fail_unless(av.audio->codec == Codec::L16);

  // A block that is present is defaulted even if its type was not asked for.
  MediaParams asked;
  asked.transcript = TranscriptParams{};
  MediaParams eff = apply_defaults(asked, kMediaAudio);
  ck_assert_uint_eq(eff.present_types(), kMediaAudio | kMediaTranscript);
  fail_unless(eff.transcript->content_type == ContentType::Text);

  // validate(MediaParams) reports the first bad block.
  eff.transcript->content_type = ContentType::RawAudio;
  fail_unless(validate(eff).status ==
              StatusCode::InvalidMediaTranscriptContentType);
  eff.audio->send_rate_ms = 30;
  fail_unless(validate(eff).status == StatusCode::InvalidMediaAudioSendRate);
}
GST_END_TEST;

GST_START_TEST(test_parse_doc_request)
{
  // The [DOC] unified request's media_params.
  MediaParams p = parse_ok(
      "{\"audio\":{\"content_type\":2,\"sample_rate\":1,\"channel\":1,"
      "\"codec\":1,\"data_opt\":1,\"send_rate\":20},"
      "\"video\":{\"codec\":7,\"resolution\":2,\"fps\":25},"
      "\"deskshare\":{\"codec\":5},"
      "\"transcript\":{\"content_type\":5,\"src_language\":9,"
      "\"enable_lid\":true},"
      "\"chat\":{\"content_type\":5}}");
  ck_assert_uint_eq(p.present_types(), kMediaEveryType);
  fail_unless(p.audio->content_type == ContentType::RawAudio);
  fail_unless(p.audio->sample_rate == SampleRate::SR16K);
  fail_unless(p.audio->channel == AudioChannel::Mono);
  fail_unless(p.audio->codec == Codec::L16);
  fail_unless(p.audio->data_opt == DataOption::AudioMixedStream);
  fail_unless(p.audio->send_rate_ms == 20);
  fail_unless(!p.audio->frame_size);
  fail_unless(p.video->codec == Codec::H264);
  fail_unless(p.video->resolution == Resolution::HD);
  fail_unless(p.video->fps == 25);
  fail_unless(!p.video->content_type && !p.video->data_opt);
  fail_unless(p.deskshare->codec == Codec::Jpg && !p.deskshare->fps);
  fail_unless(p.transcript->src_language == TranscriptLanguage::English);
  fail_unless(p.transcript->enable_lid == true);
  fail_unless(p.chat->content_type == ContentType::Text);
}
GST_END_TEST;

GST_START_TEST(test_parse_lenient_and_errors)
{
  MediaParams p = parse_ok(
      "{\"audio\":{\"codec\":\"4\",\"sample_rate\":\"3\",\"send_rate\":\"40\"},"
      "\"transcript\":{\"src_language\":-1,\"enable_lid\":\"false\"}}");
  fail_unless(p.audio->codec == Codec::Opus);
  fail_unless(p.audio->sample_rate == SampleRate::SR48K);
  fail_unless(p.audio->send_rate_ms == 40);
  fail_unless(p.transcript->src_language == TranscriptLanguage::None);
  fail_unless(p.transcript->enable_lid == false);
  fail_unless(parse_ok("{}").present_types() == 0);

  expect_parse_error("{\"audio\":{\"codec\":42}}", "media_params.audio.codec",
                     "unknown codec 42");
  expect_parse_error("{\"audio\":{\"sample_rate\":16000}}",
                     "media_params.audio.sample_rate", "unknown sample_rate 16000");
  expect_parse_error("{\"audio\":{\"channel\":0}}",
                     "media_params.audio.channel", "unknown channel 0");
  expect_parse_error("{\"video\":{\"fps\":\"fast\"}}", "media_params.video.fps",
                     "expected an integer, got the string \"fast\"");
  expect_parse_error("{\"video\":{\"fps\":12.5}}", "media_params.video.fps",
                     "expected an integer, got the number 12.5");
  expect_parse_error("{\"video\":{\"resolution\":7}}",
                     "media_params.video.resolution", "unknown resolution 7");
  expect_parse_error("{\"video\":{\"data_opt\":6}}",
                     "media_params.video.data_opt", "unknown data_opt 6");
  expect_parse_error("{\"deskshare\":{\"codec\":8}}",
                     "media_params.deskshare.codec", "unknown codec 8");
  expect_parse_error("{\"deskshare\":[1]}", "media_params.deskshare",
                     "expected an object, got an array");
  expect_parse_error("{\"transcript\":{\"src_language\":37}}",
                     "media_params.transcript.src_language",
                     "unknown src_language 37");
  expect_parse_error("{\"transcript\":{\"enable_lid\":\"yes\"}}",
                     "media_params.transcript.enable_lid",
                     "expected a boolean, got the string \"yes\"");
  expect_parse_error("{\"chat\":{\"content_type\":9}}",
                     "media_params.chat.content_type", "unknown content_type 9");
  expect_parse_error("{\"audio\":{\"send_rate\":99999999999}}",
                     "media_params.audio.send_rate", "out of range");
}
GST_END_TEST;

GST_START_TEST(test_build)
{
  MediaParams p;
  p.audio = AudioParams{};
  p.audio->codec = Codec::L16;
  p.audio->send_rate_ms = 20;
  p.chat = ChatParams{};
  // Only set fields appear, in wire order.
  assert_str(build(p), "{\"audio\":{\"codec\":1,\"send_rate\":20},\"chat\":{}}");

  MediaParams eff = apply_defaults(MediaParams{}, kMediaAll);
  std::string text = build(eff);
  assert_str(text,
             "{\"audio\":{\"content_type\":2,\"sample_rate\":1,\"channel\":1,"
             "\"codec\":1,\"data_opt\":1,\"send_rate\":20},"
             "\"video\":{\"content_type\":3,\"codec\":5,\"resolution\":2,"
             "\"data_opt\":3,\"fps\":5},"
             "\"deskshare\":{\"content_type\":3,\"codec\":5,\"resolution\":3,"
             "\"fps\":1},"
             "\"transcript\":{\"content_type\":5,\"src_language\":-1,"
             "\"enable_lid\":true},"
             "\"chat\":{\"content_type\":5}}");
  MediaParams back = parse_ok(text.c_str());
  assert_str(build(back), text);
}
GST_END_TEST;

GST_START_TEST(test_audio_bytes_per_second)
{
  ck_assert_uint_eq(audio_bytes_per_second(Codec::L16, 16000, 1), 32000);
  ck_assert_uint_eq(audio_bytes_per_second(Codec::L16, 48000, 2), 192000);
  ck_assert_uint_eq(audio_bytes_per_second(Codec::G711, 8000, 1), 8000);
  ck_assert_uint_eq(audio_bytes_per_second(Codec::G711, 8000, 2), 16000);
  ck_assert_uint_eq(audio_bytes_per_second(Codec::G722, 16000, 1), 8000);
  ck_assert_uint_eq(audio_bytes_per_second(Codec::G722, 16000, 2), 16000);
  ck_assert_uint_eq(audio_bytes_per_second(Codec::Opus, 48000, 2), 0);
  ck_assert_uint_eq(audio_bytes_per_second(Codec::H264, 48000, 2), 0);
  ck_assert_uint_eq(audio_bytes_per_second(Codec::L16, 0, 1), 0);
  // 20 ms at 16 kHz mono L16 = 640 bytes (docs/protocol.md#audio-parameters).
  ck_assert_uint_eq(audio_bytes_per_second(Codec::L16, 16000, 1) * 20 / 1000,
                    640);
}
GST_END_TEST;

GST_START_TEST(test_opus_duration)
{
  const uint64_t ms = 1000000;
  auto dur = [](std::initializer_list<uint8_t> bytes) {
    std::vector<uint8_t> v(bytes);
    return opus_packet_duration_ns(v.data(), v.size());
  };
  // TOC = config << 3 | stereo << 2 | code.
  ck_assert_uint_eq(dur({0 << 3, 0xAA}), 10 * ms);        // SILK NB 10 ms
  ck_assert_uint_eq(dur({1 << 3, 0xAA}), 20 * ms);        // SILK NB 20 ms
  ck_assert_uint_eq(dur({2 << 3, 0xAA}), 40 * ms);
  ck_assert_uint_eq(dur({3 << 3, 0xAA}), 60 * ms);
  ck_assert_uint_eq(dur({11 << 3, 0xAA}), 60 * ms);       // SILK WB 60 ms
  ck_assert_uint_eq(dur({12 << 3, 0xAA}), 10 * ms);       // hybrid SWB 10
  ck_assert_uint_eq(dur({15 << 3, 0xAA}), 20 * ms);       // hybrid FB 20
  ck_assert_uint_eq(dur({16 << 3, 0xAA}), 2500000);       // CELT NB 2.5 ms
  ck_assert_uint_eq(dur({17 << 3, 0xAA}), 5 * ms);
  ck_assert_uint_eq(dur({30 << 3, 0xAA}), 10 * ms);
  ck_assert_uint_eq(dur({31 << 3 | 4, 0xAA}), 20 * ms);   // CELT FB 20, stereo
  ck_assert_uint_eq(dur({31 << 3}), 20 * ms);             // code 0, empty frame
  // Code 1: two equal frames, payload must split evenly.
  ck_assert_uint_eq(dur({31 << 3 | 1, 1, 2}), 40 * ms);
  ck_assert_uint_eq(dur({31 << 3 | 1, 1, 2, 3}), 0);
  // Code 2: two frames of different sizes.
  ck_assert_uint_eq(dur({31 << 3 | 2, 1, 0xAA, 0xBB}), 40 * ms);
  ck_assert_uint_eq(dur({31 << 3 | 2}), 0);
  // Code 3: the frame count byte.
  ck_assert_uint_eq(dur({31 << 3 | 3, 3, 0, 0, 0}), 60 * ms);
  ck_assert_uint_eq(dur({16 << 3 | 3, 48}), 120 * ms);    // 48 x 2.5 ms
  ck_assert_uint_eq(dur({16 << 3 | 3, 0x80 | 0x40 | 2}), 5 * ms);  // VBR+pad
  ck_assert_uint_eq(dur({31 << 3 | 3, 7}), 0);            // 140 ms > 120
  ck_assert_uint_eq(dur({31 << 3 | 3, 0}), 0);            // zero frames
  ck_assert_uint_eq(dur({31 << 3 | 3}), 0);               // no count byte
  ck_assert_uint_eq(opus_packet_duration_ns(nullptr, 0), 0);
}
GST_END_TEST;

static Suite *
media_params_suite(void)
{
  Suite *s = suite_create("rtms-media-params");
  TCase *tc = tcase_create("media-params");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_audio_defaults);
  tcase_add_test(tc, test_audio_validation);
  tcase_add_test(tc, test_video_defaults_and_fallback);
  tcase_add_test(tc, test_video_validation);
  tcase_add_test(tc, test_deskshare);
  tcase_add_test(tc, test_transcript_and_chat);
  tcase_add_test(tc, test_apply_defaults_by_media_type);
  tcase_add_test(tc, test_parse_doc_request);
  tcase_add_test(tc, test_parse_lenient_and_errors);
  tcase_add_test(tc, test_build);
  tcase_add_test(tc, test_audio_bytes_per_second);
  tcase_add_test(tc, test_opus_duration);
  return s;
}

GST_CHECK_MAIN(media_params);
