#include "stream_registry.h"

namespace gateway {

const char *to_string(StartAction action) {
  switch (action) {
    case StartAction::Start: return "started";
    case StartAction::Duplicate: return "duplicate";
    case StartAction::Failover: return "failover";
    case StartAction::LimitReached: return "limit";
  }
  return "unknown";
}

StartAction StreamRegistry::decide(const std::string &stream_id, const std::vector<std::string> &server_urls) const {
  auto it = streams_.find(stream_id);
  if (it != streams_.end())
    return it->second.server_urls == server_urls ? StartAction::Duplicate : StartAction::Failover;
  if (int(streams_.size()) >= max_streams_) return StartAction::LimitReached;
  return StartAction::Start;
}

void StreamRegistry::add(const std::string &stream_id, std::vector<std::string> server_urls,
                         std::unique_ptr<StreamPipeline> pipeline) {
  streams_[stream_id] = Entry{std::move(server_urls), std::move(pipeline)};
}

StreamPipeline *StreamRegistry::find(const std::string &stream_id) const {
  auto it = streams_.find(stream_id);
  return it == streams_.end() ? nullptr : it->second.pipeline.get();
}

void StreamRegistry::set_server_urls(const std::string &stream_id, std::vector<std::string> server_urls) {
  auto it = streams_.find(stream_id);
  if (it != streams_.end()) it->second.server_urls = std::move(server_urls);
}

void StreamRegistry::remove(const std::string &stream_id) {
  // Moved out first: the pipeline's destructor must not run while the map
  // is half-updated.
  auto it = streams_.find(stream_id);
  if (it == streams_.end()) return;
  std::unique_ptr<StreamPipeline> doomed = std::move(it->second.pipeline);
  streams_.erase(it);
}

std::vector<StreamPipeline *> StreamRegistry::all() const {
  std::vector<StreamPipeline *> out;
  for (const auto &kv : streams_) out.push_back(kv.second.pipeline.get());
  return out;
}

}  // namespace gateway
