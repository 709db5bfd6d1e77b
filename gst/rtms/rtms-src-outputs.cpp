// rtmssrc outputs: turning the session's media into pads, caps, events and
// timestamped buffers, and the pads' streaming tasks.
#include <string>

#include "gstrtmssrc-private.h"
#include "protocol/base64.h"

#define GST_CAT_DEFAULT gst_rtms_src_debug

static const char *const kTagParticipantId = "rtms-participant-id";
static const char *const kTagParticipantName = "rtms-participant-name";

static void register_tags() {
  static gsize done = 0;
  if (g_once_init_enter(&done)) {
    gst_tag_register(kTagParticipantId, GST_TAG_FLAG_META, G_TYPE_INT64, "RTMS participant id",
                     "Zoom user_id of the participant (0: everyone mixed)", nullptr);
    gst_tag_register(kTagParticipantName, GST_TAG_FLAG_META, G_TYPE_STRING,
                     "RTMS participant name", "Display name of the participant", nullptr);
    g_once_init_leave(&done, 1);
  }
}

GstPadTemplate *rtms_src_audio_template() {
  register_tags();
  GstCaps *caps = gst_caps_from_string(rtms::audio_template_caps());
  GstPadTemplate *templ = gst_pad_template_new_with_gtype(
      "audio_%u", GST_PAD_SRC, GST_PAD_SOMETIMES, caps, GST_TYPE_RTMS_SRC_PAD);
  gst_caps_unref(caps);
  return templ;
}

// ---- streaming task ----------------------------------------------------------

static GstFlowReturn combine_flow(GstRtmsSrc *self, GstPad *pad, GstFlowReturn ret) {
  RtmsSrcState *st = self->state;
  std::lock_guard<std::mutex> guard(st->outputs_lock);
  GstFlowReturn combined = gst_flow_combiner_update_pad_flow(st->flow_combiner, pad, ret);
  if (combined == GST_FLOW_NOT_LINKED && !st->not_linked_warned) {
    st->not_linked_warned = true;
    GST_WARNING_OBJECT(self, "no output pad is linked: media is being discarded");
  }
  return combined;
}

static void pad_loop(gpointer user_data) {
  GstRtmsSrcPad *rpad = GST_RTMS_SRC_PAD(user_data);
  GstPad *pad = GST_PAD(rpad);
  GstMiniObject *item = rtms::src_pad_dequeue(rpad);
  if (!item) {
    gst_pad_pause_task(pad);
    return;
  }
  GstRtmsSrc *self = GST_RTMS_SRC(GST_PAD_PARENT(pad));
  if (GST_IS_EVENT(item)) {
    GstEvent *event = GST_EVENT_CAST(item);
    bool eos = GST_EVENT_TYPE(event) == GST_EVENT_EOS;
    gst_pad_push_event(pad, event);
    if (eos) gst_pad_pause_task(pad);
    return;
  }
  GstFlowReturn ret = gst_pad_push(pad, GST_BUFFER_CAST(item));
  if (!self) return;
  GstFlowReturn combined = combine_flow(self, pad, ret);
  if (ret == GST_FLOW_FLUSHING) {
    gst_pad_pause_task(pad);
  } else if (ret == GST_FLOW_EOS) {
    // Downstream of this pad wants no more; the others go on.
    GST_DEBUG_OBJECT(pad, "downstream returned EOS");
    rtms::src_pad_set_flushing(rpad, true);
    gst_pad_pause_task(pad);
  } else if (combined < GST_FLOW_EOS && combined != GST_FLOW_NOT_LINKED) {
    GST_ELEMENT_FLOW_ERROR(self, combined);
    gst_pad_push_event(pad, gst_event_new_eos());
    rtms::src_pad_set_flushing(rpad, true);
    gst_pad_pause_task(pad);
  }
}

