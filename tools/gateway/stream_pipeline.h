// One stream's pipeline: built from the template, given the webhook, played;
// ended with EOS so files are finalized; torn down off the main thread.
// Pads gst-launch syntax cannot link are linked by pad_router.h.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <gst/gst.h>

#include "common/gst_gref.h"
#include "media_stats.h"
#include "pipeline_template.h"
#include "webrtc_branch.h"

namespace gateway {

struct StreamInfo {
  std::string stream_id;
  std::string meeting;     // instance id as Zoom sent it (for logs)
  std::string start_time;  // YYYYMMDD-HHMMSS, UTC
  std::string out_dir;
  // rtms_started's newer fields (empty when absent): {account_id},
  // {meeting_id}, {webinar_id}, {is_original_host} ("true", "false" or "").
  std::string account_id, meeting_id, webinar_id, is_original_host;
};

class StreamPipeline {
 public:
  enum class End { Eos, Error, Timeout };
  using EndFn = std::function<void(End end)>;

  // Expands the template and parses it; checks that `src` is an rtmssrc.
  static std::unique_ptr<StreamPipeline> build(const PipelineTemplate &tpl, const StreamInfo &info,
                                               std::string *error);
  // Builds the template with sample values, to refuse a broken one at startup.
  static bool validate(const PipelineTemplate &tpl, std::string *error);

  struct Key {  // only build() makes one
   private:
    Key() = default;
    friend class StreamPipeline;
  };
  StreamPipeline(Key, StreamInfo info, rtms::GRef<GstElement> pipeline, rtms::GRef<GstElement> src);
  ~StreamPipeline();
  StreamPipeline(const StreamPipeline &) = delete;
  StreamPipeline &operator=(const StreamPipeline &) = delete;

  // Sets the webhook and the server policy on src and plays. on_end runs once, from
  // the main loop, when the pipeline reached EOS, failed, or did not finish
  // in time after stop().
  // Which servers the element may reach and how (rtmssrc's ssl-ca-file,
  // allowed-hosts and allow-plaintext): the gateway's own allow-list, so
  // that the media URLs a signaling server hands out are held to it too.
  struct ServerPolicy {
    std::string ssl_ca_file;
    std::string allowed_hosts;  // space separated patterns
    bool allow_plaintext = false;
    // false (cluster worker): stopping leaves the stream open at Zoom for the next owner.
    bool close_stream = true;
  };
  bool play(const std::string &webhook_body, const ServerPolicy &policy, EndFn on_end, std::string *error);
  // Server failover: rtmssrc moves the running stream to the new servers.
  void update_webhook(const std::string &webhook_body);
  // EOS to the pipeline; on_end(Timeout) if it is not through in timeout_s.
  void stop(int timeout_s);
  bool stopping() const { return stopping_; }
  // What rtmssrc counted so far (read it before the pipeline goes away).
  MediaStats stats() const { return MediaStats::of_element(src_.get()); }
  const StreamInfo &info() const { return info_; }
  // Its WebRTC viewers (webrtc_branch.h).
  WebrtcBranch *webrtc() const { return webrtc_.get(); }
  // The template's rtmssrc (for the live feed: its pads and `stats`).
  GstElement *source() const { return src_.get(); }
  // Sees every bus message of the pipeline first, on the main loop (the
  // live feed's events). Set before play().
  using Observer = std::function<void(GstMessage *message)>;
  void set_observer(Observer observer) { observer_ = std::move(observer); }

  // Teardowns still running on GStreamer's worker threads.
  static int pending_teardowns();

 private:
  static gboolean on_bus(GstBus *bus, GstMessage *message, gpointer self);
  static gboolean on_stop_timeout(gpointer self);
  void finish(End end);
  // The server ended the stream: rtmssrc ends its pads by itself; the
  // template's other sources (live fillers) and unrouted inputs get EOS here.
  void end_other_inputs();

  StreamInfo info_;
  rtms::GRef<GstElement> pipeline_;
  rtms::GRef<GstElement> src_;
  EndFn on_end_;
  Observer observer_;
  bool ended_ = false;
  bool stopping_ = false;
  rtms::SourceId bus_watch_;
  rtms::SourceId stop_timer_;
  std::unique_ptr<WebrtcBranch> webrtc_;  // last: goes first
};

}  // namespace gateway
