// The source pads of rtmssrc: one per participant and media type (or one
// mixed audio pad). A pad is self-contained: it carries the participant's
// identity as properties, owns the queue that the network thread fills,
// drains it in one of three ways (its own streaming task, a thread of the
// shared push pool, or the thread that delivers, see SrcPadDelivery), and
// answers its own activation and queries. The network thread never waits on
// downstream unless push-mode=network-thread asks for it.
#pragma once

#include <gst/base/gstflowcombiner.h>
#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

G_BEGIN_DECLS

#define GST_TYPE_RTMS_SRC_PAD (gst_rtms_src_pad_get_type())
G_DECLARE_FINAL_TYPE(GstRtmsSrcPad, gst_rtms_src_pad, GST, RTMS_SRC_PAD, GstPad)

G_END_DECLS

namespace rtms {

// The flow returns of an element's pads combined (GstFlowCombiner): an
// error stops the element, NOT_LINKED only when no pad is linked.
class FlowCombiner {
 public:
  FlowCombiner() : combiner_(gst_flow_combiner_new()) {}
  ~FlowCombiner() { gst_flow_combiner_free(combiner_); }
  FlowCombiner(const FlowCombiner &) = delete;
  FlowCombiner &operator=(const FlowCombiner &) = delete;

  void add_pad(GstPad *pad);
  // Forgets every pad (they are being removed).
  void clear();
  // Records pad's last result and returns the combined one; warns (once)
  // when no pad is linked. OK after OK combines to OK, and gst_pad_push has
  // recorded the pad's result already: the common case needs neither the
  // lock nor the combiner (nor a call).
  GstFlowReturn update(GstElement *element, GstPad *pad, GstFlowReturn ret) {
    if (ret == GST_FLOW_OK && last_.load(std::memory_order_relaxed) == GST_FLOW_OK)
      return GST_FLOW_OK;
    return update_locked(element, pad, ret);
  }

 private:
  GstFlowReturn update_locked(GstElement *element, GstPad *pad, GstFlowReturn ret);

  // Guards combiner_ and not_linked_warned_.
  std::mutex lock_;
  GstFlowCombiner *combiner_;
  bool not_linked_warned_ = false;
  // The combiner's last answer, readable without lock_.
  std::atomic<GstFlowReturn> last_{GST_FLOW_OK};
};

// What the pads of one element share. The element owns it and deactivates
// its pads (which waits for a push in progress) before it lets it go.
struct SrcPadShared {
  GstElement *element = nullptr;
  // The element is PLAYING: direct and pooled pads push only then, as a
  // live source produces only then; what arrives before waits in the queue.
  std::atomic<bool> playing{false};
  FlowCombiner flow;
  // Set before a session starts, when no pad exists; read-only while pads
  // exist. latency: the jitter allowance, one packet and the network
  // thread's batching (a pooled pad adds the pool's batch window).
  GstClockTime latency = 0;
  // How far behind real time the GAPs of sparse pads trail.
  GstClockTime gap_delay = 0;
};

// Who drains a pad's queue and pushes its items downstream:
// - Task: the pad's own streaming task (gst_pad_start_task);
// - Direct: whoever delivers an item pushes it, in PLAYING
//   (push-mode=network-thread);
// - Pooled: a thread of the shared push pool (push-mode=shared-threads,
//   rtms-push-pool.h), in PLAYING. The pad is "scheduled" from the item that
//   finds it idle until a pool thread finds its queue empty.
enum class SrcPadDelivery { Task, Direct, Pooled };

// The pad's private part (its queue, drain state and identity).
struct SrcPadQueue;

}  // namespace rtms

struct _GstRtmsSrcPad {
  GstPad parent;
  rtms::SrcPadQueue *queue;  // created in init, deleted in finalize
};

// A pad of template templ, not yet active. shared outlives the pad's
// activity; sparse pads (video, share, text) send GAPs while idle.
GstRtmsSrcPad *gst_rtms_src_pad_new(GstPadTemplate *templ, const std::string &name,
                                    const char *media_type, int64_t participant_id,
                                    const std::string &participant_name,
                                    rtms::SrcPadShared *shared, rtms::SrcPadDelivery delivery,
                                    bool sparse);

// Hands a buffer or serialized event to the pad, which takes it: queued for
// whoever drains the pad, or, on a direct pad in PLAYING, pushed right here
// after whatever was queued before it. False when the pad takes nothing more
// (flushing, or after its EOS): the item was dropped.
bool gst_rtms_src_pad_deliver(GstRtmsSrcPad *pad, GstMiniObject *item);
// The element is PLAYING: a direct pad pushes what waited in its queue, a
// pooled one is scheduled; a task pad has been pushing all along.
void gst_rtms_src_pad_start_pushing(GstRtmsSrcPad *pad);

// Updates the participant's name (notify::participant-name); next to free
// when the name is unchanged. Called on one thread at a time, the one that
// delivers the session's messages (it reads the name unlocked).
void gst_rtms_src_pad_set_participant_name(GstRtmsSrcPad *pad, const std::string &name);
// Both at once, for a pad that follows whoever is shown or speaking
// (notify::participant-id and notify::participant-name when they change).
// The same threading rule as gst_rtms_src_pad_set_participant_name.
void gst_rtms_src_pad_set_participant(GstRtmsSrcPad *pad, int64_t id, const std::string &name);
std::string gst_rtms_src_pad_get_participant_name(GstRtmsSrcPad *pad);

// Starts loading what a delivery to the pad reads first, for a caller with
// other work to do before it delivers: with hundreds of streams, a stream's
// pad is cold in cache each time its turn comes. queue is the pad's
// (gst_rtms_src_pad_get_queue), kept by the caller: reading it from the pad
// would wait for one more cold line.
const rtms::SrcPadQueue *gst_rtms_src_pad_get_queue(GstRtmsSrcPad *pad);
void gst_rtms_src_pad_prefetch(GstRtmsSrcPad *pad, const rtms::SrcPadQueue *queue);
