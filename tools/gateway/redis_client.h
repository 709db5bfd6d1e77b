// A small RAII wrapper over hiredis' synchronous API (hiredis 0.14, Debian
// 12), used from the GLib main loop with short timeouts: every command is
// bounded by redisSetTimeout (--redis-timeout, 500 ms by default), a failed
// connection makes every call fail at once until reconnect() succeeds, and
// reconnecting is paced by the caller's backoff. So the loop stalls at most
// one timeout per failure, never for long; media runs on GStreamer's threads
// and does not wait for it. (hiredis' async API with adapters/glib.h would
// avoid even that stall; the synchronous one keeps every decision in one
// straight line of code, which matters more for the lease protocol.)
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cluster_records.h"

struct redisContext;

namespace gateway::cluster {

// A reply, copied out of hiredis' (which is freed at once).
struct Reply {
  enum class Type { Nil, String, Integer, Array, Status, Error, Failed };
  Type type = Type::Failed;  // Failed: no reply (I/O error, not connected)
  std::string str;           // String, Status, Error; the I/O error for Failed
  long long integer = 0;
  std::vector<Reply> elements;
  bool ok() const { return type != Type::Failed && type != Type::Error; }
  // Array of strings/integers as strings (Nil as "").
  std::vector<std::string> strings() const;
  // The element i as text ("" when absent).
  std::string at(size_t i) const;
};

class RedisClient {
 public:
  RedisClient(RedisUrl url, int timeout_ms);
  ~RedisClient();
  RedisClient(const RedisClient &) = delete;
  RedisClient &operator=(const RedisClient &) = delete;

  bool connected() const { return ctx_ != nullptr; }
  // Connects (timeout bounded), AUTH, SELECT. Error texts never hold the password.
  bool connect(std::string *error);
  void disconnect();
  // One command; an I/O error drops the connection (connected() false).
  Reply command(const std::vector<std::string> &args);
  // EVALSHA of a script, loaded with SCRIPT LOAD on first use and again
  // after NOSCRIPT (a Redis restarted without its script cache).
  Reply eval(const char *script, const std::vector<std::string> &keys, const std::vector<std::string> &args);
  const RedisUrl &url() const { return url_; }
  // Commands that failed (I/O or error reply) since start.
  unsigned long long errors() const { return errors_; }

 private:
  struct Free {
    void operator()(redisContext *c) const;
  };
  RedisUrl url_;
  int timeout_ms_;
  std::unique_ptr<redisContext, Free> ctx_;
  std::vector<std::pair<const char *, std::string>> shas_;  // script -> sha
  unsigned long long errors_ = 0;
};

// A connection kept up: reconnects with backoff (1 s doubling to 30 s, with
// jitter), logs when it is lost and back, counts errors.
class RedisLink {
 public:
  RedisLink(RedisUrl url, int timeout_ms, std::string who);
  // Connected, or just reconnected (when the backoff allows an attempt now).
  bool ensure();
  RedisClient &client() { return client_; }
  bool connected() const { return client_.connected(); }
  // After a failed command: log once and start the backoff if the
  // connection went.
  void failed(const Reply &reply, const char *what);
  unsigned long long errors() const { return client_.errors() + connect_failures_; }
  unsigned long long reconnects() const { return reconnects_; }
  // Bumped on every new connection: a caller re-reads what it may have missed.
  unsigned long long epoch() const { return epoch_; }

 private:
  RedisClient client_;
  std::string who_;
  int attempt_ = 0;
  long long next_attempt_us_ = 0;
  bool was_connected_ = false;
  bool ever_connected_ = false;
  unsigned long long connect_failures_ = 0, reconnects_ = 0, epoch_ = 0;
};

}  // namespace gateway::cluster
