#include "webrtc_branch.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <cstring>
#include <utility>
#include <vector>

#ifndef GST_USE_UNSTABLE_API
#define GST_USE_UNSTABLE_API
#endif
#include <gst/rtp/rtp.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

#include "log.h"
#include "turn_credentials.h"

namespace rtms {
RTMS_GREF_TRAITS(GstPromise, gst_promise_ref, gst_promise_unref);
RTMS_GREF_OWNED(GstWebRTCSessionDescription, gst_webrtc_session_description_free);
}  // namespace rtms

namespace gateway {

namespace {

// RTCP sender reports to each viewer (docs/gateway.md, "Lip sync"): a
// browser lines up sound and picture only once it has two sender reports
// of each stream (RTP time to wall clock), and under webrtcbin's profile
// (RTP/SAVPF) rtpsession's rtcp-min-interval is the least time between two
// full reports (RFC 4585 section 3.5.3, dithered by 0.5 to 1.5): 5 s by
// default. A short one for the viewer's first seconds, GStreamer's default
// after them (a report is some 200 bytes).
constexpr guint64 kEarlyRtcpIntervalNs = 250 * GST_MSECOND;
constexpr guint64 kRegularRtcpIntervalNs = 5 * GST_SECOND;
constexpr gint64 kEarlyRtcpUs = 10 * G_USEC_PER_SEC;  // after the viewer connected
constexpr gint64 kStaleAudioUs = 60 * 1000;  // see stale_audio_at_start

// How long the viewers' audio mixer waits for a participant's late packet
// before mixing without it (docs/gateway.md, "What is sent").
#define VIEWER_MIX_LATENCY_MS 50

std::atomic<int> teardowns{0};

// "factory key=value ..." per element, added to bin and linked in order;
// the first and last element, or nullptr with why.
std::vector<GstElement *> add_chain(GstBin *bin, const std::vector<std::string> &specs, std::string *why) {
  std::vector<GstElement *> made;
  for (const std::string &spec : specs) {
    auto words = rtms::adopt(g_strsplit(spec.c_str(), " ", -1));
    GstElement *e = gst_element_factory_make(words.get()[0], nullptr);
    if (!e) {
      *why = std::string("no element ") + words.get()[0] + " (is its GStreamer plugin installed?)";
      for (GstElement *m : made) gst_object_unref(gst_object_ref_sink(m));
      return {};
    }
    for (char **w = words.get() + 1; *w; w++) {
      char *eq = strchr(*w, '=');
      if (!eq) continue;
      std::string key(*w, size_t(eq - *w));
      gst_util_set_object_arg(G_OBJECT(e), key.c_str(), eq + 1);
    }
    made.push_back(e);
  }
  for (GstElement *e : made) gst_bin_add(bin, e);
  for (size_t i = 1; i < made.size(); i++) {
    if (!gst_element_link(made[i - 1], made[i])) {
      *why = std::string("cannot link ") + GST_OBJECT_NAME(made[i - 1]) + " to " + GST_OBJECT_NAME(made[i]);
      for (GstElement *e : made) {
        gst_element_set_state(e, GST_STATE_NULL);
        gst_bin_remove(bin, e);
      }
      return {};
    }
  }
  for (size_t i = made.size(); i-- > 0;) gst_element_sync_state_with_parent(made[i]);
  return made;
}

using Elements = rtms::CallbackData<std::vector<rtms::GRef<GstElement>>>;

// Elements that left the viewers' pipeline, brought to NULL off the main loop.
// Each one stopped inside the pipeline, then taken out of it.
void to_null(GstElement *pipeline, gpointer data) {
  for (auto &e : Elements::of(data)) {
    gst_element_set_locked_state(e.get(), TRUE);
    gst_element_set_state(e.get(), GST_STATE_NULL);
    gst_bin_remove(GST_BIN(pipeline), e.get());
  }
  teardowns--;
}

void pipeline_to_null(GstElement *pipeline, gpointer) {
  gst_element_set_state(pipeline, GST_STATE_NULL);
  teardowns--;
}

}  // namespace

void DelayHistogram::observe(int64_t us) {
  if (us < 0) us = 0;
  size_t i = 0;
  while (i < kBoundsUs.size() && us > kBoundsUs[i]) i++;
  buckets[i].fetch_add(1, std::memory_order_relaxed);
  sum_us.fetch_add(uint64_t(us), std::memory_order_relaxed);
  count.fetch_add(1, std::memory_order_relaxed);
}

std::string DelayHistogram::render(const std::string &name, const std::string &labels) const {
  std::string out;
  uint64_t cumulative = 0;
  char le[32];
  for (size_t i = 0; i <= kBoundsUs.size(); i++) {
    cumulative += buckets[i].load(std::memory_order_relaxed);
    if (i < kBoundsUs.size())
      g_ascii_formatd(le, sizeof le, "%g", double(kBoundsUs[i]) / 1e6);  // whatever the locale
    else
      g_strlcpy(le, "+Inf", sizeof le);
    out += name + "_bucket{" + labels + ",le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
  }
  char sum[64];
  g_ascii_formatd(sum, sizeof sum, "%.6f", double(sum_us.load(std::memory_order_relaxed)) / 1e6);
  out += name + "_sum{" + labels + "} " + sum + "\n";
  out += name + "_count{" + labels + "} " + std::to_string(count.load(std::memory_order_relaxed)) + "\n";
  return out;
}

namespace {

// When media left rtmssrc (monotonic µs), by running time: written by the
// taps, read where the media enters a viewer's webrtcbin. A video frame keeps
// its PTS through the parser, the payloader (and the re-encoder); audio is
// mixed and re-cut into Opus frames, so an Opus packet is matched to the tap
// buffers that hold its last sample (the latest of them: the mixer waited
// for it). Small rings: only the last second or so is ever looked up.
struct Arrivals {
  struct Entry {
    GstClockTime start = GST_CLOCK_TIME_NONE, end = GST_CLOCK_TIME_NONE;
    gint64 at_us = 0;
  };
  std::mutex mutex;
  std::array<Entry, 64> video;
  std::array<Entry, 256> audio;
  size_t video_next = 0, audio_next = 0;

