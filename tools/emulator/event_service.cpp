#include "event_service.h"

#include <algorithm>
#include <exception>

#include "json_text.h"
#include "log.h"

namespace emulator {
namespace {

// Tokens kept at most (expired ones are forgotten first).
constexpr size_t kMaxTokens = 10000;

void set_json(SoupServerMessage *msg, int status, const std::string &json) {
  soup_server_message_set_status(msg, status, nullptr);
  soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_COPY, json.data(),
                                   json.size());
}

std::string zoom_error(const char *code, const char *reason) {
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "reason");
  json_builder_add_string_value(b, reason);
  json_builder_set_member_name(b, "error");
  json_builder_add_string_value(b, code);
  json_builder_end_object(b);
  return builder_to_text(b);
}

const char *query_value(GHashTable *query, const char *name) {
  return query ? static_cast<const char *>(g_hash_table_lookup(query, name)) : nullptr;
}

// What --event-socket-bad-frames sends, each of them to be skipped by a
// client that keeps the connection: not JSON, JSON too deep, a binary frame,
// a frame of 200 KB, a module nobody knows, a message whose content is not
// an event, and an endpoint.url_validation (webhooks only).
void send_bad_frames(WsConnection *ws) {
  ws->send_frame("this is not JSON", false);
  ws->send_frame(
      "{\"module\":\"message\",\"content\":" + std::string(200, '[') + std::string(200, ']') + "}",
      false);
  ws->send_frame("{\"module\":\"heartbeat\",\"success\":true}", true);
  ws->send_frame("{\"module\":\"message\",\"content\":\"" + std::string(200 * 1024, 'x') + "\"}",
                 false);
  ws->send_frame("{\"module\":\"not_a_module\"}", false);
  ws->send_frame("{\"module\":\"message\",\"content\":\"{\\\"event\\\":7}\"}", false);
  ws->send_frame(
      "{\"module\":\"message\",\"content\":\"{\\\"event\\\":\\\"endpoint.url_validation\\\","
      "\\\"payload\\\":{\\\"plainToken\\\":\\\"p\\\"}}\"}",
      false);
}

template <typename Fn>
void guarded(const char *what, Fn &&fn) {
  try {
    fn();
  } catch (const std::exception &e) {
    tools::log_error("event service: %s: %s", what, e.what());
  } catch (...) {
    tools::log_error("event service: %s failed", what);
  }
}

}  // namespace

struct EventService::Socket {
  std::unique_ptr<WsConnection> ws;
  bool muted = false;  // heartbeats go unanswered
};

EventService::EventService(EventServiceConfig config) : config_(std::move(config)) {}

EventService::~EventService() = default;

void EventService::attach(SoupServer *server) {
  soup_server_add_handler(server, kTokenPath, &EventService::on_token, this, nullptr);
  // A plain handler on the WebSocket's path runs first: a status set there
  // refuses the handshake.
  soup_server_add_handler(server, kSocketPath, &EventService::on_handshake, this, nullptr);
  soup_server_add_websocket_handler(server, kSocketPath, nullptr, nullptr, &EventService::on_socket,
                                    this, nullptr);
}

void EventService::on_token(SoupServer *, SoupServerMessage *msg, const char *, GHashTable *query,
                            gpointer self) {
  guarded("token request", [&] { static_cast<EventService *>(self)->handle_token(msg, query); });
}

