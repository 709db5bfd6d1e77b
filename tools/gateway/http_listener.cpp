#include "http_listener.h"

#include <algorithm>
#include <cstring>
#include <exception>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>

#include "log.h"

namespace gateway {

namespace {

// At most this many accept() calls per wake-up, so a burst cannot starve the
// answers already under way; the rest wait in the backlog for the next one.
constexpr int kAcceptBatch = 32;
// Connections shut down by us but not yet closed by libsoup (it sees the EOF
// on its next main-loop turn) still hold their descriptor: they may exceed
// the limit by this much before new connections are refused outright.
constexpr int kShutSlack = kAcceptBatch;
// A connection shut down this long ago and still open was abandoned by
// libsoup (nothing polls it any more): its descriptor is closed by us.
constexpr gint64 kForceCloseUs = 5 * G_USEC_PER_SEC;
constexpr guint kSweepMs = 250;
constexpr guint kResumeMs = 100;
// Connections still waiting for their request closed at once when accept()
// runs out of descriptors.
constexpr int kEvictOnAcceptError = 8;
constexpr guint kSlackPauseMs = 5;
// At the limit, a connection that has not sent its request headers for this
// long may be closed to make room (see accept_some), and while none has,
// accepting pauses this long.
constexpr gint64 kEvictAgeUs = 100 * 1000;
constexpr guint kFullPauseMs = 10;
// Descriptors kept out of the connection budget: stdio, GLib's and
// GStreamer's wake-up pipes, the plugin registry, and per stream its
// sockets, files and pipeline.
constexpr int64_t kBaseFds = 24, kFdsPerStream = 16;

const char *kBusy =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
    "Retry-After: 1\r\nConnection: close\r\n\r\nbusy\n";

}  // namespace

uint64_t raise_fd_limit() {
  struct rlimit limit {};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  rlim_t before = limit.rlim_cur;
  if (limit.rlim_cur != limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? rlim_t(1) << 20 : limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) limit.rlim_cur = before;
  }
  if (limit.rlim_cur != before)
    tools::log_info("file descriptor limit raised from %llu to the hard limit %llu", (unsigned long long)before,
                    (unsigned long long)limit.rlim_cur);
  return limit.rlim_cur == RLIM_INFINITY ? uint64_t(1) << 20 : uint64_t(limit.rlim_cur);
}

HttpListener::HttpListener(SoupServer *server, GTlsCertificate *tls, ListenerConfig config)
    : server_(server), tls_(rtms::share(tls)), config_(std::move(config)) {}

HttpListener::~HttpListener() {
  if (request_started_handler_) g_signal_handler_disconnect(server_, request_started_handler_);
  accept_source_.reset();
  resume_source_.reset();
  sweep_source_.reset();
  if (socket_) g_socket_close(socket_.get(), nullptr);
}

void HttpListener::compute_limit() {
  struct rlimit rl {};
  int64_t soft = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? int64_t(rl.rlim_cur)
                                                                                     : int64_t(1) << 20;
  int64_t reserve = kBaseFds + kFdsPerStream * config_.max_streams + kShutSlack;
  int64_t budget = soft - reserve;
  limit_ = config_.max_connections;
  limit_note_ = "--max-connections";
  if (budget < limit_) {
    limit_ = int(std::max<int64_t>(4, budget));
    limit_note_ = "the file descriptor limit " + std::to_string(soft) + " less " + std::to_string(reserve) +
                  " kept for --max-streams " + std::to_string(config_.max_streams) + " and the process";
  }
}