  void note(bool is_video, GstClockTime start, GstClockTime end, gint64 at_us) {
    std::lock_guard<std::mutex> lock(mutex);
    Entry &e = is_video ? video[video_next++ % video.size()] : audio[audio_next++ % audio.size()];
    e.start = start;
    e.end = end;
    e.at_us = at_us;
  }
  // The arrival of the media at running time t, or 0 when it is not known.
  gint64 find(bool is_video, GstClockTime t) {
    std::lock_guard<std::mutex> lock(mutex);
    gint64 found = 0;
    if (is_video) {
      for (const Entry &e : video)
        if (e.start == t) found = std::max(found, e.at_us);
    } else {
      for (const Entry &e : audio)
        if (GST_CLOCK_TIME_IS_VALID(e.start) && e.start <= t && t < e.end) found = std::max(found, e.at_us);
    }
    return found;
  }
};

// On a viewer's queue (the packets entering its webrtcbin): rewrites the
// payload type of every RTP packet (and the caps) to the one this viewer's
// browser chose, the payloader being shared by all viewers; and measures the
// gateway's own delay, once per video frame or Opus packet.
struct PayloadRewrite {
  int payload;
  bool video = false;
  std::shared_ptr<Arrivals> arrivals;
  DelayHistogram *histogram = nullptr;  // in counters
  std::shared_ptr<WebrtcCounters> counters;
  GstClockTime last_pts = GST_CLOCK_TIME_NONE;
  // Measured from a second after the viewer connected (monotonic µs): until
  // then webrtcbin holds its input and the queue fills, which is the
  // connection's set-up, not the gateway's delay.
  std::shared_ptr<std::atomic<gint64>> measure_from_us;
};

// When the media of buffer left rtmssrc (monotonic µs), or 0 when not known.
gint64 arrival_of(PayloadRewrite *p, GstPad *pad, GstBuffer *buffer) {
  GstClockTime pts = GST_BUFFER_PTS(buffer);
  if (!p->arrivals || !GST_CLOCK_TIME_IS_VALID(pts)) return 0;
  // As running time, like the taps' (x264enc moves its PTS by 1000 hours and
  // its segment with them).
  auto segment_event = rtms::adopt(gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0));
  if (segment_event) {
    const GstSegment *segment = nullptr;
    gst_event_parse_segment(segment_event.get(), &segment);
    if (segment->format == GST_FORMAT_TIME) pts = gst_segment_to_running_time(segment, GST_FORMAT_TIME, pts);
  }
  if (!GST_CLOCK_TIME_IS_VALID(pts)) return 0;
  GstClockTime t = pts;
  if (!p->video && GST_BUFFER_DURATION_IS_VALID(buffer) && GST_BUFFER_DURATION(buffer) > 0)
    t = pts + GST_BUFFER_DURATION(buffer) - 1;
  return p->arrivals->find(p->video, t);
}

void measure(PayloadRewrite *p, GstPad *pad, GstBuffer *buffer) {
  if (!p->histogram || !p->arrivals) return;
  gint64 now = g_get_monotonic_time();
  if (!p->measure_from_us || now < p->measure_from_us->load()) return;
  GstClockTime pts = GST_BUFFER_PTS(buffer);
  if (!GST_CLOCK_TIME_IS_VALID(pts) || pts == p->last_pts) return;
  p->last_pts = pts;
  gint64 at = arrival_of(p, pad, buffer);
  if (at) p->histogram->observe(now - at);
}

// Sound that waited in the viewer's queue while the connection came up
// (webrtcbin holds its input until then; the queue keeps the last 500 ms):
// sent, it would start the browser's audio jitter buffer that much late,
// and Chromium shrinks it only slowly, the picture waiting for the sound
// (docs/gateway.md, "Lip sync"). Until a second after connecting, an Opus
// packet older than kStaleAudioUs is dropped; Opus packets stand alone.
bool stale_audio_at_start(PayloadRewrite *p, GstPad *pad, GstBuffer *buffer) {
  if (p->video || !p->measure_from_us) return false;
  gint64 now = g_get_monotonic_time();
  if (now >= p->measure_from_us->load()) return false;
  gint64 at = arrival_of(p, pad, buffer);
  return at && now - at > kStaleAudioUs;
}

void rewrite_buffer(GstBuffer *buffer, int payload) {
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  if (gst_rtp_buffer_map(buffer, GST_MAP_READWRITE, &rtp)) {
    gst_rtp_buffer_set_payload_type(&rtp, guint8(payload));
    gst_rtp_buffer_unmap(&rtp);
  }
}

GstPadProbeReturn on_viewer_data(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
  auto *rewrite = &rtms::CallbackData<PayloadRewrite>::of(data);
  int payload = rewrite->payload;
  if (GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER) {
    if (stale_audio_at_start(rewrite, pad, GST_PAD_PROBE_INFO_BUFFER(info))) return GST_PAD_PROBE_DROP;
    measure(rewrite, pad, GST_PAD_PROBE_INFO_BUFFER(info));
    GstBuffer *buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
    rewrite_buffer(buffer, payload);
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
  } else if (GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *list = gst_buffer_list_make_writable(GST_PAD_PROBE_INFO_BUFFER_LIST(info));
    guint n = gst_buffer_list_length(list);
    if (n > 0) measure(rewrite, pad, gst_buffer_list_get(list, 0));
    for (guint i = 0; i < n; i++) {
      GstBuffer *b = gst_buffer_list_get_writable(list, i);
      rewrite_buffer(b, payload);
    }
    GST_PAD_PROBE_INFO_DATA(info) = list;
  } else if (GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(event) != GST_EVENT_CAPS) return GST_PAD_PROBE_OK;
    GstCaps *caps = nullptr;
    gst_event_parse_caps(event, &caps);
    auto copy = rtms::adopt(gst_caps_copy(caps));
    for (guint i = 0; i < gst_caps_get_size(copy.get()); i++) {
      GstStructure *st = gst_caps_get_structure(copy.get(), i);
      gst_structure_set(st, "payload", G_TYPE_INT, payload, nullptr);
      // The camera's own profile (constrained-baseline, profile-level-id
      // 42c01f, say) would not intersect with the format the browser chose
      // (baseline, 42001f), and webrtcbin would answer the m-line inactive
      // whenever these caps arrive before the offer. The answer states the
      // browser's format, which the stream fits (checked in whep_sdp.h).
      gst_structure_remove_fields(st, "profile-level-id", "profile", "level", nullptr);
    }
    GST_PAD_PROBE_INFO_DATA(info) = gst_event_new_caps(copy.get());
    gst_event_unref(event);
  }
  return GST_PAD_PROBE_OK;
}

const char *state_name(GstWebRTCPeerConnectionState s) {
  switch (s) {
    case GST_WEBRTC_PEER_CONNECTION_STATE_NEW: return "new";
    case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTING: return "connecting";
    case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED: return "connected";
    case GST_WEBRTC_PEER_CONNECTION_STATE_DISCONNECTED: return "disconnected";
    case GST_WEBRTC_PEER_CONNECTION_STATE_FAILED: return "failed";
    case GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED: return "closed";
  }
  return "?";
}

bool is_rtpsession(GstElement *element) {
  GstElementFactory *factory = gst_element_get_factory(element);
  return factory && g_strcmp0(gst_plugin_feature_get_name(GST_PLUGIN_FEATURE(factory)), "rtpsession") == 0;
}

// The viewer's RTP session (one, bundled) sends full RTCP reports every
// kEarlyRtcpIntervalNs or so from its start: rtpbin makes it when the offer
// is set, inside webrtcbin.
void quicken_sender_reports(GstElement *webrtc) {
  g_signal_connect(webrtc, "deep-element-added", G_CALLBACK(+[](GstBin *, GstBin *, GstElement *element, gpointer) {
                     if (is_rtpsession(element)) g_object_set(element, "rtcp-min-interval", kEarlyRtcpIntervalNs, nullptr);
                   }),
                   nullptr);
}

