#include "rtms-src-audio.h"

#include <algorithm>
#include <functional>
#include <string>

#include "rtms-caps.h"

GST_DEBUG_CATEGORY_EXTERN(gst_rtms_src_debug);
#define GST_CAT_DEFAULT gst_rtms_src_debug

namespace rtms {

GstPadTemplate *AudioHandler::pad_template() {
  GstCaps *caps = gst_caps_from_string(audio_template_caps());
  GstPadTemplate *templ = gst_pad_template_new_with_gtype(
      "audio_%u", GST_PAD_SRC, GST_PAD_SOMETIMES, caps, GST_TYPE_RTMS_SRC_PAD);
  gst_caps_unref(caps);
  return templ;
}

void AudioHandler::reset(GstRtmsAudioMode mode, GstRtmsG711Law law, GstRtmsPushMode push_mode) {
  ready_ = false;
  per_participant_ = mode == GST_RTMS_AUDIO_MODE_PER_PARTICIPANT;
  law_ = law;
  switch (push_mode) {
    case GST_RTMS_PUSH_MODE_NETWORK_THREAD: delivery_ = SrcPadDelivery::Direct; break;
    case GST_RTMS_PUSH_MODE_SHARED_THREADS: delivery_ = SrcPadDelivery::Pooled; break;
    case GST_RTMS_PUSH_MODE_PAD_THREADS: delivery_ = SrcPadDelivery::Task; break;
  }
  slots_.clear();
}

void AudioHandler::on_ready(const MediaParams &effective) {
  effective_ = apply_defaults(effective.audio.value_or(AudioParams{}));
  ready_ = true;
  const bool mixed = effective_.data_opt == DataOption::AudioMixedStream;
  if (mixed && per_participant_)
    GST_WARNING_OBJECT(media_.element,
                       "asked for per-participant audio, the server grants mixed audio");
  per_participant_ = !mixed;
  GstCaps *caps = audio_caps(effective_, law_);
  if (!caps) {
    GST_ELEMENT_ERROR(media_.element, STREAM, CODEC_NOT_FOUND,
                      ("the server granted audio codec %s, which an audio pad cannot carry",
                       to_string(effective_.codec.value_or(Codec::Undefined))),
                      (nullptr));
    return;
  }
  gchar *caps_text = gst_caps_to_string(caps);
  GST_INFO_OBJECT(media_.element, "audio ready: %s, %s", caps_text,
                  mixed ? "mixed" : "per participant");
  g_free(caps_text);
  gst_caps_unref(caps);
  // Mixed audio has a single, known output: expose it now so that a stream
  // nobody speaks in still ends with EOS on a pad.
  if (mixed && !find(0)) add(0, MediaView{});
}

Output *AudioHandler::find(int64_t user_id) const {
  auto slot = std::lower_bound(slots_.begin(), slots_.end(), user_id,
                               [](const Slot &s, int64_t id) { return s.user_id < id; });
  return slot != slots_.end() && slot->user_id == user_id ? slot->out : nullptr;
}

// A new output for user_id (0: mixed), named after data's sender.
Output *AudioHandler::add(int64_t user_id, const MediaView &data) {
  GstCaps *caps = audio_caps(effective_, law_);
  if (!caps) return nullptr;
  Output *out = media_.outputs.add(OutputKind::Audio, user_id,
                                   std::string(data.user.has_user_name ? data.user.user_name
                                                                       : std::string_view()),
                                   caps,
                                   delivery_);
  gst_caps_unref(caps);
  // Sorted by participant, so a meeting of hundreds is searched, not scanned.
  auto slot = std::lower_bound(slots_.begin(), slots_.end(), user_id,
                               [](const Slot &s, int64_t id) { return s.user_id < id; });
  if (slot != slots_.end() && slot->user_id == user_id)
    slot->out = out;
  else
    slots_.insert(slot, Slot{user_id, out});
  return out;
}

void AudioHandler::on_media(const MediaView &data) {
  if (!ready_) {
    GST_WARNING_OBJECT(media_.element, "audio data before the audio handshake answer: dropped");
    return;
  }
  const int64_t user_id = per_participant_ ? data.user.user_id : 0;
  Output *out = find(user_id);
  if (media_.eos_requested.load(std::memory_order_acquire)) {
    GST_LOG_OBJECT(media_.element, "EOS was requested: media at %" G_GINT64_FORMAT
                   " ms not pushed", data.timestamp);
    return;
  }
  if (!out && !(out = add(user_id, data))) return;
  // The pad's lines load while the payload is decoded below.
  gst_rtms_src_pad_prefetch(out->pad, out->pad_queue);
  // Cheap when the name is the one the pad has, as nearly always.
  if (per_participant_ && data.user.has_user_name && !data.user.user_name.empty()) {
    size_t name_hash = std::hash<std::string_view>{}(data.user.user_name);
    if (name_hash != out->packet_name_hash) {
      out->packet_name_hash = name_hash;
      gst_rtms_src_pad_set_participant_name(out->pad, std::string(data.user.user_name));
    }
  }

  GstBuffer *buffer = decode_payload(media_.element, data, "audio packet");
  if (!buffer) return;
  const size_t decoded_size = gst_buffer_get_size(buffer);
  GstClockTime duration;
  if (effective_.codec.value_or(Codec::L16) == Codec::Opus) {
    // The packet's own TOC says how long it is.
    GstMapInfo map;
    gst_buffer_map(buffer, &map, GST_MAP_READ);
    duration = audio_payload_duration(effective_, map.data, map.size);
    gst_buffer_unmap(buffer, &map);
  } else {
    // Constant bit rate: the size is enough (the bytes are read for Opus only).
    duration = audio_payload_duration(effective_, nullptr, decoded_size);
  }

  // The arrival time only matters for the first packet, which anchors the
  // server's clock to running time (reading the clock costs two object
  // locks and a clock reference).
  Timeline &timeline = media_.timeline;
  GstClockTime now = timeline.anchored()
                         ? GST_CLOCK_TIME_NONE
                         : gst_element_get_current_running_time(media_.element);
  GstClockTime pts = timeline.map(data.timestamp, now);
  GST_BUFFER_PTS(buffer) = pts;
  GST_BUFFER_DURATION(buffer) = duration;
  int64_t duration_ms = GST_CLOCK_TIME_IS_VALID(duration) ? int64_t(duration / GST_MSECOND) : 0;
  GstEvent *gap = nullptr;
  if (out->buffers.load(std::memory_order_relaxed) == 0) {
    GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_DISCONT);
  } else if (out->has_next && data.timestamp > out->next_server_ms + duration_ms / 2) {
    // Nothing was sent for a while (muted): tell downstream that the time
    // in between holds no data, and mark the discontinuity.
    GstClockTime gap_start = timeline.map(out->next_server_ms, now);
    if (pts > gap_start) gap = gst_event_new_gap(gap_start, pts - gap_start);
    GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_DISCONT);
  }
  out->has_next = true;
  out->next_server_ms = data.timestamp + duration_ms;
  add_server_time_meta(buffer, data.timestamp);
  if (gap) gst_rtms_src_pad_deliver(out->pad, GST_MINI_OBJECT_CAST(gap));
  // Counted once the pad took it, so that the stats never show a packet an
  // EOS that came in between kept from going out.
  if (gst_rtms_src_pad_deliver(out->pad, GST_MINI_OBJECT_CAST(buffer))) out->count(decoded_size);
}

}  // namespace rtms
