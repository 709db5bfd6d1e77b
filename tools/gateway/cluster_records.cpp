#include "cluster_records.h"
#include "protocol/json_fields.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include <json-glib/json-glib.h>

namespace gateway::cluster {

std::string RedisUrl::display() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port) + "/" + std::to_string(db);
}

bool parse_redis_url(const std::string &url, RedisUrl *out, std::string *error) {
  const std::string scheme = "redis://";
  if (url.compare(0, scheme.size(), scheme) != 0) {
    *error = url.compare(0, 9, "rediss://") == 0
                 ? "--redis: rediss:// (TLS) is not supported by this build's hiredis; use a TLS tunnel or a "
                   "private network"
                 : "--redis must look like redis://host:port/db";
    return false;
  }
  std::string rest = url.substr(scheme.size());
  if (rest.find('@') != std::string::npos) {
    *error = "--redis must not hold a password (the command line is visible to every user): use "
             "--redis-password-file or RTMS_REDIS_PASSWORD";
    return false;
  }
  RedisUrl r;
  std::string hostport = rest, db;
  size_t slash = rest.find('/');
  if (slash != std::string::npos) {
    hostport = rest.substr(0, slash);
    db = rest.substr(slash + 1);
  }
  std::string port;
  if (!hostport.empty() && hostport[0] == '[') {
    size_t close = hostport.find(']');
    if (close == std::string::npos) {
      *error = "--redis: unterminated [IPv6 address]";
      return false;
    }
    r.host = hostport.substr(1, close - 1);
    if (close + 1 < hostport.size()) {
      if (hostport[close + 1] != ':') {
        *error = "--redis: expected :port after the address";
        return false;
      }
      port = hostport.substr(close + 2);
    }
  } else {
    size_t colon = hostport.rfind(':');
    if (colon != std::string::npos) {
      r.host = hostport.substr(0, colon);
      port = hostport.substr(colon + 1);
    } else if (!hostport.empty()) {
      r.host = hostport;
    }
  }
  if (r.host.empty()) r.host = "127.0.0.1";
  auto number = [](const std::string &text, long min, long max, long *value) {
    if (text.empty() || text.size() > 9 || !std::all_of(text.begin(), text.end(), ::isdigit)) return false;
    *value = std::strtol(text.c_str(), nullptr, 10);
    return *value >= min && *value <= max;
  };
  long value = 0;
  if (!port.empty()) {
    if (!number(port, 1, 65535, &value)) {
      *error = "--redis: bad port";
      return false;
    }
    r.port = int(value);
  }
  if (!db.empty()) {
    if (!number(db, 0, 1000000, &value)) {
      *error = "--redis: bad database number";
      return false;
    }
    r.db = int(value);
  }
  *out = r;
  return true;
}

std::string record_kind(const std::string &event_label) {
  if (event_label == "rtms_started") return "start";
  if (event_label == "rtms_stopped") return "stop";
  if (event_label == "rtms_interrupted") return "interrupted";
  return "";
}

std::string digest_hex(const std::string &text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

std::string servers_digest(const std::vector<std::string> &server_urls) {
  std::string joined;
  for (const auto &u : server_urls) joined += u + "\n";
  return digest_hex(joined);
}

std::string idempotency_key(const std::string &stream_id, const std::string &kind,
                            const std::vector<std::string> &server_urls) {
  std::string key = stream_id + ":" + kind;
  if (kind == "start") key += ":" + servers_digest(server_urls);
  return key;
}

EventRecord record_from_fields(const std::string &id, const std::map<std::string, std::string> &fields) {
  EventRecord r;
  r.id = id;
  auto get = [&](const char *name) {
    auto it = fields.find(name);
    return it == fields.end() ? std::string() : it->second;
  };
  r.type = get("type");
  r.stream = get("stream");
  r.body = get("body");
  r.at_ms = std::strtoll(get("at").c_str(), nullptr, 10);
  r.intake = get("intake");
  return r;
}

std::string lease_token(const std::string &worker_id, int64_t fence) {
  return worker_id + "#" + std::to_string(fence);
}

std::string segment_name(int64_t fence) { return "segment-" + std::to_string(fence); }

LeaseTiming LeaseTiming::from_ttl(int64_t ttl_ms) {
  LeaseTiming t;
  t.ttl_ms = ttl_ms;
  t.renew_every_ms = std::max<int64_t>(ttl_ms / 3, 100);
  t.margin_ms = std::min<int64_t>(1000, ttl_ms / 5);
  return t;
}

LeaseCheck check_lease(const LeaseTiming &timing, int64_t now_ms, int64_t last_ok_sent_ms) {
  if (now_ms >= last_ok_sent_ms + timing.ttl_ms - timing.margin_ms) return LeaseCheck::Unprovable;
  if (now_ms >= last_ok_sent_ms + timing.renew_every_ms) return LeaseCheck::RenewDue;
  return LeaseCheck::Held;
}

bool renewal_late(const LeaseTiming &timing, int64_t sent_ms, int64_t previous_ok_sent_ms) {
  return sent_ms - previous_ok_sent_ms > timing.ttl_ms / 2;
}

int64_t retry_delay_ms(int64_t fence) {
  int64_t d = 1000;
  for (int64_t f = 2; f < fence && d < 10000; f++) d *= 2;
  return std::min<int64_t>(d, 10000);
}

int64_t backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms, double random01) {
  int64_t d = base_ms;
  for (int i = 0; i < attempt && d < cap_ms; i++) d *= 2;
  d = std::min(d, cap_ms);
  random01 = std::clamp(random01, 0.0, 1.0);
  return d / 2 + int64_t(random01 * double(d / 2));
}