void relax_sender_reports(GstElement *webrtc) {
  rtms::for_each_element(gst_bin_iterate_recurse(GST_BIN(webrtc)), [](GstElement *element) {
    if (is_rtpsession(element)) g_object_set(element, "rtcp-min-interval", kRegularRtcpIntervalNs, nullptr);
    return true;
  });
}

}  // namespace

// What the probes on the stream's pipeline share with the branch; they run
// on the stream's threads.
struct WebrtcBranch::Tap {
  struct AudioInput {
    rtms::GRef<GstCaps> caps;
    rtms::GRef<GstElement> appsrc;  // while there is a viewers' pipeline
    GstClockTime end = GST_CLOCK_TIME_NONE;  // running time of what the appsrc has had
    gint64 last_packet_us = 0;               // monotonic, when rtmssrc last gave this pad audio
  };
  std::mutex mutex;
  rtms::GRef<GstElement> pipeline, mixer;  // the viewers' pipeline and its audio mixer, once there is one
  rtms::GRef<GstElement> mix_format;       // the capsfilter after the mixer: its rate
  int mix_rate = 0;                        // set from the first participant's caps
  rtms::GRef<GstElement> video_src;        // the appsrc, while there is a viewers' pipeline
  rtms::GRef<GstCaps> video_caps;
  // One per audio pad of rtmssrc (a participant's, or the mixed one); the
  // pads live as long as the element (held in probes).
  std::map<GstPad *, AudioInput> audio;
  std::string video_profile;                    // profile-level-id of the camera's SPS
  std::vector<std::pair<rtms::GRef<GstPad>, gulong>> probes;
  std::shared_ptr<Arrivals> arrivals = std::make_shared<Arrivals>();
  bool closed = false;
};

namespace {

using TapPtr = std::shared_ptr<WebrtcBranch::Tap>;

}  // namespace

// Negotiation state shared with webrtcbin's threads.
struct Negotiation {
  enum class State { Pending, LocalSet, Failed };
  std::mutex mutex;
  State state = State::Pending;
  std::string error;
  rtms::GRef<GstElement> webrtc;
  void fail(const std::string &why) {
    std::lock_guard<std::mutex> lock(mutex);
    if (state == State::Failed) return;
    state = State::Failed;
    error = why;
  }
};

// When the viewer's browser last sent RTCP (monotonic µs): written on
// webrtcbin's threads, read by the main loop.
struct RtcpSeen {
  std::atomic<gint64> last_us{0};
};

struct WebrtcBranch::Viewer {
  std::string id;
  std::shared_ptr<RtcpSeen> rtcp = std::make_shared<RtcpSeen>();
  std::shared_ptr<std::atomic<gint64>> measure_from_us = std::make_shared<std::atomic<gint64>>(G_MAXINT64);
  rtms::GRef<GstElement> webrtc;
  std::vector<rtms::GRef<GstElement>> elements;                        // queues
  std::vector<std::pair<rtms::GRef<GstElement>, rtms::GRef<GstPad>>> tee_pads;
  std::shared_ptr<Negotiation> negotiation;
  std::shared_ptr<WebrtcCounters> counters;
  AnswerFn done;                 // until answered
  // The offer, until it is handed to webrtcbin: once the media have reached
  // its sink pads (or after kCapsWaitUs). webrtcbin names a pad's SSRC and
  // media stream (a=ssrc ... msid) in the answer only when it has the pad's
  // caps, and a browser keeps in sync only the tracks of one stream.
  rtms::GRef<GstWebRTCSessionDescription> offer;
  std::vector<rtms::GRef<GstPad>> sinks;  // webrtcbin's
  gint64 offer_by_us = 0;
  gint64 answer_deadline_us = 0;
  gint64 connect_deadline_us = 0;  // a viewer that never connects is dropped
  gint64 connected_us = 0;
  bool rtcp_relaxed = false;  // kEarlyRtcpUs after connecting: sender reports at GStreamer's pace
  GstWebRTCPeerConnectionState last_state = GST_WEBRTC_PEER_CONNECTION_STATE_NEW;
};

namespace {

using NegotiationPtr = std::shared_ptr<Negotiation>;

using HeldNegotiation = rtms::CallbackData<NegotiationPtr>;
gpointer hold(const NegotiationPtr &n) { return HeldNegotiation::give(n); }
void release(gpointer data) { HeldNegotiation::free(data); }

std::string reply_error(const GstStructure *reply, const char *what) {
  GError *error = nullptr;
  if (reply && gst_structure_has_field(reply, "error")) gst_structure_get(reply, "error", G_TYPE_ERROR, &error, nullptr);
  auto owned = rtms::adopt(error);
  return std::string(what) + (owned ? std::string(": ") + owned->message : std::string());
}

void on_local_set(GstPromise *promise, gpointer data) {
  auto n = HeldNegotiation::of(data);
  auto owned = rtms::adopt(promise);
  const GstStructure *reply = gst_promise_get_reply(promise);
  if (reply && gst_structure_has_field(reply, "error")) {
    n->fail(reply_error(reply, "setting the answer failed"));
    return;
  }
  std::lock_guard<std::mutex> lock(n->mutex);
  if (n->state == Negotiation::State::Pending) n->state = Negotiation::State::LocalSet;
}

void on_answer(GstPromise *promise, gpointer data) {
  auto n = HeldNegotiation::of(data);
  auto owned = rtms::adopt(promise);
  const GstStructure *reply = gst_promise_get_reply(promise);
  GstWebRTCSessionDescription *answer = nullptr;
  if (reply && gst_structure_has_field(reply, "answer"))
    gst_structure_get(reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer, nullptr);
  auto desc = rtms::adopt(answer);
  if (!desc) {
    n->fail(reply_error(reply, "no answer to the offer"));
    return;
  }
  GstPromise *next = gst_promise_new_with_change_func(on_local_set, hold(n), release);
  g_signal_emit_by_name(n->webrtc.get(), "set-local-description", desc.get(), next);
}

void on_remote_set(GstPromise *promise, gpointer data) {
  auto n = HeldNegotiation::of(data);
  auto owned = rtms::adopt(promise);
  const GstStructure *reply = gst_promise_get_reply(promise);
  if (reply && gst_structure_has_field(reply, "error")) {
    n->fail(reply_error(reply, "the offer was refused"));
    return;
  }
  GstPromise *next = gst_promise_new_with_change_func(on_answer, hold(n), release);
  g_signal_emit_by_name(n->webrtc.get(), "create-answer", nullptr, next);
}

// The viewers' mix runs at the participants' rate (one for the whole
// stream; Opus takes 8, 12, 16, 24 and 48 kHz as they are): a resampler
// would hold back each packet's last samples until the next packet came
// (20 ms more). Set once, from the first caps (tap locked).
void set_mix_rate_locked(WebrtcBranch::Tap *tap, GstCaps *caps) {
  if (tap->mix_rate || !tap->mix_format || !caps || gst_caps_is_empty(caps)) return;
  int rate = 0;
  if (!gst_structure_get_int(gst_caps_get_structure(caps, 0), "rate", &rate)) return;
  if (rate != 8000 && rate != 12000 && rate != 16000 && rate != 24000) rate = 48000;
  tap->mix_rate = rate;
  auto format = rtms::adopt(gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING, "S16LE", "layout",
                                                G_TYPE_STRING, "interleaved", "channels", G_TYPE_INT, 1, "rate",
                                                G_TYPE_INT, rate, nullptr));
  g_object_set(tap->mix_format.get(), "caps", format.get(), nullptr);
}