static gboolean pad_activate_mode(GstPad *pad, GstObject *, GstPadMode mode, gboolean active) {
  if (mode != GST_PAD_MODE_PUSH) return FALSE;
  GstRtmsSrcPad *rpad = GST_RTMS_SRC_PAD(pad);
  if (active) {
    rtms::src_pad_set_flushing(rpad, false);
    return gst_pad_start_task(pad, pad_loop, pad, nullptr);
  }
  rtms::src_pad_set_flushing(rpad, true);
  return gst_pad_stop_task(pad);
}

static gboolean pad_query(GstPad *pad, GstObject *parent, GstQuery *query) {
  if (GST_QUERY_TYPE(query) == GST_QUERY_LATENCY) {
    GstRtmsSrc *self = GST_RTMS_SRC(parent);
    GstClockTime latency;
    {
      std::lock_guard<std::mutex> guard(self->state->settings_lock);
      // One packet is captured before it is sent; jitter comes on top.
      latency = (self->state->settings.latency + self->state->settings.audio_send_rate) *
                GST_MSECOND;
    }
    gst_query_set_latency(query, TRUE, latency, GST_CLOCK_TIME_NONE);
    return TRUE;
  }
  return gst_pad_query_default(pad, parent, query);
}

// ---- outputs ------------------------------------------------------------------

static GstStreamCollection *collection_locked(RtmsSrcState *st, const std::string &upstream_id) {
  GstStreamCollection *collection = gst_stream_collection_new(upstream_id.c_str());
  for (const auto &out : st->outputs)
    gst_stream_collection_add_stream(collection, GST_STREAM(gst_object_ref(out->stream)));
  return collection;
}

static GstTagList *participant_tags(int64_t user_id, const std::string &name) {
  GstTagList *tags = gst_tag_list_new(kTagParticipantId, gint64(user_id), nullptr);
  std::string title = user_id == 0 ? std::string("Mixed audio") : name;
  if (!name.empty()) gst_tag_list_add(tags, GST_TAG_MERGE_REPLACE, kTagParticipantName, name.c_str(), nullptr);
  if (!title.empty()) gst_tag_list_add(tags, GST_TAG_MERGE_REPLACE, GST_TAG_TITLE, title.c_str(), nullptr);
  gst_tag_list_set_scope(tags, GST_TAG_SCOPE_STREAM);
  return tags;
}

static std::string stream_id_setting(GstRtmsSrc *self) {
  std::lock_guard<std::mutex> guard(self->state->settings_lock);
  return self->state->settings.stream_id;
}

