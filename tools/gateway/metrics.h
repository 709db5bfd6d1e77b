// Counters and gauges of the gateway, rendered in the Prometheus text
// exposition format for /metrics. Touched from the main thread only.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "media_stats.h"

namespace gateway {

class Metrics {
 public:
  void webhook(bool accepted, const std::string &reason) { webhooks_[{accepted, reason}]++; }
  void stream_event(const std::string &action) { stream_events_[action]++; }
  void stream_started() { streams_started_++; }
  void pipeline_error() { pipeline_errors_++; }
  void set_active_streams(int64_t n) { active_streams_ = n; }
  // The last counts of a stream whose pipeline is going away.
  void stream_ended(const MediaStats &last) { ended_ += last; }

  // running: the counts of the streams still running, read just now.
  std::string render(const MediaStats &running) const;

 private:
  std::map<std::pair<bool, std::string>, uint64_t> webhooks_;
  std::map<std::string, uint64_t> stream_events_;
  uint64_t streams_started_ = 0;
  uint64_t pipeline_errors_ = 0;
  int64_t active_streams_ = 0;
  MediaStats ended_;
};

}  // namespace gateway