void add_audio_input_locked(WebrtcBranch::Tap *tap, WebrtcBranch::Tap::AudioInput &input);

GstClockTime running_time_now(GstElement *pipeline) {
  auto clock = rtms::adopt(gst_element_get_clock(pipeline));
  if (!clock) return GST_CLOCK_TIME_NONE;
  GstClockTime now = gst_clock_get_time(clock.get()), base = gst_element_get_base_time(pipeline);
  return now > base ? now - base : 0;
}

// A buffer or caps of the stream, copied into the viewers' appsrc if there is one.
GstPadProbeReturn tap_probe(GstPad *pad, GstPadProbeInfo *info, bool video, WebrtcBranch::Tap *tap) {
  if (GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(event) != GST_EVENT_CAPS) return GST_PAD_PROBE_OK;
    GstCaps *caps = nullptr;
    gst_event_parse_caps(event, &caps);
    std::lock_guard<std::mutex> lock(tap->mutex);
    if (video) {
      tap->video_caps = rtms::share(caps);
      if (tap->video_src) g_object_set(tap->video_src.get(), "caps", caps, nullptr);
    } else {
      WebrtcBranch::Tap::AudioInput &input = tap->audio[pad];
      input.caps = rtms::share(caps);
      set_mix_rate_locked(tap, caps);
      if (input.appsrc)
        g_object_set(input.appsrc.get(), "caps", caps, nullptr);
      else
        add_audio_input_locked(tap, input);
    }
    return GST_PAD_PROBE_OK;
  }
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
  if (!buffer) return GST_PAD_PROBE_OK;
  std::string profile;
  bool need_profile = false;
  {
    std::lock_guard<std::mutex> lock(tap->mutex);
    need_profile = video && !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  }
  if (need_profile) {
    GstMapInfo map;
    if (gst_buffer_map(buffer, &map, GST_MAP_READ)) {
      profile = sps_profile_level_id(map.data, map.size);
      gst_buffer_unmap(buffer, &map);
    }
  }
  std::lock_guard<std::mutex> lock(tap->mutex);
  if (!profile.empty()) tap->video_profile = profile;
  GstElement *appsrc = nullptr;
  if (video) {
    appsrc = tap->video_src.get();
  } else {
    auto input = tap->audio.find(pad);
    if (input != tap->audio.end()) appsrc = input->second.appsrc.get();
  }
  if (!appsrc) return GST_PAD_PROBE_OK;
  // The stream's running time: the viewers' pipeline has the same clock and base time.
  GstClockTime pts = GST_BUFFER_PTS(buffer);
  auto segment_event = rtms::adopt(gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0));
  if (segment_event && GST_CLOCK_TIME_IS_VALID(pts)) {
    const GstSegment *segment = nullptr;
    gst_event_parse_segment(segment_event.get(), &segment);
    pts = gst_segment_to_running_time(segment, GST_FORMAT_TIME, pts);
  }
  if (!GST_CLOCK_TIME_IS_VALID(pts)) return GST_PAD_PROBE_OK;
  auto copy = rtms::adopt(gst_buffer_copy(buffer));
  GST_BUFFER_PTS(copy.get()) = pts;
  GST_BUFFER_DTS(copy.get()) = GST_CLOCK_TIME_NONE;
  GstClockTime end = video || !GST_BUFFER_DURATION_IS_VALID(buffer) ? pts : pts + GST_BUFFER_DURATION(buffer);
  gint64 now_us = g_get_monotonic_time();
  tap->arrivals->note(video, pts, end, now_us);
  if (!video) {
    WebrtcBranch::Tap::AudioInput &input = tap->audio[pad];
    input.last_packet_us = now_us;
    if (!GST_CLOCK_TIME_IS_VALID(input.end) || end > input.end) input.end = end;
  }
  GstFlowReturn ret = GST_FLOW_OK;
  g_signal_emit_by_name(appsrc, "push-buffer", copy.get(), &ret);  // never waits: leaky
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn on_video_tap(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
  try {
    return tap_probe(pad, info, true, rtms::CallbackData<TapPtr>::of(data).get());
  } catch (...) {
    return GST_PAD_PROBE_OK;
  }
}

GstPadProbeReturn on_audio_tap(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
  try {
    return tap_probe(pad, info, false, rtms::CallbackData<TapPtr>::of(data).get());
  } catch (...) {
    return GST_PAD_PROBE_OK;
  }
}

// The appsrc of one of rtmssrc's audio pads, into the viewers' mixer (tap
// locked, a viewers' pipeline made), once the pad's caps are known: the
// mixer's rate is set from them before anything flows.
void add_audio_input_locked(WebrtcBranch::Tap *tap, WebrtcBranch::Tap::AudioInput &input) {
  if (input.appsrc || !input.caps || !tap->pipeline || !tap->mixer) return;
  set_mix_rate_locked(tap, input.caps.get());
  GstElement *appsrc = gst_element_factory_make("appsrc", nullptr);
  if (!appsrc) return;
  gst_util_set_object_arg(G_OBJECT(appsrc), "leaky-type", "downstream");
  g_object_set(appsrc, "is-live", TRUE, "format", GST_FORMAT_TIME, "max-bytes", guint64(1000000), "min-latency",
               gint64(0), nullptr);
  g_object_set(appsrc, "caps", input.caps.get(), nullptr);
  GstBin *bin = GST_BIN(tap->pipeline.get());
  gst_bin_add(bin, appsrc);
  auto src = rtms::adopt(gst_element_get_static_pad(appsrc, "src"));
  auto sink = rtms::adopt(gst_element_request_pad_simple(tap->mixer.get(), "sink_%u"));
  if (!sink || gst_pad_link(src.get(), sink.get()) != GST_PAD_LINK_OK) {
    if (sink) gst_element_release_request_pad(tap->mixer.get(), sink.get());
    gst_element_set_state(appsrc, GST_STATE_NULL);
    gst_bin_remove(bin, appsrc);
    tools::log_warning("WebRTC: cannot link a participant's audio into the viewers' mixer");
    return;
  }
  gst_element_sync_state_with_parent(appsrc);
  input.appsrc = rtms::share(appsrc);
  input.end = running_time_now(tap->pipeline.get());
}

void add_tap(const TapPtr &tap, GstPad *pad, bool video) {
  std::lock_guard<std::mutex> lock(tap->mutex);
  if (tap->closed) return;
  if (!video) add_audio_input_locked(tap.get(), tap->audio[pad]);
  gulong id = gst_pad_add_probe(pad, GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
                                video ? on_video_tap : on_audio_tap, rtms::CallbackData<TapPtr>::give(tap),
                                rtms::CallbackData<TapPtr>::free);
  tap->probes.emplace_back(rtms::share(pad), id);
}

}  // namespace

