#include "video_encoder.h"

#include <gst/video/video.h>

#include "encoder_pipeline.h"
#include "protocol/base64.h"

namespace emulator {
namespace {

std::string encoder_description(const VideoSegmentSpec &spec) {
  // x264enc takes kbit/s.
  std::string bitrate = spec.bitrate_kbps > 0 ? " bitrate=" + std::to_string(spec.bitrate_kbps) : "";
  switch (spec.codec) {
    case rtms::Codec::H264:
      // zerolatency: no B-frames and no lookahead, so every input frame
      // comes out as one access unit at once. config-interval=-1 repeats
      // SPS/PPS before every IDR, which is what lets a client (or the
      // active-speaker switch) start decoding at any keyframe. threads=1:
      // with its default (as many as the CPUs, sliced) x264's output
      // differs between two runs of the same input, and would differ
      // between machines anyway; one thread makes every run send the
      // same bytes (docs/emulator.md).
      return "x264enc tune=zerolatency speed-preset=ultrafast threads=1 key-int-max=" + std::to_string(spec.fps) +
             bitrate +
             " ! h264parse config-interval=-1 ! video/x-h264,stream-format=byte-stream,alignment=au";
    case rtms::Codec::Png:
      return "videoconvert ! video/x-raw,format=RGB ! pngenc";
    default:
      return "jpegenc";
  }
}

// The barcode of --stamp-frames, in the top right corner: eight 32x32
// blocks, white, the index's six bits (most significant first; white = 1),
// black. The outer two tell a reader where white and black are after
// compression. tools/gateway/page/app.js reads it back (?g2g=1).
constexpr int kStampBlock = 32;

GstPadProbeReturn stamp_frame(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
  auto *count = static_cast<int64_t *>(data);
  GstBuffer *buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
  GST_PAD_PROBE_INFO_DATA(info) = buffer;
  rtms::GRef<GstCaps> caps = rtms::adopt(gst_pad_get_current_caps(pad));
  GstVideoInfo vinfo;
  if (!caps || !gst_video_info_from_caps(&vinfo, caps.get())) return GST_PAD_PROBE_OK;
  GstVideoFrame frame;
  if (!gst_video_frame_map(&frame, &vinfo, buffer, GST_MAP_READWRITE)) return GST_PAD_PROBE_OK;
  const int64_t index = (*count)++;
  const int width = GST_VIDEO_FRAME_WIDTH(&frame), height = GST_VIDEO_FRAME_HEIGHT(&frame);
  const int x0 = width - 8 * kStampBlock;
  if (x0 >= 0 && height >= kStampBlock && GST_VIDEO_FRAME_FORMAT(&frame) == GST_VIDEO_FORMAT_I420) {
    for (int b = 0; b < 8; ++b) {
      bool white = b == 0 || (b < 7 && ((index >> (6 - b)) & 1));
      for (int plane = 0; plane < 3; ++plane) {
        const int sub = plane == 0 ? 1 : 2;
        guint8 *pixels = static_cast<guint8 *>(GST_VIDEO_FRAME_PLANE_DATA(&frame, plane));
        const int stride = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, plane);
        const guint8 value = plane == 0 ? (white ? 235 : 16) : 128;
        for (int y = 0; y < kStampBlock / sub; ++y)
          for (int x = 0; x < kStampBlock / sub; ++x) pixels[y * stride + (x0 + b * kStampBlock) / sub + x] = value;
      }
    }
  }
  gst_video_frame_unmap(&frame);
  return GST_PAD_PROBE_OK;
}

}  // namespace

bool h264_has_idr(const uint8_t *data, size_t size) {
  // A NAL unit starts after 00 00 01 (a 4-byte start code ends the same way).
  for (size_t i = 0; i + 3 < size; ++i) {
    if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) {
      if ((data[i + 3] & 0x1f) == 5) return true;
      i += 2;
    }
  }
  return false;
}

bool encode_video_segment(const VideoSegmentSpec &spec, std::vector<VideoFrame> *out, std::string *error) {
  out->clear();
  if (spec.frames <= 0) return true;
  if (spec.codec != rtms::Codec::H264 && spec.codec != rtms::Codec::Jpg && spec.codec != rtms::Codec::Png) {
    *error = std::string("the emulator cannot encode video codec ") + rtms::to_string(spec.codec);
    return false;
  }
  // User-controlled text (pattern, label) is set as properties below, never
  // spliced into the description.
  std::string description =
      "videotestsrc name=src num-buffers=" + std::to_string(spec.frames) +
      " ! video/x-raw,format=I420,width=" + std::to_string(spec.width) + ",height=" + std::to_string(spec.height) +
      ",framerate=" + std::to_string(spec.fps) + "/1,pixel-aspect-ratio=1/1"
      " ! textoverlay name=label valignment=top halignment=left shaded-background=true font-desc=\"Sans 20\""
      " ! " + encoder_description(spec) + " ! appsink name=sink sync=false";
  rtms::PipelineRef pipeline = launch_pipeline(description, error);
  if (!pipeline) return false;
  rtms::GRef<GstElement> src = element_by_name(pipeline.get(), "src");
  rtms::GRef<GstElement> label = element_by_name(pipeline.get(), "label");
  rtms::GRef<GstElement> sink = element_by_name(pipeline.get(), "sink");
  gst_util_set_object_arg(G_OBJECT(src.get()), "pattern", spec.pattern.c_str());
  g_object_set(label.get(), "text", spec.label.c_str(), nullptr);
  int64_t stamped = 0;
  if (spec.stamp) {
    rtms::GRef<GstPad> pad = rtms::adopt(gst_element_get_static_pad(label.get(), "src"));
    gst_pad_add_probe(pad.get(), GST_PAD_PROBE_TYPE_BUFFER, stamp_frame, &stamped, nullptr);
  }
  if (gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    *error = "cannot start \"" + description + "\"";
    return false;
  }
  std::vector<Payload> buffers;
  if (!pull_until_eos(pipeline.get(), sink.get(), "encoding with \"" + description + "\"", &buffers, error))
    return false;
  if (buffers.size() != static_cast<size_t>(spec.frames)) {
    *error = "\"" + description + "\" produced " + std::to_string(buffers.size()) + " frames, expected " +
             std::to_string(spec.frames);
    return false;
  }
  out->reserve(buffers.size());
  for (auto &buffer : buffers) {
    VideoFrame frame;
    frame.keyframe = spec.codec != rtms::Codec::H264 || h264_has_idr(buffer.data(), buffer.size());
    frame.base64 = rtms::base64_encode(buffer.data(), buffer.size());
    frame.data = std::move(buffer);
    out->push_back(std::move(frame));
  }
  if (!out->front().keyframe) {
    *error = "\"" + description + "\" did not start with a keyframe";
    return false;
  }
  return true;
}

}  // namespace emulator
