#include "pad_router.h"

#include <cerrno>
#include <cstdio>
#include <exception>
#include <vector>

#include <glib/gstdio.h>

#include "common/gst_gref.h"
#include "log.h"

namespace gateway {

namespace {

constexpr const char *kRoutesKey = "rtms-gateway-pad-routes";
constexpr const char *kRoutedKinds[] = {"video", "deskshare", "transcript", "chat"};

// Elements made here belong to the bin once added; until then to us.
struct NewElements {
  std::vector<GstElement *> elements;
  ~NewElements() {
    for (GstElement *e : elements)
      if (e) gst_object_unref(gst_object_ref_sink(e));
  }
  GstElement *make(const char *factory) {
    GstElement *e = gst_element_factory_make(factory, nullptr);
    elements.push_back(e);
    return e;
  }
  bool all_made() const {
    for (GstElement *e : elements)
      if (!e) return false;
    return true;
  }
  // Adds them all to bin (which sinks the floating refs) and links them in
  // order; they start downstream first so data never meets one not ready.
  bool add_and_link(GstBin *bin) {
    for (GstElement *e : elements) gst_bin_add(bin, e);
    std::vector<GstElement *> added = std::move(elements);
    elements.clear();
    bool linked = true;
    for (size_t i = 1; i < added.size() && linked; i++) linked = gst_element_link(added[i - 1], added[i]);
    for (size_t i = added.size(); i-- > 0;) gst_element_sync_state_with_parent(added[i]);
    return linked;
  }
};

bool link_to(GstPad *from, GstElement *element, const char *template_or_pad) {
  auto sink = rtms::adopt(gst_element_get_static_pad(element, template_or_pad));
  return sink && gst_pad_link(from, sink.get()) == GST_PAD_LINK_OK;
}

// queue ! audiorate ! audioconvert ! wavenc ! filesink; returns the queue.
GstElement *add_wav_branch(GstBin *bin, const std::string &location) {
  NewElements chain;
  GstElement *queue = chain.make("queue");
  chain.make("audiorate");
  chain.make("audioconvert");
  chain.make("wavenc");
  GstElement *sink = chain.make("filesink");
  if (!chain.all_made()) return nullptr;
  g_object_set(sink, "location", location.c_str(), "async", FALSE, nullptr);
  return chain.add_and_link(bin) ? queue : nullptr;
}

// queue ! audioconvert ! audioresample ! mix.sink_%u; returns the queue.
GstElement *add_mix_branch(GstBin *bin, GstElement *mix) {
  NewElements chain;
  GstElement *queue = chain.make("queue");
  chain.make("audioconvert");
  GstElement *resample = chain.make("audioresample");
  if (!chain.all_made()) return nullptr;
  // A burst of buffered audio (up to 60 s) must not stall the WAV branch
  // beside it while the mixer plays it out in real time.
  g_object_set(queue, "max-size-time", guint64(65 * GST_SECOND), "max-size-buffers", 0u, "max-size-bytes", 0u,
               nullptr);
  if (!chain.add_and_link(bin)) return nullptr;
  return gst_element_link(resample, mix) ? queue : nullptr;
}

void route_audio(GstElement *src, GstPad *pad, const PadRoutes &routes, const char *pad_name) {
  auto parent = rtms::adopt(gst_element_get_parent(src));
  if (!parent || !GST_IS_BIN(parent.get())) return;
  GstBin *bin = GST_BIN(parent.get());
  auto mix = rtms::adopt(gst_bin_get_by_name(bin, "mix"));
  gint64 participant = 0;
  g_object_get(pad, "participant-id", &participant, nullptr);
  std::string wav = routes.out_dir + "/" + pad_name + "-" + std::to_string(participant) + ".wav";

  std::vector<GstElement *> heads;
  if (routes.per_participant_audio) {
    GstElement *head = add_wav_branch(bin, wav);
    if (!head) tools::log_error("%s: cannot record %s to %s (missing or unlinkable elements)", routes.label.c_str(),
                                pad_name,
                                wav.c_str());
    else heads.push_back(head);
  }
  if (mix) {
    GstElement *head = add_mix_branch(bin, mix.get());
    if (!head) tools::log_error("%s: cannot mix %s into 'mix'", routes.label.c_str(), pad_name);
    else heads.push_back(head);
  }
  if (heads.empty()) return;
  bool linked;
  if (heads.size() == 1) {
    linked = link_to(pad, heads[0], "sink");
  } else {
    // One pad, two consumers.
    GstElement *tee = gst_element_factory_make("tee", nullptr);
    if (!tee) {
      tools::log_error("%s: no tee element", routes.label.c_str());
      return;
    }
    gst_bin_add(bin, tee);
    linked = true;
    for (GstElement *head : heads) linked = linked && gst_element_link(tee, head);
    gst_element_sync_state_with_parent(tee);
    linked = linked && link_to(pad, tee, "sink");
  }
  if (!linked) {
    tools::log_error("%s: cannot link %s", routes.label.c_str(), pad_name);
    return;
  }
  std::string where = std::string(routes.per_participant_audio ? " -> " + wav : "") + (mix ? " -> 'mix'" : "");
  if (participant == 0)  // rtmssrc's mixed audio pad: nobody in particular
    tools::log_info("%s: mixed audio on %s%s", routes.label.c_str(), pad_name, where.c_str());
  else
    tools::log_info("%s: participant %" G_GINT64_FORMAT " speaks on %s%s", routes.label.c_str(), participant, pad_name,
                    where.c_str());
}

void route_named(GstElement *src, GstPad *pad, const PadRoutes &routes, const char *pad_name, const char *kind);

// queue ! rtmstextenc ! filesink (WebVTT, written as it goes); returns the
// queue. False with why when the file cannot be created.
GstElement *add_webvtt_branch(GstBin *bin, const std::string &location, std::string *why) {
  // Created now so that a folder it cannot go in is a log line, not an
  // error of the whole pipeline when filesink opens it.
  FILE *probe = g_fopen(location.c_str(), "wb");
  if (!probe) {
    *why = "cannot create " + location + ": " + g_strerror(errno);
    return nullptr;
  }
  std::fclose(probe);
  NewElements chain;
  GstElement *queue = chain.make("queue");
  GstElement *enc = chain.make("rtmstextenc");
  GstElement *sink = chain.make("filesink");
  if (!chain.all_made()) {
    *why = "missing elements (queue, rtmstextenc from the rtms plugin, filesink)";
    return nullptr;
  }
  // A line can wait for transcript GAPs (text-gap-delay) plus the encoder's
  // reorder-window before it is written; then it goes to the file at once
  // (unbuffered), so that a killed gateway leaves every line written so far.
  gst_util_set_object_arg(G_OBJECT(enc), "format", "webvtt");
  g_object_set(sink, "location", location.c_str(), "async", FALSE, "sync", FALSE, nullptr);
  gst_util_set_object_arg(G_OBJECT(sink), "buffer-mode", "unbuffered");
  if (!chain.add_and_link(bin)) {
    *why = "cannot link queue ! rtmstextenc ! filesink";
    return nullptr;
  }
  return queue;
}

GstPadLinkReturn link_pads(GstPad *from, GstElement *element) {
  auto sink = rtms::adopt(gst_element_get_static_pad(element, "sink"));
  return sink ? gst_pad_link(from, sink.get()) : GST_PAD_LINK_NOFORMAT;
}

// The free sink pad of the element named kind, if there is one.
GstPad *free_named_sink(GstElement *src, const char *kind) {
  auto parent = rtms::adopt(gst_element_get_parent(src));
  if (!parent || !GST_IS_BIN(parent.get())) return nullptr;
  auto target = rtms::adopt(gst_bin_get_by_name(GST_BIN(parent.get()), kind));
  if (!target) return nullptr;
  GstPad *sink = gst_element_get_static_pad(target.get(), "sink");
  if (sink && gst_pad_is_linked(sink)) {  // taken, e.g. by a delayed link of the template
    gst_object_unref(sink);
    return nullptr;
  }
  return sink;
}

// transcript_N -> {out}/transcript.vtt, and to the element named transcript
// as well when there is one (through a tee).
void route_transcript_webvtt(GstElement *src, GstPad *pad, const PadRoutes &routes, const char *pad_name) {
  auto parent = rtms::adopt(gst_element_get_parent(src));
  if (!parent || !GST_IS_BIN(parent.get())) return;
  GstBin *bin = GST_BIN(parent.get());
  std::string path = routes.out_dir + "/transcript.vtt";
  std::string why;
  GstElement *head = add_webvtt_branch(bin, path, &why);
  if (!head) {
    tools::log_error("%s: no WebVTT transcript: %s", routes.label.c_str(), why.c_str());
    route_named(src, pad, routes, pad_name, "transcript");
    return;
  }
  auto named = rtms::adopt(free_named_sink(src, "transcript"));
  bool linked;
  if (!named) {
    linked = link_to(pad, head, "sink");
  } else {
    GstElement *tee = gst_element_factory_make("tee", nullptr);
    if (!tee) {
      tools::log_error("%s: no tee element", routes.label.c_str());
      return;
    }
    gst_bin_add(bin, tee);
    auto to_file = rtms::adopt(gst_element_request_pad_simple(tee, "src_%u"));
    auto to_named = rtms::adopt(gst_element_request_pad_simple(tee, "src_%u"));
    GstPadLinkReturn file_link = to_file ? link_pads(to_file.get(), head) : GST_PAD_LINK_REFUSED;
    GstPadLinkReturn named_link = to_named ? gst_pad_link(to_named.get(), named.get()) : GST_PAD_LINK_REFUSED;
    gst_element_sync_state_with_parent(tee);
    auto tee_sink = rtms::adopt(gst_element_get_static_pad(tee, "sink"));
    GstPadLinkReturn in_link = gst_pad_link(pad, tee_sink.get());
    linked = file_link == GST_PAD_LINK_OK && named_link == GST_PAD_LINK_OK && in_link == GST_PAD_LINK_OK;
    if (!linked)
      tools::log_error("%s: cannot link %s through a tee: to the file %s, to 'transcript' %s, into the tee %s",
                       routes.label.c_str(), pad_name, gst_pad_link_get_name(file_link),
                       gst_pad_link_get_name(named_link), gst_pad_link_get_name(in_link));
  }
  if (!linked) {
    tools::log_error("%s: cannot link %s to %s", routes.label.c_str(), pad_name, path.c_str());
    return;
  }
  tools::log_info("%s: %s -> %s%s", routes.label.c_str(), pad_name, path.c_str(), named ? " and 'transcript'" : "");
}

void route_named(GstElement *src, GstPad *pad, const PadRoutes &routes, const char *pad_name, const char *kind) {
  auto parent = rtms::adopt(gst_element_get_parent(src));
  if (!parent || !GST_IS_BIN(parent.get())) return;
  auto target = rtms::adopt(gst_bin_get_by_name(GST_BIN(parent.get()), kind));
  if (!target) return;
  auto sink = rtms::adopt(gst_element_get_static_pad(target.get(), "sink"));
  if (!sink || gst_pad_is_linked(sink.get())) return;  // taken, e.g. by a delayed link of the template
  GstPadLinkReturn result = gst_pad_link(pad, sink.get());
  if (result != GST_PAD_LINK_OK)
    tools::log_error("%s: cannot link %s to '%s': %s", routes.label.c_str(), pad_name, kind,
                     gst_pad_link_get_name(result));
  else
    tools::log_info("%s: %s -> '%s'", routes.label.c_str(), pad_name, kind);
}

void on_pad_added(GstElement *src, GstPad *pad, gpointer) {
  try {
    const auto *routes = static_cast<const PadRoutes *>(g_object_get_data(G_OBJECT(src), kRoutesKey));
    if (!routes) return;
    auto name = rtms::adopt(gst_pad_get_name(pad));
    if (g_str_has_prefix(name.get(), "audio_")) {
      route_audio(src, pad, *routes, name.get());
      return;
    }
    if (routes->webvtt && g_str_has_prefix(name.get(), "transcript_")) {
      route_transcript_webvtt(src, pad, *routes, name.get());
      return;
    }
    for (const char *kind : kRoutedKinds) {
      std::string prefix = std::string(kind) + "_";
      if (g_str_has_prefix(name.get(), prefix.c_str())) route_named(src, pad, *routes, name.get(), kind);
    }
  } catch (const std::exception &e) {
    tools::log_error("linking a new pad failed: %s", e.what());
  } catch (...) {
    tools::log_error("linking a new pad failed");
  }
}

}  // namespace

void route_pads(GstElement *src, const PadRoutes &routes) {
  g_object_set_data_full(G_OBJECT(src), kRoutesKey, rtms::CallbackData<PadRoutes>::give(routes),
                         rtms::CallbackData<PadRoutes>::free);
  g_signal_connect(src, "pad-added", G_CALLBACK(on_pad_added), nullptr);
}

void end_unrouted_inputs(GstBin *pipeline) {
  for (const char *kind : kRoutedKinds) {
    auto target = rtms::adopt(gst_bin_get_by_name(pipeline, kind));
    if (!target) continue;
    auto sink = rtms::adopt(gst_element_get_static_pad(target.get(), "sink"));
    if (!sink || gst_pad_is_linked(sink.get())) continue;
    // The events any stream starts with, so nothing downstream complains
    // about an EOS out of nowhere; then the end.
    std::string stream_id = std::string("rtms-gateway/unused-") + kind;
    gst_pad_send_event(sink.get(), gst_event_new_stream_start(stream_id.c_str()));
    GstSegment segment;
    gst_segment_init(&segment, GST_FORMAT_TIME);
    gst_pad_send_event(sink.get(), gst_event_new_segment(&segment));
    gst_pad_send_event(sink.get(), gst_event_new_eos());
  }
}

}  // namespace gateway
