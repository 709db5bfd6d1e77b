#include "metrics.h"

namespace gateway {

std::string Metrics::render() const {
  std::string out;
  auto line = [&out](const std::string &text) { out += text + "\n"; };
  line("# HELP rtms_gateway_active_streams Streams with a running pipeline.");
  line("# TYPE rtms_gateway_active_streams gauge");
  line("rtms_gateway_active_streams " + std::to_string(active_streams_));
  line("# HELP rtms_gateway_webhooks_total Webhook requests by result and reason (event kind when accepted).");
  line("# TYPE rtms_gateway_webhooks_total counter");
  for (const auto &[key, count] : webhooks_)
    line(std::string("rtms_gateway_webhooks_total{result=\"") + (key.first ? "accepted" : "rejected") +
         "\",reason=\"" + key.second + "\"} " + std::to_string(count));
  line("# HELP rtms_gateway_stream_events_total What rtms_started/rtms_stopped did: started, duplicate, failover, limit, stopped, unknown_stream.");
  line("# TYPE rtms_gateway_stream_events_total counter");
  for (const auto &[action, count] : stream_events_)
    line("rtms_gateway_stream_events_total{action=\"" + action + "\"} " + std::to_string(count));
  line("# HELP rtms_gateway_streams_started_total Pipelines started.");
  line("# TYPE rtms_gateway_streams_started_total counter");
  line("rtms_gateway_streams_started_total " + std::to_string(streams_started_));
  line("# HELP rtms_gateway_pipeline_errors_total Pipelines ended by an error.");
  line("# TYPE rtms_gateway_pipeline_errors_total counter");
  line("rtms_gateway_pipeline_errors_total " + std::to_string(pipeline_errors_));
  return out;
}

}  // namespace gateway
