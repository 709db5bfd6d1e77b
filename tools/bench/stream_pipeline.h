// One measured stream: a pipeline holding rtmssrc, every pad linked as it
// appears to its own fakesink sync=false, and a buffer probe on each rtmssrc
// pad that timestamps arrivals.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "common/gst_gref.h"
#include "profile.h"
#include "window_counters.h"

namespace bench {

class StreamPipeline {
  struct Key {};

 public:
  struct Config {
    int index = 0;
    const Profile *profile = nullptr;
    std::string webhook_json;
    std::string ca_file;  // empty for ws://
    unsigned handshake_timeout_ms = 10000;
  };

  // nullptr and *error when the pipeline cannot be built.
  static std::unique_ptr<StreamPipeline> create(const Config &config, WindowCounters *window, std::string *error);
  StreamPipeline(Key, const Config &config, WindowCounters *window);
  ~StreamPipeline();
  StreamPipeline(const StreamPipeline &) = delete;
  StreamPipeline &operator=(const StreamPipeline &) = delete;

  bool play();  // records the start time
  void stop();  // NULL state; rtmssrc closes the stream if it still runs

  int64_t play_mono_us() const { return play_mono_us_; }
  // 0 until the first buffer reaches any pad.
  int64_t first_buffer_mono_us() const { return first_buffer_mono_us_.load(); }
  uint64_t buffers() const { return buffers_.load(); }
  bool eos() const { return eos_; }
  const std::string &error() const { return error_; }
  unsigned warnings() const { return warnings_; }

 private:
  // What a probe needs to know about its pad: whose it is and when the
  // emulator sent the data it carries.
  struct Tap {
    StreamPipeline *owner;
    int64_t send_offset_us;
    bool timed;  // text pads: no per-buffer send time to compare with
  };

  static void pad_added(GstElement *src, GstPad *pad, gpointer self);
  static GstPadProbeReturn on_buffer(GstPad *pad, GstPadProbeInfo *info, gpointer tap);
  static gboolean on_bus_message(GstBus *bus, GstMessage *message, gpointer self);
  const Tap *tap_for(const char *pad_name) const;

  Config config_;
  WindowCounters *window_;
  rtms::GRef<GstElement> pipeline_;
  GstElement *src_ = nullptr;  // owned by pipeline_
  guint bus_watch_ = 0;
  Tap audio_tap_, video_tap_, text_tap_;
  int64_t play_mono_us_ = 0;
  std::atomic<int64_t> first_buffer_mono_us_{0};
  std::atomic<uint64_t> buffers_{0};
  bool eos_ = false;
  std::string error_;
  unsigned warnings_ = 0;
};

}  // namespace bench
