// One client WebSocket (ws:// or wss://) on a network thread, used from that
// thread only. Our own transport rather than libsoup's: the
// media path is one non-blocking read of many frames per wake-up, TLS by
// OpenSSL reading whole bursts of records per system call, and no per-frame
// objects, signals or log formatting. Callbacks never outlive the object:
// destroying it cancels whatever is pending.
#pragma once

#include <glib.h>

#include <memory>
#include <string>
#include <string_view>

#include "log.h"
#include "network_thread.h"
#include "protocol/ws_frames.h"
#include "tls_client.h"
#include "transport.h"

namespace rtms {

// A WebSocket connection, the session's transport (transport.h).
class WebSocket final : public Transport {
 public:
  // params.tls is used for wss:// URLs (see tls_client.h).
  WebSocket(const TransportParams &params, TransportEvents &events);
  ~WebSocket() override;
  WebSocket(const WebSocket &) = delete;
  WebSocket &operator=(const WebSocket &) = delete;

  // Starts connecting; on_transport_open once the WebSocket is open, else
  // on_transport_failed with what failed (TLS trust problems say so and how
  // to fix them).
  void connect() override;
  bool is_open() const override;
  bool tls_unverified() const override;
  const std::string &host() const override;
  void read_pending() override;
  void send(const std::string &frame, FrameKind kind) override;
  // Sends a close frame; on_transport_closed fires when the server answers
  // (or after a short wait).
  void close() override;

  const std::string &url() const { return url_; }
  const std::string &label() const { return label_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string url_;
  std::string label_;
};

}  // namespace rtms
