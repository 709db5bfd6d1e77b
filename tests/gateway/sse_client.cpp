#include "sse_client.h"

#include <chrono>
#include <cstdlib>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

SseClient::~SseClient() {
  if (fd_ >= 0) shutdown(fd_, SHUT_RDWR);
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) close(fd_);
}

bool SseClient::open(int port, const std::string &path, const std::string &extra_headers, bool read) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return false;
  if (!read) {
    // Before connecting, so that the window the client offers stays small.
    int small = 1024;
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) return false;
  sockaddr_in local{};
  socklen_t len = sizeof local;
  if (getsockname(fd_, reinterpret_cast<sockaddr *>(&local), &len) == 0) local_port_ = ntohs(local.sin_port);
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                        "\r\nAccept: text/event-stream\r\n" + extra_headers + "\r\n";
  if (send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != ssize_t(request.size())) return false;
  if (read) thread_ = std::thread([this] { reader(); });
  return true;
}

void SseClient::reader() {
  char buffer[16384];
  for (;;) {
    ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
    std::lock_guard<std::mutex> lock(mutex_);
    if (n <= 0) {
      closed_ = true;
      changed_.notify_all();
      return;
    }
    raw_.append(buffer, size_t(n));
    parse_locked();
    changed_.notify_all();
  }
}

void SseClient::parse_locked() {
  if (body_start_ == std::string::npos) {
    size_t end = raw_.find("\r\n\r\n");
    if (end == std::string::npos) return;
    body_start_ = end + 4;
    parsed_ = body_start_;
    if (raw_.compare(0, 9, "HTTP/1.1 ") == 0 || raw_.compare(0, 9, "HTTP/1.0 ") == 0)
      status_ = std::atoi(raw_.c_str() + 9);
  }
  for (;;) {
    size_t end = raw_.find("\n\n", parsed_);
    if (end == std::string::npos) return;
    std::string block = raw_.substr(parsed_, end - parsed_);
    parsed_ = end + 2;
    SseEvent event;
    bool any = false;
    size_t start = 0;
    while (start <= block.size()) {
      size_t nl = block.find('\n', start);
      std::string line = block.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      start = nl == std::string::npos ? block.size() + 1 : nl + 1;
      if (line.empty() || line[0] == ':') continue;
      size_t colon = line.find(':');
      std::string field = line.substr(0, colon);
      std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
      if (!value.empty() && value[0] == ' ') value.erase(0, 1);
      if (field == "id") event.id = value;
      if (field == "event") event.type = value;
      if (field == "data") {
        event.data += (event.data.empty() ? "" : "\n") + value;
        any = true;
      }
    }
    if (any) events_.push_back(event);
  }
}

int SseClient::status(int timeout_ms) {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [this] { return status_ != 0 || closed_; });
  return status_;
}

std::string SseClient::head() {
  std::lock_guard<std::mutex> lock(mutex_);
  return body_start_ == std::string::npos ? raw_ : raw_.substr(0, body_start_);
}

std::string SseClient::body() {
  std::lock_guard<std::mutex> lock(mutex_);
  return body_start_ == std::string::npos ? "" : raw_.substr(body_start_);
}

std::vector<SseEvent> SseClient::events() {
  std::lock_guard<std::mutex> lock(mutex_);
  return events_;
}

bool SseClient::wait_for(const std::function<bool(const std::vector<SseEvent> &)> &pred, int timeout_ms) {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return pred(events_); });
}

bool SseClient::wait_closed(int timeout_ms) {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [this] { return closed_; });
}

bool SseClient::drain_until_closed(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buffer[65536];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, int(left.count())) <= 0) continue;
    ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) return true;  // EOF, or reset by the server
  }
}
