// rtmssrc audio: effective audio parameters to caps, and audio packets to
// timestamped buffers on per-participant (or mixed) pads.
#include <algorithm>
#include <functional>
#include <string>

#include "gstrtmssrc-private.h"

#define GST_CAT_DEFAULT gst_rtms_src_debug

void rtms_src_handle_audio_ready(GstRtmsSrc *self, const rtms::MediaParams &effective) {
  RtmsSrcState *st = self->state;
  bool mixed;
  {
    std::lock_guard<std::mutex> guard(st->outputs_lock);
    st->audio_effective = effective.audio ? rtms::apply_defaults(*effective.audio)
                                          : rtms::apply_defaults(rtms::AudioParams{});
    st->audio_ready = true;
    mixed = st->audio_effective.data_opt == rtms::DataOption::AudioMixedStream;
    if (mixed && st->per_participant)
      GST_WARNING_OBJECT(self, "asked for per-participant audio, the server grants mixed audio");
    st->per_participant = !mixed;
  }
  GstCaps *caps = rtms::audio_caps(st->audio_effective, st->g711_law);
  if (!caps) {
    GST_ELEMENT_ERROR(self, STREAM, CODEC_NOT_FOUND,
                      ("the server granted audio codec %s, which an audio pad cannot carry",
                       rtms::to_string(st->audio_effective.codec.value_or(rtms::Codec::Undefined))),
                      (nullptr));
    return;
  }
  gchar *caps_text = gst_caps_to_string(caps);
  GST_INFO_OBJECT(self, "audio ready: %s, %s", caps_text, mixed ? "mixed" : "per participant");
  g_free(caps_text);
  gst_caps_unref(caps);
  // Mixed audio has a single, known output: expose it now so that a stream
  // nobody speaks in still ends with EOS on a pad.
  if (mixed && !rtms_src_find_output(self, RtmsOutputKind::Audio, 0)) {
    GstCaps *pad_caps = rtms::audio_caps(st->audio_effective, st->g711_law);
    rtms_src_add_output(self, RtmsOutputKind::Audio, 0, "", pad_caps);
    gst_caps_unref(pad_caps);
  }
}

// The audio output of user_id, or nullptr. Under outputs_lock.
static RtmsOutput *find_audio_output(RtmsSrcState *st, int64_t user_id) {
  auto slot = std::lower_bound(st->audio_slots.begin(), st->audio_slots.end(), user_id,
                               [](const RtmsAudioSlot &s, int64_t id) { return s.user_id < id; });
  return slot != st->audio_slots.end() && slot->user_id == user_id ? slot->out : nullptr;
}

void rtms_src_handle_audio(GstRtmsSrc *self, rtms::MediaData &&data) {
  RtmsSrcState *st = self->state;
  bool per_participant;
  rtms::AudioParams effective;
  RtmsOutput *out;
  bool anchored;
  {
    std::lock_guard<std::mutex> guard(st->outputs_lock);
    if (!st->audio_ready) {
      GST_WARNING_OBJECT(self, "audio data before the audio handshake answer: dropped");
      return;
    }
    per_participant = st->per_participant;
    effective = st->audio_effective;
    out = find_audio_output(st, per_participant ? data.user.user_id : 0);
    anchored = st->time_mapper.anchored();
  }
  if (st->eos_requested.load(std::memory_order_acquire)) {
    GST_LOG_OBJECT(self, "EOS was requested: media at %" G_GINT64_FORMAT " ms not pushed",
                   data.timestamp);
    return;
  }
  int64_t user_id = per_participant ? data.user.user_id : 0;
  if (!out) {
    GstCaps *caps = rtms::audio_caps(effective, st->g711_law);
    if (!caps) return;
    out = rtms_src_add_output(self, RtmsOutputKind::Audio, user_id,
                              data.user.has_user_name ? data.user.user_name : "", caps);
    gst_caps_unref(caps);
  }
  // The pad's lines load while the payload is decoded below.
  rtms::src_pad_prefetch(out->pad, out->pad_queue);
  // Cheap when the name is the one the pad has, as nearly always.
  if (per_participant && data.user.has_user_name && !data.user.user_name.empty()) {
    size_t name_hash = std::hash<std::string>{}(data.user.user_name);
    if (name_hash != out->packet_name_hash) {
      out->packet_name_hash = name_hash;
      rtms::src_pad_set_participant_name(out->pad, data.user.user_name);
    }
  }

  GstBuffer *buffer = rtms_src_decode_payload(self, data, "audio packet");
  if (!buffer) return;
  const size_t decoded_size = gst_buffer_get_size(buffer);
  GstClockTime duration;
  if (effective.codec.value_or(rtms::Codec::L16) == rtms::Codec::Opus) {
    // The packet's own TOC says how long it is.
    GstMapInfo map;
    gst_buffer_map(buffer, &map, GST_MAP_READ);
    duration = rtms::audio_payload_duration(effective, map.data, map.size);
    gst_buffer_unmap(buffer, &map);
  } else {
    // Constant bit rate: the size is enough (the bytes are read for Opus only).
    duration = rtms::audio_payload_duration(effective, nullptr, decoded_size);
  }

  // The arrival time only matters for the first packet, which anchors the
  // server's clock to running time (reading the clock costs two object
  // locks and a clock reference).
  GstClockTime now =
      anchored ? GST_CLOCK_TIME_NONE : gst_element_get_current_running_time(GST_ELEMENT_CAST(self));
  GstEvent *gap = nullptr;
  {
    std::lock_guard<std::mutex> guard(st->outputs_lock);
    GstClockTime pts = st->time_mapper.to_running_time(data.timestamp, now);
    GST_BUFFER_PTS(buffer) = pts;
    GST_BUFFER_DURATION(buffer) = duration;
    int64_t duration_ms = GST_CLOCK_TIME_IS_VALID(duration) ? int64_t(duration / GST_MSECOND) : 0;
    if (out->buffers == 0) {
      GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_DISCONT);
    } else if (out->has_next && data.timestamp > out->next_server_ms + duration_ms / 2) {
      // Nothing was sent for a while (muted): tell downstream that the time
      // in between holds no data, and mark the discontinuity.
      GstClockTime gap_start = st->time_mapper.to_running_time(out->next_server_ms, now);
      if (pts > gap_start) gap = gst_event_new_gap(gap_start, pts - gap_start);
      GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_DISCONT);
    }
    out->has_next = true;
    out->next_server_ms = data.timestamp + duration_ms;
    out->buffers++;
    out->bytes += decoded_size;
  }
  rtms::add_server_time_meta(buffer, data.timestamp);
  if (gap) rtms_src_deliver(self, out->pad, GST_MINI_OBJECT_CAST(gap));
  if (rtms_src_deliver(self, out->pad, GST_MINI_OBJECT_CAST(buffer))) return;
  // An EOS came in between: the stats count only what went out.
  std::lock_guard<std::mutex> guard(st->outputs_lock);
  out->buffers--;
  out->bytes -= decoded_size;
}

