// The WebRTC side of one stream (docs/gateway.md, "Watching in the browser"):
// taps on the stream's pipeline, and a pipeline of its own that sends to the
// viewers, made when the first viewer comes.
//
//   stream pipeline (any template)        viewer pipeline (this file)
//   src.video_0 --probe--> appsrc ! h264parse ! tee -+- rtph264pay ! tee (pass) -+- queue ! webrtcbin (viewer 1)
//                                                    |                          +- queue ! webrtcbin (viewer 2)
//                                                    +- (when a viewer needs it) avdec_h264 ! x264enc ! rtph264pay ! tee
//   src.audio_N --probe--> appsrc -+
//   src.audio_M --probe--> appsrc -+- audiomixer (50 ms) ! opusenc ! rtpopuspay ! tee -+- queue ! ...
//
// The probes copy buffer references into leaky appsrcs and never wait: the
// recording never notices the viewers. Every viewer's queue is leaky and
// bounded: one that stalls loses packets, the others and the encoders go
// on. One encode and one payloader per stream, whatever the viewer count.
// Both pipelines share the clock and base time, so running times carry
// over (the audio and video stay in step).
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <gst/gst.h>

#include "common/gst_gref.h"
#include "whep_sdp.h"

namespace gateway {

struct WebrtcConfig {
  std::string stun_server;  // stun://host:port
  std::string turn_server;  // turn(s)://user:password@host:port (never logged)
  // With a secret, turn_server has no user info: credentials are minted per
  // viewer (turn_credentials.h), for the gateway's webrtcbin and the Link header.
  std::string turn_secret;  // never logged
  int turn_credential_ttl_s = 3600;
  bool relay_only = false;  // ice-transport-policy relay: only TURN's relayed candidates
  VideoMode video_mode = VideoMode::Auto;
  int answer_timeout_ms = 5000;  // ICE gathering (non-trickle) and negotiation
  int viewer_queue_ms = 500;     // a viewer's queue; older packets are dropped
};

// Time from a buffer leaving rtmssrc (the tap) to the same media entering a
// viewer's webrtcbin: observed on the viewers' streaming threads, read by
// /metrics. Fixed buckets, atomics only: always on.
struct DelayHistogram {
  static constexpr std::array<int64_t, 11> kBoundsUs{1000, 2000, 5000, 10000, 20000, 33000,
                                                      66000, 100000, 200000, 500000, 1000000};
  std::array<std::atomic<uint64_t>, kBoundsUs.size() + 1> buckets{};  // not cumulative; the last is +Inf
  std::atomic<uint64_t> count{0};
  std::atomic<uint64_t> sum_us{0};
  void observe(int64_t us);
  // Prometheus text lines of NAME{LABELS,le=...}, _sum and _count.
  std::string render(const std::string &name, const std::string &labels) const;
};

// Shared by every stream, read by /metrics. viewers and dropped: main thread only.
struct WebrtcCounters {
  int64_t viewers = 0;
  uint64_t dropped = 0;  // viewers whose connection failed or never came up
  DelayHistogram video_passthrough, video_encoded, audio;  // the gateway's own added delay
};

// Viewer pipelines and viewers still being brought to NULL on GStreamer's threads.
int webrtc_pending_teardowns();

class WebrtcBranch {
 public:
  struct Tap;
  // Installs the taps (no cost until a viewer comes).
  WebrtcBranch(GstElement *stream_pipeline, GstElement *src, std::string label);
  ~WebrtcBranch();
  WebrtcBranch(const WebrtcBranch &) = delete;
  WebrtcBranch &operator=(const WebrtcBranch &) = delete;

  // status 201 with the answer's SDP, or an error status with a one-line reason.
  using AnswerFn = std::function<void(int status, const std::string &body)>;
  // Starts a viewer for the offer (already parsed and checked); done runs
  // once from the main loop, within config.answer_timeout_ms. Returns the
  // viewer's id.
  std::string add_viewer(const Offer &offer, const std::string &sdp, const WebrtcConfig &config,
                         std::shared_ptr<WebrtcCounters> counters, AnswerFn done);
  bool remove_viewer(const std::string &id);
  size_t viewers() const { return viewers_.size(); }
  bool has_viewer(const std::string &id) const { return viewers_.count(id) != 0; }

 private:
  struct Viewer;
  bool ensure_pipeline(std::string *why);
  GstElement *video_tee(bool passthrough, std::string *why);
  bool link_viewer_media(Viewer &viewer, GstElement *tee, int payload, const char *caps_text,
                         DelayHistogram *histogram, bool video, std::string *why);
  void drop_viewer(const std::string &id, bool count_as_dropped);
  void send_offer(Viewer &viewer, gint64 now);
  static gboolean on_tick(gpointer self);
  static gboolean on_fill(gpointer tap);
  static gboolean on_bus(GstBus *bus, GstMessage *message, gpointer self);
  void tick();

  std::string label_;
  rtms::GRef<GstElement> stream_pipeline_;
  std::shared_ptr<Tap> tap_;
  rtms::GRef<GstElement> pipeline_;  // the viewers' pipeline, once there is one
  std::map<std::string, std::unique_ptr<Viewer>> viewers_;
  rtms::SourceId tick_;
  rtms::SourceId fill_;  // silence for the participants who say nothing (on_fill)
  rtms::SourceId bus_watch_;  // the viewers' pipeline's messages: errors logged, the rest dropped
};

}  // namespace gateway
