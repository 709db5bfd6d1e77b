// rtms-gateway --role intake: every verified event that concerns a stream
// (rtms_started, rtms_stopped, rtms_interrupted) is appended to Redis before
// the webhook is answered: 200 once it is stored, 503 when Redis cannot be
// reached (Zoom retries the webhook). The append is idempotent (cluster_records.h,
// kIntakeScript), so Zoom's retries, the same webhook at two intakes, and a
// stop before its start all come out as one stream that stops.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "cluster_records.h"
#include "options.h"
#include "redis_client.h"
#include "webhook_check.h"

namespace gateway::cluster {

class IntakeRole {
 public:
  explicit IntakeRole(const Options &options);
  // Connects now (a failure is logged; webhooks are answered 503 until it works).
  void start();
  // An accepted event: stored, or turned into a 503 (reason redis_unavailable).
  Verdict append(Verdict verdict, std::string_view raw_body);
  std::string metrics_text();
  RedisLink &link() { return link_; }
  const Keys &keys() const { return keys_; }

 private:
  Options options_;
  Keys keys_;
  RedisLink link_;
  std::map<std::string, unsigned long long> records_;  // by outcome
  unsigned long long unavailable_ = 0;
};

}  // namespace gateway::cluster
