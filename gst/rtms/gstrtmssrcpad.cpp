#include "gstrtmssrcpad.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>

#include "rtms-push-pool.h"

GST_DEBUG_CATEGORY_EXTERN(gst_rtms_src_debug);
#define GST_CAT_DEFAULT gst_rtms_src_debug

namespace rtms {

// State of the pad's pushing side, touched only by the thread that pushes
// (its task, the pool thread draining it, or a direct pusher holding the
// stream lock): how far its timeline has been pushed.
struct SrcPadProgress {
  bool segment_sent = false;
  // Where the next buffer may start: the start of the last buffer, or the
  // end of the last GAP, pushed (a buffer may overlap the one before).
  GstClockTime position = 0;
  // The end of everything pushed (buffers and GAPs): where the next GAP starts.
  GstClockTime covered = 0;
  bool not_linked_warned = false;  // the not-linked warning was posted
};

// What a delivery reads first (the lock, the flags, the ends of the queue)
// is in the first two cache lines, which gst_rtms_src_pad_prefetch loads.
struct alignas(64) SrcPadQueue {
  // Guards the queue (items, bytes, flushing, eos_queued, scheduled) and
  // the participant's identity.
  std::mutex lock;
  bool flushing = true;  // until the pad is activated
  bool eos_queued = false;  // nothing may follow an EOS
  bool scheduled = false;  // Pooled: on the push pool, or being drained by it
  // Set in gst_rtms_src_pad_new, never again: read without the lock.
  SrcPadDelivery delivery = SrcPadDelivery::Task;
  bool sparse = false;
  SrcPadShared *shared = nullptr;
  std::deque<GstMiniObject *> items;  // owned references
  guint64 bytes = 0;
  std::condition_variable changed;

  SrcPadProgress progress;
  int64_t participant_id = 0;
  std::string participant_name;
  std::string media_type;

  // Under lock.
  void push_back(GstMiniObject *item) {
    if (GST_IS_BUFFER(item)) bytes += gst_buffer_get_size(GST_BUFFER_CAST(item));
    items.push_back(item);
  }
  GstMiniObject *pop_front() {
    GstMiniObject *item = items.front();
    items.pop_front();
    if (GST_IS_BUFFER(item)) bytes -= gst_buffer_get_size(GST_BUFFER_CAST(item));
    return item;
  }
  // Whether item may be queued (the pad takes it); drops it if not.
  bool admit(GstMiniObject *item) {
    if (flushing || eos_queued) {
      gst_mini_object_unref(item);
      return false;
    }
    if (GST_IS_EVENT(item) && GST_EVENT_TYPE(GST_EVENT_CAST(item)) == GST_EVENT_EOS)
      eos_queued = true;
    return true;
  }
  void clear() {
    for (GstMiniObject *item : items) gst_mini_object_unref(item);
    items.clear();
    bytes = 0;
  }
};

void FlowCombiner::add_pad(GstPad *pad) {
  std::lock_guard<std::mutex> guard(lock_);
  gst_flow_combiner_add_pad(combiner_, pad);
}

void FlowCombiner::clear() {
  std::lock_guard<std::mutex> guard(lock_);
  gst_flow_combiner_clear(combiner_);
  last_.store(GST_FLOW_OK, std::memory_order_relaxed);
  not_linked_warned_ = false;
}

GstFlowReturn FlowCombiner::update_locked(GstElement *element, GstPad *pad, GstFlowReturn ret) {
  std::lock_guard<std::mutex> guard(lock_);
  GstFlowReturn combined = gst_flow_combiner_update_pad_flow(combiner_, pad, ret);
  last_.store(combined, std::memory_order_relaxed);
  if (combined == GST_FLOW_NOT_LINKED && !not_linked_warned_) {
    not_linked_warned_ = true;
    GST_WARNING_OBJECT(element, "no output pad is linked: media is being discarded");
  }
  return combined;
}

}  // namespace rtms

using rtms::SrcPadDelivery;
using rtms::SrcPadQueue;

