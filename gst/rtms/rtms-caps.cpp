#include "rtms-caps.h"

namespace rtms {

const char *audio_template_caps() {
  return "audio/x-raw, format=(string)S16LE, layout=(string)interleaved, "
         "rate=(int){ 8000, 16000, 32000, 48000 }, channels=(int)[ 1, 2 ]; "
         "audio/x-mulaw, rate=(int){ 8000, 16000, 32000, 48000 }, channels=(int)[ 1, 2 ]; "
         "audio/x-alaw, rate=(int){ 8000, 16000, 32000, 48000 }, channels=(int)[ 1, 2 ]; "
         "audio/G722, rate=(int)16000, channels=(int)[ 1, 2 ]; "
         "audio/x-opus, rate=(int)48000, channels=(int)[ 1, 2 ], "
         "channel-mapping-family=(int)0";
}

GstCaps *audio_caps(const AudioParams &effective, GstRtmsG711Law law) {
  int rate = sample_rate_hz(effective.sample_rate.value_or(SampleRate::SR16K));
  int channels = static_cast<int>(effective.channel.value_or(AudioChannel::Mono));
  switch (effective.codec.value_or(Codec::L16)) {
    case Codec::L16:
      return gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING, "S16LE", "layout",
                                 G_TYPE_STRING, "interleaved", "rate", G_TYPE_INT, rate,
                                 "channels", G_TYPE_INT, channels, nullptr);
    case Codec::G711:
      return gst_caps_new_simple(law == GST_RTMS_G711_ALAW ? "audio/x-alaw" : "audio/x-mulaw",
                                 "rate", G_TYPE_INT, rate, "channels", G_TYPE_INT, channels,
                                 nullptr);
    case Codec::G722:
      // G.722 always samples at 16 kHz, whatever the sample_rate field says.
      return gst_caps_new_simple("audio/G722", "rate", G_TYPE_INT, 16000, "channels",
                                 G_TYPE_INT, channels, nullptr);
    case Codec::Opus:
      return gst_caps_new_simple("audio/x-opus", "rate", G_TYPE_INT, 48000, "channels",
                                 G_TYPE_INT, channels, "channel-mapping-family", G_TYPE_INT, 0,
                                 nullptr);
    default:
      return nullptr;
  }
}

GstClockTime audio_payload_duration(const AudioParams &effective, const guint8 *data,
                                    gsize size) {
  Codec codec = effective.codec.value_or(Codec::L16);
  if (codec == Codec::Opus) {
    uint64_t ns = opus_packet_duration_ns(data, size);
    return ns ? GstClockTime(ns) : GST_CLOCK_TIME_NONE;
  }
  int rate = codec == Codec::G722
                 ? 16000
                 : sample_rate_hz(effective.sample_rate.value_or(SampleRate::SR16K));
  int channels = static_cast<int>(effective.channel.value_or(AudioChannel::Mono));
  uint64_t bytes_per_second = audio_bytes_per_second(codec, rate, channels);
  if (bytes_per_second == 0) return GST_CLOCK_TIME_NONE;
  return gst_util_uint64_scale(size, GST_SECOND, bytes_per_second);
}

}  // namespace rtms
