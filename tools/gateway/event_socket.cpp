#include "event_socket.h"

#include <exception>

#include "log.h"

namespace gateway {

namespace {

// Frames longer than the largest event content could make (escaping can
// double it) are skipped unread; libsoup closes the connection on frames
// over the hard limit (then the socket reconnects).
size_t soft_frame_limit(size_t max_content) { return 2 * max_content + 4096; }
size_t hard_frame_limit(size_t max_content) { return 4 * max_content + 65536; }

// Logs the first ten of a kind, then every power of two: a server sending
// garbage cannot flood the log.
bool worth_logging(uint64_t count) { return count <= 10 || (count & (count - 1)) == 0; }

std::string without_query(const std::string &url) { return url.substr(0, url.find('?')); }

}  // namespace

struct EventSocket::Connection {
  EventSocket *owner = nullptr;
  rtms::GRef<GCancellable> cancellable = rtms::adopt(g_cancellable_new());
  rtms::GRef<SoupMessage> message;
  rtms::GRef<SoupWebsocketConnection> ws;
  ~Connection() {
    g_cancellable_cancel(cancellable.get());
    if (ws) g_signal_handlers_disconnect_by_data(ws.get(), this);
  }
};

namespace {

struct TimerCall {
  EventSocket *self;
  rtms::SourceId *slot;
  void (EventSocket::*fn)();
};

}  // namespace

EventSocket::EventSocket(EventSocketConfig config, EventFn on_event)
    : config_(std::move(config)),
      on_event_(std::move(on_event)),
      rate_(config_.max_events_per_s, config_.max_event_burst) {}

EventSocket::~EventSocket() {
  if (connection_) connection_->owner = nullptr;
  for (auto &c : closing_) c->owner = nullptr;
}

void EventSocket::arm(rtms::SourceId *slot, int64_t ms, void (EventSocket::*fn)()) {
  auto call = std::make_unique<TimerCall>(TimerCall{this, slot, fn});
  *slot = rtms::SourceId(g_timeout_add_full(
      G_PRIORITY_DEFAULT, guint(ms), &EventSocket::on_timer, call.release(),
      [](gpointer data) { std::unique_ptr<TimerCall>(static_cast<TimerCall *>(data)); }));
}

gboolean EventSocket::on_timer(gpointer data) {
  auto *call = static_cast<TimerCall *>(data);
  call->slot->release();  // the source ends now; fn may arm the slot again
  try {
    (call->self->*(call->fn))();
  } catch (const std::exception &e) {
    tools::log_error("event socket: %s", e.what());
  } catch (...) {
    tools::log_error("event socket: unexpected exception");
  }
  return G_SOURCE_REMOVE;
}

std::string EventSocket::url_for_log() const { return tools::log_safe(without_query(config_.event_url)); }

bool EventSocket::start(std::string *error) {
  session_ = make_zoom_session(config_.ca_file, error);
  if (!session_) return false;
  tokens_ = std::make_unique<TokenClient>(session_.get(), config_.token);
  last_problem_ = "no access token yet";
  request_token();
  return true;
}

void EventSocket::request_token() {
  tokens_->request([this](TokenClient::Outcome outcome) { on_token(std::move(outcome)); });
}

void EventSocket::on_token(TokenClient::Outcome outcome) {
  if (!outcome.ok) {
    tokens_total_["failed"]++;
    last_problem_ = outcome.error;
    tools::log_error("event socket: %s; trying again", outcome.error.c_str());
    if (connection_) {
      // The connection stays up on the old token; try again for the next one.
      arm(&refresh_,
          backoff_delay_ms(0, config_.backoff_base_ms, config_.backoff_max_ms, g_random_double()),
          &EventSocket::request_token);
    } else {
      retry_later("token request");
    }
    return;
  }
  tokens_total_["ok"]++;
  token_ = std::move(outcome.token.token);
  int64_t renew_s = token_refresh_after_s(outcome.token.expires_in_s);
  tools::log_info("event socket: access token obtained from %s (expires in %" G_GINT64_FORMAT
           " s, renewed in %" G_GINT64_FORMAT " s)",
           tools::log_safe(config_.token.url).c_str(), outcome.token.expires_in_s, renew_s);
  arm(&refresh_, renew_s * 1000, &EventSocket::request_token);
  if (!connection_ && !retry_) connect();
}

void EventSocket::retry_later(const char *what) {
  int64_t delay = backoff_delay_ms(attempt_, config_.backoff_base_ms, config_.backoff_max_ms,
                                   g_random_double());
  attempt_++;
  tools::log_info("event socket: %s again in %" G_GINT64_FORMAT " ms", what, delay);
  arm(&retry_, delay, &EventSocket::on_retry);
}

void EventSocket::on_retry() {
  if (token_.empty()) {
    if (!tokens_->busy()) request_token();
  } else if (!connection_) {
    connect();
  }
}

void EventSocket::connect() {
  connect_attempts_++;
  auto connection = std::make_shared<Connection>();
  connection->owner = this;
  // libsoup connects WebSockets from http(s) URLs.
  std::string url = config_.event_url;
  if (g_str_has_prefix(url.c_str(), "wss://")) url = "https://" + url.substr(6);
  url += (url.find('?') == std::string::npos ? "?" : "&") + std::string("access_token=") + token_;
  connection->message = rtms::adopt(soup_message_new("GET", url.c_str()));
  if (!connection->message) {
    last_problem_ = "--event-url " + url_for_log() + " is not a URL";
    tools::log_error("event socket: %s", last_problem_.c_str());
    retry_later("connection");
    return;
  }
  connection_ = connection;
  auto pending = std::make_unique<std::shared_ptr<Connection>>(connection);
  soup_session_websocket_connect_async(session_.get(), connection->message.get(), nullptr, nullptr,
                                       G_PRIORITY_DEFAULT, connection->cancellable.get(),
                                       &EventSocket::on_connected, pending.release());
}

void EventSocket::on_connected(GObject *source, GAsyncResult *result, gpointer data) {
  std::unique_ptr<std::shared_ptr<Connection>> pending(
      static_cast<std::shared_ptr<Connection> *>(data));
  std::shared_ptr<Connection> connection = *pending;
  GError *raw_error = nullptr;
  rtms::GRef<SoupWebsocketConnection> ws = rtms::adopt(
      soup_session_websocket_connect_finish(SOUP_SESSION(source), result, &raw_error));
  auto error = rtms::adopt(raw_error);
  EventSocket *self = connection->owner;
  if (!self || self->connection_ != connection) {
    if (ws) soup_websocket_connection_close(ws.get(), SOUP_WEBSOCKET_CLOSE_GOING_AWAY, nullptr);
    return;
  }
  try {
    if (!ws) {
      self->connection_.reset();
      guint status = soup_message_get_status(connection->message.get());
      std::string why = tools::log_safe(redact(error ? error->message : "?", self->token_), 512);
      if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN) {
        // Expired or revoked: a new token before the next attempt.
        self->token_.clear();
        self->last_problem_ =
            "the event socket refused the access token (HTTP " + std::to_string(status) + ")";
        self->drops_["token_refused"]++;
        tools::log_warning("event socket: %s refused the access token with HTTP %u: getting a new one",
                    self->url_for_log().c_str(), status);
      } else {
        self->last_problem_ =
            "cannot connect to " + self->url_for_log() + ": " +
            (status >= 100 ? "HTTP " + std::to_string(status) + ", " : std::string()) + why;
        self->drops_["connect_failed"]++;
        tools::log_warning("event socket: %s", self->last_problem_.c_str());
      }
      if (self->token_.empty() && self->refusals_in_a_row_++ == 0) {
        // The first refusal: a token at once. Were the new one refused too,
        // the next ones wait (backoff).
        self->request_token();
        return;
      }
      self->retry_later(self->token_.empty() ? "token request" : "connection");
      return;
    }
    connection->ws = std::move(ws);
    SoupWebsocketConnection *socket = connection->ws.get();
    soup_websocket_connection_set_max_incoming_payload_size(
        socket, hard_frame_limit(self->config_.max_content_bytes));
    g_signal_connect(
        socket, "message",
        G_CALLBACK(+[](SoupWebsocketConnection *, gint type, GBytes *bytes, gpointer data) {
          auto *c = static_cast<Connection *>(data);
          try {
            if (c->owner && c->owner->connection_.get() == c) c->owner->on_frame(type, bytes);
          } catch (const std::exception &e) {
            tools::log_error("event socket: %s", e.what());
          }
        }),
        connection.get());
    g_signal_connect(socket, "closed", G_CALLBACK(+[](SoupWebsocketConnection *, gpointer data) {
                       auto *c = static_cast<Connection *>(data);
                       try {
                         if (c->owner) c->owner->on_closed(c);
                       } catch (const std::exception &e) {
                         tools::log_error("event socket: %s", e.what());
                       }
                     }),
                     connection.get());
    tools::log_info("event socket: connected to %s, waiting for build_connection",
             self->url_for_log().c_str());
    self->arm(&self->heartbeat_deadline_, int64_t(self->config_.heartbeat_timeout_s) * 1000,
              &EventSocket::on_build_deadline);
  } catch (const std::exception &e) {
    tools::log_error("event socket: %s", e.what());
  }
}

