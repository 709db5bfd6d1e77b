// rtmssrc outputs: creating and announcing pads, their streaming tasks, and
// ending or removing them. What goes into them is decided per media type
// (rtms-src-audio.cpp, ...).
#include <algorithm>
#include <string>

#include "gstrtmssrc-private.h"
#include "protocol/base64.h"
#include "rtms-push-pool.h"

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
  // OK after OK combines to OK, and gst_pad_push has recorded the pad's
  // result already: the common case needs neither the lock nor the combiner.
  if (ret == GST_FLOW_OK && st->combined_flow.load(std::memory_order_relaxed) == GST_FLOW_OK)
    return GST_FLOW_OK;
  std::lock_guard<std::mutex> guard(st->outputs_lock);
  GstFlowReturn combined = gst_flow_combiner_update_pad_flow(st->flow_combiner, pad, ret);
  st->combined_flow.store(combined, std::memory_order_relaxed);
  if (combined == GST_FLOW_NOT_LINKED && !st->not_linked_warned) {
    st->not_linked_warned = true;
    GST_WARNING_OBJECT(self, "no output pad is linked: media is being discarded");
  }
  return combined;
}

// Text pads are sparse: while nothing is said, a GAP every so often tells
// muxers and mixers that time passes, trailing real time by text-gap-delay
// because a transcript line arrives only after the utterance it starts with.
static const guint kSparseTickMs = 250;

static GstMiniObject *next_item(GstRtmsSrc *self, GstRtmsSrcPad *rpad) {
  rtms::SrcPadProgress &progress = rtms::src_pad_progress(rpad);
  if (!progress.sparse || !progress.segment_sent) return rtms::src_pad_dequeue(rpad);
  for (;;) {
    bool timed_out = false;
    GstMiniObject *item = rtms::src_pad_dequeue_for(rpad, kSparseTickMs, &timed_out);
    if (!timed_out) return item;
    GstClockTime now = gst_element_get_current_running_time(GST_ELEMENT(self));
    GstClockTime delay;
    {
      std::lock_guard<std::mutex> guard(self->state->settings_lock);
      delay = self->state->settings.text_gap_delay * GST_MSECOND;
    }
    if (!GST_CLOCK_TIME_IS_VALID(now) || now < delay) continue;
    GstClockTime until = now - delay;
    if (until > progress.covered) {
      gst_pad_push_event(GST_PAD(rpad), gst_event_new_gap(progress.covered, until - progress.covered));
      progress.covered = until;
      progress.position = std::max(progress.position, until);
    }
  }
}

// The first buffer a pad could not deliver because nothing is linked to it
// (`rtmssrc ! sink` links one pad; the other participants' pads appear
// later): a warning naming whose media is lost and what to write instead.
// Once per pad; on the thread that pushes.
static void warn_not_linked(GstRtmsSrc *self, GstRtmsSrcPad *rpad) {
  rtms::SrcPadProgress &progress = rtms::src_pad_progress(rpad);
  progress.not_linked_warned = true;
  const char *name = GST_PAD_NAME(rpad);
  int64_t id = rtms::src_pad_participant_id(rpad);
  std::string who = rtms::src_pad_participant_name(rpad);
  std::string whose = g_str_has_prefix(name, "audio_") && id != 0
                          ? "participant " + std::to_string(id) + (who.empty() ? "" : " (" + who + ")")
                          : std::string("pad ") + name;
  GST_ELEMENT_WARNING_WITH_DETAILS(
      self, STREAM, FAILED,
      ("Pad %s is not linked: the media of %s is dropped", name, whose.c_str()),
      ("Link every pad: in gst-launch name each one (src.audio_0 ! ..., src.audio_1 ! ...), in an "
       "application link them in a pad-added handler; or set audio-mode=mixed for a single audio "
       "pad with everyone."),
      ("rtms-warning-kind", G_TYPE_STRING, "not-linked", "pad", G_TYPE_STRING, name, "rtms-user-id",
       G_TYPE_INT64, gint64(id), nullptr));
}

