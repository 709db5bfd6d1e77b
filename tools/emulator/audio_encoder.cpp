#include "audio_encoder.h"

#include <memory>

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

namespace emulator {
namespace {

struct PipelineStopper {
  void operator()(GstElement *pipeline) const {
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
  }
};
using PipelinePtr = std::unique_ptr<GstElement, PipelineStopper>;

struct GstObjectUnref {
  void operator()(gpointer object) const { gst_object_unref(object); }
};

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
  g_autoptr(GError) gerror = nullptr;
  PipelinePtr pipeline(gst_parse_launch(description.c_str(), &gerror));
  if (!pipeline) {
    *error = "cannot build \"" + description + "\": " + (gerror ? gerror->message : "unknown error");
    return false;
  }
  std::unique_ptr<GstElement, GstObjectUnref> src(
      gst_bin_get_by_name(GST_BIN(pipeline.get()), "src"));
  std::unique_ptr<GstElement, GstObjectUnref> sink(
      gst_bin_get_by_name(GST_BIN(pipeline.get()), "sink"));
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

  while (true) {
    g_autoptr(GstSample) sample =
        gst_app_sink_try_pull_sample(GST_APP_SINK(sink.get()), 30 * GST_SECOND);
    if (sample == nullptr) break;
    GstBuffer *out = gst_sample_get_buffer(sample);
    GstMapInfo map;
    if (out == nullptr || !gst_buffer_map(out, &map, GST_MAP_READ)) continue;
    buffers->emplace_back(map.data, map.data + map.size);
    gst_buffer_unmap(out, &map);
  }
  if (!gst_app_sink_is_eos(GST_APP_SINK(sink.get()))) {
    g_autoptr(GstBus) bus = gst_element_get_bus(pipeline.get());
    g_autoptr(GstMessage) message = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    *error = "encoding with \"" + description + "\" failed";
    if (message != nullptr) {
      g_autoptr(GError) perror = nullptr;
      gst_message_parse_error(message, &perror, nullptr);
      if (perror != nullptr) *error += std::string(": ") + perror->message;
    }
    return false;
  }
  return true;
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
