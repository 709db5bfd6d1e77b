#include "rtms-src-video.h"

#include <algorithm>

#include "rtms-meta.h"
#include "rtms-video-probe.h"

GST_DEBUG_CATEGORY_EXTERN(gst_rtms_src_debug);
#define GST_CAT_DEFAULT gst_rtms_src_debug

namespace rtms {

static const char *const kVideoTemplateCaps =
    "video/x-h264, stream-format=(string)byte-stream, alignment=(string)au; "
    "image/jpeg; image/png";

GstPadTemplate *VideoHandler::pad_template(OutputKind kind) {
  GstCaps *caps = gst_caps_from_string(kVideoTemplateCaps);
  std::string name = std::string(output_kind_name(kind)) + "_%u";
  GstPadTemplate *templ = gst_pad_template_new_with_gtype(name.c_str(), GST_PAD_SRC,
                                                          GST_PAD_SOMETIMES, caps,
                                                          GST_TYPE_RTMS_SRC_PAD);
  gst_caps_unref(caps);
  return templ;
}

void VideoHandler::reset() {
  ready_ = false;
  out_ = nullptr;
  width_ = height_ = 0;
  shown_user_ = -1;
  dropped_waiting_.store(0, std::memory_order_relaxed);
}

void VideoHandler::on_ready(const MediaParams &effective) {
  if (kind_ == OutputKind::Video)
    effective_ = apply_video_defaults(effective.video.value_or(VideoParams{}));
  else
    effective_ = apply_deskshare_defaults(effective.deskshare.value_or(VideoParams{}));
  ready_ = true;
  GST_INFO_OBJECT(media_.element, "%s ready: %s at %d fps, resolution %s",
                  output_kind_name(kind_), to_string(effective_.codec.value_or(Codec::Undefined)),
                  effective_.fps.value_or(0),
                  to_string(effective_.resolution.value_or(Resolution::Undefined)));
}

// The frame rate: the one the H.264 stream declares, else the server's
// effective fps (JPEG and PNG carry none).
static GstCaps *video_caps(Codec codec, const VideoProbe &probe, int fps) {
  int fps_n = probe.fps_n > 0 ? probe.fps_n : fps;
  int fps_d = probe.fps_n > 0 ? probe.fps_d : 1;
  GstCaps *caps;
  switch (codec) {
    case Codec::H264:
      caps = gst_caps_new_simple("video/x-h264", "stream-format", G_TYPE_STRING, "byte-stream",
                                 "alignment", G_TYPE_STRING, "au", nullptr);
      break;
    case Codec::Jpg: caps = gst_caps_new_empty_simple("image/jpeg"); break;
    case Codec::Png: caps = gst_caps_new_empty_simple("image/png"); break;
    default: return nullptr;
  }
  gst_caps_set_simple(caps, "width", G_TYPE_INT, probe.width, "height", G_TYPE_INT, probe.height,
                      "framerate", GST_TYPE_FRACTION, fps_n, fps_d, nullptr);
  return caps;
}

static VideoProbe probe_frame(Codec codec, GstBuffer *buffer) {
  VideoProbe probe;
  GstMapInfo map;
  gst_buffer_map(buffer, &map, GST_MAP_READ);
  switch (codec) {
    case Codec::H264: probe = probe_h264(map.data, map.size); break;
    case Codec::Jpg: probe = probe_jpeg(map.data, map.size); break;
    case Codec::Png: probe = probe_png(map.data, map.size); break;
    default: break;
  }
  gst_buffer_unmap(buffer, &map);
  return probe;
}

bool VideoHandler::on_media(MediaData &&data) {
  GstElement *element = media_.element;
  const char *kind_name = output_kind_name(kind_);
  if (!ready_) {
    GST_WARNING_OBJECT(element, "%s data before its handshake answer: dropped", kind_name);
    return false;
  }
  const Codec codec = effective_.codec.value_or(Codec::Jpg);
  const int fps = std::max(1, effective_.fps.value_or(1));
  if (media_.eos_requested.load(std::memory_order_acquire)) return false;

  const char *what = kind_ == OutputKind::Video ? "video frame" : "deskshare frame";
  GstBuffer *buffer = decode_payload(element, data.view(), what);
  if (!buffer) return false;
  VideoProbe probe = probe_frame(codec, buffer);
  if (!probe.valid) {
    gst_buffer_unref(buffer);
    GST_ELEMENT_WARNING_WITH_DETAILS(element, STREAM, DECODE,
                                     ("%s at %" G_GINT64_FORMAT " ms dropped: it is not %s",
                                      describe_media(what, data.view()).c_str(), data.timestamp,
                                      to_string(codec)),
                                     (nullptr), RTMS_DECODE_WARNING_DETAILS(data));
    return false;
  }
  const size_t decoded_size = gst_buffer_get_size(buffer);

  // One pad per kind: it follows the active speaker (or the subscribed
  // participant, or the sharer); the identity is in tags and per-buffer meta.
  bool added = false;
  if (!out_) {
    if (codec == Codec::H264 && !(probe.has_sps && probe.has_pps && probe.has_idr)) {
      guint64 dropped = dropped_waiting_.load(std::memory_order_relaxed) + 1;
      dropped_waiting_.store(dropped, std::memory_order_relaxed);
      GST_DEBUG_OBJECT(element, "%s: waiting for SPS, PPS and an IDR frame (%" G_GUINT64_FORMAT
                       " frames dropped so far)", kind_name, dropped);
      gst_buffer_unref(buffer);
      return false;
    }
    if (!probe.has_size) {
      gst_buffer_unref(buffer);
      GST_WARNING_OBJECT(element, "%s frame without a readable picture size: dropped", kind_name);
      return false;
    }
    GstCaps *caps = video_caps(codec, probe, fps);
    out_ = media_.outputs.add(kind_, 0, data.user.has_user_name ? data.user.user_name : "", caps,
                              SrcPadDelivery::Task, data.user.user_id);
    gst_caps_unref(caps);
    shown_user_ = data.user.user_id >= 0 ? data.user.user_id : -1;
    width_ = probe.width;
    height_ = probe.height;
    added = true;
  } else if (probe.has_size && (probe.width != width_ || probe.height != height_)) {
    // The server may change the size mid-stream: tell downstream before the
    // frame that has the new size.
    GstCaps *caps = video_caps(codec, probe, fps);
    GST_INFO_OBJECT(element, "%s size changes from %dx%d to %dx%d", kind_name, width_, height_,
                    probe.width, probe.height);
    width_ = probe.width;
    height_ = probe.height;
    gst_stream_set_caps(out_->stream, caps);
    gst_rtms_src_pad_deliver(out_->pad, GST_MINI_OBJECT_CAST(gst_event_new_caps(caps)));
    gst_caps_unref(caps);
  }

  if (shown_user_ != data.user.user_id) {
    shown_user_ = data.user.user_id;
    std::string name = data.user.has_user_name ? data.user.user_name : "";
    gst_rtms_src_pad_set_participant(out_->pad, data.user.user_id, name);
    gst_rtms_src_pad_deliver(out_->pad,
                             GST_MINI_OBJECT_CAST(gst_event_new_tag(
                                 participant_tags(kind_, true, data.user.user_id, name))));
  }

  GST_BUFFER_PTS(buffer) = media_.timeline.running_time_of(data.timestamp);
  GST_BUFFER_DURATION(buffer) = gst_util_uint64_scale_int(GST_SECOND, 1, fps);
  if (codec == Codec::H264 && !probe.has_idr)
    GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  add_server_time_meta(buffer, data.timestamp);
  if (GstStructure *meta = buffer_add_meta(buffer)) {
    gst_structure_set(meta, "user-id", G_TYPE_INT64, data.user.user_id, "user-name",
                      G_TYPE_STRING, data.user.user_name.c_str(), nullptr);
  }
  if (gst_rtms_src_pad_deliver(out_->pad, GST_MINI_OBJECT_CAST(buffer))) out_->count(decoded_size);
  return added;
}

}  // namespace rtms