// Creates, announces and starts the pad for one participant's audio. Runs on
// the session thread, the only thread that creates outputs.
static RtmsOutput *create_audio_output(GstRtmsSrc *self, int64_t user_id,
                                       const std::string &user_name) {
  RtmsSrcState *st = self->state;
  std::string rtms_stream = stream_id_setting(self);
  GstRtmsSrcPad *pad;
  RtmsOutput *out;
  GstStreamCollection *collection;
  GstCaps *caps;
  guint group_id;
  {
    std::lock_guard<std::mutex> guard(st->outputs_lock);
    caps = rtms::audio_caps(st->audio_effective, st->g711_law);
    if (!caps) return nullptr;
    std::string name = "audio_" + std::to_string(st->next_audio_pad++);
    GstPadTemplate *templ =
        gst_element_class_get_pad_template(GST_ELEMENT_GET_CLASS(self), "audio_%u");
    pad = rtms::src_pad_new(templ, name, "audio", user_id, user_name);
    auto owned = std::make_unique<RtmsOutput>();
    out = owned.get();
    out->pad = pad;
    out->media_type = rtms::kMediaAudio;
    out->user_id = user_id;
    out->caps = gst_caps_ref(caps);
    out->stream_id = rtms_stream + "/audio/" + std::to_string(user_id);
    out->stream = gst_stream_new(out->stream_id.c_str(), caps, GST_STREAM_TYPE_AUDIO,
                                 GST_STREAM_FLAG_NONE);
    GstTagList *tags = participant_tags(user_id, user_name);
    gst_stream_set_tags(out->stream, tags);
    gst_tag_list_unref(tags);
    st->outputs.push_back(std::move(owned));
    st->outputs_by_key["audio/" + std::to_string(user_id)] = out;
    collection = collection_locked(st, rtms_stream);
    gst_flow_combiner_add_pad(st->flow_combiner, GST_PAD(pad));
    group_id = st->group_id;
  }
  gst_pad_set_activatemode_function(GST_PAD(pad), pad_activate_mode);
  gst_pad_set_query_function(GST_PAD(pad), pad_query);
  gst_pad_use_fixed_caps(GST_PAD(pad));
  gst_pad_set_active(GST_PAD(pad), TRUE);

  GstEvent *start = gst_event_new_stream_start(out->stream_id.c_str());
  gst_event_set_group_id(start, group_id);
  gst_event_set_stream(start, out->stream);
  rtms::src_pad_enqueue(pad, GST_MINI_OBJECT_CAST(start));
  rtms::src_pad_enqueue(pad, GST_MINI_OBJECT_CAST(gst_event_new_stream_collection(collection)));
  rtms::src_pad_enqueue(pad, GST_MINI_OBJECT_CAST(gst_event_new_caps(caps)));
  GstSegment segment;
  gst_segment_init(&segment, GST_FORMAT_TIME);
  rtms::src_pad_enqueue(pad, GST_MINI_OBJECT_CAST(gst_event_new_segment(&segment)));
  rtms::src_pad_enqueue(pad, GST_MINI_OBJECT_CAST(gst_event_new_tag(participant_tags(user_id, user_name))));
  gst_caps_unref(caps);

  GST_INFO_OBJECT(self, "new pad %s for participant %" G_GINT64_FORMAT " (%s)",
                  GST_PAD_NAME(pad), user_id, user_name.empty() ? "name not known yet" : user_name.c_str());
  gst_element_add_pad(GST_ELEMENT(self), GST_PAD(pad));
  gst_element_post_message(GST_ELEMENT(self),
                           gst_message_new_stream_collection(GST_OBJECT(self), collection));
  gst_object_unref(collection);
  return out;
}

void rtms_src_handle_media_ready(GstRtmsSrc *self, uint32_t types,
                                 const rtms::MediaParams &effective) {
  RtmsSrcState *st = self->state;
  if (!(types & rtms::kMediaAudio)) return;
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
  if (mixed) {
    bool exists;
    {
      std::lock_guard<std::mutex> guard(st->outputs_lock);
      exists = st->outputs_by_key.count("audio/0") > 0;
    }
    if (!exists) create_audio_output(self, 0, "");
  }
}

static RtmsOutput *find_output(RtmsSrcState *st, const std::string &key) {
  std::lock_guard<std::mutex> guard(st->outputs_lock);
  auto it = st->outputs_by_key.find(key);
  return it == st->outputs_by_key.end() ? nullptr : it->second;
}

