// Zoom's event subscriptions over an outbound WebSocket (--intake
// websocket): obtains and renews the access token, holds
// wss://ws.zoom.us/ws?subscriptionId=...&access_token=... open, sends a
// heartbeat every interval and takes a missing answer for a dead
// connection, reconnects with exponential backoff and jitter, and hands the
// content of every "message" frame (an event, a webhook body) to its owner.
// Everything runs in the default main context.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <libsoup/soup.h>

#include "event_frames.h"
#include "common/gref.h"
#include "token_client.h"

namespace gateway {

struct EventSocketConfig {
  TokenRequestConfig token;
  std::string event_url;  // wss://..., with subscriptionId in its query
  std::string ca_file;    // empty: the system's store
  int heartbeat_interval_s = 30;
  int heartbeat_timeout_s = 10;
  size_t max_content_bytes = 64 * 1024;
  // Reconnect and token retry delays (backoff_delay_ms).
  int64_t backoff_base_ms = 1000;
  int64_t backoff_max_ms = 60000;
  double max_events_per_s = 20;
  double max_event_burst = 100;
};

class EventSocket {
 public:
  struct Outcome {
    bool accepted = false;
    std::string reason;  // metric label
  };
  using EventFn = std::function<Outcome(const std::string &content)>;

  EventSocket(EventSocketConfig config, EventFn on_event);
  ~EventSocket();
  EventSocket(const EventSocket &) = delete;
  EventSocket &operator=(const EventSocket &) = delete;

  // false with *error when the configuration cannot work (a CA file).
  bool start(std::string *error);
  // Connected and build_connection answered: events can arrive.
  bool ready() const { return ready_; }
  // One line for /readyz.
  std::string state_text() const;
  // Prometheus text of the event socket's counters.
  std::string metrics_text() const;
  // The event URL without its query (for the log).
  std::string url_for_log() const;

 private:
  struct Connection;
  void request_token();
  void on_token(TokenClient::Outcome outcome);
  void connect();
  static void on_connected(GObject *source, GAsyncResult *result, gpointer data);
  void on_frame(int type, GBytes *bytes);
  void on_closed(Connection *connection);
  void drop(const char *reason, const std::string &detail);
  void retry_later(const char *what);
  void send_heartbeat();
  void skip(const char *reason, const std::string &detail);
  void on_retry();
  void on_heartbeat_deadline();
  void on_build_deadline();
  // Runs (this->*fn)() once after ms, held by *slot.
  void arm(rtms::SourceId *slot, int64_t ms, void (EventSocket::*fn)());
  static gboolean on_timer(gpointer data);

  EventSocketConfig config_;
  EventFn on_event_;
  rtms::GRef<SoupSession> session_;
  std::unique_ptr<TokenClient> tokens_;
  std::string token_;                       // never logged
  std::shared_ptr<Connection> connection_;  // connecting or open
  std::vector<std::shared_ptr<Connection>> closing_;
  bool ready_ = false;
  int attempt_ = 0;  // failures since the last good connection
  int refusals_in_a_row_ = 0;  // tokens refused at the handshake
  bool ever_connected_ = false;
  std::string last_problem_;
  RateLimit rate_;
  rtms::SourceId retry_, refresh_, heartbeat_, heartbeat_deadline_;

  uint64_t connect_attempts_ = 0, connects_ = 0, heartbeat_timeouts_ = 0;
  std::map<std::string, uint64_t> tokens_total_, drops_, skipped_, events_;
};

}  // namespace gateway
