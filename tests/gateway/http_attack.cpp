#include "http_attack.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace attack {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// An owned socket descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd &&other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Fd &operator=(Fd &&other) noexcept {
    if (this != &other) {
      reset();
      fd_ = other.fd_;
      other.fd_ = -1;
    }
    return *this;
  }
  Fd(const Fd &) = delete;
  Fd &operator=(const Fd &) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

sockaddr_in loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // never anything else
  return addr;
}

// A connected non-blocking socket, or -1 after 3 s (a server whose backlog
// is full does not complete the handshake; a blocking connect would wait
// for minutes).
Fd connect_loopback(int port) {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (fd.get() < 0) return Fd();
  sockaddr_in addr = loopback(port);
  if (::connect(fd.get(), reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS) return Fd();
    pollfd p{fd.get(), POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    if (::poll(&p, 1, 3000) <= 0 || ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0)
      return Fd();
  }
  return fd;
}

bool send_all(int fd, const std::string &bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += size_t(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, 1000) <= 0) return false;
    } else {
      return false;
    }
  }
  return true;
}

// The status of a complete answer in buffer, 0 while incomplete.
int complete_status(const std::string &buffer) {
  size_t head_end = buffer.find("\r\n\r\n");
  if (head_end == std::string::npos || buffer.compare(0, 9, "HTTP/1.1 ") != 0) return 0;
  size_t length_at = buffer.find("Content-Length: ");
  if (length_at == std::string::npos || length_at > head_end) return 0;
  size_t length = size_t(std::atol(buffer.c_str() + length_at + 16));
  if (buffer.size() < head_end + 4 + length) return 0;
  return std::atoi(buffer.c_str() + 9);
}

