// Zoom's event delivery over a WebSocket, both of its sides: the OAuth
// token endpoint (POST /oauth/token, client credentials in a Basic
// Authorization header) and the event WebSocket
// (/ws?subscriptionId=...&access_token=...), which says build_connection,
// answers heartbeats and carries each event as {"module":"message",
// "content":"<event JSON>"}. Events with no socket open are lost, as with
// Zoom. docs/emulator.md, "Event delivery over a WebSocket".
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <libsoup/soup.h>

#include "timer.h"
#include "ws_connection.h"

namespace emulator {

struct EventServiceConfig {
  std::string client_id;
  std::string client_secret;
  std::string subscription_id;
  int token_ttl_s = 3600;
  // Close every event socket this long after the first one connected.
  std::vector<int64_t> drop_at_ms;
  // With a drop, every token issued so far stops being valid.
  bool revoke_tokens_on_drop = false;
  // This long after the first connection, the sockets open then stop
  // answering heartbeats (a dead connection; -1: never).
  int64_t mute_heartbeats_at_ms = -1;
  // Before rtms_started on the first connection: frames a client must
  // skip (event_service.cpp, bad_frames()).
  bool bad_frames = false;
};

class EventService {
 public:
  explicit EventService(EventServiceConfig config);
  ~EventService();
  EventService(const EventService &) = delete;
  EventService &operator=(const EventService &) = delete;

  // Registers /oauth/token and /ws on server.
  void attach(SoupServer *server);
  // Runs once, when the first event socket has said build_connection.
  void set_on_first_connection(std::function<void()> fn) { on_first_connection_ = std::move(fn); }
  // Sends one event (a webhook body) to every open event socket; false (and
  // logged) when none is open: the event is lost.
  bool deliver(const std::string &event_json, const char *label);
  // Closes every event socket and refuses new ones from now on (503): the
  // events after this are lost (--event-socket-gone-before-stop).
  void go_away();
  // {"tokens_issued":...} for the done line.
  void add_summary(JsonBuilder *builder) const;

  static constexpr const char *kTokenPath = "/oauth/token";
  static constexpr const char *kSocketPath = "/ws";

 private:
  struct Socket;
  static void on_token(SoupServer *, SoupServerMessage *msg, const char *path, GHashTable *query,
                       gpointer self);
  static void on_handshake(SoupServer *, SoupServerMessage *msg, const char *path,
                           GHashTable *query, gpointer self);
  static void on_socket(SoupServer *, SoupServerMessage *msg, const char *path,
                        SoupWebsocketConnection *connection, gpointer self);
  void handle_token(SoupServerMessage *msg, GHashTable *query);
  void handle_handshake(SoupServerMessage *msg, GHashTable *query);
  void accept(SoupWebsocketConnection *connection);
  void on_frame(Socket *socket, std::string_view payload);
  void drop_all(int64_t at_ms);
  bool token_valid(const std::string &token) const;

  EventServiceConfig config_;
  std::function<void()> on_first_connection_;
  std::map<std::string, int64_t> tokens_;  // token -> expiry (monotonic us)
  std::vector<std::unique_ptr<Socket>> sockets_;
  std::vector<std::unique_ptr<Timer>> drop_timers_;
  Timer mute_timer_;
  bool first_connection_seen_ = false;
  bool gone_ = false;  // go_away()
  uint64_t tokens_issued_ = 0, tokens_refused_ = 0, handshakes_refused_ = 0, connections_ = 0,
           heartbeats_ = 0, heartbeats_ignored_ = 0, events_delivered_ = 0, events_lost_ = 0,
           drops_ = 0;
};

}  // namespace emulator