namespace {

// A browser that dies without a word is noticed by its silence: RTCP
// receiver reports stop. webrtcbin's ICE agent (Debian 12) does not check
// consent, so the connection state never changes. rtpbin says when an SSRC
// sends RTCP ("on-ssrc-active").
void watch_rtcp(GstElement *webrtc, const std::shared_ptr<RtcpSeen> &seen) {
  using Seen = rtms::CallbackData<std::shared_ptr<RtcpSeen>>;
  rtms::for_each_element(gst_bin_iterate_recurse(GST_BIN(webrtc)), [&](GstElement *element) {
    GstElementFactory *factory = gst_element_get_factory(element);
    if (!factory || g_strcmp0(gst_plugin_feature_get_name(GST_PLUGIN_FEATURE(factory)), "rtpbin") != 0) return true;
    g_signal_connect_data(
        element, "on-ssrc-active", G_CALLBACK(+[](GstElement *, guint, guint, gpointer data) {
          Seen::of(data)->last_us = g_get_monotonic_time();
        }),
        Seen::give(seen), Seen::free_closure, GConnectFlags(0));
    return false;
  });
}

// How long an offer waits for the media to reach webrtcbin (a video stream
// that has not started yet: the answer goes without its SSRC).
constexpr gint64 kCapsWaitUs = G_USEC_PER_SEC;

// How long a connected viewer may stay silent (no RTCP) before it is taken
// for gone. Browsers report at least every few seconds.
constexpr gint64 kSilentViewerUs = 15 * G_USEC_PER_SEC;

}  // namespace

WebrtcBranch::WebrtcBranch(GstElement *stream_pipeline, GstElement *src, std::string label)
    : label_(std::move(label)), stream_pipeline_(rtms::share(stream_pipeline)), tap_(std::make_shared<Tap>()) {
  // Audio: every audio pad of rtmssrc (each participant's, or the one mixed
  // pad), mixed again in the viewers' pipeline with a short latency. Not the
  // template's own mix: the recording's mixer waits 500 ms for late packets,
  // and the sound would come that much after the picture.
  struct PadHook {
    TapPtr tap;
  };
  using Hook = rtms::CallbackData<PadHook>;
  g_signal_connect_data(
      src, "pad-added",
      G_CALLBACK(+[](GstElement *, GstPad *pad, gpointer data) {
        try {
          PadHook *h = &Hook::of(data);
          auto name = rtms::adopt(gst_pad_get_name(pad));
          if (g_strcmp0(name.get(), "video_0") == 0) {
            add_tap(h->tap, pad, true);
          } else if (g_str_has_prefix(name.get(), "audio_")) {
            add_tap(h->tap, pad, false);
          }
        } catch (...) {
        }
      }),
      Hook::give(PadHook{tap_}), Hook::free_closure, GConnectFlags(0));
}

WebrtcBranch::~WebrtcBranch() {
  tick_.reset();
  fill_.reset();
  bus_watch_.reset();
  {
    std::lock_guard<std::mutex> lock(tap_->mutex);
    tap_->closed = true;
    tap_->video_src.reset();
    for (auto &input : tap_->audio) input.second.appsrc.reset();
    tap_->mixer.reset();
    tap_->mix_format.reset();
    tap_->pipeline.reset();
    for (auto &probe : tap_->probes) gst_pad_remove_probe(probe.first.get(), probe.second);
    tap_->probes.clear();
  }
  for (auto &entry : viewers_) {
    Viewer &v = *entry.second;
    if (v.done) {
      AnswerFn done = std::move(v.done);
      v.done = nullptr;
      done(503, "the stream ended");
    }
    if (v.counters) v.counters->viewers--;
  }
  viewers_.clear();
  if (pipeline_) {
    teardowns++;
    gst_element_call_async(pipeline_.get(), pipeline_to_null, nullptr, nullptr);
  }
}

int webrtc_pending_teardowns() { return teardowns.load(); }

// A participant who says nothing sends nothing (Zoom), and the viewers'
// mixer would wait its whole latency for them on every packet of the
// others. One quiet for kQuietUs (200 ms: at 60 ms, a talker's packets,
// which rtmssrc may hand over in bursts on a loaded machine, were taken for
// silence and cut) is taken to stay quiet: silence is pushed
// into their input a little ahead of the clock, so the mixer goes on with
// the others' audio as soon as it comes. The first kAheadNs of what they say
// next may fall on silence already mixed, and is left out of the viewers'
// mix (not of the recording).
gboolean WebrtcBranch::on_fill(gpointer data) {
  auto *tap = static_cast<Tap *>(data);
  constexpr gint64 kQuietUs = 200000;
  constexpr GstClockTime kAheadNs = 20 * GST_MSECOND;
  try {
    std::lock_guard<std::mutex> lock(tap->mutex);
    if (!tap->pipeline || tap->audio.size() < 2) return G_SOURCE_CONTINUE;  // alone: nobody to hold up
    GstClockTime now = running_time_now(tap->pipeline.get());
    gint64 now_us = g_get_monotonic_time();
    if (!GST_CLOCK_TIME_IS_VALID(now)) return G_SOURCE_CONTINUE;
    for (auto &entry : tap->audio) {
      Tap::AudioInput &input = entry.second;
      if (!input.appsrc || !input.caps || !GST_CLOCK_TIME_IS_VALID(input.end)) continue;
      if (now_us - input.last_packet_us < kQuietUs) continue;
      GstClockTime target = now + kAheadNs;
      if (input.end >= target) continue;
      const GstStructure *st = gst_caps_get_structure(input.caps.get(), 0);
      int rate = 0, channels = 1;
      gst_structure_get_int(st, "rate", &rate);
      gst_structure_get_int(st, "channels", &channels);
      if (rate <= 0 || channels <= 0 || g_strcmp0(gst_structure_get_string(st, "format"), "S16LE") != 0) continue;
      GstClockTime start = std::max(input.end, now > 100 * GST_MSECOND ? now - 100 * GST_MSECOND : 0);
      guint64 samples = gst_util_uint64_scale(target - start, guint64(rate), GST_SECOND);
      if (samples == 0) continue;
      GstBuffer *buffer = gst_buffer_new_allocate(nullptr, gsize(samples * guint64(channels) * 2), nullptr);
      gst_buffer_memset(buffer, 0, 0, gst_buffer_get_size(buffer));
      GST_BUFFER_PTS(buffer) = start;
      GST_BUFFER_DURATION(buffer) = gst_util_uint64_scale(samples, GST_SECOND, guint64(rate));
      GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_GAP);
      auto owned = rtms::adopt(buffer);
      input.end = start + GST_BUFFER_DURATION(buffer);
      GstFlowReturn ret = GST_FLOW_OK;
      g_signal_emit_by_name(input.appsrc.get(), "push-buffer", owned.get(), &ret);
    }
  } catch (...) {
  }
  return G_SOURCE_CONTINUE;
}

