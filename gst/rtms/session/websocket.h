// One client WebSocket (ws:// or wss://) on a network thread, used from that
// thread only. Our own transport rather than libsoup's: the
// media path is one non-blocking read of many frames per wake-up, TLS by
// OpenSSL reading whole bursts of records per system call, and no per-frame
// objects, signals or log formatting. Callbacks never outlive the object:
// destroying it cancels whatever is pending.
#pragma once

#include <glib.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "log.h"
#include "network_thread.h"
#include "protocol/ws_frames.h"
#include "tls_client.h"

namespace rtms {

struct WebSocketHandlers {
  // A text or binary message; RTMS sends JSON in both. The view is valid
  // during the call only.
  std::function<void(std::string_view payload)> on_message;
  // The connection closed, by either side or by failing. code is the
  // WebSocket close code (1006 when it ended without a close frame).
  std::function<void(int code, const std::string &reason)> on_closed;
};

// Why a connection could not be opened, typed so that callers decide on
// the kind rather than on the words.
struct WebSocketFailure {
  enum class Kind {
    Url,           // not a ws:// or wss:// URL
    Resolve,       // the host name does not resolve
    Connect,       // no TCP connection (refused, unreachable...)
    Tls,           // the TLS handshake failed
    TlsUntrusted,  // the server's certificate is not trusted
    Upgrade,       // the server did not switch to WebSocket (http_status says what it answered)
    Timeout,       // nothing of the above finished in time
    Io,            // the connection failed during the handshake
  };
  Kind kind = Kind::Connect;
  std::string message;    // complete, names the socket and the URL (without its query)
  std::string tls_cause;  // Tls, TlsUntrusted: OpenSSL's reason or the certificate's verdict
  int http_status = 0;    // Upgrade: the HTTP status answered instead of 101 (0: none)
};
const char *to_string(WebSocketFailure::Kind kind);

class WebSocket {
 public:
  // label names the socket in logs ("signaling", "media(audio)"). tls is
  // used for wss:// URLs (see tls_client.h). log (may be null) tags this
  // socket's log lines and must outlive it.
  WebSocket(NetworkThread &network, SslCtxPtr tls, std::string url, std::string label,
            size_t max_message_size, WebSocketHandlers handlers,
            const log::Context *log = nullptr);
  ~WebSocket();
  WebSocket(const WebSocket &) = delete;
  WebSocket &operator=(const WebSocket &) = delete;

  // Starts connecting; on_done gets null once the WebSocket is open, else
  // what failed (TLS trust problems say so and how to fix them).
  void connect(std::function<void(const WebSocketFailure *failure)> on_done);

  bool is_open() const;
  // The connection is wss:// and its certificate was not checked
  // (ssl-strict=false). Valid once open.
  bool tls_unverified() const;
  // The host the URL names.
  const std::string &host() const;
  // Reads and delivers what has already arrived, without waiting for the
  // main loop to get to this socket.
  void read_pending();
  void send(const std::string &json);
  // Sends a close frame; on_closed fires when the server answers (or after
  // a short wait).
  void close(unsigned short code = kWsCloseNormal);

  const std::string &url() const { return url_; }
  const std::string &label() const { return label_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string url_;
  std::string label_;
};

}  // namespace rtms
