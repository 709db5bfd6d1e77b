#include "encoder_pipeline.h"

namespace emulator {

// A stuck encoder must not hang the emulator forever; no single buffer of
// an offline encode takes anywhere near this long.
constexpr GstClockTime kPullTimeout = 30 * GST_SECOND;

rtms::PipelineRef launch_pipeline(const std::string &description, std::string *error) {
  g_autoptr(GError) gerror = nullptr;
  auto pipeline = rtms::PipelineRef::adopt(gst_parse_launch(description.c_str(), &gerror));
  if (!pipeline || gerror != nullptr) {
    *error = "cannot build \"" + description + "\": " + (gerror ? gerror->message : "unknown error");
    return nullptr;
  }
  return pipeline;
}

rtms::GRef<GstElement> element_by_name(GstElement *pipeline, const char *name) {
  return rtms::adopt(gst_bin_get_by_name(GST_BIN(pipeline), name));
}

bool pull_until_eos(GstElement *pipeline, GstElement *sink, const std::string &what,
                    std::vector<Payload> *buffers, std::string *error) {
  while (true) {
    g_autoptr(GstSample) sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), kPullTimeout);
    if (sample == nullptr) break;
    GstBuffer *out = gst_sample_get_buffer(sample);
    GstMapInfo map;
    if (out == nullptr || !gst_buffer_map(out, &map, GST_MAP_READ)) continue;
    buffers->emplace_back(map.data, map.data + map.size);
    gst_buffer_unmap(out, &map);
  }
  if (gst_app_sink_is_eos(GST_APP_SINK(sink))) return true;
  g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
  g_autoptr(GstMessage) message = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
  *error = what + " failed";
  if (message != nullptr) {
    g_autoptr(GError) perror = nullptr;
    gst_message_parse_error(message, &perror, nullptr);
    if (perror != nullptr) *error += std::string(": ") + perror->message;
  }
  return false;
}

}  // namespace emulator