enum {
  PROP_0,
  PROP_PARTICIPANT_ID,
  PROP_PARTICIPANT_NAME,
  PROP_MEDIA_TYPE,
};

G_DEFINE_TYPE(GstRtmsSrcPad, gst_rtms_src_pad, GST_TYPE_PAD)

static GParamSpec *participant_name_pspec = nullptr;
static GParamSpec *participant_id_pspec = nullptr;

// ---- the queue ----------------------------------------------------------------

// Queues item for whoever drains the pad; false (item dropped) when the pad
// takes nothing more. *schedule is set when a pooled pad in PLAYING was
// idle: the caller must schedule it on the push pool.
static bool enqueue(SrcPadQueue *q, GstMiniObject *item, bool *schedule) {
  std::lock_guard<std::mutex> guard(q->lock);
  *schedule = false;
  if (!q->admit(item)) return false;
  q->push_back(item);
  switch (q->delivery) {
    case SrcPadDelivery::Task:
      q->changed.notify_one();
      break;
    case SrcPadDelivery::Pooled:
      // playing is read under the lock: an element turning PLAYING sets it
      // before it looks at its pads (gst_rtms_src_pad_start_pushing), so
      // one of the two schedules the pad.
      if (!q->scheduled && q->shared->playing.load()) {
        q->scheduled = true;
        *schedule = true;
      }
      break;
    case SrcPadDelivery::Direct:
      break;
  }
  return true;
}

// For a direct pad's pusher, holding the stream lock: when nothing waits in
// the queue, hands item back to be pushed at once (one lock instead of a
// queue and a dequeue); otherwise queues it behind the others and returns
// nullptr. *accepted is false (the item dropped) when the pad takes nothing.
static GstMiniObject *take_if_idle(SrcPadQueue *q, GstMiniObject *item, bool *accepted) {
  std::lock_guard<std::mutex> guard(q->lock);
  *accepted = q->admit(item);
  if (!*accepted) return nullptr;
  if (q->items.empty()) return item;
  q->push_back(item);
  return nullptr;
}

// The next item if there is one, without waiting; nullptr when the queue is
// empty or the pad is flushing.
static GstMiniObject *try_dequeue(SrcPadQueue *q) {
  std::lock_guard<std::mutex> guard(q->lock);
  if (q->flushing || q->items.empty()) return nullptr;
  return q->pop_front();
}

// Waits for the next item, at most timeout_ms when given (*timed_out then
// says nothing came); nullptr when the pad starts flushing.
static GstMiniObject *dequeue(SrcPadQueue *q, guint timeout_ms = 0, bool *timed_out = nullptr) {
  std::unique_lock<std::mutex> guard(q->lock);
  auto ready = [q] { return q->flushing || !q->items.empty(); };
  if (timed_out)
    *timed_out = !q->changed.wait_for(guard, std::chrono::milliseconds(timeout_ms), ready);
  else
    q->changed.wait(guard, ready);
  if ((timed_out && *timed_out) || q->flushing) return nullptr;
  return q->pop_front();
}

// Pooled pads, for the pool thread draining the pad: the next item, or
// nullptr, which also ends the pad's turn (queue empty, flushing or not
// PLAYING).
static GstMiniObject *take_scheduled(SrcPadQueue *q) {
  std::lock_guard<std::mutex> guard(q->lock);
  if (q->flushing || q->items.empty() || !q->shared->playing.load()) {
    q->scheduled = false;
    return nullptr;
  }
  return q->pop_front();
}

static void unschedule(SrcPadQueue *q) {
  std::lock_guard<std::mutex> guard(q->lock);
  q->scheduled = false;
}

// Flushing wakes the streaming task and makes the queue refuse items.
static void set_flushing(SrcPadQueue *q, bool flushing) {
  std::lock_guard<std::mutex> guard(q->lock);
  q->flushing = flushing;
  if (flushing) q->clear();
  else q->eos_queued = false;
  q->changed.notify_all();
}

// ---- pushing --------------------------------------------------------------------

