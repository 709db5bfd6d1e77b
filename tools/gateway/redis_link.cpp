#include "redis_client.h"

#include <glib.h>

#include "log.h"

namespace gateway::cluster {

RedisLink::RedisLink(RedisUrl url, int timeout_ms, std::string who)
    : client_(std::move(url), timeout_ms), who_(std::move(who)) {}

bool RedisLink::ensure() {
  if (client_.connected()) return true;
  long long now = g_get_monotonic_time();
  if (now < next_attempt_us_) return false;
  std::string error;
  if (client_.connect(&error)) {
    if (ever_connected_) reconnects_++;
    tools::log_info("%s: %s Redis at %s", who_.c_str(), ever_connected_ ? "reconnected to" : "connected to",
                    client_.url().display().c_str());
    ever_connected_ = was_connected_ = true;
    attempt_ = 0;
    epoch_++;
    return true;
  }
  connect_failures_++;
  int64_t delay = backoff_ms(attempt_++, 1000, 30000, g_random_double());
  next_attempt_us_ = now + delay * 1000;
  // The first failure of a run and then every eighth: the log stays readable.
  if (attempt_ == 1 || attempt_ % 8 == 0)
    tools::log_warning("%s: %s (attempt %d; next in %lld ms)", who_.c_str(), tools::log_safe(error, 1024).c_str(),
                       attempt_, static_cast<long long>(delay));
  was_connected_ = false;
  return false;
}

void RedisLink::failed(const Reply &reply, const char *what) {
  if (reply.ok()) return;
  if (!client_.connected()) {
    if (was_connected_)
      tools::log_warning("%s: lost Redis at %s during %s: %s", who_.c_str(), client_.url().display().c_str(), what,
                         tools::log_safe(reply.str, 1024).c_str());
    was_connected_ = false;
    if (next_attempt_us_ < g_get_monotonic_time()) {
      next_attempt_us_ = g_get_monotonic_time() + backoff_ms(attempt_++, 1000, 30000, g_random_double()) * 1000;
    }
  } else {
    tools::log_warning("%s: Redis answered %s with an error: %s", who_.c_str(), what,
                       tools::log_safe(reply.str, 1024).c_str());
  }
}

}  // namespace gateway::cluster