std::string request(const std::string &path) {
  // HTTP/1.1 without "Connection: close": the client asks for keep-alive.
  return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: rtms-attack\r\nAccept: */*\r\n\r\n";
}

// Reads one answer (or until EOF/timeout); its status or 0.
int read_answer(int fd, int timeout_ms) {
  std::string buffer;
  auto start = Clock::now();
  for (;;) {
    int left = timeout_ms - int(ms_since(start));
    if (left <= 0) return 0;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, left) <= 0) return 0;
    char chunk[4096];
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return complete_status(buffer);
    buffer.append(chunk, size_t(n));
    if (int status = complete_status(buffer)) return status;
  }
}

}  // namespace

void raise_fd_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

int get_status(int port, const std::string &path, int timeout_ms) {
  Fd fd = connect_loopback(port);
  if (fd.get() < 0 || !send_all(fd.get(), request(path))) return 0;
  return read_answer(fd.get(), timeout_ms);
}

ChurnResult keepalive_churn(int port, const std::string &path, int n, int timeout_ms, int max_failures) {
  ChurnResult result;
  for (int i = 1; i <= n && result.failed < max_failures; i++) {
    int status = get_status(port, path, timeout_ms);  // the client closes after the answer
    if (status == 200) {
      result.answered++;
    } else {
      result.failed++;
      if (result.first_failure == 0) result.first_failure = i;
    }
  }
  return result;
}

SlowlorisResult slowloris(int port, int n, int drip_ms, int hold_ms) {
  SlowlorisResult result;
  std::vector<Fd> fds;
  std::vector<bool> closed;
  int failures = 0;
  for (int i = 0; i < n && failures < 3; i++) {  // a server that stopped accepting: give up soon
    Fd fd = connect_loopback(port);
    if (fd.get() < 0) {
      failures++;
      continue;
    }
    send_all(fd.get(), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    fds.push_back(std::move(fd));
    closed.push_back(false);
  }
  result.opened = int(fds.size());
  auto start = Clock::now();
  int line = 0;
  double next_drip = drip_ms;
  while (ms_since(start) < hold_ms) {
    // Wait for the next drip, watching the connections still open.
    std::vector<pollfd> polls;
    std::vector<size_t> index;
    for (size_t i = 0; i < fds.size(); i++) {
      if (closed[i]) continue;
      polls.push_back(pollfd{fds[i].get(), POLLIN, 0});
      index.push_back(i);
    }
    int wait = std::max(0, int(next_drip - ms_since(start)));
    if (polls.empty()) {
      ::poll(nullptr, 0, wait);
    } else if (::poll(polls.data(), polls.size(), wait) > 0) {
      for (size_t k = 0; k < polls.size(); k++) {
        if (!(polls[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        size_t i = index[k];
        char chunk[512];
        ssize_t got = ::recv(fds[i].get(), chunk, sizeof chunk, 0);
        if (got > 0) result.answered++;
        if (got <= 0 && !(got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))) {
          closed[i] = true;
          result.closed_by_server++;
        }
      }
      continue;
    }
    if (ms_since(start) < next_drip) continue;
    next_drip += drip_ms;
    // One more header line on every connection still open.
    std::string header = "X-Slow-" + std::to_string(line++) + ": 1\r\n";
    for (size_t i = 0; i < fds.size(); i++)
      if (!closed[i]) ::send(fds[i].get(), header.data(), header.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  return result;
}

BurstResult burst(int port, const std::string &path, int n, int timeout_ms) {
  BurstResult result;
  struct Client {
    Fd fd;
    bool connected = false, sent = false, done = false;
    std::string buffer;
  };
  std::vector<Client> clients(size_t(std::max(n, 0)));
  sockaddr_in addr = loopback(port);
  std::string req = request(path);
  auto start = Clock::now();
  for (auto &c : clients) {
    c.fd = Fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (c.fd.get() < 0) {
      c.done = true;
      result.no_answer++;
      continue;
    }
    int rc = ::connect(c.fd.get(), reinterpret_cast<sockaddr *>(&addr), sizeof addr);
    if (rc != 0 && errno != EINPROGRESS) {
      c.done = true;
      result.no_answer++;
    }
  }
  int left = int(std::count_if(clients.begin(), clients.end(), [](const Client &c) { return !c.done; }));
  while (left > 0 && ms_since(start) < timeout_ms) {
    std::vector<pollfd> polls;
    std::vector<Client *> owners;
    for (auto &c : clients) {
      if (c.done) continue;
      polls.push_back(pollfd{c.fd.get(), short(c.sent ? POLLIN : POLLOUT), 0});
      owners.push_back(&c);
    }
    int wait = std::max(1, timeout_ms - int(ms_since(start)));
    if (::poll(polls.data(), polls.size(), std::min(wait, 200)) <= 0) continue;
    for (size_t i = 0; i < polls.size(); i++) {
      Client &c = *owners[i];
      short ev = polls[i].revents;
      if (!ev) continue;
      if (!c.sent) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(c.fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0 || (ev & (POLLERR | POLLHUP))) {
          c.done = true;
          result.no_answer++;
          left--;
          continue;
        }
        if (!c.connected) {
          c.connected = true;
          result.connected++;
        }
        ssize_t sent = ::send(c.fd.get(), req.data(), req.size(), MSG_NOSIGNAL);
        c.sent = sent == ssize_t(req.size());
        if (!c.sent) {
          c.done = true;
          result.no_answer++;
          left--;
        }
        continue;
      }
      char chunk[4096];
      ssize_t got = ::recv(c.fd.get(), chunk, sizeof chunk, 0);
      if (got > 0) c.buffer.append(chunk, size_t(got));
      int status = complete_status(c.buffer);
      if (status != 0 || got == 0 || (got < 0 && errno != EAGAIN)) {
        c.done = true;
        left--;
        if (status == 200)
          result.answered_200++;
        else if (status != 0)
          result.answered_other++;
        else
          result.no_answer++;
        if (status != 0) result.last_answer_ms = ms_since(start);
        c.fd.reset();
      }
    }
  }
  result.no_answer += left;
  return result;
}

IdleConnections::~IdleConnections() { close_all(); }

int IdleConnections::open(int port, int n) {
  int opened = 0, failures = 0;
  for (int i = 0; i < n && failures < 3; i++) {
    Fd fd = connect_loopback(port);
    if (fd.get() < 0) {
      failures++;
      continue;
    }
    fds_.push_back(fd.release());  // closed in close_all
    opened++;
  }
  return opened;
}

int IdleConnections::closed_by_server() {
  int closed = 0;
  for (int fd : fds_) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 0) > 0) {
      char c;
      ssize_t got = ::recv(fd, &c, 1, MSG_PEEK);
      if (got <= 0 && !(got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))) closed++;
    }
  }
  return closed;
}

void IdleConnections::close_all() {
  for (int fd : fds_) ::close(fd);
  fds_.clear();
}

}  // namespace attack