// Pushes one item downstream; on the pad's task, or on the network thread
// for a direct pad. Returns false when the pad must stop pushing.
static bool push_item(GstRtmsSrc *self, GstRtmsSrcPad *rpad, GstMiniObject *item) {
  GstPad *pad = GST_PAD(rpad);
  rtms::SrcPadProgress &progress = rtms::src_pad_progress(rpad);
  if (GST_IS_EVENT(item)) {
    GstEvent *event = GST_EVENT_CAST(item);
    GstEventType type = GST_EVENT_TYPE(event);
    if (type == GST_EVENT_GAP) {
      GstClockTime ts, dur;
      gst_event_parse_gap(event, &ts, &dur);
      if (GST_CLOCK_TIME_IS_VALID(dur)) {
        progress.position = std::max(progress.position, ts + dur);
        progress.covered = std::max(progress.covered, ts + dur);
      }
    }
    gst_pad_push_event(pad, event);
    if (type == GST_EVENT_SEGMENT) progress.segment_sent = true;
    return type != GST_EVENT_EOS;
  }
  GstBuffer *buffer = GST_BUFFER_CAST(item);
  if (progress.sparse && GST_BUFFER_PTS_IS_VALID(buffer) &&
      GST_BUFFER_PTS(buffer) < progress.position) {
    // A line that starts before time already declared empty (a GAP) or
    // before the previous line: keep the text, move it to where the timeline
    // is (shortening it by as much).
    GstClockTime shift = progress.position - GST_BUFFER_PTS(buffer);
    buffer = gst_buffer_make_writable(buffer);
    GST_BUFFER_PTS(buffer) = progress.position;
    if (GST_BUFFER_DURATION_IS_VALID(buffer))
      GST_BUFFER_DURATION(buffer) =
          GST_BUFFER_DURATION(buffer) > shift ? GST_BUFFER_DURATION(buffer) - shift : 0;
    GST_DEBUG_OBJECT(pad, "text %" GST_TIME_FORMAT " late, moved to %" GST_TIME_FORMAT,
                     GST_TIME_ARGS(shift), GST_TIME_ARGS(progress.position));
  }
  if (GST_BUFFER_PTS_IS_VALID(buffer)) {
    // The next buffer may start before this one ends (WebVTT and SRT allow
    // overlapping cues, and two people talk at once), not before it starts.
    GstClockTime end = GST_BUFFER_PTS(buffer) +
                       (GST_BUFFER_DURATION_IS_VALID(buffer) ? GST_BUFFER_DURATION(buffer) : 0);
    progress.position = std::max(progress.position, GST_BUFFER_PTS(buffer));
    progress.covered = std::max(progress.covered, end);
  }
  GstFlowReturn ret = gst_pad_push(pad, buffer);
  if (ret == GST_FLOW_NOT_LINKED && !progress.not_linked_warned) warn_not_linked(self, rpad);
  GstFlowReturn combined = combine_flow(self, pad, ret);
  if (ret == GST_FLOW_FLUSHING) return false;
  if (ret == GST_FLOW_EOS) {
    // Downstream of this pad wants no more; the others go on.
    GST_DEBUG_OBJECT(pad, "downstream returned EOS");
    rtms::src_pad_set_flushing(rpad, true);
    return false;
  }
  if (combined < GST_FLOW_EOS && combined != GST_FLOW_NOT_LINKED) {
    GST_ELEMENT_FLOW_ERROR(self, combined);
    gst_pad_push_event(pad, gst_event_new_eos());
    rtms::src_pad_set_flushing(rpad, true);
    return false;
  }
  return true;
}

static void pad_loop(gpointer user_data) {
  GstRtmsSrcPad *rpad = GST_RTMS_SRC_PAD(user_data);
  GstRtmsSrc *self = GST_RTMS_SRC(rtms::src_pad_progress(rpad).element);
  GstMiniObject *item = next_item(self, rpad);
  if (!item || !push_item(self, rpad, item)) gst_pad_pause_task(GST_PAD(rpad));
}

// Direct pads: the pad's stream lock keeps items from different threads
// (network thread, an application's EOS) in order and lets deactivation
// wait for a push in progress.
// Under the pad's stream lock.
static void push_waiting(GstRtmsSrc *self, GstRtmsSrcPad *rpad) {
  while (GstMiniObject *item = rtms::src_pad_try_dequeue(rpad))
    if (!push_item(self, rpad, item)) break;
}

static void drain_direct(GstRtmsSrc *self, GstRtmsSrcPad *rpad) {
  GST_PAD_STREAM_LOCK(GST_PAD(rpad));
  push_waiting(self, rpad);
  GST_PAD_STREAM_UNLOCK(GST_PAD(rpad));
}

