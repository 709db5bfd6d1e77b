// The live feed (docs/gateway.md, "Live feed"): per running stream, a
// Server-Sent Events feed of its transcript, chat, roster changes, state
// and health, for programs and the browser page.
//
//   GET /streams                    the running streams (JSON)
//   GET /streams/{id}/events        text/event-stream; a `roster` first
//
// Where the events come from: rtmssrc's bus messages (participants, active
// speaker, sharing, reconnections; through StreamPipeline's observer, on the
// main loop), its transcript_%u and chat_%u pads (a buffer probe reads each
// line and its GstRtmsMeta on the pad's thread and hands the event to the
// main loop) and its `stats` property (health, every second). Nothing here
// parses the wire.
//
// A consumer's connection is taken from libsoup once the request is
// accepted; everything it is sent goes through a bounded queue of its own,
// written asynchronously on the main loop. A consumer that does not read
// is disconnected (queue over --feed-queue-bytes, or a write that has not
// progressed for kStallSeconds), so it can neither hold memory nor delay the
// pipeline or other consumers. Everything here runs on the main loop except
// the pad probes, which only build an event and queue it for the loop.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <libsoup/soup.h>

#include "common/gst_gref.h"
#include "stream_pipeline.h"

namespace gateway {

struct FeedConfig {
  int max_per_stream = 16;            // consumers of one stream
  int max_total = 64;                 // consumers of all streams
  size_t queue_bytes = 256 * 1024;    // per consumer, not yet written
  std::string token;                  // empty: none needed; never logged
  std::string cors_origin;            // Access-Control-Allow-Origin; empty: none
  int ping_interval_s = 15;           // a ": ping" comment this often
  int health_interval_ms = 1000;
};

class FeedConsumer;
class StreamFeed;

class LiveFeed {
 public:
  // hold_open: tells the HTTP listener that a request's connection is about
  // to be taken over for a long answer (no timeouts; http_listener.h), and
  // gives its socket (or null).
  using HoldOpen = std::function<GSocket *(SoupServerMessage *msg)>;
  LiveFeed(FeedConfig config, HoldOpen hold_open);
  // Closes every consumer (flushing what it can within a second).
  ~LiveFeed();
  LiveFeed(const LiveFeed &) = delete;
  LiveFeed &operator=(const LiveFeed &) = delete;

  // A new stream, before it plays: its pads and bus messages feed its
  // events from now on.
  void attach(StreamPipeline &pipeline);
  // The stream is over (ended, failed, never played): a `state` ended
  // event, then each consumer's connection is closed once its queue is
  // written. why: "eos", "error", "timeout".
  void stream_ended(const std::string &stream_id, const char *why);

  // GET /streams, GET /streams/{id}/events, OPTIONS (CORS preflight).
  // False, with msg untouched, for any other path (another handler of
  // /streams/... may take it).
  bool handle(SoupServerMessage *msg, const char *path);

  // Prometheus text: consumers, events sent, consumers dropped, refusals.
  std::string metrics_text() const;
  size_t consumer_count() const;

  // For the parts below (feed internals).
  struct Counters {
    uint64_t accepted = 0, events_sent = 0, dropped = 0;
    std::map<std::string, uint64_t> refused;  // by reason
  };
  Counters &counters() { return counters_; }
  const FeedConfig &config() const { return config_; }
  // Whether a line about a consumer coming, going or being refused may be
  // logged now: at most 20 per 10 s, so that a client opening connections
  // in a loop cannot flood the log (the next line allowed says how many
  // were left out). Drops are always logged.
  bool may_log();

 private:
  friend class StreamFeed;
  static gboolean on_tick(gpointer self);
  void tick();
  void publish(const std::string &stream_id, const char *type, const std::string &data);
  void answer_list(SoupServerMessage *msg);
  void open_feed(SoupServerMessage *msg, const std::string &stream_id, const std::string &peer);
  void sweep();

  FeedConfig config_;
  HoldOpen hold_open_;
  std::map<std::string, std::shared_ptr<StreamFeed>> streams_;
  std::vector<std::shared_ptr<FeedConsumer>> consumers_;
  Counters counters_;
  gint64 log_window_us_ = 0;
  int log_lines_ = 0;
  uint64_t log_suppressed_ = 0;
  rtms::SourceId tick_;
};

}  // namespace gateway