void EventSocket::skip(const char *reason, const std::string &detail) {
  uint64_t n = ++skipped_[reason];
  if (worth_logging(n))
    tools::log_warning("event socket: frame skipped (%s, %" G_GUINT64_FORMAT " so far): %s", reason, n,
                tools::log_safe(detail, 512).c_str());
}

void EventSocket::on_frame(int type, GBytes *bytes) {
  gsize size = 0;
  const char *data = static_cast<const char *>(g_bytes_get_data(bytes, &size));
  if (type != SOUP_WEBSOCKET_DATA_TEXT) {
    skip("binary", "a binary frame of " + std::to_string(size) + " bytes (events come as text)");
    return;
  }
  if (size > soft_frame_limit(config_.max_content_bytes)) {
    skip("too_large", "a frame of " + std::to_string(size) + " bytes, over " +
                          std::to_string(soft_frame_limit(config_.max_content_bytes)));
    return;
  }
  EventFrame frame;
  std::string error;
  if (!parse_event_frame(std::string_view(data ? data : "", size), config_.max_content_bytes,
                         &frame, &error)) {
    skip("malformed", error);
    return;
  }
  switch (frame.kind) {
    case EventFrame::Kind::BuildConnection:
      if (!frame.success) {
        drop("build_connection_failed", "build_connection answered success: false");
        return;
      }
      if (ready_) return;
      heartbeat_deadline_.reset();
      refusals_in_a_row_ = 0;
      ready_ = true;
      attempt_ = 0;
      connects_++;
      ever_connected_ = true;
      last_problem_.clear();
      tools::log_info("event socket: events flow from %s (heartbeat every %d s)", url_for_log().c_str(),
               config_.heartbeat_interval_s);
      arm(&heartbeat_, int64_t(config_.heartbeat_interval_s) * 1000, &EventSocket::send_heartbeat);
      return;
    case EventFrame::Kind::Heartbeat:
      heartbeat_deadline_.reset();
      return;
    case EventFrame::Kind::Message: {
      if (!rate_.allow(g_get_monotonic_time())) {
        skip("rate", "over " + std::to_string(int(config_.max_events_per_s)) + " events a second");
        return;
      }
      Outcome outcome = on_event_(frame.content);
      events_[std::string(outcome.accepted ? "accepted" : "rejected") + "\",reason=\"" +
              outcome.reason]++;
      return;
    }
    case EventFrame::Kind::Other:
      skip("unknown_module", "module \"" + frame.module + "\"");
      return;
  }
}