bool WebrtcBranch::ensure_pipeline(std::string *why) {
  if (pipeline_) return true;
  const char *description =
      "appsrc name=vsrc is-live=true format=time leaky-type=downstream max-bytes=4000000 "
      "! h264parse config-interval=-1 ! tee name=h264 allow-not-linked=true "
      "h264. ! queue leaky=downstream max-size-buffers=0 max-size-bytes=0 max-size-time=1000000000 "
      "! rtph264pay config-interval=-1 aggregate-mode=zero-latency pt=96 mtu=1200 "
      "! tee name=vpass allow-not-linked=true "
      "audiomixer name=amix latency=" G_STRINGIFY(VIEWER_MIX_LATENCY_MS) "000000 start-time-selection=first "
      "! capsfilter name=amixformat caps=audio/x-raw,format=S16LE,layout=interleaved,channels=1,rate=48000 "
      "! opusenc ! rtpopuspay pt=111 ! tee name=aout allow-not-linked=true";
  GError *raw_error = nullptr;
  GstElement *parsed = gst_parse_launch(description, &raw_error);
  auto pipeline = rtms::adopt(parsed ? GST_ELEMENT(gst_object_ref_sink(parsed)) : nullptr);
  auto error = rtms::adopt(raw_error);
  if (!pipeline || error) {
    *why = std::string("cannot make the viewers' pipeline: ") + (error ? error->message : "?");
    if (pipeline) gst_element_set_state(pipeline.get(), GST_STATE_NULL);
    return false;
  }
  auto vsrc = rtms::adopt(gst_bin_get_by_name(GST_BIN(pipeline.get()), "vsrc"));
  auto amix = rtms::adopt(gst_bin_get_by_name(GST_BIN(pipeline.get()), "amix"));
  auto amixformat = rtms::adopt(gst_bin_get_by_name(GST_BIN(pipeline.get()), "amixformat"));
  {
    std::lock_guard<std::mutex> lock(tap_->mutex);
    auto video_caps = tap_->video_caps
                          ? tap_->video_caps
                          : rtms::adopt(gst_caps_from_string("video/x-h264,stream-format=byte-stream,alignment=au"));
    g_object_set(vsrc.get(), "caps", video_caps.get(), nullptr);
  }
  // Same clock and base time as the stream: its running times are ours.
  auto clock = rtms::adopt(gst_pipeline_get_clock(GST_PIPELINE(stream_pipeline_.get())));
  if (clock) gst_pipeline_use_clock(GST_PIPELINE(pipeline.get()), clock.get());
  gst_element_set_start_time(pipeline.get(), GST_CLOCK_TIME_NONE);
  gst_element_set_base_time(pipeline.get(), gst_element_get_base_time(stream_pipeline_.get()));
  std::string name = std::string(GST_OBJECT_NAME(stream_pipeline_.get())) + "-webrtc";
  gst_object_set_name(GST_OBJECT(pipeline.get()), name.c_str());
  if (gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    gst_element_set_state(pipeline.get(), GST_STATE_NULL);
    *why = "the viewers' pipeline does not play";
    return false;
  }
  {
    std::lock_guard<std::mutex> lock(tap_->mutex);
    tap_->video_src = vsrc;
    tap_->pipeline = pipeline;
    tap_->mixer = amix;
    tap_->mix_format = amixformat;
    for (auto &input : tap_->audio) add_audio_input_locked(tap_.get(), input.second);
  }
  pipeline_ = std::move(pipeline);
  // Without a watch the bus would keep every message for good.
  auto bus = rtms::adopt(gst_element_get_bus(pipeline_.get()));
  bus_watch_ = rtms::SourceId(gst_bus_add_watch(bus.get(), on_bus, this));
  fill_ = rtms::SourceId(g_timeout_add(10, on_fill, tap_.get()));
  tools::log_info("%s: WebRTC viewers' pipeline started", label_.c_str());
  return true;
}

GstElement *WebrtcBranch::video_tee(bool passthrough, std::string *why) {
  const char *name = passthrough ? "vpass" : "venc";
  auto tee = rtms::adopt(gst_bin_get_by_name(GST_BIN(pipeline_.get()), name));
  if (tee) return tee.get();  // the pipeline keeps it
  // The one encoder of this stream, made for the first viewer that needs it.
  auto h264 = rtms::adopt(gst_bin_get_by_name(GST_BIN(pipeline_.get()), "h264"));
  std::vector<GstElement *> chain = add_chain(
      GST_BIN(pipeline_.get()),
      {"queue leaky=downstream max-size-buffers=0 max-size-bytes=0 max-size-time=1000000000", "avdec_h264",
       "videoconvert", "capsfilter caps=video/x-raw,format=I420",
       "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 bitrate=2000",
       "capsfilter caps=video/x-h264,profile=constrained-baseline",
       "rtph264pay config-interval=-1 aggregate-mode=zero-latency pt=96 mtu=1200", "tee name=venc allow-not-linked=true"},
      why);
  if (chain.empty()) return nullptr;
  if (!gst_element_link(h264.get(), chain.front())) {
    *why = "cannot link the encoder";
    return nullptr;
  }
  tools::log_info("%s: WebRTC: H.264 re-encoded for viewers whose browser does not take the camera's", label_.c_str());
  return chain.back();
}

bool WebrtcBranch::link_viewer_media(Viewer &viewer, GstElement *tee, int payload, const char *caps_text,
                                     DelayHistogram *histogram, bool video, std::string *why) {
  std::string queue_spec = "queue leaky=downstream max-size-buffers=0 max-size-bytes=0 max-size-time=" +
                           std::to_string(int64_t(500) * 1000000);
  std::vector<GstElement *> chain = add_chain(GST_BIN(pipeline_.get()), {queue_spec}, why);
  if (chain.empty()) return false;
  GstElement *queue = chain.front();
  viewer.elements.push_back(rtms::share(queue));
  auto queue_src = rtms::adopt(gst_element_get_static_pad(queue, "src"));
  gst_pad_add_probe(queue_src.get(),
                    GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST |
                                    GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
                    on_viewer_data,
                    rtms::CallbackData<PayloadRewrite>::give(PayloadRewrite{payload, video, tap_->arrivals, histogram,
                                                                            viewer.counters, GST_CLOCK_TIME_NONE,
                                                                            viewer.measure_from_us}),
                    rtms::CallbackData<PayloadRewrite>::free);
  // Requested with its codec, so that webrtcbin knows the transceiver's kind
  // and matches it to the offer's m-line of that kind.
  std::string caps = std::string(caps_text) + ",payload=(int)" + std::to_string(payload);
  auto preferences = rtms::adopt(gst_caps_from_string(caps.c_str()));
  GstPadTemplate *templ = gst_element_get_pad_template(viewer.webrtc.get(), "sink_%u");
  auto sink = rtms::adopt(templ ? gst_element_request_pad(viewer.webrtc.get(), templ, nullptr, preferences.get())
                                : nullptr);
  if (!sink || gst_pad_link(queue_src.get(), sink.get()) != GST_PAD_LINK_OK) {
    *why = "cannot link to webrtcbin";
    return false;
  }
  viewer.sinks.push_back(sink);
  // One media stream (a=msid) for the sound and the picture: browsers keep
  // only the tracks of one stream in sync (lip sync), by their RTCP sender
  // reports.
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(sink.get()), "msid"))
    g_object_set(sink.get(), "msid", "rtms-gateway", nullptr);
  GstWebRTCRTPTransceiver *transceiver = nullptr;
  g_object_get(sink.get(), "transceiver", &transceiver, nullptr);
  auto owned = rtms::adopt(transceiver);
  if (owned)
    g_object_set(owned.get(), "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, "codec-preferences",
                 preferences.get(), nullptr);
  auto tee_pad = rtms::adopt(gst_element_request_pad_simple(tee, "src_%u"));
  auto queue_sink = rtms::adopt(gst_element_get_static_pad(queue, "sink"));
  if (!tee_pad || gst_pad_link(tee_pad.get(), queue_sink.get()) != GST_PAD_LINK_OK) {
    *why = "cannot link the viewer's queue";
    if (tee_pad) gst_element_release_request_pad(tee, tee_pad.get());
    return false;
  }
  viewer.tee_pads.emplace_back(rtms::share(tee), std::move(tee_pad));
  return true;
}