// The first buffer a pad could not deliver because nothing is linked to it
// (`rtmssrc ! sink` links one pad; the other participants' pads appear
// later): a warning naming whose media is lost and what to write instead.
// Once per pad; on the thread that pushes.
static void warn_not_linked(GstRtmsSrcPad *pad) {
  SrcPadQueue *q = pad->queue;
  q->progress.not_linked_warned = true;
  const char *name = GST_PAD_NAME(pad);
  int64_t id;
  std::string who;
  {
    std::lock_guard<std::mutex> guard(q->lock);
    id = q->participant_id;
    who = q->participant_name;
  }
  std::string whose = g_str_has_prefix(name, "audio_") && id != 0
                          ? "participant " + std::to_string(id) +
                                (who.empty() ? "" : " (" + who + ")")
                          : std::string("pad ") + name;
  GST_ELEMENT_WARNING_WITH_DETAILS(
      q->shared->element, STREAM, FAILED,
      ("Pad %s is not linked: the media of %s is dropped", name, whose.c_str()),
      ("Link every pad: in gst-launch name each one (src.audio_0 ! ..., src.audio_1 ! ...), in "
       "an application link them in a pad-added handler; or set audio-mode=mixed for a single "
       "audio pad with everyone."),
      ("rtms-warning-kind", G_TYPE_STRING, "not-linked", "pad", G_TYPE_STRING, name,
       "rtms-user-id", G_TYPE_INT64, gint64(id), nullptr));
}

static bool push_event(GstRtmsSrcPad *pad, GstEvent *event) {
  rtms::SrcPadProgress &progress = pad->queue->progress;
  GstEventType type = GST_EVENT_TYPE(event);
  if (type == GST_EVENT_GAP) {
    GstClockTime ts, dur;
    gst_event_parse_gap(event, &ts, &dur);
    if (GST_CLOCK_TIME_IS_VALID(dur)) {
      progress.position = std::max(progress.position, ts + dur);
      progress.covered = std::max(progress.covered, ts + dur);
    }
  }
  gst_pad_push_event(GST_PAD_CAST(pad), event);
  if (type == GST_EVENT_SEGMENT) progress.segment_sent = true;
  return type != GST_EVENT_EOS;
}

