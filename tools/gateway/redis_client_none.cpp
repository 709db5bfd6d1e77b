// RedisClient in a build without hiredis: the cluster roles are refused at
// startup (options.cpp), so nothing connects; this only keeps the link whole.
#include "redis_client.h"

namespace gateway::cluster {

std::vector<std::string> Reply::strings() const {
  std::vector<std::string> out;
  for (const Reply &e : elements) out.push_back(e.str);
  return out;
}

std::string Reply::at(size_t i) const { return i < elements.size() ? elements[i].str : std::string(); }

void RedisClient::Free::operator()(redisContext *) const {}

RedisClient::RedisClient(RedisUrl url, int timeout_ms) : url_(std::move(url)), timeout_ms_(timeout_ms) {}

RedisClient::~RedisClient() = default;

void RedisClient::disconnect() {}

bool RedisClient::connect(std::string *error) {
  *error = "this rtms-gateway was built without hiredis (timeout " + std::to_string(timeout_ms_) + " ms)";
  return false;
}

Reply RedisClient::command(const std::vector<std::string> &) {
  errors_++;
  Reply out;
  out.str = "this rtms-gateway was built without hiredis";
  return out;
}

Reply RedisClient::eval(const char *, const std::vector<std::string> &, const std::vector<std::string> &) {
  shas_.clear();
  return command({});
}

}  // namespace gateway::cluster
