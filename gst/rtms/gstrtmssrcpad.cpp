#include "gstrtmssrcpad.h"

#include <atomic>
#include <condition_variable>
#include <chrono>
#include <deque>
#include <mutex>

// What a push reads first (the lock, the flags, the ends of the queue) is
// in the first two cache lines, which src_pad_prefetch loads ahead.
struct alignas(64) RtmsPadQueue {
  std::mutex lock;
  bool flushing = true;  // until the pad is activated
  bool eos_queued = false;  // nothing may follow an EOS
  // Who drains (see SrcPadDelivery). Set before activation and never again:
  // read without the lock.
  std::atomic<rtms::SrcPadDelivery> delivery{rtms::SrcPadDelivery::Task};
  const std::atomic<bool> *playing = nullptr;  // the element's (Direct, Pooled)
  bool scheduled = false;  // Pooled: on the push pool, or being drained by it
  std::deque<GstMiniObject *> items;  // owned references
  guint64 bytes = 0;
  std::condition_variable changed;

  rtms::SrcPadProgress progress;
  int64_t participant_id = 0;
  std::string participant_name;
  std::string media_type;

  void clear() {
    for (GstMiniObject *item : items) gst_mini_object_unref(item);
    items.clear();
    bytes = 0;
  }
};

enum {
  PROP_0,
  PROP_PARTICIPANT_ID,
  PROP_PARTICIPANT_NAME,
  PROP_MEDIA_TYPE,
};

G_DEFINE_TYPE(GstRtmsSrcPad, gst_rtms_src_pad, GST_TYPE_PAD)