bool HttpListener::listen(std::string *error) {
  auto address = rtms::adopt(g_inet_address_new_from_string(config_.host.c_str()));
  if (!address) {
    *error = "--host must be an IP address (e.g. 127.0.0.1 or 0.0.0.0), got '" + config_.host + "'";
    return false;
  }
  std::string where = config_.host + ":" + std::to_string(config_.port);
  GError *raw_error = nullptr;
  socket_ = rtms::adopt(g_socket_new(g_inet_address_get_family(address.get()), G_SOCKET_TYPE_STREAM,
                                     G_SOCKET_PROTOCOL_TCP, &raw_error));
  if (!socket_) {
    auto owned = rtms::adopt(raw_error);
    *error = "cannot make a socket for " + where + ": " + owned->message;
    return false;
  }
  g_socket_set_listen_backlog(socket_.get(), config_.backlog);
  auto socket_address = rtms::adopt(g_inet_socket_address_new(address.get(), guint16(config_.port)));
  if (!g_socket_bind(socket_.get(), socket_address.get(), TRUE, &raw_error) ||
      !g_socket_listen(socket_.get(), &raw_error)) {
    auto owned = rtms::adopt(raw_error);
    *error = "cannot listen on " + where + ": " + owned->message;
    return false;
  }
  g_socket_set_blocking(socket_.get(), FALSE);
  auto local = rtms::adopt(g_socket_get_local_address(socket_.get(), nullptr));
  port_ = local ? g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local.get())) : config_.port;
  compute_limit();
  request_started_handler_ = g_signal_connect(server_, "request-started", G_CALLBACK(on_request_started), this);
  on_resume(this);
  sweep_source_ = rtms::SourceId(g_timeout_add(kSweepMs, on_sweep, this));
  return true;
}

gboolean HttpListener::on_resume(gpointer data) {
  auto *self = static_cast<HttpListener *>(data);
  self->resume_source_.release();
  GSource *source = g_socket_create_source(self->socket_.get(), G_IO_IN, nullptr);
  g_source_set_callback(source, reinterpret_cast<GSourceFunc>(reinterpret_cast<void (*)()>(on_incoming)), self,
                        nullptr);
  self->accept_source_ = rtms::SourceId(g_source_attach(source, nullptr));
  g_source_unref(source);
  return G_SOURCE_REMOVE;
}

gboolean HttpListener::on_incoming(GSocket *, GIOCondition, gpointer data) {
  try {
    static_cast<HttpListener *>(data)->accept_some();
  } catch (const std::exception &e) {
    tools::log_error("accepting connections: %s", e.what());
  } catch (...) {
    tools::log_error("accepting connections failed");
  }
  return G_SOURCE_CONTINUE;
}

void HttpListener::pause_accepting(guint ms) {
  accept_source_.reset();
  resume_source_ = rtms::SourceId(g_timeout_add(ms, on_resume, this));
}

