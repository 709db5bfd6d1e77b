#include "video_encoder.h"

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