// Pushes one item downstream, on whichever thread drains the pad. Returns
// false when the pad must stop pushing.
static bool push_item(GstRtmsSrcPad *pad, GstMiniObject *item) {
  if (GST_IS_EVENT(item)) return push_event(pad, GST_EVENT_CAST(item));
  SrcPadQueue *q = pad->queue;
  rtms::SrcPadProgress &progress = q->progress;
  GstBuffer *buffer = GST_BUFFER_CAST(item);
  if (q->sparse && GST_BUFFER_PTS_IS_VALID(buffer) && GST_BUFFER_PTS(buffer) < progress.position) {
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
  GstFlowReturn ret = gst_pad_push(GST_PAD_CAST(pad), buffer);
  if (ret == GST_FLOW_NOT_LINKED && !progress.not_linked_warned) warn_not_linked(pad);
  GstFlowReturn combined = q->shared->flow.update(q->shared->element, GST_PAD_CAST(pad), ret);
  if (ret == GST_FLOW_FLUSHING) return false;
  if (ret == GST_FLOW_EOS) {
    // Downstream of this pad wants no more; the others go on.
    GST_DEBUG_OBJECT(pad, "downstream returned EOS");
    set_flushing(q, true);
    return false;
  }
  if (combined < GST_FLOW_EOS && combined != GST_FLOW_NOT_LINKED) {
    GST_ELEMENT_FLOW_ERROR(q->shared->element, combined);
    gst_pad_push_event(GST_PAD_CAST(pad), gst_event_new_eos());
    set_flushing(q, true);
    return false;
  }
  return true;
}

// Text pads are sparse: while nothing is said, a GAP every so often tells
// muxers and mixers that time passes, trailing real time by text-gap-delay
// because a transcript line arrives only after the utterance it starts with.
static const guint kSparseTickMs = 250;

static GstMiniObject *next_item(GstRtmsSrcPad *pad) {
  SrcPadQueue *q = pad->queue;
  rtms::SrcPadProgress &progress = q->progress;
  if (!q->sparse || !progress.segment_sent) return dequeue(q);
  for (;;) {
    bool timed_out = false;
    GstMiniObject *item = dequeue(q, kSparseTickMs, &timed_out);
    if (!timed_out) return item;
    GstClockTime now = gst_element_get_current_running_time(q->shared->element);
    GstClockTime delay = q->shared->gap_delay;
    if (!GST_CLOCK_TIME_IS_VALID(now) || now < delay) continue;
    GstClockTime until = now - delay;
    if (until > progress.covered) {
      gst_pad_push_event(GST_PAD_CAST(pad),
                         gst_event_new_gap(progress.covered, until - progress.covered));
      progress.covered = until;
      progress.position = std::max(progress.position, until);
    }
  }
}

static void pad_loop(gpointer user_data) {
  GstRtmsSrcPad *pad = static_cast<GstRtmsSrcPad *>(user_data);  // the task's own pad
  GstMiniObject *item = next_item(pad);
  if (!item || !push_item(pad, item)) gst_pad_pause_task(GST_PAD_CAST(pad));
}

// Direct pads: the pad's stream lock keeps items from different threads
// (network thread, an application's EOS) in order and lets deactivation
// wait for a push in progress. Under the pad's stream lock.
static void push_waiting(GstRtmsSrcPad *pad) {
  while (GstMiniObject *item = try_dequeue(pad->queue))
    if (!push_item(pad, item)) break;
}

static void drain_direct(GstRtmsSrcPad *pad) {
  GST_PAD_STREAM_LOCK(GST_PAD_CAST(pad));
  push_waiting(pad);
  GST_PAD_STREAM_UNLOCK(GST_PAD_CAST(pad));
}

// A direct pad in PLAYING: pushed here and now, unless older items wait
// (queued before PLAYING, or by another thread), which go first.
static bool deliver_direct(GstRtmsSrcPad *pad, GstMiniObject *item) {
  GST_PAD_STREAM_LOCK(GST_PAD_CAST(pad));
  bool accepted = false;
  if (GstMiniObject *now = take_if_idle(pad->queue, item, &accepted))
    push_item(pad, now);
  else if (accepted)
    push_waiting(pad);
  GST_PAD_STREAM_UNLOCK(GST_PAD_CAST(pad));
  return accepted;
}

// A pooled pad's turn on a pool thread: everything it holds, in order,
// under its stream lock (deactivation waits for it). The element is alive
// while an item is taken: the pad is active (an entry may outlive a pad that
// was deactivated, and its element), and the element deactivates its pads,
// which waits here, before it goes.
static void drain_pooled(GstPad *base) {
  // Unchecked: only pads of this type are scheduled (a checked cast is a
  // call per turn).
  GstRtmsSrcPad *pad = reinterpret_cast<GstRtmsSrcPad *>(base);
  GST_PAD_STREAM_LOCK(base);
  while (GstMiniObject *item = take_scheduled(pad->queue)) {
    if (!push_item(pad, item)) {
      // EOS pushed, flushing or a flow error: nothing more goes out here.
      unschedule(pad->queue);
      break;
    }
  }
  GST_PAD_STREAM_UNLOCK(base);
}

// Without a pool thread (none could be started), the caller pushes.
static void schedule_on_pool(GstRtmsSrcPad *pad) {
  if (!rtms::push_pool_schedule(GST_PAD_CAST(pad), drain_pooled)) drain_pooled(GST_PAD_CAST(pad));
}

bool gst_rtms_src_pad_deliver(GstRtmsSrcPad *pad, GstMiniObject *item) {
  SrcPadQueue *q = pad->queue;
  const bool direct = q->delivery == SrcPadDelivery::Direct;
  if (direct && q->shared->playing.load(std::memory_order_acquire))
    return deliver_direct(pad, item);
  bool schedule = false;
  if (!enqueue(q, item, &schedule)) return false;
  if (schedule)
    schedule_on_pool(pad);
  else if (direct && q->shared->playing.load(std::memory_order_acquire))
    drain_direct(pad);
  return true;
}

void gst_rtms_src_pad_start_pushing(GstRtmsSrcPad *pad) {
  SrcPadQueue *q = pad->queue;
  if (q->delivery == SrcPadDelivery::Direct) {
    drain_direct(pad);
  } else if (q->delivery == SrcPadDelivery::Pooled) {
    {
      std::lock_guard<std::mutex> guard(q->lock);
      if (q->scheduled || q->flushing || q->items.empty()) return;
      q->scheduled = true;
    }
    schedule_on_pool(pad);
  }
}

// ---- activation and queries -------------------------------------------------------

static gboolean pad_activate_mode(GstPad *base, GstObject *, GstPadMode mode, gboolean active) {
  if (mode != GST_PAD_MODE_PUSH) return FALSE;
  GstRtmsSrcPad *pad = GST_RTMS_SRC_PAD(base);
  set_flushing(pad->queue, !active);
  // A direct or pooled pad's push in progress holds the stream lock, which
  // GStreamer takes after this (so deactivation waits for it).
  if (pad->queue->delivery != SrcPadDelivery::Task) return TRUE;
  return active ? gst_pad_start_task(base, pad_loop, base, nullptr) : gst_pad_stop_task(base);
}

static gboolean pad_query(GstPad *base, GstObject *parent, GstQuery *query) {
  SrcPadQueue *q = GST_RTMS_SRC_PAD(base)->queue;
  // Without a parent the pad has left its element, whose shared part may be gone.
  if (GST_QUERY_TYPE(query) == GST_QUERY_LATENCY && parent) {
    GstClockTime latency = q->shared->latency;
    // A pool thread waits for the batch before it pushes.
    if (q->delivery == SrcPadDelivery::Pooled) latency += rtms::kPushPoolLingerUs * GST_USECOND;
    gst_query_set_latency(query, TRUE, latency, GST_CLOCK_TIME_NONE);
    return TRUE;
  }
  return gst_pad_query_default(base, parent, query);
}

// ---- identity -----------------------------------------------------------------------

static void gst_rtms_src_pad_get_property(GObject *object, guint prop_id, GValue *value,
                                          GParamSpec *pspec) {
  SrcPadQueue *q = GST_RTMS_SRC_PAD(object)->queue;
  std::lock_guard<std::mutex> guard(q->lock);
  switch (prop_id) {
    case PROP_PARTICIPANT_ID: g_value_set_int64(value, q->participant_id); break;
    case PROP_PARTICIPANT_NAME: g_value_set_string(value, q->participant_name.c_str()); break;
    case PROP_MEDIA_TYPE: g_value_set_string(value, q->media_type.c_str()); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
}

void gst_rtms_src_pad_set_participant_name(GstRtmsSrcPad *pad, const std::string &name) {
  // Media packets repeat the name: the unchanged case must cost next to
  // nothing. Only this function changes the name after the pad is made, on
  // one thread at a time (see the header), so the calling thread may read
  // it without the lock; other threads read it under the lock only.
  SrcPadQueue *q = pad->queue;
  if (q->participant_name == name) return;
  {
    std::lock_guard<std::mutex> guard(q->lock);
    q->participant_name = name;
  }
  g_object_notify_by_pspec(G_OBJECT(pad), participant_name_pspec);
}

void gst_rtms_src_pad_set_participant(GstRtmsSrcPad *pad, int64_t id, const std::string &name) {
  bool id_changed;
  {
    std::lock_guard<std::mutex> guard(pad->queue->lock);
    id_changed = pad->queue->participant_id != id;
    pad->queue->participant_id = id;
  }
  if (id_changed) g_object_notify_by_pspec(G_OBJECT(pad), participant_id_pspec);
  gst_rtms_src_pad_set_participant_name(pad, name);
}

std::string gst_rtms_src_pad_get_participant_name(GstRtmsSrcPad *pad) {
  std::lock_guard<std::mutex> guard(pad->queue->lock);
  return pad->queue->participant_name;
}

const SrcPadQueue *gst_rtms_src_pad_get_queue(GstRtmsSrcPad *pad) { return pad->queue; }

void gst_rtms_src_pad_prefetch(GstRtmsSrcPad *pad, const SrcPadQueue *queue_of_pad) {
  // What gst_pad_push reads of the pad: object lock and flags, stream lock,
  // probes, peer, probe count and private part.
  GstPad *base = GST_PAD_CAST(pad);
  __builtin_prefetch(base);
  __builtin_prefetch(&base->stream_rec_lock);
  __builtin_prefetch(&base->probes);
  __builtin_prefetch(&base->peer);
  __builtin_prefetch(&base->num_probes);
  const char *queue = reinterpret_cast<const char *>(queue_of_pad);
  __builtin_prefetch(queue);
  __builtin_prefetch(queue + 64);
}

// ---- GObject ---------------------------------------------------------------------------

GstRtmsSrcPad *gst_rtms_src_pad_new(GstPadTemplate *templ, const std::string &name,
                                    const char *media_type, int64_t participant_id,
                                    const std::string &participant_name,
                                    rtms::SrcPadShared *shared, SrcPadDelivery delivery,
                                    bool sparse) {
  auto *pad = GST_RTMS_SRC_PAD(g_object_new(GST_TYPE_RTMS_SRC_PAD, "name", name.c_str(),
                                            "direction", GST_PAD_SRC, "template", templ,
                                            nullptr));
  SrcPadQueue *q = pad->queue;
  q->participant_id = participant_id;
  q->participant_name = participant_name;
  q->media_type = media_type;
  q->shared = shared;
  q->delivery = delivery;
  q->sparse = sparse;
  gst_pad_use_fixed_caps(GST_PAD(pad));
  return pad;
}

static void gst_rtms_src_pad_finalize(GObject *object) {
  GstRtmsSrcPad *pad = GST_RTMS_SRC_PAD(object);
  pad->queue->clear();
  delete pad->queue;
  G_OBJECT_CLASS(gst_rtms_src_pad_parent_class)->finalize(object);
}

static void gst_rtms_src_pad_class_init(GstRtmsSrcPadClass *klass) {
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  gobject_class->get_property = gst_rtms_src_pad_get_property;
  gobject_class->finalize = gst_rtms_src_pad_finalize;

  /**
   * GstRtmsSrcPad:participant-id:
   *
   * The Zoom user_id of the participant whose media the pad carries.
   *
   * Since: 0.1
   */
  participant_id_pspec =
      g_param_spec_int64("participant-id", "Participant ID",
                         "Zoom user_id of the participant whose media this pad carries: its "
                         "own for a participant's audio pad, whoever is shown or speaking now "
                         "for the video, share, transcript and chat pads (notify::participant-id "
                         "when that changes), 0 for mixed audio and before anyone is known",
                         G_MININT64, G_MAXINT64, 0,
                         GParamFlags(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property(gobject_class, PROP_PARTICIPANT_ID, participant_id_pspec);
  /**
   * GstRtmsSrcPad:participant-name:
   *
   * The participant's display name; empty until known.
   *
   * Since: 0.1
   */
  participant_name_pspec =
      g_param_spec_string("participant-name", "Participant name",
                          "Display name of the participant, as the server gave it; empty "
                          "until known (media can arrive before the join event)",
                          "", GParamFlags(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property(gobject_class, PROP_PARTICIPANT_NAME, participant_name_pspec);
  /**
   * GstRtmsSrcPad:media-type:
   *
   * What the pad carries: audio, video, deskshare, transcript or chat.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      gobject_class, PROP_MEDIA_TYPE,
      g_param_spec_string("media-type", "Media type",
                          "What the pad carries: audio, video, deskshare, transcript or chat",
                          "", GParamFlags(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));
}

static void gst_rtms_src_pad_init(GstRtmsSrcPad *pad) {
  pad->queue = new SrcPadQueue();
  gst_pad_set_activatemode_function(GST_PAD(pad), pad_activate_mode);
  gst_pad_set_query_function(GST_PAD(pad), pad_query);
}
