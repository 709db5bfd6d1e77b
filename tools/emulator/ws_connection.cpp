#include "ws_connection.h"

#include <exception>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "log.h"
#include "scheduler.h"
#include "server.h"

namespace emulator {
namespace {

// libsoup refuses frames above 128 KiB by default; a buffered burst or a
// big video frame is larger, and the client's messages must never be cut.
constexpr guint64 kMaxIncomingPayload = 64 * 1024 * 1024;

// How long the media scheduler stops holding after a send that libsoup may
// not have finished: long enough for the rest of a large video frame.
constexpr int64_t kUnfinishedSendReleaseUs = 20 * 1000;

// libsoup writes a queued frame with one non-blocking write per main-loop
// wake-up, and over TLS one write carries at most one record (16 KiB of
// payload), so a larger frame always needs the main loop to finish.
constexpr size_t kOneWriteBytes = 16 * 1024 - 64;

}  // namespace

void WsConnection::release_hold_if_unfinished(size_t frame_bytes) {
  // A smaller frame is written whole unless the socket is full, i.e. the
  // client has not read for a long while (hundreds of milliseconds of
  // audio); checking for that with a poll() per send cost the emulator
  // about a tenth of a core at 120 000 messages/s, so it is not checked.
  if (frame_bytes <= kOneWriteBytes) return;
  Scheduler &scheduler = Scheduler::instance();
  if (scheduler.holds())
    scheduler.release_hold_until(g_get_monotonic_time() + kUnfinishedSendReleaseUs);
}

WsConnection::WsConnection(SoupWebsocketConnection *connection, bool binary_frames,
                           std::string label)
    : connection_(rtms::share(connection)), binary_frames_(binary_frames), label_(std::move(label)) {
  soup_websocket_connection_set_max_incoming_payload_size(connection, kMaxIncomingPayload);
  socket_ = static_cast<GSocket *>(g_object_get_data(G_OBJECT(connection), kSocketKey));
  handler_ids_[0] = g_signal_connect(connection, "message", G_CALLBACK(on_message_cb), this);
  handler_ids_[1] = g_signal_connect(connection, "closed", G_CALLBACK(on_closed_cb), this);
  handler_ids_[2] = g_signal_connect(connection, "error", G_CALLBACK(on_error_cb), this);
}

WsConnection::~WsConnection() {
  if (detached_) return;
  detach();
  if (is_open()) soup_websocket_connection_close(connection_.get(), SOUP_WEBSOCKET_CLOSE_GOING_AWAY, nullptr);
}

void WsConnection::detach() {
  // GLib does not call handlers connected during an emission for that
  // emission, and disconnecting during one is allowed: the new owner
  // connects now and sees the next message, not this one.
  for (gulong &id : handler_ids_) {
    if (id != 0) g_signal_handler_disconnect(connection_.get(), id);
    id = 0;
  }
  detached_ = true;
}

void WsConnection::set_handlers(MessageHandler on_message, ClosedHandler on_closed) {
  on_message_ = std::move(on_message);
  on_closed_ = std::move(on_closed);
}

bool WsConnection::send(const std::string &json) {
  if (!is_open()) return false;
  if (binary_frames_)
    soup_websocket_connection_send_binary(connection_.get(), json.data(), json.size());
  else
    soup_websocket_connection_send_text(connection_.get(), json.c_str());
  frames_sent_++;
  release_hold_if_unfinished(json.size());
  return true;
}

bool WsConnection::send_frame(std::string_view payload, bool force_binary) {
  if (!is_open()) return false;
  // libsoup copies the payload into its frame before returning, so a static
  // view avoids a second copy of what may be a very large fault frame.
  auto bytes = rtms::adopt(g_bytes_new_static(payload.data(), payload.size()));
  soup_websocket_connection_send_message(connection_.get(),
                                         force_binary || binary_frames_ ? SOUP_WEBSOCKET_DATA_BINARY
                                                                        : SOUP_WEBSOCKET_DATA_TEXT,
                                         bytes.get());
  frames_sent_++;
  release_hold_if_unfinished(payload.size());
  return true;
}

void WsConnection::begin_burst() {
  if (socket_ == nullptr || corked_) return;
  corked_ = g_socket_set_option(socket_, IPPROTO_TCP, TCP_CORK, 1, nullptr);
}

void WsConnection::end_burst() {
  if (!corked_) return;
  corked_ = false;
  // Uncorking sends what was held back at once.
  g_socket_set_option(socket_, IPPROTO_TCP, TCP_CORK, 0, nullptr);
}

void WsConnection::close(unsigned short code, const char *reason) {
  if (!is_open()) return;
  close_requested_ = true;
  requested_close_code_ = code;
  soup_websocket_connection_close(connection_.get(), code, reason);
}

bool WsConnection::is_open() const {
  return soup_websocket_connection_get_state(connection_.get()) == SOUP_WEBSOCKET_STATE_OPEN;
}

bool WsConnection::is_closed() const {
  return soup_websocket_connection_get_state(connection_.get()) == SOUP_WEBSOCKET_STATE_CLOSED;
}

void WsConnection::on_message_cb(SoupWebsocketConnection *, gint, GBytes *message, gpointer data) {
  auto *self = static_cast<WsConnection *>(data);
  gsize size = 0;
  const char *bytes = static_cast<const char *>(g_bytes_get_data(message, &size));
  // Handlers may close the socket or end the stream; copy so the callable
  // survives even if the owner replaces it meanwhile.
  MessageHandler handler = self->on_message_;
  try {
    if (handler) handler(std::string_view(bytes != nullptr ? bytes : "", size));
  } catch (const std::exception &e) {
    tools::log_error("%s: failed to handle a message: %s", self->label_.c_str(), e.what());
  } catch (...) {
    tools::log_error("%s: failed to handle a message", self->label_.c_str());
  }
}

void WsConnection::on_closed_cb(SoupWebsocketConnection *connection, gpointer data) {
  auto *self = static_cast<WsConnection *>(data);
  int code = self->requested_close_code_;
  if (!self->close_requested_) {
    code = soup_websocket_connection_get_close_code(connection);
    if (code == 0) code = SOUP_WEBSOCKET_CLOSE_ABNORMAL;
  }
  ClosedHandler handler = self->on_closed_;
  try {
    if (handler) handler(code, self->close_requested_);
  } catch (...) {
    tools::log_error("%s: failed to handle the close", self->label_.c_str());
  }
}

void WsConnection::on_error_cb(SoupWebsocketConnection *, GError *error, gpointer data) {
  auto *self = static_cast<WsConnection *>(data);
  tools::log_warning("%s: WebSocket error: %s", self->label_.c_str(), error->message);
}

}  // namespace emulator
