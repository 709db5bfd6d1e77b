#include "media_params.h"

#include <json-glib/json-glib.h>

#include "json_fields.h"

namespace rtms {

namespace {

// JPG/PNG are only offered at low frame rates; the server falls back to
// these when a high fps arrives without a codec.
constexpr int kVideoImageMaxFps = 5;
constexpr int kDeskshareImageMaxFps = 1;
constexpr int kMaxFps = 30;
// Chosen when H264 is asked for without a fps: the SDK's H264 default, and a
// rate inside the documented 6..30 H264 range (5 would not be).
constexpr int kH264DefaultFps = 30;
constexpr int kSendRateStep = 20;
constexpr int kSendRateMax = 1000;

bool valid_content_type(int v) { return v >= 0 && v <= 5; }
bool valid_sample_rate(int v) { return v >= 0 && v <= 3; }
bool valid_channel(int v) { return v == 1 || v == 2; }
bool valid_codec(int v) { return v >= 0 && v <= 7; }
bool valid_data_opt(int v) { return v >= 0 && v <= 5; }
bool valid_resolution(int v) { return v >= 0 && v <= 4; }
bool valid_language(int v) { return v >= -1 && v <= 36; }

bool is_image_codec(std::optional<Codec> c) {
  return c == Codec::Jpg || c == Codec::Png;
}

Validation fail(StatusCode status, std::string reason) {
  return Validation{status, std::move(reason)};
}

std::string got(const char *field, const std::string &value) {
  return std::string(field) + " " + value + " is not allowed";
}

template <typename E>
std::string name_of(const std::optional<E> &v) {
  if (!v)
    return "(missing)";
  return std::to_string(int(*v)) + " (" + to_string(*v) + ")";
}

std::string num(const std::optional<int> &v) {
  return v ? std::to_string(*v) : "(missing)";
}

// Shared by video and deskshare, which differ in the image fps limit, the
// status codes and whether data_opt exists.
struct VideoRules {
  const char *block;
  int image_max_fps;
  StatusCode content_type, codec, resolution, fps;
  bool has_data_opt;
};

Validation validate_video_block(const VideoParams &p, const VideoRules &r) {
  std::string b = r.block;
  if (p.content_type != ContentType::RawVideo)
    return fail(r.content_type,
                got((b + ".content_type").c_str(), name_of(p.content_type)) +
                    ": expected 3 (RAW_VIDEO)");
  if (p.codec != Codec::Jpg && p.codec != Codec::Png && p.codec != Codec::H264)
    return fail(r.codec, got((b + ".codec").c_str(), name_of(p.codec)) +
                             ": expected JPG, PNG or H264");
  if (!p.resolution || int(*p.resolution) < 1 || int(*p.resolution) > 4)
    return fail(r.resolution,
                got((b + ".resolution").c_str(), name_of(p.resolution)) +
                    ": expected SD, HD, FHD or QHD");
  if (r.has_data_opt && p.data_opt != DataOption::VideoSingleActiveStream &&
      p.data_opt != DataOption::VideoSingleIndividualStream)
    return fail(StatusCode::InvalidMediaVideoDataOpt,
                got((b + ".data_opt").c_str(), name_of(p.data_opt)) +
                    ": expected 3 (VIDEO_SINGLE_ACTIVE_STREAM) or 4 "
                    "(VIDEO_SINGLE_INDIVIDUAL_STREAM)");
  if (!p.fps || *p.fps < 1 || *p.fps > kMaxFps)
    return fail(r.fps, got((b + ".fps").c_str(), num(p.fps)) +
                           ": expected 1 to 30");
  if (is_image_codec(p.codec) && *p.fps > r.image_max_fps)
    return fail(r.fps, got((b + ".fps").c_str(), num(p.fps)) + ": " +
                           to_string(*p.codec) + " allows at most " +
                           std::to_string(r.image_max_fps) + " fps");
  return {};
}

VideoParams apply_video_block(const VideoParams &requested, int image_max_fps,
                              Resolution default_resolution,
                              bool has_data_opt) {
  VideoParams p = requested;
  if (!p.content_type)
    p.content_type = ContentType::RawVideo;
  if (!p.codec) {
    // The documented server fallback: without a codec, a rate too high for
    // images is lowered rather than switching to H264.
    p.codec = Codec::Jpg;
    if (!p.fps || *p.fps > image_max_fps)
      p.fps = image_max_fps;
  }
  if (!p.fps)
    p.fps = *p.codec == Codec::H264 ? kH264DefaultFps : image_max_fps;
  if (!p.resolution)
    p.resolution = default_resolution;
  if (has_data_opt && !p.data_opt)
    p.data_opt = DataOption::VideoSingleActiveStream;
  return p;
}

AudioParams parse_audio(const json::ObjectReader &r) {
  AudioParams a;
  a.content_type = r.opt_enum<ContentType>("content_type", valid_content_type,
                                           "content_type");
  a.sample_rate =
      r.opt_enum<SampleRate>("sample_rate", valid_sample_rate, "sample_rate");
  a.channel = r.opt_enum<AudioChannel>("channel", valid_channel, "channel");
  a.codec = r.opt_enum<Codec>("codec", valid_codec, "codec");
  a.data_opt = r.opt_enum<DataOption>("data_opt", valid_data_opt, "data_opt");
  if (auto v = r.opt_int("send_rate", INT32_MIN, INT32_MAX))
    a.send_rate_ms = static_cast<int>(*v);
  if (auto v = r.opt_int("frame_size", INT32_MIN, INT32_MAX))
    a.frame_size = static_cast<int>(*v);
  return a;
}

VideoParams parse_video(const json::ObjectReader &r) {
  VideoParams v;
  v.content_type = r.opt_enum<ContentType>("content_type", valid_content_type,
                                           "content_type");
  v.codec = r.opt_enum<Codec>("codec", valid_codec, "codec");
  v.resolution =
      r.opt_enum<Resolution>("resolution", valid_resolution, "resolution");
  v.data_opt = r.opt_enum<DataOption>("data_opt", valid_data_opt, "data_opt");
  if (auto fps = r.opt_int("fps", INT32_MIN, INT32_MAX))
    v.fps = static_cast<int>(*fps);
  return v;
}

void add_int(JsonBuilder *b, const char *name, int64_t v) {
  json_builder_set_member_name(b, name);
  json_builder_add_int_value(b, v);
}

template <typename E>
void add_opt(JsonBuilder *b, const char *name, const std::optional<E> &v) {
  if (v)
    add_int(b, name, static_cast<int64_t>(*v));
}

void build_video(JsonBuilder *b, const char *name, const VideoParams &v) {
  json_builder_set_member_name(b, name);
  json_builder_begin_object(b);
  add_opt(b, "content_type", v.content_type);
  add_opt(b, "codec", v.codec);
  add_opt(b, "resolution", v.resolution);
  add_opt(b, "data_opt", v.data_opt);
  add_opt(b, "fps", v.fps);
  json_builder_end_object(b);
}

}  // namespace

uint32_t MediaParams::present_types() const {
  uint32_t mask = 0;
  if (audio)
    mask |= kMediaAudio;
  if (video)
    mask |= kMediaVideo;
  if (deskshare)
    mask |= kMediaDeskshare;
  if (transcript)
    mask |= kMediaTranscript;
  if (chat)
    mask |= kMediaChat;
  return mask;
}

AudioParams apply_defaults(const AudioParams &requested) {
  AudioParams a = requested;
  if (!a.content_type)
    a.content_type = ContentType::RawAudio;
  if (!a.sample_rate)
    a.sample_rate = SampleRate::SR16K;
  if (!a.channel)
    a.channel = AudioChannel::Mono;
  if (!a.codec)
    a.codec = Codec::L16;
  if (!a.data_opt)
    a.data_opt = DataOption::AudioMixedStream;
  if (!a.send_rate_ms)
    a.send_rate_ms = kSendRateStep;
  else if (*a.send_rate_ms > kSendRateMax)
    a.send_rate_ms = kSendRateMax;  // [DOC]: larger values are clamped
  // frame_size is an SDK-side field the wire defaults do not mention; it is
  // left as requested.
  return a;
}

VideoParams apply_video_defaults(const VideoParams &requested) {
  return apply_video_block(requested, kVideoImageMaxFps, Resolution::HD, true);
}

VideoParams apply_deskshare_defaults(const VideoParams &requested) {
  return apply_video_block(requested, kDeskshareImageMaxFps, Resolution::FHD,
                           false);
}

TranscriptParams apply_defaults(const TranscriptParams &requested) {
  TranscriptParams t = requested;
  if (!t.content_type)
    t.content_type = ContentType::Text;
  if (!t.src_language)
    t.src_language = TranscriptLanguage::None;
  if (!t.enable_lid)
    t.enable_lid = true;
  return t;
}

ChatParams apply_defaults(const ChatParams &requested) {
  ChatParams c = requested;
  if (!c.content_type)
    c.content_type = ContentType::Text;
  return c;
}

MediaParams apply_defaults(const MediaParams &requested,
                           uint32_t media_types) {
  uint32_t wanted = (media_types & kMediaAll) ? kMediaEveryType : media_types;
  MediaParams p;
  if (requested.audio || (wanted & kMediaAudio))
    p.audio = apply_defaults(requested.audio.value_or(AudioParams{}));
  if (requested.video || (wanted & kMediaVideo))
    p.video = apply_video_defaults(requested.video.value_or(VideoParams{}));
  if (requested.deskshare || (wanted & kMediaDeskshare))
    p.deskshare =
        apply_deskshare_defaults(requested.deskshare.value_or(VideoParams{}));
  if (requested.transcript || (wanted & kMediaTranscript))
    p.transcript =
        apply_defaults(requested.transcript.value_or(TranscriptParams{}));
  if (requested.chat || (wanted & kMediaChat))
    p.chat = apply_defaults(requested.chat.value_or(ChatParams{}));
  return p;
}

Validation validate(const AudioParams &a) {
  // RTP is what the official JS sample sends and servers accept it.
  if (a.content_type != ContentType::RawAudio &&
      a.content_type != ContentType::Rtp)
    return fail(StatusCode::InvalidMediaAudioContentType,
                got("audio.content_type", name_of(a.content_type)) +
                    ": expected 2 (RAW_AUDIO) or 1 (RTP)");
  if (!a.sample_rate || !valid_sample_rate(int(*a.sample_rate)))
    return fail(StatusCode::InvalidMediaAudioSampleRate,
                got("audio.sample_rate", name_of(a.sample_rate)));
  if (!a.channel || !valid_channel(int(*a.channel)))
    return fail(StatusCode::InvalidMediaAudioChannel,
                got("audio.channel", name_of(a.channel)) +
                    ": expected 1 (MONO) or 2 (STEREO)");
  if (a.codec != Codec::L16 && a.codec != Codec::G711 &&
      a.codec != Codec::G722 && a.codec != Codec::Opus)
    return fail(StatusCode::InvalidMediaAudioCodec,
                got("audio.codec", name_of(a.codec)) +
                    ": expected L16, G711, G722 or OPUS");
  if (a.codec == Codec::Opus && a.sample_rate != SampleRate::SR48K)
    return fail(StatusCode::InvalidMediaAudioSampleRate,
                got("audio.sample_rate", name_of(a.sample_rate)) +
                    ": OPUS requires 3 (SR_48K)");
  if (a.data_opt != DataOption::AudioMixedStream &&
      a.data_opt != DataOption::AudioMultiStreams)
    return fail(StatusCode::InvalidMediaAudioDataOpt,
                got("audio.data_opt", name_of(a.data_opt)) +
                    ": expected 1 (AUDIO_MIXED_STREAM) or 2 "
                    "(AUDIO_MULTI_STREAMS)");
  if (!a.send_rate_ms || *a.send_rate_ms <= 0 ||
      *a.send_rate_ms > kSendRateMax || *a.send_rate_ms % kSendRateStep != 0)
    return fail(StatusCode::InvalidMediaAudioSendRate,
                got("audio.send_rate", num(a.send_rate_ms)) +
                    ": expected a positive multiple of 20 ms, at most 1000");
  if (a.frame_size) {
    int64_t expected =
        int64_t(sample_rate_hz(*a.sample_rate)) * *a.send_rate_ms / 1000;
    if (*a.frame_size != expected)
      return fail(StatusCode::InvalidMediaAudioParams,
                  got("audio.frame_size", num(a.frame_size)) +
                      ": expected " + std::to_string(expected) +
                      " samples for the sample rate and send_rate");
  }
  return {};
}

Validation validate_video(const VideoParams &v) {
  return validate_video_block(
      v, {"video", kVideoImageMaxFps, StatusCode::InvalidMediaVideoContentType,
          StatusCode::InvalidMediaVideoCodec,
          StatusCode::InvalidMediaVideoResolution,
          StatusCode::InvalidMediaVideoFps, true});
}

Validation validate_deskshare(const VideoParams &v) {
  return validate_video_block(
      v, {"deskshare", kDeskshareImageMaxFps,
          StatusCode::InvalidMediaDeskshareContentType,
          StatusCode::InvalidMediaDeskshareCodec,
          StatusCode::InvalidMediaDeskshareResolution,
          StatusCode::InvalidMediaDeskshareFps, false});
}

Validation validate(const TranscriptParams &t) {
  if (t.content_type != ContentType::Text)
    return fail(StatusCode::InvalidMediaTranscriptContentType,
                got("transcript.content_type", name_of(t.content_type)) +
                    ": expected 5 (TEXT)");
  if (t.src_language && !valid_language(int(*t.src_language)))
    return fail(StatusCode::InvalidMediaTranscriptSourceLanguage,
                got("transcript.src_language", name_of(t.src_language)));
  return {};
}

Validation validate(const ChatParams &c) {
  if (c.content_type != ContentType::Text)
    return fail(StatusCode::InvalidMediaChatContentType,
                got("chat.content_type", name_of(c.content_type)) +
                    ": expected 5 (TEXT)");
  return {};
}

Validation validate(const MediaParams &p) {
  if (p.audio) {
    if (auto v = validate(*p.audio); !v.ok())
      return v;
  }
  if (p.video) {
    if (auto v = validate_video(*p.video); !v.ok())
      return v;
  }
  if (p.deskshare) {
    if (auto v = validate_deskshare(*p.deskshare); !v.ok())
      return v;
  }
  if (p.transcript) {
    if (auto v = validate(*p.transcript); !v.ok())
      return v;
  }
  if (p.chat) {
    if (auto v = validate(*p.chat); !v.ok())
      return v;
  }
  return {};
}

Result<MediaParams> parse_media_params(JsonObject *object,
                                       const std::string &prefix) {
  json::ErrorSink sink;
  json::ObjectReader r(object, prefix, &sink);
  MediaParams p;
  if (auto a = r.opt_object("audio"))
    p.audio = parse_audio(*a);
  if (auto v = r.opt_object("video"))
    p.video = parse_video(*v);
  if (auto d = r.opt_object("deskshare"))
    p.deskshare = parse_video(*d);
  if (auto t = r.opt_object("transcript")) {
    TranscriptParams tp;
    tp.content_type = t->opt_enum<ContentType>(
        "content_type", valid_content_type, "content_type");
    tp.src_language = t->opt_enum<TranscriptLanguage>(
        "src_language", valid_language, "src_language");
    tp.enable_lid = t->opt_bool("enable_lid");
    p.transcript = tp;
  }
  if (auto c = r.opt_object("chat")) {
    ChatParams cp;
    cp.content_type = c->opt_enum<ContentType>(
        "content_type", valid_content_type, "content_type");
    p.chat = cp;
  }
  if (sink.failed())
    return *sink.error;
  return p;
}

void build_media_params(JsonBuilder *b, const MediaParams &params) {
  if (params.audio) {
    const AudioParams &a = *params.audio;
    json_builder_set_member_name(b, "audio");
    json_builder_begin_object(b);
    add_opt(b, "content_type", a.content_type);
    add_opt(b, "sample_rate", a.sample_rate);
    add_opt(b, "channel", a.channel);
    add_opt(b, "codec", a.codec);
    add_opt(b, "data_opt", a.data_opt);
    add_opt(b, "send_rate", a.send_rate_ms);
    add_opt(b, "frame_size", a.frame_size);
    json_builder_end_object(b);
  }
  if (params.video)
    build_video(b, "video", *params.video);
  if (params.deskshare)
    build_video(b, "deskshare", *params.deskshare);
  if (params.transcript) {
    const TranscriptParams &t = *params.transcript;
    json_builder_set_member_name(b, "transcript");
    json_builder_begin_object(b);
    add_opt(b, "content_type", t.content_type);
    add_opt(b, "src_language", t.src_language);
    if (t.enable_lid) {
      json_builder_set_member_name(b, "enable_lid");
      json_builder_add_boolean_value(b, *t.enable_lid);
    }
    json_builder_end_object(b);
  }
  if (params.chat) {
    json_builder_set_member_name(b, "chat");
    json_builder_begin_object(b);
    add_opt(b, "content_type", params.chat->content_type);
    json_builder_end_object(b);
  }
}

uint64_t audio_bytes_per_second(Codec codec, int rate_hz, int channels) {
  if (rate_hz <= 0 || channels <= 0)
    return 0;
  uint64_t rate = uint64_t(rate_hz), ch = uint64_t(channels);
  switch (codec) {
    case Codec::L16:
      return 2 * rate * ch;
    case Codec::G711:
      return rate * ch;
    case Codec::G722:
      // G.722 is 64 kbit/s per channel whatever the nominal rate says.
      return 8000 * ch;
    default:
      return 0;
  }
}

uint64_t opus_packet_duration_ns(const uint8_t *data, size_t size) {
  if (!data || size < 1)
    return 0;
  const uint8_t toc = data[0];
  const int config = toc >> 3;
  // RFC 6716 table 2, in units of 0.5 ms to keep 2.5 ms exact.
  int half_ms;
  if (config < 12) {
    static constexpr int kSilk[] = {20, 40, 80, 120};  // 10/20/40/60 ms
    half_ms = kSilk[config % 4];
  } else if (config < 16) {
    half_ms = (config % 2) ? 40 : 20;  // hybrid 10/20 ms
  } else {
    static constexpr int kCelt[] = {5, 10, 20, 40};  // 2.5/5/10/20 ms
    half_ms = kCelt[config % 4];
  }
  int frames;
  switch (toc & 3) {
    case 0:
      frames = 1;
      break;
    case 1:
      // Two equal frames: the payload must split evenly (RFC 6716 R3).
      if ((size - 1) % 2 != 0)
        return 0;
      frames = 2;
      break;
    case 2:
      if (size < 2)
        return 0;
      frames = 2;
      break;
    default:
      if (size < 2)
        return 0;
      frames = data[1] & 0x3f;
      if (frames == 0)
        return 0;
      break;
  }
  uint64_t total_half_ms = uint64_t(half_ms) * uint64_t(frames);
  if (total_half_ms > 240)  // R5: at most 120 ms per packet
    return 0;
  return total_half_ms * 500000ull;
}

}  // namespace rtms
