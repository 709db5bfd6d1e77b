#include "worker_role.h"

#include <algorithm>
#include <cstdio>
#include <exception>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cluster_view.h"
#include "log.h"
#include "protocol/json_fields.h"

namespace gateway::cluster {

namespace {

constexpr int kTickMs = 200;
constexpr int kEndedStateTtlS = 24 * 3600;
constexpr int kAdoptEveryMs = 1000;
constexpr int kAdoptAtOnce = 4;
// A taken-over stream whose pipeline fails (typically: Zoom still holds the
// dead owner's signaling connection and answers DUPLICATE_SIGNAL_REQUEST,
// which rtmssrc only retries while reconnecting) is left running for the
// next adopt scans, not before retry_delay_ms(fence) (1 s growing to 10 s),
// up to this fencing token (about 2.5 min of tries); then it is given up.
constexpr int64_t kMaxRetryFence = 20;

int64_t mono_ms() { return g_get_monotonic_time() / 1000; }

void append_line(const std::string &path, const std::string &line) {
  FILE *f = std::fopen(path.c_str(), "a");
  if (!f) {
    tools::log_warning("cannot write %s: %s", tools::log_safe(path).c_str(), g_strerror(errno));
    return;
  }
  std::fprintf(f, "%s\n", line.c_str());
  std::fclose(f);
}

RedisUrl url_of(const Options &options) {
  RedisUrl url;
  std::string error;
  parse_redis_url(options.redis_url, &url, &error);  // checked at startup
  url.password = options.redis_password;
  return url;
}

}  // namespace

WorkerRole::WorkerRole(const Options &options, WorkerHost host)
    : options_(options),
      host_(std::move(host)),
      timing_(LeaseTiming::from_ttl(options.lease_ttl_ms)),
      link_(url_of(options), options.redis_timeout_ms, "worker " + options.worker_id) {}

WorkerRole::~WorkerRole() = default;

void WorkerRole::start() {
  tools::log_info("worker %s: capacity %d, lease ttl %lld ms (renewed every %lld ms), Redis %s",
                  options_.worker_id.c_str(), options_.capacity, static_cast<long long>(timing_.ttl_ms),
                  static_cast<long long>(timing_.renew_every_ms), link_.client().url().display().c_str());
  timer_ = rtms::SourceId(g_timeout_add(kTickMs, on_tick, this));
  tick();
}

gboolean WorkerRole::on_tick(gpointer data) {
  auto *self = static_cast<WorkerRole *>(data);
  try {
    self->tick();
  } catch (const std::exception &e) {
    tools::log_error("worker: %s", e.what());
  } catch (...) {
    tools::log_error("worker: unexpected error");
  }
  return G_SOURCE_CONTINUE;
}

void WorkerRole::setup() {
  Reply r = link_.client().command({"XGROUP", "CREATE", keys_.events(), keys_.group(), "0", "MKSTREAM"});
  if (!r.ok() && r.str.compare(0, 9, "BUSYGROUP") != 0) link_.failed(r, "XGROUP CREATE");
  Reply last = link_.client().command({"XREVRANGE", keys_.events(), "+", "-", "COUNT", "1"});
  if (last.type == Reply::Type::Array && !last.elements.empty() && !last.elements[0].elements.empty())
    tail_id_ = last.elements[0].at(0);
  else if (!last.ok())
    link_.failed(last, "XREVRANGE");
  seen_epoch_ = link_.epoch();
  // A new connection (Redis restarted, or back after a partition): prove
  // every lease now.
  for (auto &kv : owned_) kv.second.last_ok_sent_ms = std::min(kv.second.last_ok_sent_ms, mono_ms() - timing_.renew_every_ms);
}

void WorkerRole::tick() {
  int64_t now = mono_ms();
  // 1. What cannot be proven any more is stopped first, without asking.
  for (auto &kv : owned_) {
    Owned &o = kv.second;
    if (o.state == Owned::State::Fenced) continue;
    if (check_lease(timing_, now, o.last_ok_sent_ms) == LeaseCheck::Unprovable) {
      unprovable_++;
      fence_out(o, "its lease could not be renewed in time (Redis unreachable, or this process was paused)");
    }
  }
  if (!link_.ensure()) return;
  if (link_.epoch() != seen_epoch_) setup();
  // 2. Renewals.
  for (auto &kv : owned_) {
    Owned &o = kv.second;
    if (o.state == Owned::State::Fenced) continue;
    if (check_lease(timing_, mono_ms(), o.last_ok_sent_ms) != LeaseCheck::Held) renew(o, mono_ms());
    if (!link_.connected()) return;
  }
  // 3. Stops and failovers of our streams, wherever they were posted.
  read_tail();
  if (!link_.connected() || draining_) return;
  // 4. New streams, then orphans.
  int free = options_.capacity - int(owned_.size());
  if (free > 0) claim(free);
  free = options_.capacity - int(owned_.size());
  if (free > 0 && link_.connected() && now >= next_adopt_ms_) {
    next_adopt_ms_ = now + kAdoptEveryMs;
    adopt(std::min(free, kAdoptAtOnce));
  }
}

void WorkerRole::renew(Owned &o, int64_t sent) {
  Reply r = link_.client().eval(kRenewScript, {keys_.lease(o.stream_id), keys_.state(o.stream_id)},
                                {o.token, std::to_string(timing_.ttl_ms)});
  if (!r.ok() || r.type != Reply::Type::Array) {
    link_.failed(r, "a lease renewal");
    return;
  }
  std::string id_text = tools::log_safe(o.stream_id);
  if (r.at(0) != "ok") {
    fenced_++;
    tools::log_warning("worker %s: stream %s: lease fence %lld is no longer ours (now %s): fenced",
                       options_.worker_id.c_str(), id_text.c_str(), static_cast<long long>(o.fence),
                       tools::log_safe(r.at(1).empty() ? std::string("expired") : r.at(1)).c_str());
    fence_out(o, "fencing token rejected");
    return;
  }
  renewals_++;
  if (renewal_late(timing_, sent, o.last_ok_sent_ms)) late_++;
  o.last_ok_sent_ms = sent;
  if (r.at(1) == "stopped" && o.state == Owned::State::Running) {
    tools::log_info("worker %s: stream %s was stopped (seen at its lease renewal)", options_.worker_id.c_str(),
                    id_text.c_str());
    stop_owned(o, "stopped");
    return;
  }
  long long gen = std::atoll(r.at(2).c_str());
  if (gen > o.gen && o.state == Owned::State::Running) {
    Reply body = link_.client().command({"HGET", keys_.state(o.stream_id), "body"});
    if (body.type == Reply::Type::String) {
      tools::log_info("worker %s: stream %s: server failover (seen at its lease renewal)", options_.worker_id.c_str(),
                      id_text.c_str());
      host_.failover(o.stream_id, body.str);
      o.gen = gen;
    } else {
      link_.failed(body, "HGET body");
    }
  }
}

void WorkerRole::read_tail() {
  Reply r = link_.client().command({"XREAD", "COUNT", "500", "STREAMS", keys_.events(), tail_id_});
  if (!r.ok()) {
    link_.failed(r, "XREAD");
    return;
  }
  if (r.type != Reply::Type::Array || r.elements.empty()) return;
  for (const Reply &entry : r.elements[0].elements.size() > 1 ? r.elements[0].elements[1].elements
                                                                : std::vector<Reply>{}) {
    if (entry.elements.size() < 2) continue;
    std::map<std::string, std::string> fields;
    std::vector<std::string> kv = entry.elements[1].strings();
    for (size_t i = 0; i + 1 < kv.size(); i += 2) fields[kv[i]] = kv[i + 1];
    EventRecord rec = record_from_fields(entry.at(0), fields);
    tail_id_ = rec.id;
    auto it = owned_.find(rec.stream);
    if (it == owned_.end() || it->second.state != Owned::State::Running) continue;
    if (rec.type == "stop") {
      tools::log_info("worker %s: rtms_stopped for stream %s: ending it with EOS", options_.worker_id.c_str(),
                      tools::log_safe(rec.stream).c_str());
      stop_owned(it->second, "stopped");
    } else if (rec.type == "failover" && !rec.body.empty()) {
      tools::log_info("worker %s: stream %s: server failover", options_.worker_id.c_str(),
                      tools::log_safe(rec.stream).c_str());
      host_.failover(rec.stream, rec.body);
      it->second.gen++;
    }
  }
}

void WorkerRole::claim(int free) {
  Reply r = link_.client().command({"XREADGROUP", "GROUP", keys_.group(), options_.worker_id, "COUNT",
                                    std::to_string(free), "STREAMS", keys_.events(), ">"});
  if (!r.ok()) {
    link_.failed(r, "XREADGROUP");
    if (r.str.compare(0, 7, "NOGROUP") == 0) seen_epoch_ = 0;  // Redis lost it: create it again
    return;
  }
  if (r.type != Reply::Type::Array || r.elements.empty() || r.elements[0].elements.size() < 2) return;
  for (const Reply &entry : r.elements[0].elements[1].elements) {
    if (entry.elements.size() < 2) continue;
    std::map<std::string, std::string> fields;
    std::vector<std::string> kv = entry.elements[1].strings();
    for (size_t i = 0; i + 1 < kv.size(); i += 2) fields[kv[i]] = kv[i + 1];
    EventRecord rec = record_from_fields(entry.at(0), fields);
    if (rec.type == "start" && owned_.count(rec.stream) == 0) acquire(rec.stream);
    if (!link_.connected()) return;  // unacknowledged: delivered again, or adopted after the ttl
    Reply ack = link_.client().command({"XACK", keys_.events(), keys_.group(), rec.id});
    if (!ack.ok()) link_.failed(ack, "XACK");
  }
}

void WorkerRole::acquire(const std::string &stream_id) {
  int64_t sent = mono_ms();
  Reply r = link_.client().eval(kAcquireScript, {keys_.state(stream_id), keys_.lease(stream_id)},
                                {options_.worker_id, std::to_string(timing_.ttl_ms), stream_id});
  if (!r.ok() || r.type != Reply::Type::Array) {
    link_.failed(r, "an acquire");
    return;
  }
  if (r.at(0) != "acquired") {
    tools::log_info("worker %s: stream %s not taken: %s %s", options_.worker_id.c_str(),
                    tools::log_safe(stream_id).c_str(), r.at(0).c_str(), tools::log_safe(r.at(1)).c_str());
    return;
  }
  std::vector<std::string> flat = r.strings();
  flat[0] = stream_id;
  std::vector<Acquired> got = parse_adopted(flat);
  if (!got.empty()) begin(got[0], sent);
}

void WorkerRole::adopt(int max) {
  int64_t sent = mono_ms();
  Reply r = link_.client().eval(kAdoptScript, {keys_.active()},
                                {keys_.prefix, options_.worker_id, std::to_string(timing_.ttl_ms),
                                 std::to_string(max), std::to_string(timing_.ttl_ms)});
  if (!r.ok() || r.type != Reply::Type::Array) {
    link_.failed(r, "an adopt scan");
    return;
  }
  for (const Acquired &a : parse_adopted(r.strings())) begin(a, sent);
}

void WorkerRole::begin(const Acquired &a, int64_t sent) {
  Owned o;
  o.stream_id = a.stream_id;
  o.fence = a.fence;
  o.token = lease_token(options_.worker_id, a.fence);
  o.last_ok_sent_ms = sent;
  std::string id_text = tools::log_safe(a.stream_id);
  std::string error;
  if (a.body.empty() || !host_.start(a.body, segment_name(a.fence), &o.folder, &error)) {
    start_failures_++;
    tools::log_error("worker %s: stream %s (fence %lld) could not be started: %s", options_.worker_id.c_str(),
                     id_text.c_str(), static_cast<long long>(a.fence), tools::log_safe(error, 1024).c_str());
    release(o, error == "busy" ? "retry" : "error");
    return;
  }
  claims_++;
  o.takeover = a.takeover();
  if (a.takeover()) {
    takeovers_++;
    Gap gap = a.gap(options_.worker_id, g_get_real_time() / 1000);
    append_line(o.folder + "/gaps.jsonl", gap_line(gap));
    tools::log_warning("worker %s: stream %s taken over from %s (fence %lld -> %lld, %s, gap so far %lld ms) "
                       "-> segment %s",
                       options_.worker_id.c_str(), id_text.c_str(), tools::log_safe(a.prev_owner).c_str(),
                       static_cast<long long>(a.prev_fence), static_cast<long long>(a.fence), gap.reason.c_str(),
                       static_cast<long long>(gap.end_ms - gap.start_ms), segment_name(a.fence).c_str());
  } else {
    tools::log_info("worker %s: stream %s claimed (fence %lld)", options_.worker_id.c_str(), id_text.c_str(),
                    static_cast<long long>(a.fence));
  }
  owned_[a.stream_id] = std::move(o);
}

void WorkerRole::fence_out(Owned &o, const char *why) {
  tools::log_warning("worker %s: stream %s (fence %lld) stopped at once: %s; it goes on in another worker's "
                     "segment",
                     options_.worker_id.c_str(), tools::log_safe(o.stream_id).c_str(),
                     static_cast<long long>(o.fence), why);
  bool was_running = o.state != Owned::State::Fenced;
  o.state = Owned::State::Fenced;
  if (was_running) host_.stop(o.stream_id);
}

void WorkerRole::stop_owned(Owned &o, const std::string &reason) {
  stops_++;
  o.state = Owned::State::Stopping;
  o.end_reason = reason;
  host_.stop(o.stream_id);
}

void WorkerRole::release(const Owned &o, const std::string &reason) {
  releases_[reason]++;
  if (!link_.ensure()) return;  // the lease runs out by itself
  Reply r = link_.client().eval(kReleaseScript,
                                {keys_.lease(o.stream_id), keys_.state(o.stream_id), keys_.active()},
                                {o.token, reason, o.stream_id, std::to_string(kEndedStateTtlS),
                                 std::to_string(retry_delay_ms(o.fence))});
  if (!r.ok()) link_.failed(r, "a release");
}

void WorkerRole::drain() {
  if (draining_) return;
  draining_ = true;
  tools::log_info("worker %s: draining: no more claims; %zu stream(s) stopped and handed over",
                  options_.worker_id.c_str(), owned_.size());
  for (auto &kv : owned_)
    if (kv.second.state == Owned::State::Running) {
      kv.second.state = Owned::State::Stopping;
      kv.second.end_reason = "drain";
    }
}

void WorkerRole::on_stream_end(const std::string &stream_id, bool error) {
  auto it = owned_.find(stream_id);
  if (it == owned_.end()) return;
  Owned o = std::move(it->second);
  owned_.erase(it);
  if (o.state == Owned::State::Fenced) return;  // not ours to release
  std::string reason = !o.end_reason.empty() ? o.end_reason : (error ? "error" : "ended");
  if (reason == "error" && o.takeover && o.fence <= kMaxRetryFence && !draining_) reason = "retry";
  tools::log_info("worker %s: stream %s (fence %lld) ended (%s): lease released", options_.worker_id.c_str(),
                  tools::log_safe(stream_id).c_str(), static_cast<long long>(o.fence), reason.c_str());
  release(o, reason);
}

std::string WorkerRole::metrics_text() {
  std::string out;
  auto metric = [&out](const char *name, const char *type, const char *help, const std::string &value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " + value +
           "\n";
  };
  out += "# HELP rtms_gateway_cluster_info This process's role and worker id.\n# TYPE rtms_gateway_cluster_info "
         "gauge\nrtms_gateway_cluster_info{role=\"worker\",worker=\"" + options_.worker_id + "\"} 1\n";
  metric("rtms_gateway_cluster_capacity", "gauge", "Streams this worker claims at most.",
         std::to_string(options_.capacity));
  size_t running = 0;
  for (const auto &kv : owned_) running += kv.second.state != Owned::State::Fenced;
  metric("rtms_gateway_cluster_owned_streams", "gauge", "Streams whose lease this worker holds.",
         std::to_string(running));
  metric("rtms_gateway_cluster_claims_total", "counter", "Streams this worker acquired (new ones and takeovers).",
         std::to_string(claims_));
  metric("rtms_gateway_cluster_takeovers_total", "counter",
         "Streams acquired that had another owner before (lease expired or handed over).", std::to_string(takeovers_));
  metric("rtms_gateway_cluster_lease_renewals_total", "counter", "Lease renewals that succeeded.",
         std::to_string(renewals_));
  metric("rtms_gateway_cluster_lease_renewals_late_total", "counter",
         "Successful renewals sent more than half a ttl after the previous one.", std::to_string(late_));
  metric("rtms_gateway_cluster_fencing_rejections_total", "counter",
         "Renewals refused because the lease holds another owner's token (or none): the stream was stopped.",
         std::to_string(fenced_));
  metric("rtms_gateway_cluster_leases_unprovable_total", "counter",
         "Streams stopped because no renewal succeeded within the ttl (Redis unreachable, or paused).",
         std::to_string(unprovable_));
  metric("rtms_gateway_cluster_start_failures_total", "counter", "Acquired streams whose pipeline did not start.",
         std::to_string(start_failures_));
  out += "# HELP rtms_gateway_cluster_releases_total Leases released, by reason (ended, stopped, drain, error, "
         "retry).\n# TYPE rtms_gateway_cluster_releases_total counter\n";
  for (const auto &[reason, n] : releases_)
    out += "rtms_gateway_cluster_releases_total{reason=\"" + reason + "\"} " + std::to_string(n) + "\n";
  metric("rtms_gateway_cluster_redis_connected", "gauge", "1 while Redis is connected.",
         link_.connected() ? "1" : "0");
  metric("rtms_gateway_cluster_redis_errors_total", "counter", "Redis commands or connects that failed.",
         std::to_string(link_.errors()));
  metric("rtms_gateway_cluster_redis_reconnects_total", "counter", "Connections to Redis made again after losing it.",
         std::to_string(link_.reconnects()));
  return out;
}

std::string WorkerRole::streams_json() {
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "role");
  json_builder_add_string_value(b, "worker");
  json_builder_set_member_name(b, "worker");
  json_builder_add_string_value(b, options_.worker_id.c_str());
  json_builder_set_member_name(b, "draining");
  json_builder_add_boolean_value(b, draining_);
  json_builder_set_member_name(b, "owned");
  json_builder_begin_array(b);
  int64_t now = mono_ms();
  for (const auto &kv : owned_) {
    const Owned &o = kv.second;
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "stream_id");
    json_builder_add_string_value(b, o.stream_id.c_str());
    json_builder_set_member_name(b, "fence");
    json_builder_add_int_value(b, o.fence);
    json_builder_set_member_name(b, "state");
    json_builder_add_string_value(b, o.state == Owned::State::Running    ? "running"
                                     : o.state == Owned::State::Stopping ? "stopping"
                                                                         : "fenced");
    json_builder_set_member_name(b, "folder");
    json_builder_add_string_value(b, o.folder.c_str());
    json_builder_set_member_name(b, "last_renewal_ms_ago");
    json_builder_add_int_value(b, now - o.last_ok_sent_ms);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  add_cluster_view(b, link_, keys_);
  json_builder_end_object(b);
  return rtms::json::to_compact_string(b);
}

}  // namespace gateway::cluster