void rtms_src_handle_media(GstRtmsSrc *self, rtms::MediaData &&data) {
  RtmsSrcState *st = self->state;
  if (data.type != rtms::MessageType::MediaDataAudio) {
    GST_LOG_OBJECT(self, "ignoring %s (not requested)", rtms::to_string(data.type));
    return;
  }
  bool per_participant;
  {
    std::lock_guard<std::mutex> guard(st->outputs_lock);
    if (!st->audio_ready) {
      GST_WARNING_OBJECT(self, "audio data before the audio handshake answer: dropped");
      return;
    }
    per_participant = st->per_participant;
  }
  {
    std::lock_guard<std::mutex> guard(st->end_lock);
    if (st->eos_requested) {
      GST_LOG_OBJECT(self, "EOS was requested: media at %" G_GINT64_FORMAT " ms not pushed",
                     data.timestamp);
      return;
    }
  }
  int64_t user_id = per_participant ? data.user.user_id : 0;
  std::string key = "audio/" + std::to_string(user_id);
  RtmsOutput *out = find_output(st, key);
  if (!out) out = create_audio_output(self, user_id, data.user.has_user_name ? data.user.user_name : "");
  if (!out) return;
  if (per_participant && data.user.has_user_name && !data.user.user_name.empty())
    rtms::src_pad_set_participant_name(out->pad, data.user.user_name);

  // Decode straight into the buffer's memory.
  size_t max_size = rtms::base64_max_decoded_size(data.data.size());
  if (max_size == 0) {
    GST_WARNING_OBJECT(self, "empty audio payload from participant %" G_GINT64_FORMAT
                       " at %" G_GINT64_FORMAT " ms", user_id, data.timestamp);
    return;
  }
  GstBuffer *buffer = gst_buffer_new_allocate(nullptr, max_size, nullptr);
  GstMapInfo map;
  gst_buffer_map(buffer, &map, GST_MAP_WRITE);
  rtms::Result<size_t> decoded = rtms::base64_decode_into(data.data, map.data, map.size);
  GstClockTime duration = decoded ? rtms::audio_payload_duration(st->audio_effective, map.data,
                                                                 *decoded)
                                  : GST_CLOCK_TIME_NONE;
  gst_buffer_unmap(buffer, &map);
  if (!decoded) {
    gst_buffer_unref(buffer);
    GST_ELEMENT_WARNING(self, STREAM, DECODE,
                        ("audio packet of participant %" G_GINT64_FORMAT " at %" G_GINT64_FORMAT
                         " ms dropped: content.data is not base64 (%s)",
                         user_id, data.timestamp, decoded.error().describe().c_str()),
                        (nullptr));
    return;
  }
  gst_buffer_set_size(buffer, gssize(*decoded));
  if (data.has_length && data.length != int64_t(*decoded))
    GST_WARNING_OBJECT(self, "content.length says %" G_GINT64_FORMAT " bytes, data holds %zu",
                       data.length, *decoded);

  GstClockTime now = gst_element_get_current_running_time(GST_ELEMENT(self));
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
    out->bytes += *decoded;
  }
  static GstStaticCaps unix_caps = GST_STATIC_CAPS("timestamp/x-unix");
  gst_buffer_add_reference_timestamp_meta(buffer, gst_static_caps_get(&unix_caps),
                                          GstClockTime(data.timestamp) * GST_MSECOND,
                                          GST_CLOCK_TIME_NONE);
  if (gap) rtms::src_pad_enqueue(out->pad, GST_MINI_OBJECT_CAST(gap));
  rtms::src_pad_enqueue(out->pad, GST_MINI_OBJECT_CAST(buffer));
}

void rtms_src_update_participant(GstRtmsSrc *self, int64_t user_id, const std::string &name) {
  RtmsOutput *out = find_output(self->state, "audio/" + std::to_string(user_id));
  if (!out || user_id == 0) return;
  if (rtms::src_pad_participant_name(out->pad) == name) return;
  rtms::src_pad_set_participant_name(out->pad, name);
  rtms::src_pad_enqueue(out->pad, GST_MINI_OBJECT_CAST(gst_event_new_tag(participant_tags(user_id, name))));
}

void rtms_src_push_eos_everywhere(GstRtmsSrc *self) {
  RtmsSrcState *st = self->state;
  std::lock_guard<std::mutex> guard(st->outputs_lock);
  for (const auto &out : st->outputs)
    rtms::src_pad_enqueue(out->pad, GST_MINI_OBJECT_CAST(gst_event_new_eos()));
}

void rtms_src_remove_outputs(GstRtmsSrc *self) {
  RtmsSrcState *st = self->state;
  std::vector<std::unique_ptr<RtmsOutput>> outputs;
  {
    std::lock_guard<std::mutex> guard(st->outputs_lock);
    outputs.swap(st->outputs);
    st->outputs_by_key.clear();
    gst_flow_combiner_clear(st->flow_combiner);
  }
  for (auto &out : outputs) {
    gst_pad_set_active(GST_PAD(out->pad), FALSE);
    gst_element_remove_pad(GST_ELEMENT(self), GST_PAD(out->pad));
    gst_object_unref(out->stream);
    gst_caps_unref(out->caps);
  }
}
