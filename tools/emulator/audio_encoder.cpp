#include "audio_encoder.h"

#include <memory>

#include <gst/app/gstappsrc.h>

#include "encoder_pipeline.h"

namespace emulator {
namespace {

std::string encoder_description(const AudioFormat &format) {
  switch (format.codec) {
    case rtms::Codec::G711:
      return format.law == G711Law::Alaw ? "alawenc" : "mulawenc";
    case rtms::Codec::G722:
      return "avenc_g722";
    case rtms::Codec::Opus:
      return "opusenc frame-size=" + std::to_string(format.frame_ms) + " bitrate=" +
             std::to_string(format.channels == 2 ? 96000 : 64000);
    default:
      return "";
  }
}

std::vector<Payload> split_fixed(const std::vector<uint8_t> &bytes, size_t frame_bytes,
                                 size_t frames) {
  std::vector<Payload> out;
  out.reserve(frames);
  for (size_t i = 0; i < frames; ++i) {
    size_t begin = std::min(bytes.size(), i * frame_bytes);
    size_t end = std::min(bytes.size(), begin + frame_bytes);
    Payload p(bytes.begin() + static_cast<std::ptrdiff_t>(begin),
              bytes.begin() + static_cast<std::ptrdiff_t>(end));
    // Encoders may hold back a little at the very end; keep every payload
    // the size its duration implies.
    p.resize(frame_bytes, 0);
    out.push_back(std::move(p));
  }
  return out;
}

// Pushes all PCM (plus one frame of trailing silence so the encoder flushes
// every real frame) and collects every encoded buffer.
bool run_pipeline(const AudioFormat &format, const std::vector<int16_t> &pcm,
                  std::vector<Payload> *buffers, std::string *error) {
  std::string description =
      "appsrc name=src format=time ! audioconvert ! " + encoder_description(format) +
      " ! appsink name=sink sync=false";
  rtms::PipelineRef pipeline = launch_pipeline(description, error);
  if (!pipeline) return false;
  rtms::GRef<GstElement> src = element_by_name(pipeline.get(), "src");
  rtms::GRef<GstElement> sink = element_by_name(pipeline.get(), "sink");
  g_autoptr(GstCaps) caps = gst_caps_new_simple(
      "audio/x-raw", "format", G_TYPE_STRING, G_BYTE_ORDER == G_LITTLE_ENDIAN ? "S16LE" : "S16BE", "layout", G_TYPE_STRING,
      "interleaved", "rate", G_TYPE_INT, format.rate_hz, "channels", G_TYPE_INT,
      format.channels, nullptr);
  gst_app_src_set_caps(GST_APP_SRC(src.get()), caps);

  if (gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    *error = "cannot start \"" + description + "\"";
    return false;
  }
  std::vector<int16_t> padded = pcm;
  padded.resize(pcm.size() + static_cast<size_t>(format.samples_per_frame()) * format.channels, 0);
  gsize size = padded.size() * sizeof(int16_t);
  GstBuffer *buffer = gst_buffer_new_allocate(nullptr, size, nullptr);
  gst_buffer_fill(buffer, 0, padded.data(), size);
  GST_BUFFER_PTS(buffer) = 0;
  GST_BUFFER_DURATION(buffer) = gst_util_uint64_scale(
      padded.size() / format.channels, GST_SECOND, format.rate_hz);
  gst_app_src_push_buffer(GST_APP_SRC(src.get()), buffer);  // takes ownership
  gst_app_src_end_of_stream(GST_APP_SRC(src.get()));

  return pull_until_eos(pipeline.get(), sink.get(), "encoding with \"" + description + "\"", buffers, error);
}

}  // namespace

bool encode_frames(const AudioFormat &format, const std::vector<int16_t> &pcm,
                   size_t frames, std::vector<Payload> *out, std::string *error) {
  out->clear();
  if (frames == 0) return true;
  if (format.codec == rtms::Codec::L16) {
    // L16 on the wire is little-endian whatever the host is.
    std::vector<uint8_t> bytes(pcm.size() * 2);
    for (size_t i = 0; i < pcm.size(); ++i) {
      uint16_t v = static_cast<uint16_t>(pcm[i]);
      bytes[2 * i] = static_cast<uint8_t>(v & 0xff);
      bytes[2 * i + 1] = static_cast<uint8_t>(v >> 8);
    }
    *out = split_fixed(bytes, format.encoded_frame_bytes(), frames);
    return true;
  }
  if (format.codec != rtms::Codec::G711 && format.codec != rtms::Codec::G722 &&
      format.codec != rtms::Codec::Opus) {
    *error = std::string("the emulator cannot encode audio codec ") + rtms::to_string(format.codec);
    return false;
  }
  std::vector<Payload> buffers;
  if (!run_pipeline(format, pcm, &buffers, error)) return false;
  if (format.codec == rtms::Codec::Opus) {
    // opusenc emits exactly one packet per frame.
    if (buffers.size() < frames) {
      *error = "opusenc produced " + std::to_string(buffers.size()) + " packets, expected " +
               std::to_string(frames);
      return false;
    }
    buffers.resize(frames);
    *out = std::move(buffers);
    return true;
  }
  std::vector<uint8_t> bytes;
  for (const auto &b : buffers) bytes.insert(bytes.end(), b.begin(), b.end());
  *out = split_fixed(bytes, format.encoded_frame_bytes(), frames);
  return true;
}

}  // namespace emulator
