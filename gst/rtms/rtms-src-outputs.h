// rtmssrc's output table: every output pad of the running stream, with
// what they share (pad numbers, the group id, the stream collection) and
// what happens to all of them at once (EOS, PLAYING, removal, statistics).
// Which outputs a media kind has, and what goes into them, is its handler's
// business (rtms-src-audio.h, rtms-src-video.h, rtms-src-text.h).
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gstrtmssrcpad.h"

namespace rtms {

// What an output pad carries; also names its template ("<kind>_%u").
enum class OutputKind { Audio = 0, Video, Deskshare, Transcript, Chat };
constexpr int kOutputKinds = 5;
const char *output_kind_name(OutputKind kind);

// A pad's stream tags: who it carries (rtms-participant-id/-name) and a
// title for muxers: the participant's name, or for a pad that follows
// whoever speaks (follows) a fixed one ("Video", "Transcript", ...).
GstTagList *participant_tags(OutputKind kind, bool follows, int64_t user_id,
                             const std::string &name);
// Registers the tags above (once; participant_tags does it too).
void register_participant_tags();

// One output pad and the counters of what went through it. What every
// audio packet reads and writes comes first, in one cache line: with
// hundreds of streams on a thread, a stream's state is cold each time its
// turn comes.
struct alignas(64) Output {
  GstRtmsSrcPad *pad = nullptr;  // owned by the element once added
  const SrcPadQueue *pad_queue = nullptr;  // the pad's, for gst_rtms_src_pad_prefetch
  // Server time (ms) the next packet should carry if nothing is missing.
  // Session thread only (as every field but the counters and opened).
  int64_t next_server_ms = 0;
  // Written by the session thread only, read by the stats.
  std::atomic<guint64> buffers{0};
  std::atomic<guint64> bytes{0};
  // Audio: hash of the name the packets last gave (0: none yet), so that an
  // unchanged name (nearly always) is recognised without touching the pad.
  size_t packet_name_hash = 0;
  OutputKind kind = OutputKind::Audio;
  bool has_next = false;
  // (end of the first cache line)

  int64_t user_id = 0;
  std::string stream_id;
  GstStream *stream = nullptr;  // owned
  // Its opening events are queued: from now on an EOS may follow them
  // (OutputTable's lock).
  bool opened = false;

  // Counts a buffer the pad took (single writer: no read-modify-write).
  void count(gsize size) {
    buffers.store(buffers.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    bytes.store(bytes.load(std::memory_order_relaxed) + size, std::memory_order_relaxed);
  }
};
static_assert(offsetof(Output, has_next) < 64, "the audio path's fields fit one cache line");

class OutputTable {
 public:
  OutputTable(GstElement *element, SrcPadShared &pads) : element_(element), pads_(pads) {}
  OutputTable(const OutputTable &) = delete;
  OutputTable &operator=(const OutputTable &) = delete;

  // A session starts: pad numbers from 0, a new group id, nothing announced
  // or ended. rtms_stream_id names the streams.
  void reset(const std::string &rtms_stream_id);

  // Creates, announces and starts one output pad; on the session thread,
  // the only thread that creates outputs. The pad gets its sticky events
  // (stream-start, collection, caps, segment, tags) before it is added, and
  // data only after, so a pad-added handler always links it in time.
  // caps: transfer none. user_id 0: the pad of everyone (mixed audio) or
  // the one pad of its kind, which follows whoever is shown or speaking;
  // shown_user is who that is at the start (participant-id, tags), -1 if
  // nobody yet.
  Output *add(OutputKind kind, int64_t user_id, const std::string &user_name, GstCaps *caps,
              SrcPadDelivery delivery, int64_t shown_user = -1);
  // A participant's name is known (join event): their own pads follow it.
  void rename_participant(int64_t user_id, const std::string &name);
  // Whether an output of kind exists.
  bool has(OutputKind kind) const;

  // Emits no-more-pads unless it was emitted already.
  void announce();
  // The stream is over: no-more-pads if not yet, and an EOS on every pad
  // (a pad opened later sends its own).
  void end_all();
  // The element is PLAYING (gst_rtms_src_pad_start_pushing on each pad).
  void start_pushing();
  // Deactivates and removes every pad (PAUSED->READY, the session stopped).
  void remove_all();
  // <kind>-pads, <kind>-buffers and <kind>-bytes of every kind.
  void add_stats(GstStructure *stats) const;

 private:
  GstStreamCollection *collection_locked() const;
  std::vector<GstRtmsSrcPad *> pads_where(bool (*keep)(const Output &)) const;

  GstElement *const element_;
  SrcPadShared &pads_;
  // Guards everything below. Never held while calling into GStreamer
  // functions that may call back (pushes, adding pads, messages).
  mutable std::mutex lock_;
  std::vector<std::unique_ptr<Output>> outputs_;
  guint next_number_[kOutputKinds] = {};  // never reused while running
  guint group_id_ = 0;
  std::string rtms_stream_id_;
  bool announced_ = false;  // no-more-pads sent (once per session)
  // Every opened pad has been sent its EOS; a pad opened later sends its own.
  bool ended_ = false;
};

}  // namespace rtms
