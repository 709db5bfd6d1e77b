#include "metrics.h"

namespace gateway {

std::string Metrics::render(const MediaStats &running) const {
  std::string out;
  auto line = [&out](const std::string &text) { out += text + "\n"; };
  auto header = [&line](const char *name, const char *type, const char *help) {
    line(std::string("# HELP ") + name + " " + help);
    line(std::string("# TYPE ") + name + " " + type);
  };
  header("rtms_gateway_active_streams", "gauge", "Streams with a running pipeline.");
  line("rtms_gateway_active_streams " + std::to_string(active_streams_));
  header("rtms_gateway_webhooks_total", "counter", "Webhook requests by result and reason (event kind when accepted).");
  for (const auto &[key, count] : webhooks_)
    line(std::string("rtms_gateway_webhooks_total{result=\"") + (key.first ? "accepted" : "rejected") +
         "\",reason=\"" + key.second + "\"} " + std::to_string(count));
  header("rtms_gateway_stream_events_total", "counter",
         "What rtms_started/rtms_stopped did: started, duplicate, failover, limit, stopped, unknown_stream.");
  for (const auto &[action, count] : stream_events_)
    line("rtms_gateway_stream_events_total{action=\"" + action + "\"} " + std::to_string(count));
  header("rtms_gateway_streams_started_total", "counter", "Pipelines started.");
  line("rtms_gateway_streams_started_total " + std::to_string(streams_started_));
  header("rtms_gateway_pipeline_errors_total", "counter", "Pipelines ended by an error.");
  line("rtms_gateway_pipeline_errors_total " + std::to_string(pipeline_errors_));

  MediaStats total = ended_;
  total += running;
  header("rtms_gateway_media_buffers_total", "counter", "Buffers rtmssrc put out, by media type, all streams.");
  for (int k = 0; k < MediaStats::kKinds; k++)
    line(std::string("rtms_gateway_media_buffers_total{media=\"") + MediaStats::kKindNames[k] + "\"} " +
         std::to_string(total.buffers[k]));
  header("rtms_gateway_media_bytes_total", "counter", "Payload bytes rtmssrc put out, by media type, all streams.");
  for (int k = 0; k < MediaStats::kKinds; k++)
    line(std::string("rtms_gateway_media_bytes_total{media=\"") + MediaStats::kKindNames[k] + "\"} " +
         std::to_string(total.bytes[k]));
  header("rtms_gateway_reconnects_total", "counter", "Sockets rtmssrc re-established after losing them.");
  line("rtms_gateway_reconnects_total " + std::to_string(total.reconnects));
  header("rtms_gateway_video_frames_before_keyframe_total", "counter",
         "H.264 frames dropped while waiting for a decodable start.");
  line("rtms_gateway_video_frames_before_keyframe_total " + std::to_string(total.frames_before_keyframe));
  return out;
}

}  // namespace gateway