void EventSocket::send_heartbeat() {
  if (!connection_ || !connection_->ws) return;
  if (soup_websocket_connection_get_state(connection_->ws.get()) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  soup_websocket_connection_send_text(connection_->ws.get(), heartbeat_frame());
  if (!heartbeat_deadline_)
    arm(&heartbeat_deadline_, int64_t(config_.heartbeat_timeout_s) * 1000,
        &EventSocket::on_heartbeat_deadline);
  arm(&heartbeat_, int64_t(config_.heartbeat_interval_s) * 1000, &EventSocket::send_heartbeat);
}

void EventSocket::on_heartbeat_deadline() {
  heartbeat_timeouts_++;
  drop("heartbeat_timeout", "no heartbeat answer within " +
                                std::to_string(config_.heartbeat_timeout_s) +
                                " s: the connection is taken for dead");
}

void EventSocket::on_build_deadline() {
  drop("build_connection_timeout", "no build_connection within " +
                                       std::to_string(config_.heartbeat_timeout_s) + " s");
}

void EventSocket::on_closed(Connection *connection) {
  if (connection_.get() == connection) {
    SoupWebsocketConnection *ws = connection->ws.get();
    gushort code = soup_websocket_connection_get_close_code(ws);
    const char *data = soup_websocket_connection_get_close_data(ws);
    drop("closed", "closed by the server (code " + std::to_string(code) +
                       (data && *data ? ", " + tools::log_safe(data, 128) : std::string()) + ")");
    return;
  }
  for (auto it = closing_.begin(); it != closing_.end(); ++it) {
    if (it->get() == connection) {
      closing_.erase(it);
      return;
    }
  }
}

void EventSocket::drop(const char *reason, const std::string &detail) {
  bool was_ready = ready_;
  ready_ = false;
  heartbeat_.reset();
  heartbeat_deadline_.reset();
  drops_[reason]++;
  last_problem_ = "event socket lost: " + detail;
  tools::log_warning("event socket: %s lost (%s): %s; events until it is back are not delivered",
              url_for_log().c_str(), reason, detail.c_str());
  std::shared_ptr<Connection> connection = std::move(connection_);
  if (connection && connection->ws &&
      soup_websocket_connection_get_state(connection->ws.get()) == SOUP_WEBSOCKET_STATE_OPEN) {
    // Its "closed" comes later (the close handshake, or libsoup's timeout).
    soup_websocket_connection_close(connection->ws.get(), SOUP_WEBSOCKET_CLOSE_GOING_AWAY, nullptr);
    closing_.push_back(std::move(connection));
    if (closing_.size() > 4) closing_.erase(closing_.begin());
  }
  if (was_ready) attempt_ = 0;
  retry_later("connection");
}

std::string EventSocket::state_text() const {
  if (ready_) return "event socket connected to " + url_for_log();
  return "event socket not connected: " + last_problem_;
}

namespace {

// One Prometheus family: HELP and TYPE, then a sample per label value
// (label "": one sample without labels, the value under key "").
void family(std::string *out, const char *name, const char *type, const char *help,
            const char *label, const std::map<std::string, uint64_t> &samples) {
  *out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  for (const auto &[value, count] : samples) {
    std::string labels = *label ? std::string("{") + label + "=\"" + value + "\"}" : "";
    *out += name + labels + " " + std::to_string(count) + "\n";
  }
}

}  // namespace

std::string EventSocket::metrics_text() const {
  std::string out;
  family(&out, "rtms_gateway_event_socket_connected", "gauge",
         "1 while the event WebSocket is open and answered.", "", {{"", ready_ ? 1 : 0}});
  family(&out, "rtms_gateway_event_socket_connects_total", "counter",
         "Connections that reached build_connection.", "", {{"", connects_}});
  family(&out, "rtms_gateway_event_socket_reconnects_total", "counter",
         "Connection attempts after the first.", "",
         {{"", connect_attempts_ > 0 ? connect_attempts_ - 1 : 0}});
  family(&out, "rtms_gateway_event_socket_drops_total", "counter",
         "Connections lost or refused: closed, heartbeat_timeout, build_connection_failed, "
         "build_connection_timeout, token_refused, connect_failed.",
         "reason", drops_);
  family(&out, "rtms_gateway_event_socket_heartbeat_timeouts_total", "counter",
         "Heartbeats not answered in time.", "", {{"", heartbeat_timeouts_}});
  family(&out, "rtms_gateway_event_socket_tokens_total", "counter",
         "Access token requests by result (ok, failed).", "result", tokens_total_);
  // The key holds both labels: accepted",reason="rtms_started.
  family(&out, "rtms_gateway_event_socket_events_total", "counter",
         "Events received by result and reason (event kind when accepted).", "result", events_);
  family(&out, "rtms_gateway_event_socket_frames_skipped_total", "counter",
         "Frames skipped: binary, too_large, malformed, unknown_module, rate.", "reason",
         skipped_);
  return out;
}

}  // namespace gateway
