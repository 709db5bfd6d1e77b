// What the session needs of a message transport (a WebSocket today): open
// a connection to a URL, send a frame, close, and hear back through
// TransportEvents. The session only talks to this interface, and it builds
// its connections through a TransportFactory: the real one makes
// WebSockets (websocket.h); tests pass a scripted fake, so the session's
// state machine runs in-process without sockets.
//
// Cost: one virtual call per message received (on_transport_message), which
// replaces the indirect call the WebSocket made before; the payload is a view
// into the transport's buffer, never a copy.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/http_proxy.h"
#include "protocol/wire_codec.h"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX, kept out of the headers that include this one

namespace rtms {

class NetworkThread;
namespace log {
struct Context;
}

// Why a connection could not be opened, typed so that callers decide on
// the kind rather than on the words.
struct TransportFailure {
  enum class Kind {
    Url,           // not a ws:// or wss:// URL
    Resolve,       // the host name does not resolve
    Connect,       // no TCP connection (refused, unreachable...)
    Tls,           // the TLS handshake failed
    TlsUntrusted,  // the server's certificate is not trusted
    Upgrade,       // the server did not switch to WebSocket (http_status says what it answered)
    Timeout,       // nothing of the above finished in time
    Io,            // the connection failed during the handshake
    Proxy,         // the HTTP proxy: unreachable, or it refused the tunnel (http_status says how)
  };
  Kind kind = Kind::Connect;
  std::string message;    // complete, names the socket and the URL (without its query)
  std::string tls_cause;  // Tls, TlsUntrusted: OpenSSL's reason or the certificate's verdict
  int http_status = 0;    // Upgrade: the HTTP status answered instead of 101; Proxy: the
                          // proxy's answer to CONNECT (0: none)
};
const char *to_string(TransportFailure::Kind kind);

// Implemented by the transport's user. Every call comes on the network
// thread; the user may destroy the transport from inside any of them (the
// transport touches nothing of itself afterwards). on_transport_failed may
// come from inside connect().
class TransportEvents {
 public:
  virtual ~TransportEvents() = default;
  // connect() succeeded: messages may be sent.
  virtual void on_transport_open() = 0;
  // connect() did not succeed; nothing else follows.
  virtual void on_transport_failed(const TransportFailure &failure) = 0;
  // A text or binary message (RTMS sends JSON in both); the view is valid
  // during the call only.
  virtual void on_transport_message(std::string_view payload) = 0;
  // An open connection closed, by either side or by failing. code is the
  // WebSocket close code (1006 when it ended without a close frame).
  virtual void on_transport_closed(int code, const std::string &reason) = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Starts connecting; the answer is on_transport_open or _failed.
  virtual void connect() = 0;
  virtual bool is_open() const = 0;
  // The connection is encrypted but its certificate was not checked
  // (ssl-strict=false). Valid once open.
  virtual bool tls_unverified() const = 0;
  // The host the URL names.
  virtual const std::string &host() const = 0;
  // Delivers what has already arrived, without waiting for the network
  // thread's loop to get to this connection.
  virtual void read_pending() = 0;
  // One message, framed as kind (the session's codec says which:
  // protocol/wire_codec.h).
  virtual void send(const std::string &frame, FrameKind kind) = 0;
  // Starts an orderly close; on_transport_closed follows.
  virtual void close() = 0;
};

struct TransportParams {
  NetworkThread *network = nullptr;      // the thread the transport lives on
  std::shared_ptr<ssl_ctx_st> tls;       // for encrypted URLs (tls_client.h)
  std::string url;
  std::string label;                     // names it in logs ("signaling", "media(audio)")
  size_t max_message_size = 0;
  const log::Context *log = nullptr;     // tags its log lines; outlives it (may be null)
  // Through this HTTP proxy (a CONNECT tunnel; TLS stays end to end with the
  // server), or directly.
  std::optional<HttpProxy> proxy;
};

// Makes an unconnected transport that reports to events (which outlives it).
using TransportFactory =
    std::function<std::unique_ptr<Transport>(const TransportParams &, TransportEvents &)>;

// The real one: WebSocket connections (websocket.h).
TransportFactory websocket_transport_factory();

}  // namespace rtms