void EventService::handle_token(SoupServerMessage *msg, GHashTable *query) {
  if (g_strcmp0(soup_server_message_get_method(msg), "POST") != 0) {
    set_json(msg, 405, zoom_error("invalid_request", "Use POST"));
    return;
  }
  // The grant in the query (as Zoom documents it) or in a form body.
  std::string grant = query_value(query, "grant_type") ? query_value(query, "grant_type") : "";
  SoupMessageBody *body = soup_server_message_get_request_body(msg);
  if (grant.empty() && body && body->length > 0 && body->length < 4096) {
    std::string form(body->data, size_t(body->length));
    GHashTable *fields = soup_form_decode(form.c_str());
    if (const char *g = static_cast<const char *>(g_hash_table_lookup(fields, "grant_type")))
      grant = g;
    g_hash_table_unref(fields);
  }
  const char *authorization =
      soup_message_headers_get_one(soup_server_message_get_request_headers(msg), "Authorization");
  std::string expected = config_.client_id + ":" + config_.client_secret;
  bool authorized = false;
  if (authorization && g_str_has_prefix(authorization, "Basic ")) {
    gsize size = 0;
    g_autofree guchar *decoded = g_base64_decode(authorization + 6, &size);
    authorized = decoded && std::string(reinterpret_cast<const char *>(decoded), size) == expected;
  }
  if (!authorized) {
    tokens_refused_++;
    tools::log_warning("event service: token request refused (401): wrong or missing client credentials");
    set_json(msg, 401, zoom_error("invalid_client", "Invalid client_id or client_secret"));
    return;
  }
  if (grant != "client_credentials" && grant != "account_credentials") {
    tokens_refused_++;
    tools::log_warning("event service: token request refused (400): grant_type \"%s\"", grant.c_str());
    set_json(msg, 400, zoom_error("unsupported_grant_type", "Unsupported grant type"));
    return;
  }
  if (grant == "account_credentials" && !query_value(query, "account_id")) {
    tokens_refused_++;
    set_json(msg, 400, zoom_error("invalid_request", "Missing account_id"));
    return;
  }
  int64_t now = g_get_monotonic_time();
  for (auto it = tokens_.begin(); it != tokens_.end();)
    it = it->second <= now ? tokens_.erase(it) : std::next(it);
  if (tokens_.size() >= kMaxTokens) tokens_.erase(tokens_.begin());
  // Not a secret worth a cryptographic generator: the emulator's tokens
  // only have to differ.
  g_autofree gchar *a = g_uuid_string_random();
  g_autofree gchar *b = g_uuid_string_random();
  std::string token = std::string(a) + b;
  token.erase(std::remove(token.begin(), token.end(), '-'), token.end());
  tokens_[token] = now + int64_t(config_.token_ttl_s) * G_USEC_PER_SEC;
  tokens_issued_++;
  tools::log_info("event service: access token issued (%s, expires in %d s)", grant.c_str(),
           config_.token_ttl_s);
  g_autoptr(JsonBuilder) answer = json_builder_new();
  json_builder_begin_object(answer);
  json_builder_set_member_name(answer, "access_token");
  json_builder_add_string_value(answer, token.c_str());
  json_builder_set_member_name(answer, "token_type");
  json_builder_add_string_value(answer, "bearer");
  json_builder_set_member_name(answer, "expires_in");
  json_builder_add_int_value(answer, config_.token_ttl_s);
  json_builder_set_member_name(answer, "scope");
  json_builder_add_string_value(answer, "rtms:read:rtms_started rtms:read:rtms_stopped");
  json_builder_end_object(answer);
  set_json(msg, 200, builder_to_text(answer));
}

bool EventService::token_valid(const std::string &token) const {
  auto it = tokens_.find(token);
  return it != tokens_.end() && it->second > g_get_monotonic_time();
}

void EventService::on_handshake(SoupServer *, SoupServerMessage *msg, const char *,
                                GHashTable *query, gpointer self) {
  guarded("handshake", [&] { static_cast<EventService *>(self)->handle_handshake(msg, query); });
}

void EventService::handle_handshake(SoupServerMessage *msg, GHashTable *query) {
  const char *subscription = query_value(query, "subscriptionId");
  const char *token = query_value(query, "access_token");
  if (gone_) {
    handshakes_refused_++;
    tools::log_warning("event service: event socket refused (503): gone away");
    set_json(msg, 503, zoom_error("unavailable", "Service unavailable"));
  } else if (g_strcmp0(subscription, config_.subscription_id.c_str()) != 0) {
    handshakes_refused_++;
    tools::log_warning("event service: event socket refused (404): unknown subscriptionId");
    set_json(msg, 404, zoom_error("invalid_request", "Unknown subscriptionId"));
  } else if (!token || !token_valid(token)) {
    handshakes_refused_++;
    tools::log_warning("event service: event socket refused (401): %s access token",
                token ? "unknown or expired" : "no");
    set_json(msg, 401, zoom_error("invalid_token", "Invalid access token"));
  }
  // Nothing set: the WebSocket handshake goes ahead.
}

void EventService::on_socket(SoupServer *, SoupServerMessage *, const char *,
                             SoupWebsocketConnection *connection, gpointer self) {
  guarded("event socket", [&] { static_cast<EventService *>(self)->accept(connection); });
}