std::string WebrtcBranch::add_viewer(const Offer &offer, const std::string &sdp, const WebrtcConfig &config,
                                     std::shared_ptr<WebrtcCounters> counters, AnswerFn done) {
  auto uuid = rtms::adopt(g_uuid_string_random());
  std::string id = uuid.get();
  std::string why;
  if (!ensure_pipeline(&why)) {
    tools::log_error("%s: WebRTC: %s", label_.c_str(), why.c_str());
    done(500, why);
    return {};
  }
  auto viewer = std::make_unique<Viewer>();
  viewer->id = id;
  viewer->counters = std::move(counters);
  GstElement *webrtc = gst_element_factory_make("webrtcbin", nullptr);
  if (!webrtc) {
    done(500, "no webrtcbin element (gstreamer1.0-plugins-bad and gstreamer1.0-nice)");
    return {};
  }
  viewer->webrtc = rtms::share(webrtc);
  gst_util_set_object_arg(G_OBJECT(webrtc), "bundle-policy", "max-bundle");
  if (!config.stun_server.empty()) g_object_set(webrtc, "stun-server", config.stun_server.c_str(), nullptr);
  if (!config.turn_server.empty()) {
    std::string turn = turn_url_for_use(config.turn_server, config.turn_secret, g_get_real_time() / G_USEC_PER_SEC,
                                        config.turn_credential_ttl_s, turn_id_for_gateway(id));
    if (!turn.empty()) g_object_set(webrtc, "turn-server", turn.c_str(), nullptr);
  }
  if (config.relay_only) g_object_set(webrtc, "ice-transport-policy", GST_WEBRTC_ICE_TRANSPORT_POLICY_RELAY, nullptr);
  gst_bin_add(GST_BIN(pipeline_.get()), webrtc);
  watch_rtcp(webrtc, viewer->rtcp);
  quicken_sender_reports(webrtc);
  gst_element_sync_state_with_parent(webrtc);

  std::string profile;
  {
    std::lock_guard<std::mutex> lock(tap_->mutex);
    profile = tap_->video_profile;
  }
  bool any = false;
  std::string what;
  if (offer.video_index >= 0) {
    VideoChoice choice = choose_video(offer.media[size_t(offer.video_index)], profile, config.video_mode);
    what += choice.why;
    GstElement *tee = choice.payload >= 0 ? video_tee(choice.passthrough, &why) : nullptr;
    DelayHistogram *histogram = !viewer->counters ? nullptr
                                : choice.passthrough ? &viewer->counters->video_passthrough
                                                     : &viewer->counters->video_encoded;
    if (tee && link_viewer_media(*viewer, tee, choice.payload,
                                 "application/x-rtp,media=(string)video,encoding-name=(string)H264,clock-rate=(int)90000,"
                                 "packetization-mode=(string)1",
                                 histogram, true, &why))
      any = true;
    else if (choice.payload >= 0)
      what += " (failed: " + why + ")";
  }
  if (offer.audio_index >= 0) {
    int pt = offer.media[size_t(offer.audio_index)].opus_payload;
    auto aout = rtms::adopt(gst_bin_get_by_name(GST_BIN(pipeline_.get()), "aout"));
    if (aout && link_viewer_media(*viewer, aout.get(), pt,
                                  "application/x-rtp,media=(string)audio,encoding-name=(string)OPUS,clock-rate=(int)48000,"
                                  "encoding-params=(string)2",
                                  viewer->counters ? &viewer->counters->audio : nullptr, false, &why)) {
      any = true;
      what += "; Opus as payload " + std::to_string(pt);
    }
  }
  viewer->done = std::move(done);
  viewer->negotiation = std::make_shared<Negotiation>();
  viewer->negotiation->webrtc = viewer->webrtc;
  gint64 now = g_get_monotonic_time();
  viewer->answer_deadline_us = now + gint64(config.answer_timeout_ms) * 1000;
  viewer->connect_deadline_us = now + 30 * G_USEC_PER_SEC;
  if (viewer->counters) viewer->counters->viewers++;
  Viewer &v = *viewer;
  viewers_[id] = std::move(viewer);
  if (!any) {
    v.negotiation->fail("the offer takes nothing the gateway sends: " + what);
  } else {
    GstSDPMessage *message = nullptr;
    gst_sdp_message_new_from_text(sdp.c_str(), &message);
    if (!message) {
      v.negotiation->fail("the offer is not SDP GStreamer reads");
    } else {
      v.offer = rtms::adopt(gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, message));
      v.offer_by_us = now + kCapsWaitUs;
      send_offer(v, now);
    }
  }
  // With minted TURN credentials, the part of their usernames that names
  // this viewer (viewer-<tag> on the 201, rtms-gateway-<tag> for the
  // gateway's side): coturn's log can be read against this line.
  std::string turn_tag = config.turn_secret.empty() || config.turn_server.empty()
                             ? std::string()
                             : " (TURN id tag " + turn_session_tag(id) + ")";
  tools::log_info("%s: WebRTC viewer %.8s%s: %s", label_.c_str(), id.c_str(), turn_tag.c_str(), what.c_str());
  if (!tick_) tick_ = rtms::SourceId(g_timeout_add(50, on_tick, this));
  return id;
}

void WebrtcBranch::send_offer(Viewer &v, gint64 now) {
  if (!v.offer) return;
  bool ready = true;
  for (auto &sink : v.sinks) ready = ready && gst_pad_has_current_caps(sink.get());
  if (!ready && now < v.offer_by_us) return;
  auto offer = std::move(v.offer);
  GstPromise *promise = gst_promise_new_with_change_func(on_remote_set, hold(v.negotiation), release);
  g_signal_emit_by_name(v.webrtc.get(), "set-remote-description", offer.get(), promise);
}

