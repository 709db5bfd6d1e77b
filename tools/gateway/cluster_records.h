// Scale-out on Redis (docs/gateway.md, "Scale-out on Redis"): the pure parts.
// Key names, the records intake appends to the events stream, the Lua
// scripts that take, renew and release a stream's lease with its fencing
// token, the decisions a worker makes about a lease from its own clock, the
// reconnect backoff and the gap lines. No I/O here: unit-tested in
// tests/gateway/test_cluster_units.cpp.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gateway::cluster {

// redis://[host][:port][/db]; no user info: the password comes from
// --redis-password-file or RTMS_REDIS_PASSWORD, never from the command line.
struct RedisUrl {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
  std::string password;  // never logged
  // host:port/db, for log lines.
  std::string display() const;
};
bool parse_redis_url(const std::string &url, RedisUrl *out, std::string *error);

// Every key the cluster uses, under one prefix ("rtms:").
struct Keys {
  std::string prefix = "rtms:";
  std::string events() const { return prefix + "events"; }        // the stream of records
  std::string group() const { return "workers"; }                 // its consumer group
  std::string active() const { return prefix + "active"; }        // set of running stream ids
  std::string state(const std::string &id) const { return prefix + "stream:" + id; }  // hash
  std::string lease(const std::string &id) const { return prefix + "lease:" + id; }   // string, PX ttl
  std::string dedupe(const std::string &key) const { return prefix + "dedupe:" + key; }
};

// What intake appends for an event: "start", "stop", "interrupted", or ""
// (an event that concerns no stream's ownership: only logged).
std::string record_kind(const std::string &event_label);

// The idempotency key of one event of a stream: the stream id, the kind and,
// for a start, a digest of its server URLs (a Zoom retry has the same URLs;
// a server failover other ones, so it is not a duplicate).
std::string idempotency_key(const std::string &stream_id, const std::string &kind,
                            const std::vector<std::string> &server_urls);
// A stable 64-bit FNV-1a digest in hex (not a security property: the key
// only has to tell apart the server lists of one stream).
std::string digest_hex(const std::string &text);
std::string servers_digest(const std::vector<std::string> &server_urls);

// One entry of the events stream, as XREADGROUP / XREAD return it.
struct EventRecord {
  std::string id;      // stream entry id
  std::string type;    // start, failover, stop, interrupted, start_after_stop
  std::string stream;  // rtms_stream_id
  std::string body;    // the raw verified event body
  int64_t at_ms = 0;   // Redis time of the append
  std::string intake;  // which intake appended it
};
EventRecord record_from_fields(const std::string &id, const std::map<std::string, std::string> &fields);

// The lease's value: "<worker>#<fence>". A renewal succeeds only while the
// key still holds exactly this token (ownership and fencing token at once).
std::string lease_token(const std::string &worker_id, int64_t fence);
// The segment folder inside the stream folder for one owner.
std::string segment_name(int64_t fence);

// Lease timing, from the worker's monotonic clock. A renewal sent at t and
// answered ok proves the lease until t + ttl (Redis' PX starts no earlier
// than t). The worker stops a stream once it can no longer prove its lease:
// a margin before that instant, so that it never writes while another owner
// may already have been given the stream.
struct LeaseTiming {
  int64_t ttl_ms = 10000;
  int64_t renew_every_ms = 3000;
  int64_t margin_ms = 1000;
  static LeaseTiming from_ttl(int64_t ttl_ms);
};
enum class LeaseCheck { Held, RenewDue, Unprovable };
LeaseCheck check_lease(const LeaseTiming &timing, int64_t now_ms, int64_t last_ok_sent_ms);
// A renewal that went out more than half a ttl after the previous good one
// (the loop or Redis was slow, or the process was paused): counted as late.
bool renewal_late(const LeaseTiming &timing, int64_t sent_ms, int64_t previous_ok_sent_ms);

// How long a failed takeover (fence) waits before the next adopt may try:
// 1 s, 2 s, 4 s, 8 s, then 10 s: retries span Zoom's reconnect window.
int64_t retry_delay_ms(int64_t fence);

// Reconnect delay: d/2 + random01 * d/2 with d = base * 2^attempt, capped.
int64_t backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms, double random01);

// What a worker writes into the stream folder when it takes a stream over:
// one JSON line in gaps.jsonl.
struct Gap {
  std::string stream_id;
  std::string from_owner;   // the previous owner ("" if unknown)
  int64_t from_fence = 0;
  std::string to_owner;
  int64_t to_fence = 0;
  int64_t start_ms = 0;     // last proof of life of the previous owner (renewal or release), Redis time
  int64_t end_ms = 0;       // when the new owner's pipeline started playing (its clock)
  std::string reason;       // lease_expired, released (drain), ...
};
std::string gap_line(const Gap &gap);

// The result of the acquire and adopt scripts for one stream.
struct Acquired {
  std::string stream_id;
  int64_t fence = 0;
  std::string body;
  std::string prev_owner;
  int64_t prev_fence = 0;
  int64_t prev_renewed_at = 0;
  int64_t released_at = 0;
  std::string release_reason;
  int64_t acquired_at = 0;
  // A gap to write: the stream had an owner before.
  bool takeover() const { return prev_fence > 0; }
  Gap gap(const std::string &to_owner, int64_t end_ms) const;
};

// The Lua scripts (EVALSHA, loaded on first use). They build key names from
// the prefix given in ARGV, so all keys of a stream live on one Redis
// primary (not Redis Cluster; see docs/gateway.md).
// intake: KEYS events, state, active, dedupe; ARGV kind, stream, body,
//   intake id, dedupe ttl s, maxlen, state ttl s, servers digest.
//   Returns {outcome, entry id}; outcome: start, failover, stop, interrupted,
//   duplicate (idempotency key seen), start_after_stop (the stop won).
extern const char *const kIntakeScript;
// acquire: KEYS state, lease; ARGV worker, ttl ms, stream id.
//   {"acquired", fence, body, prev owner, prev fence, renewed_at, released_at,
//   release_reason, now} or {"owned", token} or {"not_running", status}.
extern const char *const kAcquireScript;
// adopt: KEYS active; ARGV prefix, worker, ttl ms, max, min age ms.
//   Streams of the active set without a lease (their owner died, paused
//   past its ttl, or handed them over), acquired at once: a flat array of
//   9 values per stream (id then acquire's values after "acquired").
extern const char *const kAdoptScript;
// renew: KEYS lease, state; ARGV token, ttl ms.
//   {"ok", status, gen} or {"lost", current token or ""}.
extern const char *const kRenewScript;
// release: KEYS lease, state, active; ARGV token, reason, stream id, state ttl s,
//   retry delay ms. reason "drain" or "retry" (not before the delay) leaves the
//   stream running for another worker; any other
//   ends it (removed from the active set). 1 if the lease was ours.
extern const char *const kReleaseScript;
// view: KEYS active; ARGV prefix. {id, owner, fence, status, renewed_at, now} per stream.
extern const char *const kViewScript;

std::vector<Acquired> parse_adopted(const std::vector<std::string> &flat);

}  // namespace gateway::cluster
