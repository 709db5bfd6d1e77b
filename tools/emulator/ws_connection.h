// One accepted WebSocket (signaling or media): sends JSON text in the
// configured frame type, hands incoming frames (text or binary alike) to a
// handler, and guarantees no libsoup signal reaches the owner after it is
// gone.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <libsoup/soup.h>

#include "common/gref.h"

namespace emulator {

class WsConnection {
 public:
  using MessageHandler = std::function<void(std::string_view payload)>;
  // close_code: the code of whoever started the close (RFC 6455's 1006 when
  // the connection ended without a close frame); by_server: the emulator
  // started it.
  using ClosedHandler = std::function<void(int close_code, bool by_server)>;

  // Borrows `connection` (takes its own reference).
  WsConnection(SoupWebsocketConnection *connection, bool binary_frames, std::string label);
  ~WsConnection();
  WsConnection(const WsConnection &) = delete;
  WsConnection &operator=(const WsConnection &) = delete;

  void set_handlers(MessageHandler on_message, ClosedHandler on_closed);
  // False when the socket is no longer open (nothing was sent).
  bool send(const std::string &json);
  // Sends arbitrary bytes as one frame (fault injection): BINARY when asked
  // to, else the configured frame type. False when the socket is not open.
  bool send_frame(std::string_view payload, bool force_binary);
  // Starts the closing handshake; `closed` follows when the peer answers.
  void close(unsigned short code, const char *reason);
  // Holds small frames back (TCP_CORK) until end_burst(), so that messages
  // sent together leave in as few TCP segments as fit. Without a known
  // socket (not accepted by Server) both do nothing.
  void begin_burst();
  void end_burst();
  // Stops handling the socket without closing it, so another WsConnection
  // can take it over (multi-stream routing). Safe inside a handler.
  void detach();
  bool is_open() const;
  bool is_closed() const;
  // Frames sent so far (keep-alives go out only on a socket that sent
  // nothing for an interval).
  uint64_t frames_sent() const { return frames_sent_; }
  const std::string &label() const { return label_; }
  SoupWebsocketConnection *connection() const { return connection_.get(); }

 private:
  // Ends the media scheduler's hold for a while when libsoup may still hold
  // part of the frame just sent (Scheduler::release_hold_until).
  void release_hold_if_unfinished(size_t frame_bytes);
  static void on_message_cb(SoupWebsocketConnection *, gint type, GBytes *message, gpointer self);
  static void on_closed_cb(SoupWebsocketConnection *, gpointer self);
  static void on_error_cb(SoupWebsocketConnection *, GError *error, gpointer self);

  rtms::GRef<SoupWebsocketConnection> connection_;
  bool binary_frames_;
  std::string label_;
  MessageHandler on_message_;
  ClosedHandler on_closed_;
  gulong handler_ids_[3] = {0, 0, 0};
  bool close_requested_ = false;
  bool detached_ = false;
  GSocket *socket_ = nullptr;  // owned by the connection's object data
  bool corked_ = false;
  unsigned short requested_close_code_ = 0;
  uint64_t frames_sent_ = 0;
};

}  // namespace emulator