static void gst_rtms_src_pad_get_property(GObject *object, guint prop_id, GValue *value,
                                          GParamSpec *pspec) {
  GstRtmsSrcPad *pad = GST_RTMS_SRC_PAD(object);
  std::lock_guard<std::mutex> guard(pad->queue->lock);
  switch (prop_id) {
    case PROP_PARTICIPANT_ID:
      g_value_set_int64(value, pad->queue->participant_id);
      break;
    case PROP_PARTICIPANT_NAME:
      g_value_set_string(value, pad->queue->participant_name.c_str());
      break;
    case PROP_MEDIA_TYPE:
      g_value_set_string(value, pad->queue->media_type.c_str());
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
}

static void gst_rtms_src_pad_finalize(GObject *object) {
  GstRtmsSrcPad *pad = GST_RTMS_SRC_PAD(object);
  pad->queue->clear();
  delete pad->queue;
  G_OBJECT_CLASS(gst_rtms_src_pad_parent_class)->finalize(object);
}

static GParamSpec *participant_name_pspec = nullptr;
static GParamSpec *participant_id_pspec = nullptr;

static void gst_rtms_src_pad_class_init(GstRtmsSrcPadClass *klass) {
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  gobject_class->get_property = gst_rtms_src_pad_get_property;
  gobject_class->finalize = gst_rtms_src_pad_finalize;

  participant_id_pspec =
      g_param_spec_int64("participant-id", "Participant ID",
                         "Zoom user_id of the participant whose media this pad carries: its "
                         "own for a participant's audio pad, whoever is shown or speaking now "
                         "for the video, share, transcript and chat pads (notify::participant-id "
                         "when that changes), 0 for mixed audio and before anyone is known",
                         G_MININT64, G_MAXINT64, 0,
                         GParamFlags(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property(gobject_class, PROP_PARTICIPANT_ID, participant_id_pspec);
  participant_name_pspec =
      g_param_spec_string("participant-name", "Participant name",
                          "Display name of the participant, as the server gave it; empty "
                          "until known (media can arrive before the join event)",
                          "", GParamFlags(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property(gobject_class, PROP_PARTICIPANT_NAME, participant_name_pspec);
  g_object_class_install_property(
      gobject_class, PROP_MEDIA_TYPE,
      g_param_spec_string("media-type", "Media type",
                          "What the pad carries: audio, video, deskshare, transcript or chat",
                          "", GParamFlags(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));
}

static void gst_rtms_src_pad_init(GstRtmsSrcPad *pad) { pad->queue = new RtmsPadQueue(); }

namespace rtms {

GstRtmsSrcPad *src_pad_new(GstPadTemplate *templ, const std::string &name,
                           const char *media_type, int64_t participant_id,
                           const std::string &participant_name) {
  auto *pad = GST_RTMS_SRC_PAD(g_object_new(GST_TYPE_RTMS_SRC_PAD, "name", name.c_str(),
                                            "direction", GST_PAD_SRC, "template", templ,
                                            nullptr));
  pad->queue->participant_id = participant_id;
  pad->queue->participant_name = participant_name;
  pad->queue->media_type = media_type;
  return pad;
}

void src_pad_set_participant_name(GstRtmsSrcPad *pad, const std::string &name) {
  // Media packets repeat the name: the unchanged case must cost next to
  // nothing. Only this function changes the name after src_pad_new, on one
  // thread at a time (see the header), so the calling thread may read it
  // without the lock; other threads read it under the lock only.
  if (pad->queue->participant_name == name) return;
  {
    std::lock_guard<std::mutex> guard(pad->queue->lock);
    pad->queue->participant_name = name;
  }
  g_object_notify_by_pspec(G_OBJECT(pad), participant_name_pspec);
}

void src_pad_set_participant(GstRtmsSrcPad *pad, int64_t id, const std::string &name) {
  bool id_changed;
  {
    std::lock_guard<std::mutex> guard(pad->queue->lock);
    id_changed = pad->queue->participant_id != id;
    pad->queue->participant_id = id;
  }
  if (id_changed) g_object_notify_by_pspec(G_OBJECT(pad), participant_id_pspec);
  src_pad_set_participant_name(pad, name);
}

int64_t src_pad_participant_id(GstRtmsSrcPad *pad) {
  std::lock_guard<std::mutex> guard(pad->queue->lock);
  return pad->queue->participant_id;
}

std::string src_pad_participant_name(GstRtmsSrcPad *pad) {
  std::lock_guard<std::mutex> guard(pad->queue->lock);
  return pad->queue->participant_name;
}

bool src_pad_enqueue(GstRtmsSrcPad *pad, GstMiniObject *item, SrcPadDelivery *delivery,
                     bool *schedule) {
  RtmsPadQueue *q = pad->queue;
  std::lock_guard<std::mutex> guard(q->lock);
  SrcPadDelivery how = q->delivery.load(std::memory_order_relaxed);
  if (delivery) *delivery = how;
  if (schedule) *schedule = false;
  if (q->flushing || q->eos_queued) {
    gst_mini_object_unref(item);
    return false;
  }
  if (GST_IS_EVENT(item) && GST_EVENT_TYPE(GST_EVENT_CAST(item)) == GST_EVENT_EOS)
    q->eos_queued = true;
  if (GST_IS_BUFFER(item)) q->bytes += gst_buffer_get_size(GST_BUFFER_CAST(item));
  q->items.push_back(item);
  switch (how) {
    case SrcPadDelivery::Task:
      q->changed.notify_one();
      break;
    case SrcPadDelivery::Pooled:
      // playing is read under the lock: an element turning PLAYING sets it
      // before it looks at its pads (src_pad_schedule_if_waiting), so one of
      // the two schedules the pad.
      if (!q->scheduled && q->playing->load()) {
        q->scheduled = true;
        if (schedule) *schedule = true;
      }
      break;
    case SrcPadDelivery::Direct:
      break;
  }
  return true;
}

void src_pad_set_delivery(GstRtmsSrcPad *pad, SrcPadDelivery delivery,
                          const std::atomic<bool> *playing) {
  pad->queue->playing = playing;
  pad->queue->delivery.store(delivery, std::memory_order_release);
}

SrcPadDelivery src_pad_delivery(GstRtmsSrcPad *pad) {
  return pad->queue->delivery.load(std::memory_order_acquire);
}

bool src_pad_schedule_if_waiting(GstRtmsSrcPad *pad) {
  RtmsPadQueue *q = pad->queue;
  std::lock_guard<std::mutex> guard(q->lock);
  if (q->scheduled || q->flushing || q->items.empty()) return false;
  q->scheduled = true;
  return true;
}

GstMiniObject *src_pad_take_scheduled(GstRtmsSrcPad *pad) {
  RtmsPadQueue *q = pad->queue;
  std::lock_guard<std::mutex> guard(q->lock);
  if (q->flushing || q->items.empty() || !q->playing->load()) {
    q->scheduled = false;
    return nullptr;
  }
  GstMiniObject *item = q->items.front();
  q->items.pop_front();
  if (GST_IS_BUFFER(item)) q->bytes -= gst_buffer_get_size(GST_BUFFER_CAST(item));
  return item;
}

void src_pad_unschedule(GstRtmsSrcPad *pad) {
  std::lock_guard<std::mutex> guard(pad->queue->lock);
  pad->queue->scheduled = false;
}

const RtmsPadQueue *src_pad_queue(GstRtmsSrcPad *pad) { return pad->queue; }

void src_pad_prefetch(GstRtmsSrcPad *pad, const RtmsPadQueue *queue_of_pad) {
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

GstMiniObject *src_pad_take_if_idle(GstRtmsSrcPad *pad, GstMiniObject *item, bool *accepted) {
  std::lock_guard<std::mutex> guard(pad->queue->lock);
  *accepted = !pad->queue->flushing && !pad->queue->eos_queued;
  if (!*accepted) {
    gst_mini_object_unref(item);
    return nullptr;
  }
  if (GST_IS_EVENT(item) && GST_EVENT_TYPE(GST_EVENT_CAST(item)) == GST_EVENT_EOS)
    pad->queue->eos_queued = true;
  if (pad->queue->items.empty()) return item;
  if (GST_IS_BUFFER(item)) pad->queue->bytes += gst_buffer_get_size(GST_BUFFER_CAST(item));
  pad->queue->items.push_back(item);
  return nullptr;
}

GstMiniObject *src_pad_try_dequeue(GstRtmsSrcPad *pad) {
  std::lock_guard<std::mutex> guard(pad->queue->lock);
  if (pad->queue->flushing || pad->queue->items.empty()) return nullptr;
  GstMiniObject *item = pad->queue->items.front();
  pad->queue->items.pop_front();
  if (GST_IS_BUFFER(item)) pad->queue->bytes -= gst_buffer_get_size(GST_BUFFER_CAST(item));
  return item;
}

GstMiniObject *src_pad_dequeue(GstRtmsSrcPad *pad) {
  std::unique_lock<std::mutex> guard(pad->queue->lock);
  pad->queue->changed.wait(guard, [pad] {
    return pad->queue->flushing || !pad->queue->items.empty();
  });
  if (pad->queue->flushing) return nullptr;
  GstMiniObject *item = pad->queue->items.front();
  pad->queue->items.pop_front();
  if (GST_IS_BUFFER(item)) pad->queue->bytes -= gst_buffer_get_size(GST_BUFFER_CAST(item));
  return item;
}

GstMiniObject *src_pad_dequeue_for(GstRtmsSrcPad *pad, guint timeout_ms, bool *timed_out) {
  std::unique_lock<std::mutex> guard(pad->queue->lock);
  *timed_out = !pad->queue->changed.wait_for(guard, std::chrono::milliseconds(timeout_ms), [pad] {
    return pad->queue->flushing || !pad->queue->items.empty();
  });
  if (*timed_out || pad->queue->flushing) return nullptr;
  GstMiniObject *item = pad->queue->items.front();
  pad->queue->items.pop_front();
  if (GST_IS_BUFFER(item)) pad->queue->bytes -= gst_buffer_get_size(GST_BUFFER_CAST(item));
  return item;
}

SrcPadProgress &src_pad_progress(GstRtmsSrcPad *pad) { return pad->queue->progress; }

void src_pad_set_flushing(GstRtmsSrcPad *pad, bool flushing) {
  std::lock_guard<std::mutex> guard(pad->queue->lock);
  pad->queue->flushing = flushing;
  if (flushing) pad->queue->clear();
  else pad->queue->eos_queued = false;
  pad->queue->changed.notify_all();
}

void src_pad_queue_level(GstRtmsSrcPad *pad, guint *items, guint64 *bytes) {
  std::lock_guard<std::mutex> guard(pad->queue->lock);
  if (items) *items = guint(pad->queue->items.size());
  if (bytes) *bytes = pad->queue->bytes;
}

}  // namespace rtms
