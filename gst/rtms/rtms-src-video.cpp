// rtmssrc video and screen share: payloads to buffers with caps read from the
// stream itself (H.264 SPS, JPEG/PNG header), renegotiated when the picture
// size changes; H.264 starts at a decodable point.
#include "gstrtmssrc-private.h"
#include "rtms-video-probe.h"

#define GST_CAT_DEFAULT gst_rtms_src_debug

static const char *const kVideoTemplateCaps =
    "video/x-h264, stream-format=(string)byte-stream, alignment=(string)au; "
    "image/jpeg; image/png";

GstPadTemplate *rtms_src_video_template(RtmsOutputKind kind) {
  GstCaps *caps = gst_caps_from_string(kVideoTemplateCaps);
  std::string name = std::string(rtms_output_kind_name(kind)) + "_%u";
  GstPadTemplate *templ = gst_pad_template_new_with_gtype(name.c_str(), GST_PAD_SRC,
                                                          GST_PAD_SOMETIMES, caps,
                                                          GST_TYPE_RTMS_SRC_PAD);
  gst_caps_unref(caps);
  return templ;
}

static rtms::VideoParams &effective_of(RtmsSrcState *st, RtmsOutputKind kind) {
  return kind == RtmsOutputKind::Video ? st->video_effective : st->deskshare_effective;
}

void rtms_src_handle_video_ready(GstRtmsSrc *self, RtmsOutputKind kind,
                                 const rtms::MediaParams &effective) {
  RtmsSrcState *st = self->state;
  std::lock_guard<std::mutex> guard(st->outputs_lock);
  if (kind == RtmsOutputKind::Video) {
    st->video_effective = rtms::apply_video_defaults(effective.video.value_or(rtms::VideoParams{}));
    st->video_ready = true;
  } else {
    st->deskshare_effective =
        rtms::apply_deskshare_defaults(effective.deskshare.value_or(rtms::VideoParams{}));
    st->deskshare_ready = true;
  }
  const rtms::VideoParams &v = effective_of(st, kind);
  GST_INFO_OBJECT(self, "%s ready: %s at %d fps, resolution %s", rtms_output_kind_name(kind),
                  rtms::to_string(v.codec.value_or(rtms::Codec::Undefined)), v.fps.value_or(0),
                  rtms::to_string(v.resolution.value_or(rtms::Resolution::Undefined)));
}

// The frame rate: the one the H.264 stream declares, else the server's
// effective fps (JPEG and PNG carry none).
static GstCaps *video_caps(rtms::Codec codec, const rtms::VideoProbe &probe, int fps) {
  int width = probe.width, height = probe.height;
  int fps_n = probe.fps_n > 0 ? probe.fps_n : fps;
  int fps_d = probe.fps_n > 0 ? probe.fps_d : 1;
  GstCaps *caps;
  switch (codec) {
    case rtms::Codec::H264:
      caps = gst_caps_new_simple("video/x-h264", "stream-format", G_TYPE_STRING, "byte-stream",
                                 "alignment", G_TYPE_STRING, "au", nullptr);
      break;
    case rtms::Codec::Jpg: caps = gst_caps_new_empty_simple("image/jpeg"); break;
    case rtms::Codec::Png: caps = gst_caps_new_empty_simple("image/png"); break;
    default: return nullptr;
  }
  gst_caps_set_simple(caps, "width", G_TYPE_INT, width, "height", G_TYPE_INT, height,
                      "framerate", GST_TYPE_FRACTION, fps_n, fps_d, nullptr);
  return caps;
}

