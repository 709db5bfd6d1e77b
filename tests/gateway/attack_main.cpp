// rtms-gateway-attack: the hostile HTTP clients of http_attack.h from the
// command line, for the measurements in docs/gateway.md. Loopback only:
// it takes a port, never an address.
//
//   rtms-gateway-attack churn PORT N          N keep-alive health checks, one after the other
//                                             (stops after 3 unanswered)
//   rtms-gateway-attack slowloris PORT N S    N connections dripping headers for S seconds,
//                                             and one /healthz half-way through
//   rtms-gateway-attack burst PORT N S        N connections at once, S seconds for the answers
// Each ends with one more /healthz on a fresh connection ("after").
#include <chrono>
#include <cstdio>
#include <thread>
#include <cstdlib>
#include <string>

#include "http_attack.h"

int main(int argc, char **argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s churn|slowloris|burst PORT N [SECONDS]\n", argv[0]);
    return 2;
  }
  std::string mode = argv[1];
  int port = std::atoi(argv[2]);
  int n = std::atoi(argv[3]);
  int seconds = argc > 4 ? std::atoi(argv[4]) : 10;
  // Bounded: no more than 5,000 connections or 120 s, whatever is asked.
  if (port <= 0 || port > 65535 || n <= 0 || n > 5000 || seconds <= 0 || seconds > 120) {
    std::fprintf(stderr, "port 1-65535, N 1-5000, SECONDS 1-120\n");
    return 2;
  }
  attack::raise_fd_limit();
  if (mode == "churn") {
    attack::ChurnResult r = attack::keepalive_churn(port, "/healthz", n, 3000, 3);
    std::printf("churn: %d requests, %d answered 200, %d failed, first failure at request %d\n", n, r.answered,
                r.failed, r.first_failure);
  } else if (mode == "slowloris") {
    // A health check in the middle of the attack, from another thread.
    attack::SlowlorisResult r;
    std::thread slow([&] { r = attack::slowloris(port, n, 1000, seconds * 1000); });
    std::this_thread::sleep_for(std::chrono::milliseconds(seconds * 500));
    auto start = std::chrono::steady_clock::now();
    int during = attack::get_status(port, "/healthz", seconds * 1000);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    slow.join();
    std::printf("during: /healthz at %d s -> %d in %.0f ms\n", seconds / 2, during, ms);
    std::printf("slowloris: %d opened, %d closed by the server within %d s, %d got answer bytes\n", r.opened,
                r.closed_by_server, seconds, r.answered);
  } else if (mode == "burst") {
    attack::BurstResult r = attack::burst(port, "/healthz", n, seconds * 1000);
    std::printf("burst: %d clients, %d connected, %d answered 200, %d other answers, %d no answer within %d s; "
                "last answer after %.0f ms\n",
                n, r.connected, r.answered_200, r.answered_other, r.no_answer, seconds, r.last_answer_ms);
  } else {
    std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
    return 2;
  }
  std::printf("after: /healthz -> %d\n", attack::get_status(port, "/healthz", 5000));
  return 0;
}