void EventService::accept(SoupWebsocketConnection *connection) {
  sockets_.erase(std::remove_if(sockets_.begin(), sockets_.end(),
                                [](const auto &s) { return s->ws->is_closed(); }),
                 sockets_.end());
  auto socket = std::make_unique<Socket>();
  socket->ws = std::make_unique<WsConnection>(connection, false, "event");
  Socket *raw = socket.get();
  socket->ws->set_handlers([this, raw](std::string_view payload) { on_frame(raw, payload); },
                           [](int code, bool by_server) {
                             tools::log_info("event service: event socket closed (code %d, by the %s)",
                                      code, by_server ? "emulator" : "client");
                           });
  sockets_.push_back(std::move(socket));
  connections_++;
  tools::log_info("event service: event socket connected (%zu open)", sockets_.size());
  raw->ws->send("{\"module\":\"build_connection\",\"success\":true}");
  if (first_connection_seen_) return;
  first_connection_seen_ = true;
  if (config_.bad_frames) {
    send_bad_frames(raw->ws.get());
    tools::log_info("event service: --event-socket-bad-frames: 7 bad frames sent");
  }
  for (int64_t at : config_.drop_at_ms) {
    auto timer = std::make_unique<Timer>();
    timer->once(guint(at), [this, at] { drop_all(at); });
    drop_timers_.push_back(std::move(timer));
  }
  if (config_.mute_heartbeats_at_ms >= 0) {
    mute_timer_.once(guint(config_.mute_heartbeats_at_ms), [this] {
      for (auto &s : sockets_) s->muted = s->ws->is_open();
      tools::log_info(
          "event service: --mute-heartbeats: the open event sockets answer no more heartbeats");
    });
  }
  if (on_first_connection_) on_first_connection_();
}

void EventService::on_frame(Socket *socket, std::string_view payload) {
  auto root = parse_json_text(payload);
  JsonObject *object =
      root && JSON_NODE_HOLDS_OBJECT(root.get()) ? json_node_get_object(root.get()) : nullptr;
  const char *module =
      object ? json_object_get_string_member_with_default(object, "module", nullptr) : nullptr;
  if (g_strcmp0(module, "heartbeat") != 0) {
    tools::log_warning(
        "event service: unexpected frame from the client (%zu bytes; only heartbeats are expected)",
        payload.size());
    return;
  }
  heartbeats_++;
  if (socket->muted) {
    heartbeats_ignored_++;
    return;
  }
  socket->ws->send("{\"module\":\"heartbeat\",\"success\":true}");
}

void EventService::go_away() {
  gone_ = true;
  for (auto &socket : sockets_)
    if (socket->ws->is_open()) socket->ws->close(SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "gone away");
  tools::log_info("event service: event sockets closed, new ones refused");
}

void EventService::drop_all(int64_t at_ms) {
  drops_++;
  size_t open = 0;
  for (auto &socket : sockets_) {
    if (!socket->ws->is_open()) continue;
    socket->ws->close(SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "dropped by --event-socket-drop");
    open++;
  }
  tools::log_info("event service: --event-socket-drop %" G_GINT64_FORMAT ": closed %zu event socket(s)%s",
           at_ms, open, config_.revoke_tokens_on_drop ? ", every token revoked" : "");
  if (config_.revoke_tokens_on_drop) tokens_.clear();
}

bool EventService::deliver(const std::string &event_json, const char *label) {
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "module");
  json_builder_add_string_value(b, "message");
  json_builder_set_member_name(b, "content");
  json_builder_add_string_value(b, event_json.c_str());
  json_builder_end_object(b);
  std::string frame = builder_to_text(b);
  size_t sent = 0;
  for (auto &socket : sockets_)
    if (socket->ws->is_open() && socket->ws->send(frame)) sent++;
  if (sent == 0) {
    events_lost_++;
    tools::log_warning(
        "event service: %s lost: no event socket open (Zoom does not deliver it later either)",
        label);
    return false;
  }
  events_delivered_++;
  tools::log_info("event service: %s sent on %zu event socket(s)", label, sent);
  return true;
}

void EventService::add_summary(JsonBuilder *b) const {
  auto add = [b](const char *name, uint64_t value) {
    json_builder_set_member_name(b, name);
    json_builder_add_int_value(b, gint64(value));
  };
  json_builder_begin_object(b);
  add("tokens_issued", tokens_issued_);
  add("tokens_refused", tokens_refused_);
  add("handshakes_refused", handshakes_refused_);
  add("connections", connections_);
  add("heartbeats", heartbeats_);
  add("heartbeats_ignored", heartbeats_ignored_);
  add("events_delivered", events_delivered_);
  add("events_lost", events_lost_);
  add("drops", drops_);
  json_builder_end_object(b);
}

}  // namespace emulator