gboolean WebrtcBranch::on_tick(gpointer data) {
  auto *self = static_cast<WebrtcBranch *>(data);
  try {
    self->tick();
  } catch (const std::exception &e) {
    tools::log_error("WebRTC: %s", e.what());
  } catch (...) {
  }
  if (self->viewers_.empty()) {
    self->tick_.release();
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

void WebrtcBranch::tick() {
  gint64 now = g_get_monotonic_time();
  std::vector<std::pair<std::string, bool>> gone;  // id, counted as dropped
  for (auto &entry : viewers_) {
    Viewer &v = *entry.second;
    if (v.offer) send_offer(v, now);
    if (v.done) {
      Negotiation::State state;
      std::string error;
      {
        std::lock_guard<std::mutex> lock(v.negotiation->mutex);
        state = v.negotiation->state;
        error = v.negotiation->error;
      }
      GstWebRTCICEGatheringState gathering = GST_WEBRTC_ICE_GATHERING_STATE_NEW;
      g_object_get(v.webrtc.get(), "ice-gathering-state", &gathering, nullptr);
      bool late = now >= v.answer_deadline_us;
      if (state == Negotiation::State::Failed) {
        AnswerFn done = std::move(v.done);
        v.done = nullptr;
        tools::log_warning("%s: WebRTC viewer %.8s refused: %s", label_.c_str(), v.id.c_str(),
                           tools::log_safe(error, 512).c_str());
        done(400, error);
        gone.emplace_back(v.id, false);
        continue;
      }
      if (state == Negotiation::State::LocalSet && (gathering == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE || late)) {
        GstWebRTCSessionDescription *local = nullptr;
        g_object_get(v.webrtc.get(), "local-description", &local, nullptr);
        auto desc = rtms::adopt(local);
        auto text = rtms::adopt(desc ? gst_sdp_message_as_text(desc->sdp) : nullptr);
        AnswerFn done = std::move(v.done);
        v.done = nullptr;
        if (!text) {
          done(500, "no answer");
          gone.emplace_back(v.id, false);
          continue;
        }
        if (late) tools::log_warning("%s: WebRTC viewer %.8s: ICE gathering not complete in time; answering with "
                                     "the candidates so far", label_.c_str(), v.id.c_str());
        done(201, text.get());
        continue;
      }
      if (late) {
        AnswerFn done = std::move(v.done);
        v.done = nullptr;
        tools::log_warning("%s: WebRTC viewer %.8s: no answer in time", label_.c_str(), v.id.c_str());
        done(503, "no answer in time");
        gone.emplace_back(v.id, false);
      }
      continue;
    }
    GstWebRTCPeerConnectionState state = GST_WEBRTC_PEER_CONNECTION_STATE_NEW;
    g_object_get(v.webrtc.get(), "connection-state", &state, nullptr);
    if (state != v.last_state) {
      tools::log_info("%s: WebRTC viewer %.8s %s", label_.c_str(), v.id.c_str(), state_name(state));
      v.last_state = state;
      if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
        v.connect_deadline_us = G_MAXINT64;
        if (!v.connected_us) {
          v.connected_us = now;
          v.measure_from_us->store(now + G_USEC_PER_SEC);
        }
      }
    }
    if (v.connected_us && !v.rtcp_relaxed && now - v.connected_us >= kEarlyRtcpUs) {
      relax_sender_reports(v.webrtc.get());
      v.rtcp_relaxed = true;
    }
    gint64 heard = std::max(v.rtcp->last_us.load(), v.connected_us);
    bool silent = v.connected_us && now - heard > kSilentViewerUs;
    if (silent)
      tools::log_warning("%s: WebRTC viewer %.8s sent no RTCP for %d s: taken for gone", label_.c_str(),
                         v.id.c_str(), int(kSilentViewerUs / G_USEC_PER_SEC));
    if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED || state == GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED ||
        now >= v.connect_deadline_us || silent)
      gone.emplace_back(v.id, true);
  }
  for (auto &g : gone) drop_viewer(g.first, g.second);
}

gboolean WebrtcBranch::on_bus(GstBus *, GstMessage *message, gpointer data) {
  auto *self = static_cast<WebrtcBranch *>(data);
  try {
    if (GST_MESSAGE_TYPE(message) != GST_MESSAGE_ERROR && GST_MESSAGE_TYPE(message) != GST_MESSAGE_WARNING)
      return G_SOURCE_CONTINUE;
    GError *err = nullptr;
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR)
      gst_message_parse_error(message, &err, nullptr);
    else
      gst_message_parse_warning(message, &err, nullptr);
    auto owned = rtms::adopt(err);
    std::string what = owned ? tools::log_safe(owned->message, 1024) : std::string("?");
    // An error of one viewer's elements ends that viewer only.
    std::string viewer;
    for (auto &entry : self->viewers_) {
      bool theirs = gst_object_has_as_ancestor(GST_MESSAGE_SRC(message), GST_OBJECT(entry.second->webrtc.get()));
      for (auto &e : entry.second->elements) theirs = theirs || GST_MESSAGE_SRC(message) == GST_OBJECT(e.get());
      if (theirs) viewer = entry.first;
    }
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_WARNING) {
      tools::log_warning("%s: WebRTC: %s: %s", self->label_.c_str(), GST_OBJECT_NAME(GST_MESSAGE_SRC(message)),
                         what.c_str());
    } else if (!viewer.empty()) {
      tools::log_warning("%s: WebRTC viewer %.8s failed: %s", self->label_.c_str(), viewer.c_str(), what.c_str());
      self->drop_viewer(viewer, true);
    } else {
      // The shared part failed: the viewers get no more media; the
      // recording is another pipeline and goes on.
      tools::log_error("%s: WebRTC viewers' pipeline failed (the recording goes on): %s: %s", self->label_.c_str(),
                       GST_OBJECT_NAME(GST_MESSAGE_SRC(message)), what.c_str());
    }
  } catch (const std::exception &e) {
    tools::log_error("WebRTC bus message handling failed: %s", e.what());
  } catch (...) {
  }
  return G_SOURCE_CONTINUE;
}

bool WebrtcBranch::remove_viewer(const std::string &id) {
  if (viewers_.find(id) == viewers_.end()) return false;
  drop_viewer(id, false);
  return true;
}

void WebrtcBranch::drop_viewer(const std::string &id, bool count_as_dropped) {
  auto it = viewers_.find(id);
  if (it == viewers_.end()) return;
  std::unique_ptr<Viewer> v = std::move(it->second);
  viewers_.erase(it);
  if (v->done) {
    AnswerFn done = std::move(v->done);
    v->done = nullptr;
    done(503, "the viewer went away");
  }
  if (v->counters) {
    v->counters->viewers--;
    if (count_as_dropped) v->counters->dropped++;
  }
  for (auto &tp : v->tee_pads) gst_element_release_request_pad(tp.first.get(), tp.second.get());
  std::vector<rtms::GRef<GstElement>> elements = v->elements;
  elements.push_back(v->webrtc);
  teardowns++;
  gst_element_call_async(pipeline_.get(), to_null, Elements::give(std::move(elements)), Elements::free);
  tools::log_info("%s: WebRTC viewer %.8s %s", label_.c_str(), id.c_str(),
                  count_as_dropped ? "dropped (its connection failed or never came up)" : "left");
}

}  // namespace gateway