// A direct pad in PLAYING: pushed here and now, unless older items wait
// (queued before PLAYING, or by another thread), which go first.
static bool deliver_direct(GstRtmsSrc *self, GstRtmsSrcPad *rpad, GstMiniObject *item) {
  GST_PAD_STREAM_LOCK(GST_PAD(rpad));
  bool accepted = false;
  if (GstMiniObject *now = rtms::src_pad_take_if_idle(rpad, item, &accepted))
    push_item(self, rpad, now);
  else if (accepted)
    push_waiting(self, rpad);
  GST_PAD_STREAM_UNLOCK(GST_PAD(rpad));
  return accepted;
}

// A pooled pad's turn on a pool thread: everything it holds, in order,
// under its stream lock (deactivation waits for it). The element is alive:
// it deactivates its pads, which waits here, before it goes.
static void drain_pooled(GstPad *pad) {
  GstRtmsSrcPad *rpad = GST_RTMS_SRC_PAD(pad);
  GST_PAD_STREAM_LOCK(pad);
  while (GstMiniObject *item = rtms::src_pad_take_scheduled(rpad)) {
    // Only now is the element known to be alive: the pad is active (an
    // entry may outlive a pad that was deactivated, and its element).
    GstRtmsSrc *self = reinterpret_cast<GstRtmsSrc *>(rtms::src_pad_progress(rpad).element);
    if (!push_item(self, rpad, item)) {
      // EOS pushed, flushing or a flow error: nothing more goes out here.
      rtms::src_pad_unschedule(rpad);
      break;
    }
  }
  GST_PAD_STREAM_UNLOCK(pad);
}

bool rtms_src_deliver(GstRtmsSrc *self, GstRtmsSrcPad *pad, GstMiniObject *item) {
  if (rtms::src_pad_is_direct(pad) && self->state->playing.load(std::memory_order_acquire))
    return deliver_direct(self, pad, item);
  rtms::SrcPadDelivery delivery;
  bool schedule = false;
  if (!rtms::src_pad_enqueue(pad, item, &delivery, &schedule)) return false;
  // Without a pool thread (none could be started), the caller pushes.
  if (schedule) {
    if (!rtms::push_pool_schedule(GST_PAD(pad), drain_pooled)) drain_pooled(GST_PAD(pad));
  } else if (delivery == rtms::SrcPadDelivery::Direct && self->state->playing.load(std::memory_order_acquire))
    drain_direct(self, pad);
  return true;
}

void rtms_src_start_pushing(GstRtmsSrc *self) {
  std::vector<GstRtmsSrcPad *> pads;
  {
    std::lock_guard<std::mutex> guard(self->state->outputs_lock);
    for (const auto &out : self->state->outputs)
      if (rtms::src_pad_delivery(out->pad) != rtms::SrcPadDelivery::Task)
        pads.push_back(GST_RTMS_SRC_PAD(gst_object_ref(out->pad)));
  }
  for (GstRtmsSrcPad *pad : pads) {
    if (rtms::src_pad_is_direct(pad)) drain_direct(self, pad);
    else if (rtms::src_pad_schedule_if_waiting(pad) && !rtms::push_pool_schedule(GST_PAD(pad), drain_pooled))
      drain_pooled(GST_PAD(pad));
    gst_object_unref(pad);
  }
}

static gboolean pad_activate_mode(GstPad *pad, GstObject *, GstPadMode mode, gboolean active) {
  if (mode != GST_PAD_MODE_PUSH) return FALSE;
  GstRtmsSrcPad *rpad = GST_RTMS_SRC_PAD(pad);
  if (active) {
    rtms::src_pad_set_flushing(rpad, false);
    if (rtms::src_pad_delivery(rpad) != rtms::SrcPadDelivery::Task) return TRUE;
    return gst_pad_start_task(pad, pad_loop, pad, nullptr);
  }
  rtms::src_pad_set_flushing(rpad, true);
  // A direct or pooled pad's push in progress holds the stream lock, which
  // GStreamer takes after this (so deactivation waits for it).
  if (rtms::src_pad_delivery(rpad) != rtms::SrcPadDelivery::Task) return TRUE;
  return gst_pad_stop_task(pad);
}

