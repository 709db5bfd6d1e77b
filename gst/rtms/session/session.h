// The RTMS client session: the signaling socket, the media socket(s), the
// handshakes, keep-alive answers and the orderly close, on a network thread
// (its own or one shared with other sessions, see network_thread.h). It
// knows nothing of GStreamer: it hands decoded events and media to a
// SessionListener.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/enums.h"
#include "protocol/host_allowlist.h"
#include "protocol/media_params.h"
#include "protocol/messages.h"
#include "transport.h"

namespace rtms {

struct SessionConfig {
  // Signaling URLs from the webhook's server_urls; tried in order (wss://
  // entries first) until one answers.
  std::vector<std::string> signaling_urls;
  Identity identity;
  std::string rtms_stream_id;
  std::string client_id;
  std::string client_secret;  // secret: never logged
  // Media types wanted (MediaTypeFlags bits, never kMediaAll).
  uint32_t media_types = kMediaAudio;
  // One socket per media type instead of one unified "all" socket.
  bool split_sockets = false;
  MediaParams media_params;     // what we ask for; the server answers with
                                // the effective ones
  std::vector<int> subscribe_events;
  std::optional<bool> buffer_data;
  std::string ca_file;          // empty: the system CAs
  // An HTTP proxy for every WebSocket (http://[user:password@]host:port; the
  // password is a secret: never logged). Empty: the environment's, as curl
  // reads it (https_proxy for wss://, http_proxy for ws://, all_proxy,
  // no_proxy), else none.
  std::string proxy;
  bool tls_strict = true;       // false: accept any certificate
  // Which servers the session may connect to: the signaling URLs and the
  // media URLs a signaling server hands out (empty: any host). A URL whose
  // host matches no pattern, or a ws:// URL without allow_plaintext, is a
  // Config error before anything connects to it.
  HostAllowlist allowed_hosts;
  bool allow_plaintext = true;
  unsigned handshake_timeout_ms = 10000;
  size_t max_message_size = 64 * 1024 * 1024;
  unsigned close_timeout_ms = 2000;  // wait for STREAM_CLOSE_RESP
  // Failover (https://developers.zoom.us/docs/rtms/meetings/failover-reconnection/):
  // a socket lost while streaming is
  // re-established after reconnect_delay_ms, doubling up to 30 s, for as long
  // as the server keeps the stream (60 s for signaling, 65 s for media).
  // 0 windows turn reconnection off.
  unsigned reconnect_delay_ms = 3000;
  unsigned signaling_reconnect_window_ms = 60000;
  unsigned media_reconnect_window_ms = 65000;
  // A socket that receives nothing, neither data nor a keep-alive (sent
  // every 10 s when idle), for this long is presumed dead (a half-open TCP
  // connection never closes by itself) and re-established like a lost one.
  // 0 turns the watch off.
  unsigned silence_timeout_ms = 65000;
  // Threads (network_thread.h): sessions share the process's network
  // threads unless dedicated_thread; with wake_interval_us > 0 a thread
  // sleeps that long between wake-ups and reads what arrived in one batch.
  unsigned wake_interval_us = 0;
  bool dedicated_thread = false;
  // Logging (log.h): the session's lines carry log_tag (empty: the stream
  // id) and log_object, which the sink receives as is (rtmssrc: itself).
  std::string log_tag;
  void *log_object = nullptr;
  // Makes the connections (transport.h); empty: real WebSockets. Tests pass
  // a scripted fake.
  TransportFactory transport_factory;
  // How messages are written on the wire (protocol/wire_codec.h); null:
  // JSON, RTMS V1, the only format documented.
  const WireCodec *codec = nullptr;
};

enum class SessionErrorKind {
  Config,         // the configuration cannot work (no URL, bad CA file)
  Connect,        // no socket could be opened
  Tls,            // the server's certificate is not trusted
  Handshake,      // the server refused a handshake (status_code says why)
  Timeout,        // the server did not answer in time
  ConnectionLost, // a socket closed while streaming
};
const char *to_string(SessionErrorKind kind);

// Everything is typed: callers decide on the fields, never on the words of
// message.
struct SessionError {
  SessionErrorKind kind = SessionErrorKind::Connect;
  bool has_status = false;
  StatusCode status = StatusCode::Ok;
  std::string reason;   // the server's reason text, if any
  std::string message;  // complete human readable description
  // The socket concerned ("signaling", "media(all)", "media(audio)"...);
  // empty when none is (configuration).
  std::string socket;
  int close_code = 0;     // the WebSocket close code when a socket closed (0: none)
  // Tls (and TLS I/O failures): OpenSSL's reason or the certificate's verdict.
  std::string tls_cause;
  int http_status = 0;    // the server answered the WebSocket upgrade with this HTTP status
};

enum class SessionWarningKind {
  Decode,             // a message that does not decode; it is skipped
  UnexpectedMessage,  // a message of a type that has no place on that socket; skipped
  ProtocolViolation,  // a message out of order (media before the handshake answer, a second
                      // handshake answer); skipped
  EncryptedPayload,   // the server says payloads are encrypted although we asked for none
  ServerUnreachable,  // a signaling URL failed; the next one is tried
  TlsUnverified,      // a TLS connection was opened without checking the certificate
                      // (ssl-strict=false); once per connection
};
const char *to_string(SessionWarningKind kind);

struct SessionWarning {
  SessionWarningKind kind = SessionWarningKind::Decode;
  std::string socket;   // "signaling", "media(audio)"...
  std::string message;  // complete human readable description
  std::string host;     // TlsUnverified, ServerUnreachable: the server's host
  std::string tls_cause;  // ServerUnreachable over TLS: why
};

// Called on the session's network thread, in wire order. Implementations
// must not block (no waiting on downstream: other sessions may share the
// thread) and must not call Session::stop().
class SessionListener {
 public:
  virtual ~SessionListener() = default;
  virtual void on_signaling_ready(const SignalingHandshakeResp &) {}
  // A media handshake succeeded; `effective` holds the server's parameters.
  virtual void on_media_ready(uint32_t media_types, const MediaParams &effective) = 0;
  virtual void on_media(MediaData &&data) = 0;
  // Media the fast path read (nearly all of it), as views of the received
  // frame, valid during the call only. By default an owned copy goes to
  // on_media; a listener that only reads the fields overrides this and
  // saves the copies.
  virtual void on_media_view(const MediaView &data) { on_media(data.to_owned()); }
  virtual void on_event(const Event &event) = 0;
  virtual void on_stream_state(const StreamStateUpdate &) {}
  virtual void on_session_state(const SessionStateUpdate &) {}
  // Any other server message (state and subscription responses...).
  virtual void on_other_message(const Message &) {}
  // A socket was lost and will be re-established after delay_ms (attempt
  // counts from 1); then it is back.
  virtual void on_reconnecting(const std::string & /*socket*/, unsigned /*attempt*/,
                               unsigned /*delay_ms*/, const std::string & /*why*/) {}
  virtual void on_reconnected(const std::string & /*socket*/) {}
  // Something was wrong but the session goes on (a message that does not
  // decode, an unexpected message, a certificate not checked).
  virtual void on_warning(const SessionWarning &warning) = 0;
  // Fatal: the session is over.
  virtual void on_error(const SessionError &error) = 0;
  // The stream ended normally: stopped by the server, or closed by us.
  virtual void on_ended(StopReason reason, const std::string &detail) = 0;
};

class Session {
 public:
  Session(SessionConfig config, SessionListener &listener);
  ~Session();
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;

  // Leases a network thread and connects. Returns at once.
  void start();
  // Asks the server to close the stream (STREAM_CLOSE_REQ) and ends the
  // session when it answers, or after close_timeout_ms. Thread safe.
  void request_close();
  // Sends a message on the signaling socket. Thread safe.
  void send_signaling(Message message);
  // Server failover: a new rtms_started for this stream named other servers.
  // Drops every socket and connects to them. Thread safe.
  void fail_over(std::vector<std::string> signaling_urls);
  // Tears everything down on the network thread and waits for it. Thread
  // safe, idempotent; no listener call happens after it returns.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rtms
