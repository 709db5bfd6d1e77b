// Multi-stream mode: every stream shares the server's /signaling and /media
// paths, and which stream a new WebSocket belongs to is only known from
// its first message, the handshake, which names the rtms_stream_id. The
// router holds each new socket until then and hands it, with that first
// message, to its stream. A handshake naming no stream of this process is
// refused the way Zoom refuses an unknown stream (status 2), and anything
// else first is refused as an invalid handshake; neither belongs to a
// stream's manifest, so both are logged.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <libsoup/soup.h>

#include "protocol/enums.h"
#include "ws_connection.h"

namespace emulator {

class RtmsStream;

class ConnectionRouter {
 public:
  // The stream with this rtms_stream_id, or nullptr.
  using FindFn = std::function<RtmsStream *(const std::string &rtms_stream_id)>;

  ConnectionRouter(bool binary_frames, FindFn find);

  void accept(SoupWebsocketConnection *connection, bool signaling);

 private:
  struct Pending {
    std::unique_ptr<WsConnection> ws;
    bool signaling = false;
    bool handed_over = false;
  };

  void on_first_message(Pending *pending, std::string_view payload);
  void refuse(Pending *pending, rtms::StatusCode status, const std::string &reason);
  // Drops entries that were handed over or have closed (never from inside
  // one of their callbacks).
  void prune();

  bool binary_frames_;
  FindFn find_;
  std::vector<std::unique_ptr<Pending>> pending_;
  int next_id_ = 1;
};

}  // namespace emulator