void HttpListener::accept_some() {
  reap();
  for (int i = 0; i < kAcceptBatch; i++) {
    // Connections answered within this batch (libsoup may read, answer and
    // close one inside soup_server_accept_iostream) are gone already.
    if (live_ >= size_t(limit_) || conns_.size() >= size_t(limit_) + kShutSlack) reap();
    if (conns_.size() >= size_t(limit_) + kShutSlack) {
      // Too many shut down and not closed yet: libsoup closes them on its
      // next turns. Leave the newcomers in the backlog meanwhile.
      pause_accepting(kSlackPauseMs);
      return;
    }
    // At the limit: the oldest connection still waiting for its request
    // makes room once it has had kEvictAgeUs to send it (a client of a
    // burst that just connected is about to). Younger ones are left alone
    // and newcomers wait in the backlog; when every connection is busy with
    // a request, the newcomer is told to come back (503).
    if (live_ >= size_t(limit_)) {
      Conn *oldest = oldest_waiting();
      if (oldest != nullptr && g_get_monotonic_time() - oldest->since_us < kEvictAgeUs) {
        pause_accepting(kFullPauseMs);
        return;
      }
    }
    GError *raw_error = nullptr;
    auto socket = rtms::adopt(g_socket_accept(socket_.get(), nullptr, &raw_error));
    if (!socket) {
      auto error = rtms::adopt(raw_error);
      if (g_error_matches(error.get(), G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) return;
      accept_errors_++;
      gint64 now = g_get_monotonic_time();
      if (now - last_accept_warning_us_ > G_USEC_PER_SEC) {
        last_accept_warning_us_ = now;
        tools::log_warning("accept() failed: %s (%zu connections open); closing the oldest waiting ones and "
                           "retrying",
                           tools::log_safe(error->message).c_str(), conns_.size());
      }
      // Out of descriptors (or another passing error): free a few if we
      // can (libsoup closes them on its next turn) and try again soon; else
      // poll the listener again later instead of spinning on it.
      int freed = 0;
      while (freed < kEvictOnAcceptError && evict_oldest_waiting("evicted")) freed++;
      pause_accepting(freed > 0 ? kSlackPauseMs : kResumeMs);
      return;
    }
    accepted_++;
    if (live_ >= size_t(limit_) && !evict_oldest_waiting("evicted")) {
      refuse(socket.get());
      continue;
    }
    adopt(std::move(socket));
  }
}

void HttpListener::refuse(GSocket *socket) {
  refused_++;

  if (!tls_) g_socket_send(socket, kBusy, strlen(kBusy), nullptr, nullptr);  // best effort, never blocks
  g_socket_close(socket, nullptr);
}

void HttpListener::adopt(rtms::GRef<GSocket> socket) {
  g_socket_set_option(socket.get(), IPPROTO_TCP, TCP_NODELAY, TRUE, nullptr);
  auto remote = rtms::adopt(g_socket_get_remote_address(socket.get(), nullptr));
  auto local = rtms::adopt(g_socket_get_local_address(socket.get(), nullptr));
  if (!remote || !local) {  // already reset by the peer
    g_socket_close(socket.get(), nullptr);
    return;
  }
  auto stream = rtms::adopt(G_IO_STREAM(g_socket_connection_factory_create_connection(socket.get())));
  if (tls_) {
    GError *raw_error = nullptr;
    GIOStream *tls = g_tls_server_connection_new(stream.get(), tls_.get(), &raw_error);
    if (!tls) {
      auto error = rtms::adopt(raw_error);
      tools::log_error("cannot start TLS on a connection: %s", error->message);
      g_socket_close(socket.get(), nullptr);
      return;
    }
    // Clients (and load balancers) often just close; that is not an attack
    // on a request/answer exchange that is complete.
    g_tls_connection_set_require_close_notify(G_TLS_CONNECTION(tls), FALSE);
    stream = rtms::adopt(tls);
  }
  Conn conn;
  conn.socket = std::move(socket);
  conn.remote = std::move(remote);
  conn.since_us = g_get_monotonic_time();
  conns_.push_back(std::move(conn));
  auto it = std::prev(conns_.end());
  by_remote_[it->remote.get()] = it;
  live_++;
  // The first request starts inside this call (on_request_started).
  soup_server_accept_iostream(server_, stream.get(), local.get(), it->remote.get(), nullptr);
}

HttpListener::Conn *HttpListener::find(SoupServerMessage *msg) {
  auto found = by_remote_.find(soup_server_message_get_remote_address(msg));
  return found == by_remote_.end() ? nullptr : &*found->second;
}

void HttpListener::on_request_started(SoupServer *, SoupServerMessage *msg, gpointer data) {
  auto *self = static_cast<HttpListener *>(data);
  // Never kept alive (see the header): say so, so clients do not reuse it.
  soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Connection", "close");
  if (Conn *conn = self->find(msg)) {
    conn->phase = Phase::Headers;
    conn->since_us = g_get_monotonic_time();
  }
  g_signal_connect(msg, "got-headers", G_CALLBACK(on_got_headers), self);
  g_signal_connect(msg, "got-body", G_CALLBACK(on_got_body), self);
}

void HttpListener::on_got_headers(SoupServerMessage *msg, gpointer data) {
  if (Conn *conn = static_cast<HttpListener *>(data)->find(msg)) {
    conn->phase = Phase::Body;
    conn->since_us = g_get_monotonic_time();
  }
}

void HttpListener::on_got_body(SoupServerMessage *msg, gpointer data) {
  if (Conn *conn = static_cast<HttpListener *>(data)->find(msg)) {
    conn->phase = Phase::Answer;
    conn->since_us = g_get_monotonic_time();
  }
}

GSocket *HttpListener::hold_open(SoupServerMessage *msg) {
  Conn *conn = find(msg);
  if (!conn) return nullptr;
  conn->phase = Phase::Held;
  return conn->socket.get();
}

HttpListener::Conn *HttpListener::oldest_waiting() {
  for (Conn &conn : conns_)
    if (conn.shut_us == 0 && conn.phase == Phase::Headers) return &conn;
  return nullptr;
}

bool HttpListener::evict_oldest_waiting(const char *reason) {
  Conn *oldest = oldest_waiting();
  if (oldest) shut(*oldest, reason);
  return oldest != nullptr;
}

void HttpListener::shut(Conn &conn, const char *reason) {
  // Both directions: libsoup's pending read sees EOF (or its write fails) on
  // its next turn and closes the connection through its own error path.
  g_socket_shutdown(conn.socket.get(), TRUE, TRUE, nullptr);
  conn.shut_us = g_get_monotonic_time();
  live_--;
  closed_[reason]++;
  closed_since_report_++;
}

void HttpListener::reap() {
  for (auto it = conns_.begin(); it != conns_.end();) {
    if (g_socket_is_closed(it->socket.get())) {
      if (it->shut_us == 0) live_--;
      by_remote_.erase(it->remote.get());
      it = conns_.erase(it);
    } else {
      ++it;
    }
  }
}

gboolean HttpListener::on_sweep(gpointer data) {
  auto *self = static_cast<HttpListener *>(data);
  try {
    self->reap();
    gint64 now = g_get_monotonic_time();
    for (Conn &conn : self->conns_) {
      if (conn.shut_us != 0) {
        if (now - conn.shut_us > kForceCloseUs && !g_socket_is_closed(conn.socket.get())) {
          g_socket_close(conn.socket.get(), nullptr);
          self->closed_["abandoned"]++;
        }
        continue;
      }
      if (conn.phase == Phase::Held) continue;
      bool headers = conn.phase == Phase::Headers;
      gint64 timeout = gint64(headers ? self->config_.header_timeout_s : self->config_.body_timeout_s) * G_USEC_PER_SEC;
      if (now - conn.since_us > timeout) self->shut(conn, headers ? "header_timeout" : "body_timeout");
    }
    self->reap();
    if (self->closed_since_report_ > 0 && now - self->last_report_us_ > 10 * G_USEC_PER_SEC) {
      self->last_report_us_ = now;
      std::string counts;
      for (const auto &[reason, count] : self->closed_) counts += (counts.empty() ? "" : ", ") + reason + " " + std::to_string(count);
      tools::log_warning("closed %llu slow or surplus HTTP connection(s) in the last 10 s (totals: %s; %zu open, limit %d)",
                         (unsigned long long)self->closed_since_report_, counts.c_str(), self->conns_.size(),
                         self->limit_);
      self->closed_since_report_ = 0;
    }
  } catch (...) {
  }
  return G_SOURCE_CONTINUE;
}

std::string HttpListener::metrics_text() const {
  std::string out;
  auto metric = [&out](const char *name, const char *type, const char *help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  metric("rtms_gateway_http_connections", "gauge", "HTTP connections open now.");
  out += "rtms_gateway_http_connections " + std::to_string(conns_.size()) + "\n";
  metric("rtms_gateway_http_connections_limit", "gauge", "Most HTTP connections kept open at once.");
  out += "rtms_gateway_http_connections_limit " + std::to_string(limit_) + "\n";
  metric("rtms_gateway_http_connections_accepted_total", "counter", "HTTP connections accepted.");
  out += "rtms_gateway_http_connections_accepted_total " + std::to_string(accepted_) + "\n";
  metric("rtms_gateway_http_connections_closed_total", "counter",
         "HTTP connections closed by the gateway: header_timeout, body_timeout, evicted (oldest waiting one, "
         "at the limit), abandoned.");
  for (const char *reason : {"header_timeout", "body_timeout", "evicted", "abandoned"}) {
    auto found = closed_.find(reason);
    out += std::string("rtms_gateway_http_connections_closed_total{reason=\"") + reason + "\"} " +
           std::to_string(found == closed_.end() ? 0 : found->second) + "\n";
  }
  metric("rtms_gateway_http_connections_refused_total", "counter",
         "HTTP connections answered 503 and closed at once: the limit was reached with every connection busy.");
  out += "rtms_gateway_http_connections_refused_total " + std::to_string(refused_) + "\n";
  metric("rtms_gateway_http_accept_errors_total", "counter", "accept() failures (e.g. out of file descriptors).");
  out += "rtms_gateway_http_accept_errors_total " + std::to_string(accept_errors_) + "\n";
  return out;
}

}  // namespace gateway
