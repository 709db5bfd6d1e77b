// The source pads of rtmssrc: one per participant and media type (or one
// mixed audio pad). Each carries the participant's identity as properties and
// owns a queue that the network thread fills and the pad's streaming task
// drains, so the network thread never waits on downstream (or, for direct
// pads, that the network thread drains itself).
#pragma once

#include <gst/gst.h>

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
int64_t src_pad_participant_id(GstRtmsSrcPad *pad);
std::string src_pad_participant_name(GstRtmsSrcPad *pad);

// A direct pad has no streaming task: whoever queues an item drains the
// queue itself (see rtms_src_deliver). Set before the pad is activated.
void src_pad_set_direct(GstRtmsSrcPad *pad, bool direct);
bool src_pad_is_direct(GstRtmsSrcPad *pad);

// Queue operations. Items are buffers or serialized events; the pad takes
// ownership. Returns FALSE (and drops the item) when the pad is flushing.
// *direct, when given, says whether the pad is direct (read under the same
// lock, so a message costs one lock, not two).
bool src_pad_enqueue(GstRtmsSrcPad *pad, GstMiniObject *item, bool *direct = nullptr);
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
  GstClockTime position = 0;  // end of the last buffer or GAP pushed
};
SrcPadProgress &src_pad_progress(GstRtmsSrcPad *pad);
// Flushing wakes the streaming task and makes enqueue refuse items.
void src_pad_set_flushing(GstRtmsSrcPad *pad, bool flushing);
// Items and bytes waiting, for diagnostics.
void src_pad_queue_level(GstRtmsSrcPad *pad, guint *items, guint64 *bytes);

}  // namespace rtms
