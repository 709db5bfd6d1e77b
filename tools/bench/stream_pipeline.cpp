#include "stream_pipeline.h"

#include <cstring>

#include "proc_stats.h"

namespace bench {

std::unique_ptr<StreamPipeline> StreamPipeline::create(const Config &config, WindowCounters *window,
                                                       std::string *error) {
  auto self = std::make_unique<StreamPipeline>(Key{}, config, window);
  self->pipeline_ = rtms::adopt(GST_ELEMENT(gst_object_ref_sink(gst_pipeline_new(nullptr))));
  self->src_ = gst_element_factory_make("rtmssrc", nullptr);
  if (!self->src_) {
    *error = "no rtmssrc element: build the plugin and set GST_PLUGIN_PATH (or --plugin-dir)";
    return nullptr;
  }
  gst_bin_add(GST_BIN(self->pipeline_.get()), self->src_);
  for (const auto &[name, value] : config.profile->element_properties)
    gst_util_set_object_arg(G_OBJECT(self->src_), name.c_str(), value.c_str());
  g_object_set(self->src_, "webhook-payload", config.webhook_json.c_str(), "handshake-timeout",
               config.handshake_timeout_ms, nullptr);
  if (!config.ca_file.empty()) g_object_set(self->src_, "ssl-ca-file", config.ca_file.c_str(), nullptr);
  g_signal_connect(self->src_, "pad-added", G_CALLBACK(pad_added), self.get());
  auto bus = rtms::adopt(gst_pipeline_get_bus(GST_PIPELINE(self->pipeline_.get())));
  self->bus_watch_ = gst_bus_add_watch(bus.get(), on_bus_message, self.get());
  return self;
}

StreamPipeline::StreamPipeline(Key, const Config &config, WindowCounters *window)
    : config_(config), window_(window),
      audio_tap_{this, config.profile->audio_send_offset_ms * 1000, true},
      video_tap_{this, config.profile->video_send_offset_ms * 1000, true},
      text_tap_{this, 0, false} {}

StreamPipeline::~StreamPipeline() {
  stop();
  if (bus_watch_) g_source_remove(bus_watch_);
}

bool StreamPipeline::play() {
  play_mono_us_ = mono_us();
  return gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE;
}

void StreamPipeline::stop() {
  if (pipeline_) gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
}

const StreamPipeline::Tap *StreamPipeline::tap_for(const char *pad_name) const {
  if (g_str_has_prefix(pad_name, "audio_")) return &audio_tap_;
  if (g_str_has_prefix(pad_name, "video_") || g_str_has_prefix(pad_name, "deskshare_")) return &video_tap_;
  return &text_tap_;
}

void StreamPipeline::pad_added(GstElement *, GstPad *pad, gpointer data) {
  auto *self = static_cast<StreamPipeline *>(data);
  GstElement *sink = gst_element_factory_make("fakesink", nullptr);
  // async=false: a sink added to a pipeline that is already PLAYING must not
  // wait for preroll.
  g_object_set(sink, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, nullptr);
  gst_bin_add(GST_BIN(self->pipeline_.get()), sink);
  gst_element_sync_state_with_parent(sink);
  auto sink_pad = rtms::adopt(gst_element_get_static_pad(sink, "sink"));
  auto name = rtms::adopt(gst_pad_get_name(pad));
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_buffer,
                    const_cast<Tap *>(self->tap_for(name.get())), nullptr);
  if (gst_pad_link(pad, sink_pad.get()) != GST_PAD_LINK_OK)
    g_printerr("stream %d: cannot link %s\n", self->config_.index, name.get());
}

GstPadProbeReturn StreamPipeline::on_buffer(GstPad *, GstPadProbeInfo *info, gpointer data) {
  // Read the clocks first: everything below is the harness's own cost.
  int64_t arrival_wall = wall_us();
  int64_t arrival_mono = mono_us();
  const auto *tap = static_cast<const Tap *>(data);
  StreamPipeline *self = tap->owner;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
  int64_t unset = 0;
  self->first_buffer_mono_us_.compare_exchange_strong(unset, arrival_mono);
  self->buffers_.fetch_add(1, std::memory_order_relaxed);

  WindowCounters &window = *self->window_;
  if (!window.open.load(std::memory_order_relaxed)) return GST_PAD_PROBE_OK;
  window.buffers.fetch_add(1, std::memory_order_relaxed);
  window.bytes.fetch_add(gst_buffer_get_size(buffer), std::memory_order_relaxed);
  if (!tap->timed) return GST_PAD_PROBE_OK;
  static GstStaticCaps unix_caps = GST_STATIC_CAPS("timestamp/x-unix");
  GstReferenceTimestampMeta *meta =
      gst_buffer_get_reference_timestamp_meta(buffer, gst_static_caps_get(&unix_caps));
  if (meta) {
    int64_t sent_us = int64_t(meta->timestamp / 1000) + tap->send_offset_us;
    window.latency.record(arrival_wall - sent_us);
  }
  return GST_PAD_PROBE_OK;
}

gboolean StreamPipeline::on_bus_message(GstBus *, GstMessage *message, gpointer data) {
  auto *self = static_cast<StreamPipeline *>(data);
  switch (GST_MESSAGE_TYPE(message)) {
    case GST_MESSAGE_EOS: self->eos_ = true; break;
    case GST_MESSAGE_ERROR: {
      rtms::GRef<GError> err;
      rtms::GRef<char> debug;
      gst_message_parse_error(message, err.out(), debug.out());
      if (self->error_.empty()) self->error_ = err->message;
      break;
    }
    case GST_MESSAGE_WARNING: {
      rtms::GRef<GError> err;
      rtms::GRef<char> debug;
      gst_message_parse_warning(message, err.out(), debug.out());
      if (self->warnings_++ < 3) g_printerr("stream %d: warning: %s\n", self->config_.index, err->message);
      break;
    }
    default: break;
  }
  return G_SOURCE_CONTINUE;
}

}  // namespace bench
