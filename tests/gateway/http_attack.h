// Hostile HTTP clients for the gateway's hardening tests and measurements:
// keep-alive churn, slowloris and a connection burst. Loopback only (the
// address is fixed to 127.0.0.1), bounded in count and time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attack {

// Raises this process's soft file descriptor limit to its hard limit (a
// burst of 2,000 connections needs more than 1,024).
void raise_fd_limit();

struct ChurnResult {
  int answered = 0;   // 200 answers
  int failed = 0;     // no answer, or not 200
  int first_failure = 0;  // 1-based request number, 0 if none
};
// n requests one after the other, each on a connection of its own that
// speaks HTTP/1.1 keep-alive (no "Connection: close") and is closed by the
// client once the answer is read, as load balancers' health checks do.
// Stops after max_failures unanswered requests.
ChurnResult keepalive_churn(int port, const std::string &path, int n, int timeout_ms, int max_failures = 1000000);

struct SlowlorisResult {
  int opened = 0;          // connections established
  int closed_by_server = 0;  // saw EOF or a reset before the end
  int answered = 0;        // got any answer bytes (they never finish their headers)
};
// Opens n connections that send a request line and then one header line
// every drip_ms, never finishing, for hold_ms; then closes them all.
SlowlorisResult slowloris(int port, int n, int drip_ms, int hold_ms);

struct BurstResult {
  int connected = 0;
  int answered_200 = 0;
  int answered_other = 0;  // e.g. 503 busy
  int no_answer = 0;       // closed or timed out without an answer
  double last_answer_ms = 0;  // when the last answer arrived
};
// Starts n connections at once (non-blocking connects), each sending one
// GET, and waits up to timeout_ms for all answers.
BurstResult burst(int port, const std::string &path, int n, int timeout_ms);

// Opens n connections that send nothing; keeps them until close_idle().
// Returns how many connected.
class IdleConnections {
 public:
  IdleConnections() = default;
  ~IdleConnections();
  IdleConnections(const IdleConnections &) = delete;
  IdleConnections &operator=(const IdleConnections &) = delete;
  int open(int port, int n);
  // How many of them the server has closed (EOF or reset) so far.
  int closed_by_server();
  void close_all();

 private:
  std::vector<int> fds_;
};

// One GET on a fresh connection; the status, or 0 when there was none
// within timeout_ms.
int get_status(int port, const std::string &path, int timeout_ms);

}  // namespace attack
