#include "intake_role.h"

#include <cstdlib>

#include "log.h"

namespace gateway::cluster {

namespace {
constexpr int kDedupeTtlS = 24 * 3600;      // Zoom retries for far less
constexpr int kStoppedStateTtlS = 24 * 3600;  // a late start after its stop is still refused
}  // namespace

IntakeRole::IntakeRole(const Options &options)
    : options_(options), link_([&] {
        RedisUrl url;
        std::string error;
        parse_redis_url(options.redis_url, &url, &error);  // checked at startup
        url.password = options.redis_password;
        return url;
      }(), options.redis_timeout_ms, "intake") {}

void IntakeRole::start() { link_.ensure(); }

Verdict IntakeRole::append(Verdict v, std::string_view raw_body) {
  if (!v.accepted() || !v.webhook) return v;
  const rtms::Webhook &w = *v.webhook;
  std::string kind = record_kind(event_label(w.kind));
  if (kind.empty()) return v;  // url_validation, concurrency warnings: answered and logged here
  std::string id_text = tools::log_safe(w.rtms_stream_id);
  auto unavailable = [&](const std::string &why) {
    unavailable_++;
    Verdict busy;
    busy.status = 503;
    busy.reason = "redis_unavailable";
    busy.detail = std::string(event_label(w.kind)) + " for stream " + w.rtms_stream_id +
                  " not stored (Zoom retries it): " + why;
    return busy;
  };
  if (w.rtms_stream_id.empty()) return v;
  if (!link_.ensure()) return unavailable("Redis at " + link_.client().url().display() + " is not reachable");
  std::vector<std::string> keys = {keys_.events(), keys_.state(w.rtms_stream_id), keys_.active(),
                                   keys_.dedupe(idempotency_key(w.rtms_stream_id, kind, w.server_urls))};
  if (kind == "interrupted")
    keys[3] = keys_.dedupe(w.rtms_stream_id + ":interrupted:" + std::to_string(w.event_ts));
  std::vector<std::string> args = {kind,
                                   w.rtms_stream_id,
                                   std::string(raw_body),
                                   options_.worker_id,
                                   std::to_string(kDedupeTtlS),
                                   std::to_string(options_.events_maxlen),
                                   std::to_string(kStoppedStateTtlS),
                                   servers_digest(w.server_urls)};
  Reply r = link_.client().eval(kIntakeScript, keys, args);
  if (!r.ok() || r.type != Reply::Type::Array) {
    link_.failed(r, "an append");
    return unavailable(r.str.empty() ? std::string("unexpected answer") : r.str);
  }
  std::string outcome = r.at(0);
  records_[outcome]++;
  tools::log_info("stream %s: %s stored as '%s' %s", id_text.c_str(), event_label(w.kind), outcome.c_str(),
                  r.at(1).empty() ? "(nothing appended)" : ("(record " + r.at(1) + ")").c_str());
  return v;
}

std::string IntakeRole::metrics_text() {
  std::string out;
  out += "# HELP rtms_gateway_cluster_records_total Events stored by this intake, by outcome (start, failover, "
         "stop, interrupted, duplicate, start_after_stop).\n# TYPE rtms_gateway_cluster_records_total counter\n";
  for (const auto &[outcome, n] : records_)
    out += "rtms_gateway_cluster_records_total{outcome=\"" + outcome + "\"} " + std::to_string(n) + "\n";
  out += "# HELP rtms_gateway_cluster_unavailable_total Events answered 503 because Redis could not store them.\n"
         "# TYPE rtms_gateway_cluster_unavailable_total counter\n";
  out += "rtms_gateway_cluster_unavailable_total " + std::to_string(unavailable_) + "\n";
  // The events stream's length and the consumer group's lag, read now.
  long long length = -1, lag = -1, pending = -1;
  if (link_.ensure()) {
    Reply len = link_.client().command({"XLEN", keys_.events()});
    if (len.type == Reply::Type::Integer) length = len.integer;
    else link_.failed(len, "XLEN");
    Reply groups = link_.client().command({"XINFO", "GROUPS", keys_.events()});
    if (groups.type == Reply::Type::Array) {
      for (const Reply &g : groups.elements) {
        std::vector<std::string> kv = g.strings();
        bool ours = false;
        long long l = -1, p = -1;
        for (size_t i = 0; i + 1 < kv.size(); i += 2) {
          if (kv[i] == "name" && kv[i + 1] == keys_.group()) ours = true;
          if (kv[i] == "lag") l = std::atoll(kv[i + 1].c_str());
          if (kv[i] == "pending") p = std::atoll(kv[i + 1].c_str());
        }
        if (ours) lag = l, pending = p;
      }
    }
  }
  out += "# HELP rtms_gateway_cluster_events_length Records in the events stream (-1: unknown).\n"
         "# TYPE rtms_gateway_cluster_events_length gauge\nrtms_gateway_cluster_events_length " +
         std::to_string(length) + "\n";
  out += "# HELP rtms_gateway_cluster_events_lag Records not yet delivered to the workers' group (-1: unknown).\n"
         "# TYPE rtms_gateway_cluster_events_lag gauge\nrtms_gateway_cluster_events_lag " + std::to_string(lag) +
         "\n";
  out += "# HELP rtms_gateway_cluster_events_pending Records delivered to a worker and not acknowledged.\n"
         "# TYPE rtms_gateway_cluster_events_pending gauge\nrtms_gateway_cluster_events_pending " +
         std::to_string(pending) + "\n";
  out += "# HELP rtms_gateway_cluster_redis_connected 1 while Redis is connected.\n"
         "# TYPE rtms_gateway_cluster_redis_connected gauge\nrtms_gateway_cluster_redis_connected " +
         std::string(link_.connected() ? "1" : "0") + "\n";
  out += "# HELP rtms_gateway_cluster_redis_errors_total Redis commands or connects that failed.\n"
         "# TYPE rtms_gateway_cluster_redis_errors_total counter\nrtms_gateway_cluster_redis_errors_total " +
         std::to_string(link_.errors()) + "\n";
  return out;
}

}  // namespace gateway::cluster
