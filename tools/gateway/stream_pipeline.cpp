#include "stream_pipeline.h"

#include <atomic>
#include <exception>

#include "log.h"
#include "pad_router.h"

namespace gateway {

namespace {

std::atomic<int> teardowns{0};

std::string label(const StreamInfo &info) {
  // Ids from the webhook: escaped for the log lines this labels.
  return "stream " + tools::log_safe(info.stream_id) + " (meeting " + tools::log_safe(info.meeting) + ")";
}

void to_null(GstElement *pipeline, gpointer) {
  gst_element_set_state(pipeline, GST_STATE_NULL);
  teardowns--;
}

bool is_rtmssrc(GstElement *element) {
  GstElementFactory *factory = gst_element_get_factory(element);
  return factory && g_strcmp0(gst_plugin_feature_get_name(GST_PLUGIN_FEATURE(factory)), "rtmssrc") == 0;
}

}  // namespace

int StreamPipeline::pending_teardowns() { return teardowns.load(); }

StreamPipeline::StreamPipeline(Key, StreamInfo info, rtms::GRef<GstElement> pipeline, rtms::GRef<GstElement> src)
    : info_(std::move(info)), pipeline_(std::move(pipeline)), src_(std::move(src)) {}

std::unique_ptr<StreamPipeline> StreamPipeline::build(const PipelineTemplate &tpl, const StreamInfo &info,
                                                      std::string *error) {
  // Optional fields stay empty when the webhook has none.
  auto optional = [](const std::string &value) { return value.empty() ? value : file_safe(value); };
  std::map<std::string, std::string> values = {{"stream_id", file_safe(info.stream_id)},
                                                {"meeting", file_safe(info.meeting)},
                                                {"start_time", info.start_time},
                                                {"out", info.out_dir},
                                                {"account_id", optional(info.account_id)},
                                                {"meeting_id", optional(info.meeting_id)},
                                                {"webinar_id", optional(info.webinar_id)},
                                                {"is_original_host", info.is_original_host}};
  values["rtmp_url"] = expand_placeholders(tpl.rtmp_url, values);
  std::string launch = expand_placeholders(tpl.launch, values);
  GError *raw_error = nullptr;
  GstElement *parsed = gst_parse_launch(launch.c_str(), &raw_error);
  auto element = rtms::adopt(parsed ? GST_ELEMENT(gst_object_ref_sink(parsed)) : nullptr);
  if (raw_error) {
    auto owned = rtms::adopt(raw_error);
    *error = "template '" + tpl.name + "' does not parse: " + owned->message;
    return nullptr;
  }
  if (!element) {
    *error = "template '" + tpl.name + "' does not parse";
    return nullptr;
  }
  // A single-element description comes back bare, not in a pipeline.
  rtms::GRef<GstElement> pipeline;
  if (GST_IS_PIPELINE(element.get())) {
    pipeline = std::move(element);
  } else {
    pipeline = rtms::adopt(GST_ELEMENT(gst_object_ref_sink(gst_pipeline_new(nullptr))));
    gst_bin_add(GST_BIN(pipeline.get()), element.release());
  }
  auto src = rtms::adopt(gst_bin_get_by_name(GST_BIN(pipeline.get()), "src"));
  if (!src || !is_rtmssrc(src.get())) {
    *error = "template '" + tpl.name + "' has no rtmssrc named src (write 'rtmssrc name=src ...')";
    return nullptr;
  }
  std::string name = "rtms-" + file_safe(info.stream_id);
  gst_object_set_name(GST_OBJECT(pipeline.get()), name.c_str());
  route_pads(src.get(), PadRoutes{info.out_dir, label(info), tpl.per_participant_audio, tpl.webvtt});
  auto stream = std::make_unique<StreamPipeline>(Key(), info, std::move(pipeline), std::move(src));
  stream->webrtc_ = std::make_unique<WebrtcBranch>(stream->pipeline_.get(), stream->src_.get(), label(info));
  return stream;
}

bool StreamPipeline::validate(const PipelineTemplate &tpl, std::string *error) {
  // Without the plugin every template fails; say where GStreamer looks.
  rtms::GRef<GstElementFactory> rtmssrc = rtms::adopt(gst_element_factory_find("rtmssrc"));
  if (!rtmssrc) {
    *error = "GStreamer cannot load the rtmssrc element (plugin libgstrtms.so): install the "
             "gstreamer1.0-rtms package, or set GST_PLUGIN_PATH to the directory holding "
             "libgstrtms.so (<libdir>/gstreamer-1.0 of your meson install); "
             "check with gst-inspect-1.0 rtmssrc; see docs/install.md";
    return false;
  }
  StreamInfo sample{"0123456789abcdef", "validation", "20000101-000000", "/nonexistent"};
  return build(tpl, sample, error) != nullptr;
}

StreamPipeline::~StreamPipeline() {
  bus_watch_.reset();
  stop_timer_.reset();
  if (!pipeline_) return;
  // Going to NULL may wait for the server to acknowledge a close (up to
  // 2.5 s in rtmssrc): never on the main loop, which answers webhooks.
  teardowns++;
  gst_element_call_async(pipeline_.get(), to_null, nullptr, nullptr);
}

bool StreamPipeline::play(const std::string &webhook_body, const ServerPolicy &policy, EndFn on_end,
                          std::string *error) {
  on_end_ = std::move(on_end);
  if (!policy.ssl_ca_file.empty()) g_object_set(src_.get(), "ssl-ca-file", policy.ssl_ca_file.c_str(), nullptr);
  g_object_set(src_.get(), "allowed-hosts", policy.allowed_hosts.c_str(), "allow-plaintext",
               gboolean(policy.allow_plaintext), nullptr);
  if (!policy.close_stream) g_object_set(src_.get(), "close-stream", FALSE, nullptr);
  g_object_set(src_.get(), "webhook-payload", webhook_body.c_str(), nullptr);
  auto bus = rtms::adopt(gst_element_get_bus(pipeline_.get()));
  bus_watch_ = rtms::SourceId(gst_bus_add_watch(bus.get(), on_bus, this));
  if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    // The reason is on the bus; take it from there rather than guess.
    std::string why = "state change to PLAYING failed";
    while (auto message = rtms::adopt(gst_bus_pop_filtered(bus.get(), GST_MESSAGE_ERROR))) {
      GError *err = nullptr;
      gst_message_parse_error(message.get(), &err, nullptr);
      auto owned = rtms::adopt(err);
      why += std::string(": ") + owned->message;
    }
    *error = why;
    bus_watch_.reset();
    return false;
  }
  return true;
}

