// rtms-gateway --role worker: claims streams from Redis and runs them
// (docs/gateway.md, "Scale-out on Redis"). Every 200 ms, from the main loop:
//  1. each stream whose lease it can no longer prove (no good renewal within
//     ttl - margin: Redis unreachable, or the process was paused) is stopped
//     at once, in its own segment folder, and never released (not ours);
//  2. leases due are renewed (kRenewScript: token and fence checked
//     atomically); a lease found lost is a fencing rejection: that stream is
//     stopped at once; a renewal that reports the stream stopped ends it;
//  3. the events stream's tail is read (XREAD, every worker) for stops and
//     server failovers of the streams it owns;
//  4. unless draining or full: new start records from the consumer group
//     `workers` (XREADGROUP, COUNT = free capacity), each acquired with
//     kAcquireScript and acknowledged; and once a second, kAdoptScript takes
//     streams whose lease expired or was handed over (a dead or drained
//     worker's streams), in a new segment, with a line in gaps.jsonl.
// A stream's pipeline is stopped with close-stream=false, so the RTMS
// stream stays open on the server for whoever takes it over.
#pragma once

#include <functional>
#include <map>
#include <string>

#include <glib.h>

#include "cluster_records.h"
#include "common/gst_gref.h"
#include "options.h"
#include "redis_client.h"

namespace gateway::cluster {

struct WorkerHost {
  // Starts a pipeline for the verified rtms_started body, recording into
  // segment `segment` of the stream's folder; the folder is returned.
  std::function<bool(const std::string &body, const std::string &segment, std::string *folder,
                     std::string *error)> start;
  // EOS to the stream's pipeline (its end comes back through on_stream_end).
  std::function<void(const std::string &stream_id)> stop;
  // Server failover: the new body to the running rtmssrc.
  std::function<void(const std::string &stream_id, const std::string &body)> failover;
};

class WorkerRole {
 public:
  WorkerRole(const Options &options, WorkerHost host);
  ~WorkerRole();
  WorkerRole(const WorkerRole &) = delete;
  WorkerRole &operator=(const WorkerRole &) = delete;

  void start();
  // SIGTERM: no more claims; the streams' pipelines are being stopped by the
  // gateway; each lease is released ("drain") once its pipeline has ended, so
  // another worker adopts the stream at its next scan.
  void drain();
  // A pipeline ended (EOS, error or timeout), from the main loop.
  void on_stream_end(const std::string &stream_id, bool error);
  std::string metrics_text();
  std::string streams_json();

 private:
  struct Owned {
    std::string stream_id, token, folder;
    int64_t fence = 0;
    int64_t last_ok_sent_ms = 0;  // monotonic
    long long gen = 1;
    bool takeover = false;  // the stream had an owner before
    enum class State { Running, Stopping, Fenced } state = State::Running;
    std::string end_reason;  // the release reason once the pipeline ended
  };

  static gboolean on_tick(gpointer self);
  void tick();
  void setup();
  void renew(Owned &o, int64_t now);
  void read_tail();
  void claim(int free);
  void adopt(int max);
  void begin(const Acquired &a, int64_t sent_ms);
  void acquire(const std::string &stream_id);
  void fence_out(Owned &o, const char *why);
  void stop_owned(Owned &o, const std::string &reason);
  void release(const Owned &o, const std::string &reason);

  Options options_;
  WorkerHost host_;
  Keys keys_;
  LeaseTiming timing_;
  RedisLink link_;
  std::map<std::string, Owned> owned_;
  bool draining_ = false;
  unsigned long long seen_epoch_ = 0;
  std::string tail_id_ = "0-0";
  int64_t next_adopt_ms_ = 0;
  rtms::SourceId timer_;
  std::map<std::string, unsigned long long> releases_;
  unsigned long long claims_ = 0, takeovers_ = 0, renewals_ = 0, late_ = 0, fenced_ = 0, unprovable_ = 0,
                     start_failures_ = 0, stops_ = 0;
};

}  // namespace gateway::cluster
