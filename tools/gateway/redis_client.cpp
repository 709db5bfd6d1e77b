#include "redis_client.h"

#include <sys/time.h>

#include <hiredis/hiredis.h>

namespace gateway::cluster {

namespace {

struct FreeReply {
  void operator()(redisReply *r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, FreeReply>;

Reply copy(const redisReply *r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_NIL: out.type = Reply::Type::Nil; break;
    case REDIS_REPLY_STRING: out.type = Reply::Type::String; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_STATUS: out.type = Reply::Type::Status; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_ERROR: out.type = Reply::Type::Error; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_INTEGER: out.type = Reply::Type::Integer; out.integer = r->integer; break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::Array;
      for (size_t i = 0; i < r->elements; i++) out.elements.push_back(copy(r->element[i]));
      break;
    default: out.type = Reply::Type::Failed; out.str = "unknown reply type"; break;
  }
  return out;
}

struct timeval tv_of(int ms) {
  struct timeval tv;
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  return tv;
}

}  // namespace

std::vector<std::string> Reply::strings() const {
  std::vector<std::string> out;
  for (const Reply &e : elements) out.push_back(e.type == Type::Integer ? std::to_string(e.integer) : e.str);
  return out;
}

std::string Reply::at(size_t i) const {
  if (i >= elements.size()) return "";
  const Reply &e = elements[i];
  return e.type == Type::Integer ? std::to_string(e.integer) : e.str;
}

void RedisClient::Free::operator()(redisContext *c) const { redisFree(c); }

RedisClient::RedisClient(RedisUrl url, int timeout_ms) : url_(std::move(url)), timeout_ms_(timeout_ms) {}

RedisClient::~RedisClient() = default;

void RedisClient::disconnect() { ctx_.reset(); }

bool RedisClient::connect(std::string *error) {
  ctx_.reset();
  std::unique_ptr<redisContext, Free> c(redisConnectWithTimeout(url_.host.c_str(), url_.port, tv_of(timeout_ms_)));
  if (!c) {
    *error = "cannot allocate a Redis context";
    return false;
  }
  if (c->err) {
    *error = std::string("cannot connect to Redis at ") + url_.display() + ": " + c->errstr;
    return false;
  }
  redisSetTimeout(c.get(), tv_of(timeout_ms_));
  ctx_ = std::move(c);
  if (!url_.password.empty()) {
    Reply r = command({"AUTH", url_.password});
    if (!r.ok()) {
      // Redis' own text ("WRONGPASS ...") never repeats the password.
      *error = "Redis at " + url_.display() + " refused AUTH: " + r.str;
      ctx_.reset();
      return false;
    }
  }
  if (url_.db != 0) {
    Reply r = command({"SELECT", std::to_string(url_.db)});
    if (!r.ok()) {
      *error = "Redis at " + url_.display() + ": SELECT failed: " + r.str;
      ctx_.reset();
      return false;
    }
  }
  Reply pong = command({"PING"});
  if (!pong.ok()) {
    *error = "Redis at " + url_.display() + ": PING failed: " + pong.str;
    ctx_.reset();
    return false;
  }
  return true;
}

Reply RedisClient::command(const std::vector<std::string> &args) {
  Reply out;
  if (!ctx_) {
    out.str = "not connected";
    errors_++;
    return out;
  }
  std::vector<const char *> argv;
  std::vector<size_t> lens;
  for (const auto &a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  ReplyPtr r(static_cast<redisReply *>(redisCommandArgv(ctx_.get(), int(argv.size()), argv.data(), lens.data())));
  if (!r) {
    out.str = ctx_->errstr[0] ? ctx_->errstr : "connection lost";
    ctx_.reset();  // a context with an error is unusable
    errors_++;
    return out;
  }
  out = copy(r.get());
  if (out.type == Reply::Type::Error) errors_++;
  return out;
}

Reply RedisClient::eval(const char *script, const std::vector<std::string> &keys,
                        const std::vector<std::string> &args) {
  std::string *sha = nullptr;
  for (auto &kv : shas_)
    if (kv.first == script) sha = &kv.second;
  for (int attempt = 0; attempt < 2; attempt++) {
    if (!sha) {
      Reply loaded = command({"SCRIPT", "LOAD", script});
      if (!loaded.ok()) return loaded;
      shas_.emplace_back(script, loaded.str);
      sha = &shas_.back().second;
    }
    std::vector<std::string> argv = {"EVALSHA", *sha, std::to_string(keys.size())};
    argv.insert(argv.end(), keys.begin(), keys.end());
    argv.insert(argv.end(), args.begin(), args.end());
    Reply r = command(argv);
    if (r.type == Reply::Type::Error && r.str.compare(0, 8, "NOSCRIPT") == 0) {
      errors_--;  // not a failure: the cache was empty (Redis restarted)
      for (auto it = shas_.begin(); it != shas_.end(); ++it)
        if (it->first == script) {
          shas_.erase(it);
          break;
        }
      sha = nullptr;
      continue;
    }
    return r;
  }
  Reply failed;
  failed.str = "script not loadable";
  return failed;
}

}  // namespace gateway::cluster