void rtms_src_handle_video(GstRtmsSrc *self, RtmsOutputKind kind, rtms::MediaData &&data) {
  RtmsSrcState *st = self->state;
  rtms::Codec codec;
  int fps;
  {
    std::lock_guard<std::mutex> guard(st->outputs_lock);
    bool ready = kind == RtmsOutputKind::Video ? st->video_ready : st->deskshare_ready;
    if (!ready) {
      GST_WARNING_OBJECT(self, "%s data before its handshake answer: dropped",
                         rtms_output_kind_name(kind));
      return;
    }
    const rtms::VideoParams &v = effective_of(st, kind);
    codec = v.codec.value_or(rtms::Codec::Jpg);
    fps = std::max(1, v.fps.value_or(1));
  }
  if (st->eos_requested.load(std::memory_order_acquire)) return;

  const char *what = kind == RtmsOutputKind::Video ? "video frame" : "deskshare frame";
  GstBuffer *buffer = rtms_src_decode_payload(self, data, what);
  if (!buffer) return;
  rtms::VideoProbe probe;
  {
    GstMapInfo map;
    gst_buffer_map(buffer, &map, GST_MAP_READ);
    switch (codec) {
      case rtms::Codec::H264: probe = rtms::probe_h264(map.data, map.size); break;
      case rtms::Codec::Jpg: probe = rtms::probe_jpeg(map.data, map.size); break;
      case rtms::Codec::Png: probe = rtms::probe_png(map.data, map.size); break;
      default: break;
    }
    gst_buffer_unmap(buffer, &map);
  }
  if (!probe.valid) {
    gst_buffer_unref(buffer);
    GST_ELEMENT_WARNING_WITH_DETAILS(
        self, STREAM, DECODE,
        ("%s at %" G_GINT64_FORMAT " ms dropped: it is not %s",
         rtms_src_describe_media(what, data).c_str(),
         data.timestamp, rtms::to_string(codec)),
        (nullptr), RTMS_DECODE_WARNING_DETAILS(data));
    return;
  }
  const size_t decoded_size = gst_buffer_get_size(buffer);

  // One pad per kind: it follows the active speaker (or the subscribed
  // participant, or the sharer); the identity is in tags and per-buffer meta.
  RtmsOutput *out = rtms_src_find_output(self, kind, 0);
  if (!out) {
    if (codec == rtms::Codec::H264 && !(probe.has_sps && probe.has_pps && probe.has_idr)) {
      std::lock_guard<std::mutex> guard(st->outputs_lock);
      st->video_dropped_waiting++;
      GST_DEBUG_OBJECT(self, "%s: waiting for SPS, PPS and an IDR frame (%" G_GUINT64_FORMAT
                       " frames dropped so far)",
                       rtms_output_kind_name(kind), st->video_dropped_waiting);
      gst_buffer_unref(buffer);
      return;
    }
    if (!probe.has_size) {
      gst_buffer_unref(buffer);
      GST_WARNING_OBJECT(self, "%s frame without a readable picture size: dropped",
                         rtms_output_kind_name(kind));
      return;
    }
    GstCaps *caps = video_caps(codec, probe, fps);
    out = rtms_src_add_output(self, kind, 0, data.user.has_user_name ? data.user.user_name : "",
                              caps, data.user.user_id);
    gst_caps_unref(caps);
    std::lock_guard<std::mutex> guard(st->outputs_lock);
    out->width = probe.width;
    out->height = probe.height;
  } else if (probe.has_size && (probe.width != out->width || probe.height != out->height)) {
    // The server may change the size mid-stream: tell downstream before the
    // frame that has the new size.
    GstCaps *caps = video_caps(codec, probe, fps);
    GST_INFO_OBJECT(self, "%s size changes from %dx%d to %dx%d", rtms_output_kind_name(kind),
                    out->width, out->height, probe.width, probe.height);
    {
      std::lock_guard<std::mutex> guard(st->outputs_lock);
      out->width = probe.width;
      out->height = probe.height;
      gst_caps_replace(&out->caps, caps);
      gst_stream_set_caps(out->stream, caps);
    }
    rtms_src_deliver(self, out->pad, GST_MINI_OBJECT_CAST(gst_event_new_caps(caps)));
    gst_caps_unref(caps);
  }

  if (out->shown_user != data.user.user_id) {
    out->shown_user = data.user.user_id;
    std::string name = data.user.has_user_name ? data.user.user_name : "";
    rtms::src_pad_set_participant(out->pad, data.user.user_id, name);
    rtms_src_deliver(self, out->pad, GST_MINI_OBJECT_CAST(gst_event_new_tag(
                                        participant_tags(kind, true, data.user.user_id, name))));
  }

  GST_BUFFER_PTS(buffer) = rtms_src_running_time_of(self, data.timestamp);
  GST_BUFFER_DURATION(buffer) = gst_util_uint64_scale_int(GST_SECOND, 1, fps);
  if (codec == rtms::Codec::H264 && !probe.has_idr)
    GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  rtms::add_server_time_meta(buffer, data.timestamp);
  if (GstStructure *meta = rtms_buffer_add_meta(buffer)) {
    gst_structure_set(meta, "user-id", G_TYPE_INT64, data.user.user_id, "user-name",
                      G_TYPE_STRING, data.user.user_name.c_str(), nullptr);
  }
  if (!rtms_src_deliver(self, out->pad, GST_MINI_OBJECT_CAST(buffer))) return;
  std::lock_guard<std::mutex> guard(st->outputs_lock);
  out->buffers++;
  out->bytes += decoded_size;
}