void StreamPipeline::update_webhook(const std::string &webhook_body) {
  g_object_set(src_.get(), "webhook-payload", webhook_body.c_str(), nullptr);
}

void StreamPipeline::stop(int timeout_s) {
  if (stopping_ || ended_) return;
  stopping_ = true;
  // The bin hands EOS to every source: rtmssrc closes the stream on the
  // server and ends its pads, live fillers end too.
  gst_element_send_event(pipeline_.get(), gst_event_new_eos());
  end_unrouted_inputs(GST_BIN(pipeline_.get()));
  stop_timer_ = rtms::SourceId(g_timeout_add_seconds(guint(timeout_s), on_stop_timeout, this));
}

gboolean StreamPipeline::on_stop_timeout(gpointer data) {
  auto *self = static_cast<StreamPipeline *>(data);
  self->stop_timer_.release();
  try {
    tools::log_warning("%s: no EOS within the shutdown timeout after stopping; tearing it down",
                       label(self->info_).c_str());
    self->finish(End::Timeout);
  } catch (...) {
  }
  return G_SOURCE_REMOVE;
}

void StreamPipeline::end_other_inputs() {
  rtms::for_each_element(gst_bin_iterate_sources(GST_BIN(pipeline_.get())), [&](GstElement *element) {
    if (element != src_.get()) gst_element_send_event(element, gst_event_new_eos());
    return true;
  });
  end_unrouted_inputs(GST_BIN(pipeline_.get()));
}

void StreamPipeline::finish(End end) {
  if (ended_) return;
  ended_ = true;
  stop_timer_.reset();
  if (on_end_) on_end_(end);
}

gboolean StreamPipeline::on_bus(GstBus *, GstMessage *message, gpointer data) {
  auto *self = static_cast<StreamPipeline *>(data);
  try {
    if (self->observer_) self->observer_(message);
    std::string what = label(self->info_);
    switch (GST_MESSAGE_TYPE(message)) {
      case GST_MESSAGE_EOS:
        tools::log_info("%s: end of stream, files finalized in %s", what.c_str(),
                        tools::log_safe(self->info_.out_dir).c_str());
        self->finish(End::Eos);
        break;
      case GST_MESSAGE_ERROR: {
        GError *err = nullptr;
        gchar *debug = nullptr;
        gst_message_parse_error(message, &err, &debug);
        auto owned = rtms::adopt(err);
        auto owned_debug = rtms::adopt(debug);
        tools::log_error("%s: pipeline error from %s: %s (%s)", what.c_str(), GST_OBJECT_NAME(GST_MESSAGE_SRC(message)),
                         tools::log_safe(owned->message, 1024).c_str(),
                         owned_debug ? tools::log_safe(owned_debug.get(), 1024).c_str() : "no details");
        self->finish(End::Error);
        break;
      }
      case GST_MESSAGE_WARNING: {
        GError *err = nullptr;
        gst_message_parse_warning(message, &err, nullptr);
        auto owned = rtms::adopt(err);
        tools::log_warning("%s: %s: %s", what.c_str(), GST_OBJECT_NAME(GST_MESSAGE_SRC(message)),
                           tools::log_safe(owned->message, 1024).c_str());
        break;
      }
      case GST_MESSAGE_ELEMENT: {
        const GstStructure *s = gst_message_get_structure(message);
        if (s && gst_structure_has_name(s, "rtms-stream-stopped")) {
          const char *reason = gst_structure_get_string(s, "reason-name");
          tools::log_info("%s: the server stopped the stream (%s)", what.c_str(),
                          reason ? tools::log_safe(reason).c_str() : "no reason");
          self->end_other_inputs();
        }
        break;
      }
      default:
        break;
    }
  } catch (const std::exception &e) {
    tools::log_error("bus message handling failed: %s", e.what());
  } catch (...) {
    tools::log_error("bus message handling failed");
  }
  return G_SOURCE_CONTINUE;
}

}  // namespace gateway