static gboolean pad_query(GstPad *pad, GstObject *parent, GstQuery *query) {
  if (GST_QUERY_TYPE(query) == GST_QUERY_LATENCY) {
    GstRtmsSrc *self = GST_RTMS_SRC(parent);
    GstClockTime latency;
    {
      std::lock_guard<std::mutex> guard(self->state->settings_lock);
      // One packet is captured before it is sent; jitter and the network
      // thread's batching wait come on top.
      const RtmsSrcSettings &s = self->state->settings;
      latency = (s.latency + s.audio_send_rate) * GST_MSECOND + s.wake_interval * GST_USECOND;
    }
    // A pool thread waits for the batch before it pushes.
    if (rtms::src_pad_delivery(GST_RTMS_SRC_PAD(pad)) == rtms::SrcPadDelivery::Pooled)
      latency += rtms::kPushPoolLingerUs * GST_USECOND;
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

static GstStreamType stream_type_of(RtmsOutputKind kind) {
  switch (kind) {
    case RtmsOutputKind::Audio: return GST_STREAM_TYPE_AUDIO;
    case RtmsOutputKind::Video:
    case RtmsOutputKind::Deskshare: return GST_STREAM_TYPE_VIDEO;
    default: return GST_STREAM_TYPE_TEXT;
  }
}

// The title of a pad that follows whoever speaks or is shown: muxers name
// the track after it, which must not change with every speaker.
static const char *follower_title(RtmsOutputKind kind) {
  switch (kind) {
    case RtmsOutputKind::Audio: return "Mixed audio";
    case RtmsOutputKind::Video: return "Video";
    case RtmsOutputKind::Deskshare: return "Screen share";
    case RtmsOutputKind::Transcript: return "Transcript";
    case RtmsOutputKind::Chat: return "Chat";
  }
  return "";
}

GstTagList *participant_tags(RtmsOutputKind kind, bool follows, int64_t user_id,
                             const std::string &name) {
  GstTagList *tags = gst_tag_list_new(kTagParticipantId, gint64(user_id), nullptr);
  std::string title = follows ? std::string(follower_title(kind)) : name;
  if (!name.empty()) gst_tag_list_add(tags, GST_TAG_MERGE_REPLACE, kTagParticipantName, name.c_str(), nullptr);
  if (!title.empty()) gst_tag_list_add(tags, GST_TAG_MERGE_REPLACE, GST_TAG_TITLE, title.c_str(), nullptr);
  gst_tag_list_set_scope(tags, GST_TAG_SCOPE_STREAM);
  return tags;
}

static std::string stream_id_setting(GstRtmsSrc *self) {
  std::lock_guard<std::mutex> guard(self->state->settings_lock);
  return self->state->settings.stream_id;
}

const char *rtms_output_kind_name(RtmsOutputKind kind) {
  switch (kind) {
    case RtmsOutputKind::Audio: return "audio";
    case RtmsOutputKind::Video: return "video";
    case RtmsOutputKind::Deskshare: return "deskshare";
    case RtmsOutputKind::Transcript: return "transcript";
    case RtmsOutputKind::Chat: return "chat";
  }
  return "unknown";
}

// Text and screen share come in bursts with nothing in between.
static bool is_sparse_kind(RtmsOutputKind kind) {
  return kind == RtmsOutputKind::Transcript || kind == RtmsOutputKind::Chat ||
         kind == RtmsOutputKind::Deskshare;
}

static std::string output_key(RtmsOutputKind kind, int64_t user_id) {
  return std::string(rtms_output_kind_name(kind)) + "/" + std::to_string(user_id);
}

RtmsOutput *rtms_src_find_output(GstRtmsSrc *self, RtmsOutputKind kind, int64_t user_id) {
  RtmsSrcState *st = self->state;
  std::lock_guard<std::mutex> guard(st->outputs_lock);
  auto it = st->outputs_by_key.find(output_key(kind, user_id));
  return it == st->outputs_by_key.end() ? nullptr : it->second;
}

// Creates, announces and starts one output pad. Runs on the session thread,
// the only thread that creates outputs; the pad gets its sticky events
// (stream-start, collection, caps, segment, tags) before it is added, and
// data only after, so a pad-added handler always links it in time.
RtmsOutput *rtms_src_add_output(GstRtmsSrc *self, RtmsOutputKind kind, int64_t user_id,
                                const std::string &user_name, GstCaps *caps, int64_t shown_user) {
  // A pad of everyone (user_id 0) shows one participant at a time.
  const bool follows = user_id == 0;
  const int64_t identity = follows && shown_user > 0 ? shown_user : user_id;
  RtmsSrcState *st = self->state;
  std::string rtms_stream = stream_id_setting(self);
  const char *kind_name = rtms_output_kind_name(kind);
  GstRtmsSrcPad *pad;
  RtmsOutput *out;
  GstStreamCollection *collection;
  guint group_id;
  {
    std::lock_guard<std::mutex> guard(st->outputs_lock);
    guint &counter = st->next_pad_number[int(kind)];
    std::string name = std::string(kind_name) + "_" + std::to_string(counter++);
    std::string templ_name = std::string(kind_name) + "_%u";
    GstPadTemplate *templ =
        gst_element_class_get_pad_template(GST_ELEMENT_GET_CLASS(self), templ_name.c_str());
    pad = rtms::src_pad_new(templ, name, kind_name, identity, user_name);
    auto owned = std::make_unique<RtmsOutput>();
    out = owned.get();
    out->pad = pad;
    out->pad_queue = rtms::src_pad_queue(pad);
    out->kind = kind;
    out->user_id = user_id;
    if (follows && shown_user >= 0) out->shown_user = shown_user;
    out->caps = gst_caps_ref(caps);
    out->stream_id = rtms_stream + "/" + kind_name + "/" + std::to_string(user_id);
    out->stream = gst_stream_new(out->stream_id.c_str(), caps, stream_type_of(kind),
                                 is_sparse_kind(kind) ? GST_STREAM_FLAG_SPARSE
                                                      : GST_STREAM_FLAG_NONE);
    GstTagList *tags = participant_tags(kind, follows, identity, user_name);
    gst_stream_set_tags(out->stream, tags);
    gst_tag_list_unref(tags);
    st->outputs.push_back(std::move(owned));
    st->outputs_by_key[output_key(kind, user_id)] = out;
    if (kind == RtmsOutputKind::Audio) {
      // Sorted by participant, so a meeting of hundreds is searched, not scanned.
      auto slot = std::lower_bound(st->audio_slots.begin(), st->audio_slots.end(), user_id,
                                   [](const RtmsAudioSlot &s, int64_t id) { return s.user_id < id; });
      if (slot != st->audio_slots.end() && slot->user_id == user_id) slot->out = out;
      else st->audio_slots.insert(slot, RtmsAudioSlot{user_id, out});
    }
    collection = collection_locked(st, rtms_stream);
    gst_flow_combiner_add_pad(st->flow_combiner, GST_PAD(pad));
    group_id = st->group_id;
  }
  rtms::src_pad_progress(pad).element = GST_ELEMENT(self);
  // Everything but audio can go quiet for long stretches (cameras off, no
  // sharing, nobody speaking): those pads declare the silence with GAPs.
  rtms::src_pad_progress(pad).sparse = kind != RtmsOutputKind::Audio;
  rtms::SrcPadDelivery delivery = rtms::SrcPadDelivery::Task;
  if (kind == RtmsOutputKind::Audio && st->audio_push_mode == GST_RTMS_PUSH_MODE_NETWORK_THREAD)
    delivery = rtms::SrcPadDelivery::Direct;
  else if (kind == RtmsOutputKind::Audio && st->audio_push_mode == GST_RTMS_PUSH_MODE_SHARED_THREADS)
    delivery = rtms::SrcPadDelivery::Pooled;
  rtms::src_pad_set_delivery(pad, delivery, &st->playing);
  gst_pad_set_activatemode_function(GST_PAD(pad), pad_activate_mode);
  gst_pad_set_query_function(GST_PAD(pad), pad_query);
  gst_pad_use_fixed_caps(GST_PAD(pad));
  gst_pad_set_active(GST_PAD(pad), TRUE);

  GstEvent *start = gst_event_new_stream_start(out->stream_id.c_str());
  gst_event_set_group_id(start, group_id);
  gst_event_set_stream(start, out->stream);
  if (is_sparse_kind(kind)) gst_event_set_stream_flags(start, GST_STREAM_FLAG_SPARSE);
  rtms_src_deliver(self, pad, GST_MINI_OBJECT_CAST(start));
  rtms_src_deliver(self, pad, GST_MINI_OBJECT_CAST(gst_event_new_stream_collection(collection)));
  rtms_src_deliver(self, pad, GST_MINI_OBJECT_CAST(gst_event_new_caps(caps)));
  GstSegment segment;
  gst_segment_init(&segment, GST_FORMAT_TIME);
  rtms_src_deliver(self, pad, GST_MINI_OBJECT_CAST(gst_event_new_segment(&segment)));
  rtms_src_deliver(
      self, pad, GST_MINI_OBJECT_CAST(gst_event_new_tag(participant_tags(kind, follows, identity, user_name))));
  // An application's EOS can come while this runs; it must reach the pad
  // after the events above, never before them (a stream with no segment).
  bool ended;
  {
    std::lock_guard<std::mutex> guard(st->outputs_lock);
    out->opened = true;
    ended = st->eos_everywhere;
  }
  if (ended) rtms_src_deliver(self, pad, GST_MINI_OBJECT_CAST(gst_event_new_eos()));

  GST_INFO_OBJECT(self, "new pad %s for participant %" G_GINT64_FORMAT " (%s)",
                  GST_PAD_NAME(pad), user_id,
                  user_name.empty() ? "name not known yet" : user_name.c_str());
  gst_element_add_pad(GST_ELEMENT(self), GST_PAD(pad));
  gst_element_post_message(GST_ELEMENT(self),
                           gst_message_new_stream_collection(GST_OBJECT(self), collection));
  gst_object_unref(collection);
  if (kind == RtmsOutputKind::Video || kind == RtmsOutputKind::Deskshare)
    rtms_src_maybe_announce_pads(self);
  return out;
}

void rtms_src_update_participant(GstRtmsSrc *self, int64_t user_id, const std::string &name) {
  if (user_id == 0) return;
  std::vector<RtmsOutput *> theirs;
  {
    std::lock_guard<std::mutex> guard(self->state->outputs_lock);
    for (const auto &out : self->state->outputs)
      if (out->user_id == user_id) theirs.push_back(out.get());
  }
  for (RtmsOutput *out : theirs) {
    if (rtms::src_pad_participant_name(out->pad) == name) continue;
    rtms::src_pad_set_participant_name(out->pad, name);
    rtms_src_deliver(
        self, out->pad,
        GST_MINI_OBJECT_CAST(gst_event_new_tag(participant_tags(out->kind, false, user_id, name))));
  }
}

void rtms_src_push_eos_everywhere(GstRtmsSrc *self) {
  RtmsSrcState *st = self->state;
  // Not under outputs_lock: a direct pad pushes the EOS right away.
  std::vector<GstRtmsSrcPad *> pads;
  bool announce;
  {
    std::lock_guard<std::mutex> guard(st->outputs_lock);
    announce = !st->pads_announced;
    st->pads_announced = true;
  }
  if (announce) {
    GST_INFO_OBJECT(self, "stream over: no more pads");
    gst_element_no_more_pads(GST_ELEMENT(self));
  }
  {
    std::lock_guard<std::mutex> guard(st->outputs_lock);
    st->eos_everywhere = true;
    for (const auto &out : st->outputs)
      if (out->opened) pads.push_back(GST_RTMS_SRC_PAD(gst_object_ref(out->pad)));
  }
  for (GstRtmsSrcPad *pad : pads) {
    rtms_src_deliver(self, pad, GST_MINI_OBJECT_CAST(gst_event_new_eos()));
    gst_object_unref(pad);
  }
}

void rtms_src_remove_outputs(GstRtmsSrc *self) {
  RtmsSrcState *st = self->state;
  std::vector<std::unique_ptr<RtmsOutput>> outputs;
  {
    std::lock_guard<std::mutex> guard(st->outputs_lock);
    outputs.swap(st->outputs);
    st->outputs_by_key.clear();
    st->audio_slots.clear();
    gst_flow_combiner_clear(st->flow_combiner);
    st->combined_flow.store(GST_FLOW_OK, std::memory_order_relaxed);
  }
  for (auto &out : outputs) {
    gst_pad_set_active(GST_PAD(out->pad), FALSE);
    gst_element_remove_pad(GST_ELEMENT(self), GST_PAD(out->pad));
    gst_object_unref(out->stream);
    gst_caps_unref(out->caps);
  }
}

// no-more-pads says that no pad will be added any more. With one audio pad
// per participant that is true only at the end of the stream (anyone may
// start speaking at any time): it comes then, before the EOS, so that
// gst-launch's delayed links wait for every speaker and warn only about pads
// that never came. Otherwise it comes once every requested media type flows
// and each one-pad type has its pad: mixed audio, transcript and chat at
// their handshake, the active speaker's video and the screen share with
// their first frame (a gst-launch line naming src.video_0 waits for the
// camera instead of giving up).
void rtms_src_maybe_announce_pads(GstRtmsSrc *self) {
  RtmsSrcState *st = self->state;
  guint wanted;
  bool individual_video;
  {
    std::lock_guard<std::mutex> guard(st->settings_lock);
    wanted = st->settings.media;
    individual_video = st->settings.video_mode == GST_RTMS_VIDEO_MODE_INDIVIDUAL;
  }
  {
    std::lock_guard<std::mutex> guard(st->outputs_lock);
    if (st->pads_announced || st->ready_types != wanted) return;
    if ((wanted & rtms::kMediaAudio) && st->per_participant) return;
    auto has_kind = [st](RtmsOutputKind kind) {
      return std::any_of(st->outputs.begin(), st->outputs.end(),
                         [kind](const auto &out) { return out->kind == kind; });
    };
    if ((wanted & rtms::kMediaVideo) && !individual_video && !has_kind(RtmsOutputKind::Video))
      return;
    if ((wanted & rtms::kMediaDeskshare) && !has_kind(RtmsOutputKind::Deskshare)) return;
    st->pads_announced = true;
  }
  GST_INFO_OBJECT(self, "initial pads exposed");
  gst_element_no_more_pads(GST_ELEMENT(self));
}

GstClockTime rtms_src_running_time_of(GstRtmsSrc *self, int64_t server_ms) {
  rtms::ServerTimeMapper &mapper = self->state->time_mapper;
  {
    // Once anchored, the arrival time is not needed (see handle_audio).
    std::lock_guard<std::mutex> guard(self->state->outputs_lock);
    if (mapper.anchored()) return mapper.to_running_time(server_ms, GST_CLOCK_TIME_NONE);
  }
  GstClockTime now = gst_element_get_current_running_time(GST_ELEMENT(self));
  std::lock_guard<std::mutex> guard(self->state->outputs_lock);
  return mapper.to_running_time(server_ms, now);
}

std::string rtms_src_describe_media(const char *what, const rtms::MediaData &data) {
  return std::string(what) + " of participant " + std::to_string(data.user.user_id);
}

GstBuffer *rtms_src_decode_payload(GstRtmsSrc *self, const rtms::MediaData &data,
                                   const char *what) {
  size_t max_size = rtms::base64_max_decoded_size(data.data.size());
  if (max_size == 0) {
    GST_ELEMENT_WARNING_WITH_DETAILS(
        self, STREAM, DECODE,
        ("%s at %" G_GINT64_FORMAT " ms ignored: content.data is empty",
         rtms_src_describe_media(what, data).c_str(), data.timestamp),
        (nullptr), RTMS_DECODE_WARNING_DETAILS(data));
    return nullptr;
  }
  // Decode straight into the buffer's memory: no intermediate copy.
  GstBuffer *buffer = gst_buffer_new_allocate(nullptr, max_size, nullptr);
  GstMapInfo map;
  gst_buffer_map(buffer, &map, GST_MAP_WRITE);
  rtms::Result<size_t> decoded = rtms::base64_decode_into(data.data, map.data, map.size);
  gst_buffer_unmap(buffer, &map);
  if (!decoded) {
    gst_buffer_unref(buffer);
    GST_ELEMENT_WARNING_WITH_DETAILS(
        self, STREAM, DECODE,
        ("%s at %" G_GINT64_FORMAT " ms dropped: content.data is not base64 (%s)",
         rtms_src_describe_media(what, data).c_str(), data.timestamp, decoded.error().describe().c_str()),
        (nullptr), RTMS_DECODE_WARNING_DETAILS(data));
    return nullptr;
  }
  gst_buffer_set_size(buffer, gssize(*decoded));
  if (data.has_length && data.length != int64_t(*decoded))
    GST_WARNING_OBJECT(self, "%s: content.length says %" G_GINT64_FORMAT " bytes, data holds %zu",
                       rtms_src_describe_media(what, data).c_str(), data.length, *decoded);
  return buffer;
}