std::string gap_line(const Gap &gap) {
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  auto str = [&](const char *name, const std::string &value) {
    json_builder_set_member_name(b, name);
    json_builder_add_string_value(b, value.c_str());
  };
  auto num = [&](const char *name, int64_t value) {
    json_builder_set_member_name(b, name);
    json_builder_add_int_value(b, value);
  };
  str("stream", gap.stream_id);
  str("from_owner", gap.from_owner);
  num("from_fence", gap.from_fence);
  str("to_owner", gap.to_owner);
  num("to_fence", gap.to_fence);
  num("start_ms", gap.start_ms);
  num("end_ms", gap.end_ms);
  num("gap_ms", gap.end_ms > gap.start_ms ? gap.end_ms - gap.start_ms : 0);
  str("reason", gap.reason);
  json_builder_end_object(b);
  return rtms::json::to_compact_string(b);
}

Gap Acquired::gap(const std::string &to_owner, int64_t end_ms) const {
  Gap g;
  g.stream_id = stream_id;
  g.from_owner = prev_owner;
  g.from_fence = prev_fence;
  g.to_owner = to_owner;
  g.to_fence = fence;
  bool released = released_at > 0;
  g.start_ms = released ? released_at : prev_renewed_at;
  g.end_ms = end_ms;
  g.reason = released ? "released_" + (release_reason.empty() ? std::string("drain") : release_reason)
                      : "lease_expired";
  return g;
}

static int64_t to_i64(const std::string &s) { return std::strtoll(s.c_str(), nullptr, 10); }

std::vector<Acquired> parse_adopted(const std::vector<std::string> &flat) {
  std::vector<Acquired> out;
  for (size_t i = 0; i + 9 <= flat.size(); i += 9) {
    Acquired a;
    a.stream_id = flat[i];
    a.fence = to_i64(flat[i + 1]);
    a.body = flat[i + 2];
    a.prev_owner = flat[i + 3];
    a.prev_fence = to_i64(flat[i + 4]);
    a.prev_renewed_at = to_i64(flat[i + 5]);
    a.released_at = to_i64(flat[i + 6]);
    a.release_reason = flat[i + 7];
    a.acquired_at = to_i64(flat[i + 8]);
    out.push_back(std::move(a));
  }
  return out;
}

// ---- Lua ------------------------------------------------------------------
// Times are Redis' own (TIME), so hosts' clocks never enter a decision.

#define RTMS_LUA_COMMON                                                                                   \
  "local function now_ms()\n"                                                                             \
  "  local t = redis.call('TIME')\n"                                                                      \
  "  return string.format('%.0f', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))\n"           \
  "end\n"                                                                                                 \
  "local function take(state, lease, worker, ttl, now)\n"                                                 \
  "  local prev = redis.call('HMGET', state, 'owner', 'fence', 'renewed_at', 'released_at',\n"            \
  "                          'release_reason', 'body')\n"                                                 \
  "  local fence = redis.call('HINCRBY', state, 'fence', 1)\n"                                            \
  "  redis.call('SET', lease, worker .. '#' .. fence, 'PX', ttl)\n"                                      \
  "  redis.call('HSET', state, 'owner', worker, 'renewed_at', now, 'acquired_at', now)\n"                 \
  "  redis.call('HDEL', state, 'released_at', 'release_reason', 'retry_at')\n"                           \
  "  return {tostring(fence), prev[6] or '', prev[1] or '', prev[2] or '0', prev[3] or '0',\n"            \
  "          prev[4] or '0', prev[5] or '', now}\n"                                                       \
  "end\n"

