// A consumer of the gateway's live feed for tests: one plain TCP connection
// to 127.0.0.1, a GET written by hand, and (unless it is told not to read) a
// thread that reads the answer and splits it into Server-Sent Events. A
// client that does not read keeps its socket open and its receive buffer as
// small as it can be, as a consumer that stopped reading would.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

struct SseEvent {
  std::string id;  // "" when the event had no id line
  std::string type;
  std::string data;
};

class SseClient {
 public:
  SseClient() = default;
  ~SseClient();
  SseClient(const SseClient &) = delete;
  SseClient &operator=(const SseClient &) = delete;

  // Connects and sends "GET path" with extra_headers (each "Name: value\r\n").
  // read=false: never reads (receive buffer at its minimum).
  bool open(int port, const std::string &path, const std::string &extra_headers = "", bool read = true);

  // Waits for the answer's status line; 0 when none came in timeout_ms.
  int status(int timeout_ms = 10000);
  std::string head();  // the status line and headers, once there
  std::string body();  // everything after the head so far
  std::vector<SseEvent> events();
  // Waits until pred(events) holds; false after timeout_ms.
  bool wait_for(const std::function<bool(const std::vector<SseEvent> &)> &pred, int timeout_ms);
  // Waits until the server closed the connection.
  bool wait_closed(int timeout_ms);
  // For a client that does not read: reads what is there now and waits for
  // the end of the connection (EOF or reset); false after timeout_ms.
  bool drain_until_closed(int timeout_ms);
  int local_port() const { return local_port_; }

 private:
  void reader();
  void parse_locked();

  int fd_ = -1;
  int local_port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string raw_;
  size_t body_start_ = std::string::npos;
  size_t parsed_ = 0;
  int status_ = 0;
  bool closed_ = false;
  std::vector<SseEvent> events_;
};
