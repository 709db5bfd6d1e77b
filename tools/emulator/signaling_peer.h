// The server side of one signaling WebSocket: the handshake, then the
// requests a client may make, keep-alives, and violations of the protocol.
#pragma once

#include <string>
#include <string_view>

#include <libsoup/soup.h>

#include "protocol/messages.h"
#include "fault_injector.h"
#include "keepalive.h"
#include "ws_connection.h"

namespace emulator {

class RtmsStream;

class SignalingPeer {
 public:
  SignalingPeer(RtmsStream &stream, SoupWebsocketConnection *connection, int id);

  void send(const rtms::Message &message);
  // A message that arrived before this peer owned the socket (routing).
  void receive(std::string_view payload) { on_message(payload); }
  void close(unsigned short code, const char *reason) { ws_.close(code, reason); }
  bool established() const { return state_ == State::Established; }
  bool open() const { return ws_.is_open(); }
  bool closed() const { return ws_.is_closed(); }
  void stop_keepalive() { keepalive_.stop(); }
  FaultTarget fault_target() { return FaultTarget{&ws_, &keepalive_}; }

 private:
  enum class State { AwaitingHandshake, Established, Rejected };

  void on_message(std::string_view payload);
  void on_closed(int code, bool by_server);
  void handle_handshake(const rtms::Result<rtms::Message> &decoded);
  void reject_handshake(rtms::StatusCode status, const std::string &reason);
  void handle(const rtms::Message &message);

  RtmsStream &stream_;
  WsConnection ws_;
  KeepAlive keepalive_;
  State state_ = State::AwaitingHandshake;
};

}  // namespace emulator
