#include "websocket.h"

#include <utility>

namespace rtms {

struct WebSocket::PendingConnect {
  WebSocket *owner;
  GRef<GCancellable> cancellable;
  std::function<void(const std::string &)> on_done;
};

WebSocket::WebSocket(SoupSession *session, std::string url, std::string label,
                     bool accept_any_certificate, size_t max_message_size,
                     WebSocketHandlers handlers)
    : session_(session),
      url_(std::move(url)),
      label_(std::move(label)),
      accept_any_certificate_(accept_any_certificate),
      max_message_size_(max_message_size),
      handlers_(std::move(handlers)) {}

WebSocket::~WebSocket() {
  if (cancellable_) g_cancellable_cancel(cancellable_.get());
  if (message_) g_signal_handlers_disconnect_by_data(message_.get(), this);
  if (connection_) {
    g_signal_handlers_disconnect_by_data(connection_.get(), this);
    if (soup_websocket_connection_get_state(connection_.get()) ==
        SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close(connection_.get(),
                                      SOUP_WEBSOCKET_CLOSE_GOING_AWAY, nullptr);
  }
}

void WebSocket::connect(std::function<void(const std::string &)> on_done) {
  message_ = GRef<SoupMessage>::adopt(soup_message_new(SOUP_METHOD_GET, url_.c_str()));
  if (!message_) {
    on_done("'" + url_ + "' is not a valid WebSocket URL");
    return;
  }
  if (accept_any_certificate_)
    g_signal_connect(message_.get(), "accept-certificate",
                     G_CALLBACK(on_accept_certificate), this);
  cancellable_ = GRef<GCancellable>::adopt(g_cancellable_new());
  auto pending = std::make_unique<PendingConnect>(
      PendingConnect{this, cancellable_, std::move(on_done)});
  soup_session_websocket_connect_async(session_, message_.get(), nullptr, nullptr,
                                       G_PRIORITY_DEFAULT, cancellable_.get(),
                                       on_connected, pending.release());
}

void WebSocket::on_connected(GObject *source, GAsyncResult *result, gpointer data) {
  std::unique_ptr<PendingConnect> pending(static_cast<PendingConnect *>(data));
  GError *error = nullptr;
  SoupWebsocketConnection *conn = soup_session_websocket_connect_finish(
      SOUP_SESSION(source), result, &error);
  // The owner is gone (or going) once the operation was cancelled.
  if (g_cancellable_is_cancelled(pending->cancellable.get())) {
    if (conn) g_object_unref(conn);
    g_clear_error(&error);
    return;
  }
  WebSocket *self = pending->owner;
  if (!conn) {
    std::string what = self->describe_connect_error(error);
    g_clear_error(&error);
    pending->on_done(what);
    return;
  }
  self->adopt(conn);
  pending->on_done(std::string());
}

void WebSocket::adopt(SoupWebsocketConnection *conn) {
  connection_ = GRef<SoupWebsocketConnection>::adopt(conn);
  if (message_) g_signal_handlers_disconnect_by_data(message_.get(), this);
  message_.reset();
  // RTMS needs no WebSocket-level pings (it has its own keep-alives), and
  // video frames are far larger than libsoup's 128 KiB default.
  soup_websocket_connection_set_keepalive_interval(conn, 0);
  soup_websocket_connection_set_max_incoming_payload_size(conn, max_message_size_);
  g_signal_connect(conn, "message", G_CALLBACK(on_message_signal), this);
  g_signal_connect(conn, "closed", G_CALLBACK(on_closed_signal), this);
  g_signal_connect(conn, "error", G_CALLBACK(on_error_signal), this);
}

gboolean WebSocket::on_accept_certificate(SoupMessage *, GTlsCertificate *,
                                          GTlsCertificateFlags, gpointer) {
  return TRUE;  // only connected when ssl-strict is off
}

void WebSocket::on_message_signal(SoupWebsocketConnection *, gint, GBytes *message,
                                  gpointer data) {
  auto *self = static_cast<WebSocket *>(data);
  gsize size = 0;
  const char *bytes = static_cast<const char *>(g_bytes_get_data(message, &size));
  if (self->handlers_.on_message) self->handlers_.on_message(std::string_view(bytes ? bytes : "", size));
}

void WebSocket::on_error_signal(SoupWebsocketConnection *, GError *error, gpointer data) {
  auto *self = static_cast<WebSocket *>(data);
  self->last_error_ = error ? error->message : "unknown error";
}

void WebSocket::on_closed_signal(SoupWebsocketConnection *conn, gpointer data) {
  auto *self = static_cast<WebSocket *>(data);
  if (self->closed_reported_) return;
  self->closed_reported_ = true;
  int code = soup_websocket_connection_get_close_code(conn);
  const char *data_text = soup_websocket_connection_get_close_data(conn);
  std::string reason = data_text ? data_text : "";
  if (reason.empty() && !self->last_error_.empty()) reason = self->last_error_;
  if (self->handlers_.on_closed) self->handlers_.on_closed(code, reason);
}

bool WebSocket::is_open() const {
  return connection_ &&
         soup_websocket_connection_get_state(connection_.get()) == SOUP_WEBSOCKET_STATE_OPEN;
}

void WebSocket::send(const std::string &json) {
  if (!is_open()) return;
  soup_websocket_connection_send_text(connection_.get(), json.c_str());
}

void WebSocket::close(unsigned short code) {
  if (is_open()) soup_websocket_connection_close(connection_.get(), code, nullptr);
}

std::string WebSocket::describe_connect_error(const GError *error) const {
  std::string base = "cannot open the " + label_ + " WebSocket " + url_ + ": ";
  GTlsCertificateFlags flags = message_
      ? soup_message_get_tls_peer_certificate_errors(message_.get())
      : GTlsCertificateFlags(0);
  bool tls_trust = (error && error->domain == G_TLS_ERROR) || flags != 0;
  if (tls_trust && flags != 0) {
    std::string why;
    if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA) why += "signed by an unknown certificate authority, ";
    if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY) why += "issued for another host name, ";
    if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED) why += "not valid yet, ";
    if (flags & G_TLS_CERTIFICATE_EXPIRED) why += "expired, ";
    if (flags & G_TLS_CERTIFICATE_REVOKED) why += "revoked, ";
    if (flags & G_TLS_CERTIFICATE_INSECURE) why += "using an insecure algorithm, ";
    if (why.empty()) why = "rejected, ";
    why.resize(why.size() - 2);
    return base + "the server's TLS certificate is not trusted (" + why +
           "); set ssl-ca-file to the CA that signed it, or ssl-strict=false to "
           "accept any certificate";
  }
  return base + (error ? error->message : "unknown error");
}

}  // namespace rtms
