// Media parameters of the media handshake (Zoom's "Event reference",
// https://developers.zoom.us/docs/rtms/event-reference/, and "Handling media data",
// https://developers.zoom.us/docs/rtms/meetings/media/):
// what a client asks for, the documented server defaults, the validation
// rules a server applies, and the effective parameters echoed back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "enums.h"
#include "result.h"

typedef struct _JsonObject JsonObject;
typedef struct _JsonBuilder JsonBuilder;

namespace rtms {

// Fields are optional because a request may leave any of them out and the
// server fills in its default; the effective parameters (after
// apply_defaults) have every field set.
struct AudioParams {
  std::optional<ContentType> content_type;
  std::optional<SampleRate> sample_rate;
  std::optional<AudioChannel> channel;
  std::optional<Codec> codec;
  std::optional<DataOption> data_opt;
  std::optional<int> send_rate_ms;  // multiple of 20, at most 1000
  std::optional<int> frame_size;    // samples per packet (SDK extension)
};

// Used for both video and deskshare.
struct VideoParams {
  std::optional<ContentType> content_type;
  std::optional<Codec> codec;
  std::optional<Resolution> resolution;
  std::optional<DataOption> data_opt;  // video only
  std::optional<int> fps;
};

struct TranscriptParams {
  std::optional<ContentType> content_type;
  std::optional<TranscriptLanguage> src_language;
  std::optional<bool> enable_lid;
};

struct ChatParams {
  std::optional<ContentType> content_type;
};

struct MediaParams {
  std::optional<AudioParams> audio;
  std::optional<VideoParams> video;
  std::optional<VideoParams> deskshare;
  std::optional<TranscriptParams> transcript;
  std::optional<ChatParams> chat;

  // The media-type flags for which a block is present.
  uint32_t present_types() const;
};

// Documented server defaults: audio L16/16 kHz/mono/mixed/20 ms;
// video JPG/HD/5 fps/active speaker; deskshare JPG/FHD/1 fps; transcript
// TEXT/auto language/LID on; chat TEXT. Falls back as the server does: video
// fps > 5 without a codec becomes JPG at 5 fps; deskshare fps > 1 without a
// codec becomes JPG at 1 fps.
AudioParams apply_defaults(const AudioParams &requested);
VideoParams apply_video_defaults(const VideoParams &requested);
VideoParams apply_deskshare_defaults(const VideoParams &requested);
TranscriptParams apply_defaults(const TranscriptParams &requested);
ChatParams apply_defaults(const ChatParams &requested);
// Applies the defaults above to every block present, and adds a default block
// for every type in media_types (a bitmask; kMediaAll means every type) that
// has none.
MediaParams apply_defaults(const MediaParams &requested, uint32_t media_types);

// The server's validation of a request (after defaults): returns Ok or the
// specific status code (18-39, 43), with a reason naming the field.
struct Validation {
  StatusCode status = StatusCode::Ok;
  std::string reason;
  bool ok() const { return status == StatusCode::Ok; }
};
Validation validate(const AudioParams &effective);
Validation validate_video(const VideoParams &effective);
Validation validate_deskshare(const VideoParams &effective);
Validation validate(const TranscriptParams &effective);
Validation validate(const ChatParams &effective);
Validation validate(const MediaParams &effective);

// JSON <-> struct. Parsing is lenient on numbers sent as strings and strict on
// everything else: an unknown codec number or a fps of "fast" is an error
// naming the field (prefix is prepended to field names, e.g. "media_params").
Result<MediaParams> parse_media_params(JsonObject *object,
                                       const std::string &prefix);
// Writes the members of a media_params object (only the fields that are set)
// into a builder positioned inside an object.
void build_media_params(JsonBuilder *builder, const MediaParams &params);

// Bytes per second of a raw or fixed-rate audio stream, 0 when the codec has
// no fixed rate (Opus). Used to turn payload sizes into durations.
uint64_t audio_bytes_per_second(Codec codec, int rate_hz, int channels);

// Duration in nanoseconds of one Opus packet, read from its TOC byte
// (RFC 6716 section 3.1); 0 when the packet is malformed.
uint64_t opus_packet_duration_ns(const uint8_t *data, size_t size);

}  // namespace rtms
