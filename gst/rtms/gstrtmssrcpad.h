// The source pads of rtmssrc: one per participant and media type (or one
// mixed audio pad). Each carries the participant's identity as properties and
// owns a queue that the network thread fills and the pad's streaming task or
// a thread of the shared push pool drains, so the network thread never waits
// on downstream (or, for direct pads, that the network thread drains itself).
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <string>

G_BEGIN_DECLS

#define GST_TYPE_RTMS_SRC_PAD (gst_rtms_src_pad_get_type())
G_DECLARE_FINAL_TYPE(GstRtmsSrcPad, gst_rtms_src_pad, GST, RTMS_SRC_PAD, GstPad)

G_END_DECLS

struct RtmsPadQueue;

struct _GstRtmsSrcPad {
  GstPad parent;
  RtmsPadQueue *queue;  // C++ state, created in init, deleted in finalize
};

namespace rtms {

GstRtmsSrcPad *src_pad_new(GstPadTemplate *templ, const std::string &name,
                           const char *media_type, int64_t participant_id,
                           const std::string &participant_name);

// Updates the participant's name (notify::participant-name); next to free
// when the name is unchanged. Called on one thread at a time, the one
// that delivers the session's messages (it reads the name unlocked).
void src_pad_set_participant_name(GstRtmsSrcPad *pad, const std::string &name);
// Both at once, for a pad that follows whoever is shown or speaking
// (notify::participant-id and notify::participant-name when they change).
// The same threading rule as src_pad_set_participant_name.
void src_pad_set_participant(GstRtmsSrcPad *pad, int64_t id, const std::string &name);
int64_t src_pad_participant_id(GstRtmsSrcPad *pad);
std::string src_pad_participant_name(GstRtmsSrcPad *pad);

// Who drains a pad's queue and pushes its items downstream:
// - Task: the pad's own streaming task (gst_pad_start_task);
// - Direct: whoever queues an item drains the queue itself, in PLAYING
//   (push-mode=network-thread; see rtms_src_deliver);
// - Pooled: a thread of the shared push pool (push-mode=shared-threads,
//   rtms-push-pool.h), in PLAYING. The pad is "scheduled" from the item that
//   finds it idle until a pool thread finds its queue empty.
// Set before the pad is activated, never again. playing (Direct, Pooled)
// is the element's flag, read under the queue's lock: items wait in the
// queue while it is false.
enum class SrcPadDelivery { Task, Direct, Pooled };
void src_pad_set_delivery(GstRtmsSrcPad *pad, SrcPadDelivery delivery,
                          const std::atomic<bool> *playing);
SrcPadDelivery src_pad_delivery(GstRtmsSrcPad *pad);
inline bool src_pad_is_direct(GstRtmsSrcPad *pad) {
  return src_pad_delivery(pad) == SrcPadDelivery::Direct;
}

// Queue operations. Items are buffers or serialized events; the pad takes
// ownership. Returns FALSE (and drops the item) when the pad is flushing.
// *delivery, when given, says how the pad is drained (read under the same
// lock, so a message costs one lock, not two). *schedule, when given, is set
// when a pooled pad in PLAYING was idle: the caller must schedule it on the
// push pool (push_pool_schedule).
bool src_pad_enqueue(GstRtmsSrcPad *pad, GstMiniObject *item, SrcPadDelivery *delivery = nullptr,
                     bool *schedule = nullptr);
// Pooled pads. When the element starts PLAYING: true when the pad holds
// items and was idle (it is now scheduled; the caller schedules it).
bool src_pad_schedule_if_waiting(GstRtmsSrcPad *pad);
// For the pool thread draining the pad: the next item, or nullptr, which
// also ends the pad's turn (queue empty, flushing or not PLAYING).
GstMiniObject *src_pad_take_scheduled(GstRtmsSrcPad *pad);
// Ends the pad's turn early (it must not push any more).
void src_pad_unschedule(GstRtmsSrcPad *pad);
// Starts loading what a push through the pad reads first, for a caller
// with other work to do before it pushes: with hundreds of streams, a
// stream's pad is cold in cache each time its turn comes. queue is
// src_pad_queue(pad), kept by the caller: reading it from the pad would
// wait for one more cold line.
const RtmsPadQueue *src_pad_queue(GstRtmsSrcPad *pad);
void src_pad_prefetch(GstRtmsSrcPad *pad, const RtmsPadQueue *queue);
// For a direct pad's pusher, holding the stream lock: when nothing waits in
// the queue, hands item back to be pushed at once (one lock instead of a
// queue and a dequeue); otherwise queues it behind the others and returns
// nullptr. *accepted is false (the item dropped) when the pad is flushing or
// past its EOS.
GstMiniObject *src_pad_take_if_idle(GstRtmsSrcPad *pad, GstMiniObject *item, bool *accepted);
// The next item if there is one, without waiting; nullptr when the queue is
// empty or the pad is flushing.
GstMiniObject *src_pad_try_dequeue(GstRtmsSrcPad *pad);
// Waits for the next item; nullptr when the pad starts flushing.
GstMiniObject *src_pad_dequeue(GstRtmsSrcPad *pad);
// The same, waiting at most timeout_ms; nullptr with *timed_out set when
// nothing came.
GstMiniObject *src_pad_dequeue_for(GstRtmsSrcPad *pad, guint timeout_ms, bool *timed_out);

// State of the pad's streaming task, touched by that task only: whether the
// pad is sparse (text) and how far its timeline has been pushed.
struct SrcPadProgress {
  // The element the pad belongs to. Known before the pad is added (its task
  // starts earlier), and valid as long as the task runs: the element stops
  // every task before it lets a pad go.
  GstElement *element = nullptr;
  bool sparse = false;
  bool segment_sent = false;
  // Where the next buffer may start: the start of the last buffer, or the
  // end of the last GAP, pushed (a buffer may overlap the one before).
  GstClockTime position = 0;
  // The end of everything pushed (buffers and GAPs): where the next GAP starts.
  GstClockTime covered = 0;
  bool not_linked_warned = false;  // the not-linked warning was posted
};
SrcPadProgress &src_pad_progress(GstRtmsSrcPad *pad);
// Flushing wakes the streaming task and makes enqueue refuse items.
void src_pad_set_flushing(GstRtmsSrcPad *pad, bool flushing);
// Items and bytes waiting, for diagnostics.
void src_pad_queue_level(GstRtmsSrcPad *pad, guint *items, guint64 *bytes);

}  // namespace rtms
