#include "rtms-src-outputs.h"

#include <algorithm>

GST_DEBUG_CATEGORY_EXTERN(gst_rtms_src_debug);
#define GST_CAT_DEFAULT gst_rtms_src_debug

namespace rtms {

static const char *const kTagParticipantId = "rtms-participant-id";
static const char *const kTagParticipantName = "rtms-participant-name";

void register_participant_tags() {
  static gsize done = 0;
  if (g_once_init_enter(&done)) {
    gst_tag_register(kTagParticipantId, GST_TAG_FLAG_META, G_TYPE_INT64, "RTMS participant id",
                     "Zoom user_id of the participant (0: everyone mixed)", nullptr);
    gst_tag_register(kTagParticipantName, GST_TAG_FLAG_META, G_TYPE_STRING,
                     "RTMS participant name", "Display name of the participant", nullptr);
    g_once_init_leave(&done, 1);
  }
}

const char *output_kind_name(OutputKind kind) {
  switch (kind) {
    case OutputKind::Audio: return "audio";
    case OutputKind::Video: return "video";
    case OutputKind::Deskshare: return "deskshare";
    case OutputKind::Transcript: return "transcript";
    case OutputKind::Chat: return "chat";
  }
  return "unknown";
}

static GstStreamType stream_type_of(OutputKind kind) {
  switch (kind) {
    case OutputKind::Audio: return GST_STREAM_TYPE_AUDIO;
    case OutputKind::Video:
    case OutputKind::Deskshare: return GST_STREAM_TYPE_VIDEO;
    default: return GST_STREAM_TYPE_TEXT;
  }
}

// Text and screen share come in bursts with nothing in between.
static bool is_sparse_stream(OutputKind kind) {
  return kind == OutputKind::Transcript || kind == OutputKind::Chat ||
         kind == OutputKind::Deskshare;
}

// The title of a pad that follows whoever speaks or is shown: muxers name
// the track after it, which must not change with every speaker.
static const char *follower_title(OutputKind kind) {
  switch (kind) {
    case OutputKind::Audio: return "Mixed audio";
    case OutputKind::Video: return "Video";
    case OutputKind::Deskshare: return "Screen share";
    case OutputKind::Transcript: return "Transcript";
    case OutputKind::Chat: return "Chat";
  }
  return "";
}

GstTagList *participant_tags(OutputKind kind, bool follows, int64_t user_id,
                             const std::string &name) {
  register_participant_tags();
  GstTagList *tags = gst_tag_list_new(kTagParticipantId, gint64(user_id), nullptr);
  std::string title = follows ? std::string(follower_title(kind)) : name;
  if (!name.empty())
    gst_tag_list_add(tags, GST_TAG_MERGE_REPLACE, kTagParticipantName, name.c_str(), nullptr);
  if (!title.empty())
    gst_tag_list_add(tags, GST_TAG_MERGE_REPLACE, GST_TAG_TITLE, title.c_str(), nullptr);
  gst_tag_list_set_scope(tags, GST_TAG_SCOPE_STREAM);
  return tags;
}

static bool deliver(GstRtmsSrcPad *pad, GstEvent *event) {
  return gst_rtms_src_pad_deliver(pad, GST_MINI_OBJECT_CAST(event));
}

void OutputTable::reset(const std::string &rtms_stream_id) {
  std::lock_guard<std::mutex> guard(lock_);
  rtms_stream_id_ = rtms_stream_id;
  group_id_ = gst_util_group_id_next();
  for (guint &n : next_number_) n = 0;
  announced_ = false;
  ended_ = false;
}

GstStreamCollection *OutputTable::collection_locked() const {
  GstStreamCollection *collection = gst_stream_collection_new(rtms_stream_id_.c_str());
  for (const auto &out : outputs_)
    gst_stream_collection_add_stream(collection, GST_STREAM(gst_object_ref(out->stream)));
  return collection;
}

Output *OutputTable::add(OutputKind kind, int64_t user_id, const std::string &user_name,
                         GstCaps *caps, SrcPadDelivery delivery, int64_t shown_user) {
  // A pad of everyone (user_id 0) shows one participant at a time.
  const bool follows = user_id == 0;
  const int64_t identity = follows && shown_user > 0 ? shown_user : user_id;
  const char *kind_name = output_kind_name(kind);
  const std::string templ_name = std::string(kind_name) + "_%u";
  GstPadTemplate *templ =
      gst_element_class_get_pad_template(GST_ELEMENT_GET_CLASS(element_), templ_name.c_str());
  GstRtmsSrcPad *pad;
  Output *out;
  GstStreamCollection *collection;
  guint group_id;
  {
    std::lock_guard<std::mutex> guard(lock_);
    std::string name = std::string(kind_name) + "_" + std::to_string(next_number_[int(kind)]++);
    // Everything but audio can go quiet for long stretches (cameras off, no
    // sharing, nobody speaking): those pads declare the silence with GAPs.
    pad = gst_rtms_src_pad_new(templ, name, kind_name, identity, user_name, &pads_, delivery,
                               kind != OutputKind::Audio);
    auto owned = std::make_unique<Output>();
    out = owned.get();
    out->pad = pad;
    out->pad_queue = gst_rtms_src_pad_get_queue(pad);
    out->kind = kind;
    out->user_id = user_id;
    out->stream_id = rtms_stream_id_ + "/" + kind_name + "/" + std::to_string(user_id);
    out->stream = gst_stream_new(out->stream_id.c_str(), caps, stream_type_of(kind),
                                 is_sparse_stream(kind) ? GST_STREAM_FLAG_SPARSE
                                                        : GST_STREAM_FLAG_NONE);
    GstTagList *tags = participant_tags(kind, follows, identity, user_name);
    gst_stream_set_tags(out->stream, tags);
    gst_tag_list_unref(tags);
    outputs_.push_back(std::move(owned));
    collection = collection_locked();
    group_id = group_id_;
  }
  pads_.flow.add_pad(GST_PAD(pad));
  gst_pad_set_active(GST_PAD(pad), TRUE);

  GstEvent *start = gst_event_new_stream_start(out->stream_id.c_str());
  gst_event_set_group_id(start, group_id);
  gst_event_set_stream(start, out->stream);
  if (is_sparse_stream(kind)) gst_event_set_stream_flags(start, GST_STREAM_FLAG_SPARSE);
  deliver(pad, start);
  deliver(pad, gst_event_new_stream_collection(collection));
  deliver(pad, gst_event_new_caps(caps));
  GstSegment segment;
  gst_segment_init(&segment, GST_FORMAT_TIME);
  deliver(pad, gst_event_new_segment(&segment));
  deliver(pad, gst_event_new_tag(participant_tags(kind, follows, identity, user_name)));
  // An application's EOS can come while this runs; it must reach the pad
  // after the events above, never before them (a stream with no segment).
  bool ended;
  {
    std::lock_guard<std::mutex> guard(lock_);
    out->opened = true;
    ended = ended_;
  }
  if (ended) deliver(pad, gst_event_new_eos());

  GST_INFO_OBJECT(element_, "new pad %s for participant %" G_GINT64_FORMAT " (%s)",
                  GST_PAD_NAME(pad), user_id,
                  user_name.empty() ? "name not known yet" : user_name.c_str());
  gst_element_add_pad(element_, GST_PAD(pad));
  gst_element_post_message(element_, gst_message_new_stream_collection(GST_OBJECT(element_),
                                                                       collection));
  gst_object_unref(collection);
  return out;
}

void OutputTable::rename_participant(int64_t user_id, const std::string &name) {
  if (user_id == 0) return;
  std::vector<Output *> theirs;
  {
    std::lock_guard<std::mutex> guard(lock_);
    for (const auto &out : outputs_)
      if (out->user_id == user_id) theirs.push_back(out.get());
  }
  for (Output *out : theirs) {
    if (gst_rtms_src_pad_get_participant_name(out->pad) == name) continue;
    gst_rtms_src_pad_set_participant_name(out->pad, name);
    deliver(out->pad, gst_event_new_tag(participant_tags(out->kind, false, user_id, name)));
  }
}

bool OutputTable::has(OutputKind kind) const {
  std::lock_guard<std::mutex> guard(lock_);
  return std::any_of(outputs_.begin(), outputs_.end(),
                     [kind](const auto &out) { return out->kind == kind; });
}

void OutputTable::announce() {
  {
    std::lock_guard<std::mutex> guard(lock_);
    if (announced_) return;
    announced_ = true;
  }
  GST_INFO_OBJECT(element_, "no more pads");
  gst_element_no_more_pads(element_);
}

// The pads of the outputs keep selects, each with a reference.
std::vector<GstRtmsSrcPad *> OutputTable::pads_where(bool (*keep)(const Output &)) const {
  std::vector<GstRtmsSrcPad *> pads;
  for (const auto &out : outputs_)
    if (keep(*out)) pads.push_back(GST_RTMS_SRC_PAD(gst_object_ref(out->pad)));
  return pads;
}

void OutputTable::end_all() {
  announce();
  // Not under lock_: a direct pad pushes the EOS right away.
  std::vector<GstRtmsSrcPad *> pads;
  {
    std::lock_guard<std::mutex> guard(lock_);
    ended_ = true;
    pads = pads_where([](const Output &out) { return out.opened; });
  }
  for (GstRtmsSrcPad *pad : pads) {
    deliver(pad, gst_event_new_eos());
    gst_object_unref(pad);
  }
}

void OutputTable::start_pushing() {
  std::vector<GstRtmsSrcPad *> pads;
  {
    std::lock_guard<std::mutex> guard(lock_);
    pads = pads_where([](const Output &) { return true; });
  }
  for (GstRtmsSrcPad *pad : pads) {
    gst_rtms_src_pad_start_pushing(pad);
    gst_object_unref(pad);
  }
}

void OutputTable::remove_all() {
  std::vector<std::unique_ptr<Output>> outputs;
  {
    std::lock_guard<std::mutex> guard(lock_);
    outputs.swap(outputs_);
  }
  pads_.flow.clear();
  for (auto &out : outputs) {
    gst_pad_set_active(GST_PAD(out->pad), FALSE);
    gst_element_remove_pad(element_, GST_PAD(out->pad));
    gst_object_unref(out->stream);
  }
}

void OutputTable::add_stats(GstStructure *stats) const {
  guint64 buffers[kOutputKinds] = {}, bytes[kOutputKinds] = {};
  guint pads[kOutputKinds] = {};
  {
    std::lock_guard<std::mutex> guard(lock_);
    for (const auto &out : outputs_) {
      buffers[int(out->kind)] += out->buffers.load(std::memory_order_relaxed);
      bytes[int(out->kind)] += out->bytes.load(std::memory_order_relaxed);
      pads[int(out->kind)]++;
    }
  }
  for (int k = 0; k < kOutputKinds; k++) {
    std::string name = output_kind_name(OutputKind(k));
    gst_structure_set(stats, (name + "-pads").c_str(), G_TYPE_UINT, pads[k],
                      (name + "-buffers").c_str(), G_TYPE_UINT64, buffers[k],
                      (name + "-bytes").c_str(), G_TYPE_UINT64, bytes[k], nullptr);
  }
}

}  // namespace rtms