const char *const kIntakeScript = RTMS_LUA_COMMON
    "local kind, id, body = ARGV[1], ARGV[2], ARGV[3]\n"
    "local now = now_ms()\n"
    "if not redis.call('SET', KEYS[4], now, 'NX', 'EX', ARGV[5]) then return {'duplicate', ''} end\n"
    "local status = redis.call('HGET', KEYS[2], 'status')\n"
    "local outcome = kind\n"
    "if kind == 'start' then\n"
    "  if status == 'stopped' or status == 'ended' then\n"
    "    outcome = 'start_after_stop'\n"
    "  elseif status == 'running' then\n"
    "    if redis.call('HGET', KEYS[2], 'servers') == ARGV[8] then return {'duplicate', ''} end\n"
    "    outcome = 'failover'\n"
    "    redis.call('HSET', KEYS[2], 'body', body, 'servers', ARGV[8])\n"
    "    redis.call('HINCRBY', KEYS[2], 'gen', 1)\n"
    "  else\n"
    "    redis.call('HSET', KEYS[2], 'status', 'running', 'body', body, 'servers', ARGV[8], 'gen', 1,\n"
    "               'started_at', now)\n"
    "    redis.call('SADD', KEYS[3], id)\n"
    "  end\n"
    "elseif kind == 'stop' then\n"
    "  redis.call('HSET', KEYS[2], 'status', 'stopped', 'stopped_at', now)\n"
    "  redis.call('HDEL', KEYS[2], 'body')\n"
    "  redis.call('SREM', KEYS[3], id)\n"
    "  redis.call('EXPIRE', KEYS[2], ARGV[7])\n"
    "end\n"
    "local entry = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[6], '*', 'type', outcome, 'stream', id,\n"
    "                         'at', now, 'intake', ARGV[4], 'body', body)\n"
    "return {outcome, entry}\n";

const char *const kAcquireScript = RTMS_LUA_COMMON
    "local status = redis.call('HGET', KEYS[1], 'status')\n"
    "if status ~= 'running' then return {'not_running', status or ''} end\n"
    "local cur = redis.call('GET', KEYS[2])\n"
    "if cur then return {'owned', cur} end\n"
    "local r = take(KEYS[1], KEYS[2], ARGV[1], ARGV[2], now_ms())\n"
    "table.insert(r, 1, 'acquired')\n"
    "return r\n";

const char *const kAdoptScript = RTMS_LUA_COMMON
    "local now = now_ms()\n"
    "local out, n, max = {}, 0, tonumber(ARGV[4])\n"
    "for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do\n"
    "  if n >= max then break end\n"
    "  local lease = ARGV[1] .. 'lease:' .. id\n"
    "  local state = ARGV[1] .. 'stream:' .. id\n"
    "  if redis.call('EXISTS', lease) == 0 then\n"
    "    local h = redis.call('HMGET', state, 'status', 'fence', 'started_at', 'retry_at')\n"
    "    if h[1] ~= 'running' then\n"
    "      redis.call('SREM', KEYS[1], id)\n"
    "    elseif tonumber(h[4] or '0') > tonumber(now) then\n"
    "      -- a failed takeover waits for its retry time\n"
    "    elseif tonumber(h[2] or '0') > 0 or tonumber(now) - tonumber(h[3] or '0') >= tonumber(ARGV[5]) then\n"
    "      local r = take(state, lease, ARGV[2], ARGV[3], now)\n"
    "      table.insert(out, id)\n"
    "      for _, v in ipairs(r) do table.insert(out, v) end\n"
    "      n = n + 1\n"
    "    end\n"
    "  end\n"
    "end\n"
    "return out\n";

const char *const kRenewScript = RTMS_LUA_COMMON
    "local cur = redis.call('GET', KEYS[1])\n"
    "if cur ~= ARGV[1] then return {'lost', cur or ''} end\n"
    "redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
    "redis.call('HSET', KEYS[2], 'renewed_at', now_ms())\n"
    "local h = redis.call('HMGET', KEYS[2], 'status', 'gen')\n"
    "return {'ok', h[1] or '', h[2] or '0'}\n";

const char *const kReleaseScript = RTMS_LUA_COMMON
    "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end\n"
    "redis.call('DEL', KEYS[1])\n"
    "local now = now_ms()\n"
    "if ARGV[2] == 'drain' or ARGV[2] == 'retry' then\n"
    "  redis.call('HSET', KEYS[2], 'released_at', now, 'release_reason', ARGV[2])\n"
    "  if ARGV[2] == 'retry' then\n"
    "    redis.call('HSET', KEYS[2], 'retry_at', string.format('%.0f', tonumber(now) + tonumber(ARGV[5] or '0')))\n"
    "  end\n"
    "else\n"
    "  if redis.call('HGET', KEYS[2], 'status') == 'running' then\n"
    "    redis.call('HSET', KEYS[2], 'status', 'ended', 'ended_at', now, 'end_reason', ARGV[2])\n"
    "  end\n"
    "  redis.call('HDEL', KEYS[2], 'body')\n"
    "  redis.call('SREM', KEYS[3], ARGV[3])\n"
    "  redis.call('EXPIRE', KEYS[2], ARGV[4])\n"
    "end\n"
    "return 1\n";

const char *const kViewScript = RTMS_LUA_COMMON
    "local out = {now_ms()}\n"
    "for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do\n"
    "  local h = redis.call('HMGET', ARGV[1] .. 'stream:' .. id, 'fence', 'status', 'renewed_at')\n"
    "  local lease = redis.call('GET', ARGV[1] .. 'lease:' .. id)\n"
    "  table.insert(out, id)\n"
    "  table.insert(out, lease or '')\n"
    "  table.insert(out, h[1] or '0')\n"
    "  table.insert(out, h[2] or '')\n"
    "  table.insert(out, h[3] or '0')\n"
    "end\n"
    "return out\n";

}  // namespace gateway::cluster
