// The streams the gateway runs, by rtms_stream_id, and what a new
// rtms_started means for them: a new stream, a Zoom retry of one already
// running (same servers), or a server failover (other servers).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "stream_pipeline.h"

namespace gateway {

enum class StartAction { Start, Duplicate, Failover, LimitReached };
const char *to_string(StartAction action);

class StreamRegistry {
 public:
  explicit StreamRegistry(int max_streams) : max_streams_(max_streams) {}

  StartAction decide(const std::string &stream_id, const std::vector<std::string> &server_urls) const;

  void add(const std::string &stream_id, std::vector<std::string> server_urls,
           std::unique_ptr<StreamPipeline> pipeline);
  StreamPipeline *find(const std::string &stream_id) const;
  void set_server_urls(const std::string &stream_id, std::vector<std::string> server_urls);
  // Destroys the pipeline (its teardown runs in the background).
  void remove(const std::string &stream_id);
  size_t size() const { return streams_.size(); }
  int max_streams() const { return max_streams_; }
  std::vector<StreamPipeline *> all() const;

 private:
  struct Entry {
    std::vector<std::string> server_urls;
    std::unique_ptr<StreamPipeline> pipeline;
  };
  int max_streams_;
  std::map<std::string, Entry> streams_;
};

}  // namespace gateway
