#include "session.h"

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <utility>

#include "common/gref.h"
#include "log.h"
#include "network_thread.h"
#include "protocol/signature.h"
#include "tls_client.h"
#include "websocket.h"

namespace rtms {

const char *to_string(SessionErrorKind kind) {
  switch (kind) {
    case SessionErrorKind::Config: return "configuration";
    case SessionErrorKind::Connect: return "connection";
    case SessionErrorKind::Tls: return "TLS";
    case SessionErrorKind::Handshake: return "handshake";
    case SessionErrorKind::Timeout: return "timeout";
    case SessionErrorKind::ConnectionLost: return "connection lost";
  }
  return "unknown";
}

const char *to_string(SessionWarningKind kind) {
  switch (kind) {
    case SessionWarningKind::Decode: return "decode";
    case SessionWarningKind::UnexpectedMessage: return "unexpected-message";
    case SessionWarningKind::ProtocolViolation: return "protocol-violation";
    case SessionWarningKind::EncryptedPayload: return "encrypted-payload";
    case SessionWarningKind::ServerUnreachable: return "server-unreachable";
    case SessionWarningKind::TlsUnverified: return "tls-unverified";
  }
  return "unknown";
}

namespace {

SessionError make_error(SessionErrorKind kind, std::string socket, std::string message) {
  SessionError error;
  error.kind = kind;
  error.socket = std::move(socket);
  error.message = std::move(message);
  return error;
}

// A connection that could not be opened, as a session error of the socket.
SessionError connect_error(const std::string &socket, const WebSocketFailure &failure) {
  bool untrusted = failure.kind == WebSocketFailure::Kind::TlsUntrusted;
  SessionError error = make_error(untrusted ? SessionErrorKind::Tls : SessionErrorKind::Connect,
                                  socket, failure.message);
  error.tls_cause = failure.tls_cause;
  error.http_status = failure.http_status;
  return error;
}

std::string hex_mask(uint32_t mask) {
  char buf[16];
  snprintf(buf, sizeof buf, "0x%x", unsigned(mask));
  return buf;
}

// wss:// first: Zoom may list several URLs, and the secure one is the one to
// use when there is a choice.
std::vector<std::string> order_signaling_urls(std::vector<std::string> urls) {
  std::stable_partition(urls.begin(), urls.end(), [](const std::string &u) {
    return g_str_has_prefix(u.c_str(), "wss://");
  });
  return urls;
}

}  // namespace

struct MediaChannel {
  uint32_t media_type = 0;  // what the handshake asks for (a mask, or kMediaAll)
  std::string label;
  std::string url;
  std::unique_ptr<WebSocket> socket;
  bool ready = false;
  bool ever_ready = false;
  // Reconnection after the socket was lost while streaming.
  TimerSet::Id retry_timer = 0;
  unsigned attempt = 0;
  gint64 lost_at = 0;  // monotonic us, 0 while connected
  gint64 last_rx = 0;  // monotonic us of the last message received
};

struct Session::Impl {
  Impl(SessionConfig c, SessionListener &l) : config(std::move(c)), listener(l) {
    lc.object = config.log_object;
    lc.tag = config.log_tag.empty() ? config.rtms_stream_id : config.log_tag;
  }

  SessionConfig config;
  SessionListener &listener;
  log::Context lc;  // every line of this session and its sockets
  std::string signature;

  std::mutex lifecycle_lock;  // guards network, started
  NetworkLease network;        // the thread all of the below runs on
  bool started = false;

  // Everything below lives on the network thread.
  SslCtxPtr tls;  // for wss:// sockets
  std::unique_ptr<WebSocket> signaling;
  std::vector<std::string> signaling_urls;
  size_t signaling_url_index = 0;
  bool signaling_ready = false;
  std::vector<std::unique_ptr<MediaChannel>> media;
  std::map<std::string, std::string> media_urls;
  TimerSet::Id handshake_timer = 0;
  TimerSet::Id close_timer = 0;
  TimerSet::Id drain_timer = 0;
  static constexpr unsigned kDrainGraceMs = 1000;
  bool draining = false;
  StopReason drain_reason = StopReason::Undefined;
  std::string drain_detail;
  bool closing = false;
  bool finished = false;  // the listener got on_ended or on_error
  // Reconnection of the signaling socket (and with it every media socket).
  TimerSet::Id signaling_retry_timer = 0;
  unsigned signaling_attempt = 0;
  gint64 signaling_lost_at = 0;  // monotonic us, 0 while connected
  gint64 signaling_last_rx = 0;  // monotonic us of the last message received
  TimerSet::Id silence_timer = 0;
  std::string last_reconnect_error;
  int64_t media_sequence = 0;

  // ---- thread plumbing -------------------------------------------------
  void begin() { connect_first(); }

  void invoke(std::function<void()> fn) { network->invoke(std::move(fn)); }

  TimerSet::Id add_timeout(unsigned ms, std::function<void()> fn) {
    return network->add_timeout(ms, std::move(fn));
  }

  void warn(SessionWarningKind kind, const std::string &socket, std::string message,
            std::string host = std::string(), std::string tls_cause = std::string()) {
    RTMS_LOG(Session, Warning, &lc, "warning (%s) on the %s socket: %s", to_string(kind),
             socket.c_str(), message.c_str());
    SessionWarning warning;
    warning.kind = kind;
    warning.socket = socket;
    warning.message = std::move(message);
    warning.host = std::move(host);
    warning.tls_cause = std::move(tls_cause);
    listener.on_warning(warning);
  }

  void cancel_timer(TimerSet::Id &timer) {
    if (!timer) return;
    network->cancel_timeout(timer);
    timer = 0;
  }

  void teardown() {
    cancel_timer(silence_timer);
    cancel_timer(handshake_timer);
    cancel_timer(close_timer);
    cancel_timer(drain_timer);
    cancel_timer(signaling_retry_timer);
    for (auto &channel : media) cancel_timer(channel->retry_timer);
    media.clear();
    signaling.reset();
    tls.reset();
  }

  // ---- ending ----------------------------------------------------------
  void fail(SessionError error) {
    if (finished) return;
    RTMS_LOG(Session, Error, &lc,
             "session failed (%s%s%s%s%s, close code %d, status %s%s%s): %s",
             to_string(error.kind), error.socket.empty() ? "" : ", ", error.socket.c_str(),
             error.tls_cause.empty() ? "" : ", TLS: ", error.tls_cause.c_str(), error.close_code,
             error.has_status ? to_string(error.status) : "none",
             error.http_status ? ", HTTP " : "",
             error.http_status ? std::to_string(error.http_status).c_str() : "",
             error.message.c_str());
    finished = true;
    cancel_retries();
    cancel_timer(handshake_timer);
    close_all_sockets();
    listener.on_error(error);
  }

  void end(StopReason reason, const std::string &detail) {
    if (finished) return;
    finished = true;
    cancel_retries();
    cancel_timer(handshake_timer);
    cancel_timer(close_timer);
    cancel_timer(drain_timer);
    close_all_sockets();
    RTMS_LOG(Session, Info, &lc, "stream ended (%s): %s", to_string(reason), detail.c_str());
    listener.on_ended(reason, detail);
  }

  // The end arrives on signaling, but media sent just before it may still be
  // in flight on the media sockets: keep reading them until the server closes
  // them (or a short grace period passes) so the last packets are not lost.
  void drain_then_end(StopReason reason, const std::string &detail) {
    if (finished || draining) return;
    RTMS_LOG(Session, Debug, &lc, "draining the media sockets (at most %u ms) before ending",
             kDrainGraceMs);
    draining = true;
    drain_reason = reason;
    drain_detail = detail;
    cancel_timer(close_timer);
    maybe_finish_drain();
    if (!finished)
      drain_timer = add_timeout(kDrainGraceMs, [this] {
        drain_timer = 0;
        end(drain_reason, drain_detail);
      });
  }

  void maybe_finish_drain() {
    if (!draining) return;
    bool media_open = std::any_of(media.begin(), media.end(), [](const auto &c) {
      return c->socket && c->socket->is_open();
    });
    if (!media_open) end(drain_reason, drain_detail);
  }

  void cancel_retries() {
    cancel_timer(signaling_retry_timer);
    for (auto &channel : media) cancel_timer(channel->retry_timer);
  }

  unsigned backoff_ms(unsigned attempt) const {
    // 3 s, 6 s, 12 s, 24 s, then 30 s (Zoom's failover rules,
    // https://developers.zoom.us/docs/rtms/meetings/failover-reconnection/).
    uint64_t delay = uint64_t(config.reconnect_delay_ms) << std::min(attempt - 1, 10u);
    return unsigned(std::min<uint64_t>(delay, std::max(30000u, config.reconnect_delay_ms)));
  }

  void close_all_sockets() {
    for (auto &channel : media)
      if (channel->socket) channel->socket->close();
    if (signaling) signaling->close();
  }

  std::string describe_close(const std::string &label, int code, const std::string &reason) const {
    std::string text = "the " + label + " socket closed (close code " + std::to_string(code) +
                       (reason.empty() ? "" : ", \"" + reason + "\"") + ")";
    // A message over the size limit is refused by closing with 1009.
    if (code == kWsCloseTooBig)
      text += ": the server sent a message larger than the limit of " +
              std::to_string(config.max_message_size) + " bytes (max-message-size)";
    return text;
  }

  // Empty when url may be connected to (allowed_hosts, allow_plaintext),
  // else why not.
  std::string refusal(const std::string &url) const {
    if (config.allowed_hosts.empty() && config.allow_plaintext) return std::string();
    HostAllowlist any;
    any.add("*", nullptr);
    const HostAllowlist &allowlist = config.allowed_hosts.empty() ? any : config.allowed_hosts;
    std::string why;
    ServerUrlCheck result = check_server_url(allowlist, config.allow_plaintext, url, &why);
    if (result == ServerUrlCheck::HostNotAllowed) why += " (allowed-hosts)";
    if (result == ServerUrlCheck::Plaintext) why += " (allow-plaintext is off)";
    return result == ServerUrlCheck::Allowed ? std::string() : why;
  }

  // Fails the session when one of urls may not be used; true if so.
  bool refuse_urls(const std::vector<std::string> &urls, const std::string &socket) {
    for (const auto &url : urls) {
      std::string why = refusal(url);
      if (why.empty()) continue;
      RTMS_LOG(Session, Error, &lc, "%s: refusing %s: %s", socket.c_str(), log::log_url(url).c_str(),
               why.c_str());
      fail(make_error(SessionErrorKind::Config, socket, "refusing the " + socket + " server: " + why));
      return true;
    }
    return false;
  }

  // ---- signaling -------------------------------------------------------
  void connect_first() {
    signaling_urls = order_signaling_urls(config.signaling_urls);
    RTMS_LOG(Session, Info, &lc,
             "starting: %zu signaling URL(s), media types %s, %s media sockets, TLS %s, "
             "handshake timeout %u ms, reconnect delay %u ms, keep-alive timeout %u ms",
             signaling_urls.size(), hex_mask(config.media_types).c_str(),
             config.split_sockets ? "split" : "unified",
             !config.tls_strict ? "NOT verified (ssl-strict=false)"
             : config.ca_file.empty() ? "verified against the system's CAs"
                                      : "verified against ssl-ca-file",
             config.handshake_timeout_ms, config.reconnect_delay_ms, config.silence_timeout_ms);
    if (signaling_urls.empty()) {
      fail(make_error(SessionErrorKind::Config, "",
                      "no signaling URL: set server-urls or webhook-payload"));
      return;
    }
    if (config.rtms_stream_id.empty() || config.identity.instance_id.empty()) {
      fail(make_error(SessionErrorKind::Config, "",
                      "the stream id and the meeting/webinar/session/engagement id are required"));
      return;
    }
    if (refuse_urls(signaling_urls, "signaling")) return;
    std::string why;
    tls = client_tls_context(config.ca_file, config.tls_strict, &why);
    if (!tls) {
      fail(make_error(SessionErrorKind::Config, "", why));
      return;
    }
    arm_silence_check();
    signature = handshake_signature(config.client_id, config.identity.instance_id,
                                    config.rtms_stream_id, config.client_secret);
    arm_handshake_timer();
    connect_signaling();
  }

  void handshake_timer_fired() {
    handshake_timer = 0;
    std::string what = signaling_ready ? "media handshake" : "signaling handshake";
    std::string socket = "signaling";
    if (signaling_ready)
      for (auto &channel : media)
        if (!channel->ready) {
          socket = channel->label;
          break;
        }
    RTMS_LOG(Session, Debug, &lc, "timer: the handshake timer fired (%s socket)",
             socket.c_str());
    fail(make_error(SessionErrorKind::Timeout, socket,
                    "no answer to the " + what + " within " +
                        std::to_string(config.handshake_timeout_ms) + " ms" +
                        (last_reconnect_error.empty() ? "" : "; last: " + last_reconnect_error)));
  }

  void connect_signaling() {
    const std::string &url = signaling_urls[signaling_url_index];
    WebSocketHandlers handlers;
    handlers.on_message = [this](std::string_view payload) { on_signaling_message(payload); };
    handlers.on_closed = [this](int code, const std::string &reason) {
      on_signaling_closed(code, reason);
    };
    RTMS_LOG(Session, Info, &lc, "signaling: connecting to %s (URL %zu of %zu)",
             log::log_url(url).c_str(), signaling_url_index + 1, signaling_urls.size());
    signaling = std::make_unique<WebSocket>(*network.get(), tls, url, "signaling",
                                            config.max_message_size, std::move(handlers), &lc);
    signaling->connect([this](const WebSocketFailure *failure) {
      if (!failure) {
        warn_if_unverified(*signaling);
        send_signaling_handshake();
        return;
      }
      if (signaling_lost_at != 0) {
        schedule_signaling_reconnect(failure->message);
        return;
      }
      if (signaling_url_index + 1 < signaling_urls.size()) {
        warn(SessionWarningKind::ServerUnreachable, "signaling",
             failure->message + "; trying the next server URL", signaling->host(),
             failure->tls_cause);
        signaling_url_index++;
        connect_signaling();
        return;
      }
      fail(connect_error("signaling", *failure));
    });
  }

  // ssl-strict=false: say so for every connection it let through.
  void warn_if_unverified(const WebSocket &socket) {
    if (!socket.tls_unverified()) return;
    warn(SessionWarningKind::TlsUnverified, socket.label(),
         "the TLS certificate of " + socket.host() + " (" + socket.label() +
             " socket) was not verified (ssl-strict=false): the connection is encrypted but "
             "the server is not authenticated",
         socket.host());
  }

  void send_signaling_handshake() {
    SignalingHandshakeReq req;
    req.sequence = 1;
    req.identity = config.identity;
    req.rtms_stream_id = config.rtms_stream_id;
    req.signature = signature;
    req.buffer_data = config.buffer_data;
    RTMS_LOG(Session, Info, &lc, "signaling: sending SIGNALING_HAND_SHAKE_REQ (%s %s, signed)",
             to_string(config.identity.product), config.identity.instance_id.c_str());
    signaling->send(encode_message(req));
  }

  void on_signaling_message(std::string_view payload) {
    signaling_last_rx = g_get_monotonic_time();
    Result<Message> decoded = decode_message(payload);
    if (!decoded) {
      warn(SessionWarningKind::Decode, "signaling",
           "ignored a signaling message that does not decode: " + decoded.error().describe());
      return;
    }
    Message &message = decoded.value();
    if (auto *resp = std::get_if<SignalingHandshakeResp>(&message)) {
      on_signaling_handshake(*resp);
    } else if (auto *ka = std::get_if<KeepAliveReq>(&message)) {
      RTMS_LOG(Session, Log, &lc, "signaling: keep-alive (timestamp %lld) answered",
               (long long)ka->timestamp);
      signaling->send(encode_message(KeepAliveResp{ka->timestamp}));
    } else if (auto *update = std::get_if<EventUpdate>(&message)) {
      RTMS_LOG(Session, Debug, &lc, "signaling: event %d", update->event.event_type);
      listener.on_event(update->event);
    } else if (auto *stream = std::get_if<StreamStateUpdate>(&message)) {
      RTMS_LOG(Session, Info, &lc, "signaling: stream state %s (reason %s)",
               to_string(stream->state), to_string(stream->reason));
      listener.on_stream_state(*stream);
      if (stream->state == StreamState::Terminated)
        drain_then_end(stream->reason, std::string("the server terminated the stream: ") +
                                           describe(stream->reason));
    } else if (auto *sess = std::get_if<SessionStateUpdate>(&message)) {
      listener.on_session_state(*sess);
    } else if (auto *close_resp = std::get_if<StreamCloseResp>(&message)) {
      RTMS_LOG(Session, Info, &lc, "signaling: STREAM_CLOSE_RESP (%s)",
               describe(close_resp->status_code).c_str());
      listener.on_other_message(message);
      if (closing)
        drain_then_end(StopReason::ReceiverRequestClose,
                       "closed at our request (STREAM_CLOSE_RESP " +
                           describe(close_resp->status_code) + ")");
    } else if (std::holds_alternative<MediaData>(message)) {
      warn(SessionWarningKind::UnexpectedMessage, "signaling",
           "ignored media data on the signaling socket");
    } else {
      RTMS_LOG(Session, Debug, &lc, "signaling: %s", to_string(message_type_of(message)));
      listener.on_other_message(message);
    }
  }

  void on_signaling_handshake(const SignalingHandshakeResp &resp) {
    if (signaling_ready) {
      warn(SessionWarningKind::ProtocolViolation, "signaling",
           "ignored a second SIGNALING_HAND_SHAKE_RESP");
      return;
    }
    // While reconnecting, the server may still hold our old connection.
    if (signaling_lost_at != 0 && resp.status_code == StatusCode::DuplicateSignalRequest) {
      schedule_signaling_reconnect("the server still holds the previous signaling connection (" +
                                   describe(resp.status_code) + ")");
      return;
    }
    if (resp.status_code != StatusCode::Ok) {
      SessionError error = make_error(
          SessionErrorKind::Handshake, "signaling",
          "the server refused the signaling handshake: status " + describe(resp.status_code) +
              (resp.reason.empty() ? "" : ", reason \"" + resp.reason + "\""));
      error.has_status = true;
      error.status = resp.status_code;
      error.reason = resp.reason;
      fail(error);
      return;
    }
    signaling_ready = true;
    media_urls = resp.media_urls;
    if (log::enabled(log::Category::Session, log::Level::Info)) {
      std::string urls;
      for (const auto &kv : media_urls)
        urls += (urls.empty() ? "" : ", ") + kv.first + " " + log::log_url(kv.second);
      RTMS_LOG(Session, Info, &lc, "signaling: handshake accepted; media URLs: %s",
               urls.empty() ? "none" : urls.c_str());
    }
    bool reconnected = signaling_lost_at != 0;
    signaling_lost_at = 0;
    signaling_attempt = 0;
    listener.on_signaling_ready(resp);
    if (reconnected) {
      RTMS_LOG(Session, Info, &lc, "signaling: reconnected; reopening the media sockets");
      listener.on_reconnected("signaling");
      // The old media sockets went with the old signaling connection.
      for (auto &channel : media) cancel_timer(channel->retry_timer);
      media.clear();
    }
    if (!config.subscribe_events.empty()) {
      EventSubscription sub;
      for (int type : config.subscribe_events) sub.events.push_back({type, true});
      RTMS_LOG(Session, Debug, &lc, "signaling: subscribing to %zu event type(s)",
               sub.events.size());
      signaling->send(encode_message(sub));
    }
    open_media_sockets();
  }

  void on_signaling_closed(int code, const std::string &reason) {
    if (finished || draining) return;
    std::string detail = describe_close("signaling", code, reason);
    if (closing) {
      end(StopReason::ReceiverRequestClose, "closed at our request; " + detail);
      return;
    }
    if (signaling_lost_at != 0) {  // a reconnection attempt that did not make it
      schedule_signaling_reconnect(detail);
      return;
    }
    if (!signaling_ready) {
      SessionError error = make_error(SessionErrorKind::Handshake, "signaling",
                                      detail + " before answering the handshake; check the "
                                               "client id, client secret and stream id");
      error.reason = reason;
      error.close_code = code;
      fail(error);
      return;
    }
    signaling_lost(code, reason, detail);
  }

  void signaling_lost(int code, const std::string &reason, const std::string &detail) {
    if (config.signaling_reconnect_window_ms == 0 || too_big(code, reason)) {
      RTMS_LOG(Session, Info, &lc, "signaling lost; not reconnecting (%s)",
               config.signaling_reconnect_window_ms == 0 ? "reconnection is off"
                                                         : "the message was over the limit");
      SessionError error = make_error(SessionErrorKind::ConnectionLost, "signaling", detail);
      error.reason = reason;
      error.close_code = code;
      fail(error);
      return;
    }
    signaling_ready = false;
    signaling_lost_at = g_get_monotonic_time();
    // Media sockets cannot outlive their signaling connection.
    for (auto &channel : media) {
      cancel_timer(channel->retry_timer);
      channel->lost_at = 0;
      if (channel->socket) channel->socket->close();
    }
    schedule_signaling_reconnect(detail);
  }

  // ---- silence watch -----------------------------------------------------
  // The same timer follows log threshold changes, so it runs (every 5 s)
  // even when the silence watch is off.
  void arm_silence_check() {
    unsigned period = config.silence_timeout_ms == 0
                          ? 5000u
                          : std::max(10u, std::min(config.silence_timeout_ms / 4, 5000u));
    silence_timer = add_timeout(period, [this] {
      silence_timer = 0;
      // Also the moment to follow log threshold changes made meanwhile.
      log::refresh_levels();
      RTMS_LOG(Session, Trace, &lc, "timer: silence check");
      check_silence();
      if (!finished) arm_silence_check();
    });
  }

  std::string silence_detail(const std::string &label, gint64 quiet_us) const {
    return "nothing arrived on the " + label + " socket for " + std::to_string(quiet_us / 1000) +
           " ms, neither data nor a keep-alive: the connection is presumed dead";
  }

  // Only established connections are watched; handshakes have their own
  // timeout. Dropping the socket here (a timer, not its own callback) is
  // safe, and its destruction reports nothing.
  void check_silence() {
    if (finished || closing || draining || config.silence_timeout_ms == 0) return;
    gint64 now = g_get_monotonic_time();
    gint64 limit = gint64(config.silence_timeout_ms) * 1000;
    if (signaling && signaling_ready && now - signaling_last_rx > limit) {
      std::string detail = silence_detail("signaling", now - signaling_last_rx);
      RTMS_LOG(Session, Warning, &lc, "%s", detail.c_str());
      signaling.reset();
      signaling_lost(0, "", detail);
      return;
    }
    for (auto &channel : media) {
      MediaChannel &ch = *channel;
      if (!ch.socket || !ch.ready || now - ch.last_rx <= limit) continue;
      std::string detail = silence_detail(ch.label, now - ch.last_rx);
      RTMS_LOG(Session, Warning, &lc, "%s", detail.c_str());
      ch.socket.reset();
      media_lost(ch, 0, "", detail);
      if (finished) return;
    }
  }

  static bool too_big(int code, const std::string &) {
    // A message over our limit would come again on a new connection.
    return code == kWsCloseTooBig;
  }

  void schedule_signaling_reconnect(const std::string &why) {
    if (finished) return;
    last_reconnect_error = why;
    gint64 elapsed_ms = (g_get_monotonic_time() - signaling_lost_at) / 1000;
    if (elapsed_ms >= gint64(config.signaling_reconnect_window_ms)) {
      fail(make_error(SessionErrorKind::ConnectionLost, "signaling",
                      "the signaling connection was lost and could not be re-established "
                      "within " + std::to_string(config.signaling_reconnect_window_ms) +
                          " ms; last: " + why));
      return;
    }
    signaling_attempt++;
    unsigned delay = backoff_ms(signaling_attempt);
    RTMS_LOG(Session, Warning, &lc,
             "signaling: reconnecting in %u ms (attempt %u, %lld of the %u ms window used): %s",
             delay, signaling_attempt, (long long)elapsed_ms,
             config.signaling_reconnect_window_ms, why.c_str());
    listener.on_reconnecting("signaling", signaling_attempt, delay, why);
    cancel_timer(signaling_retry_timer);
    signaling_retry_timer = add_timeout(delay, [this] {
      signaling_retry_timer = 0;
      // Replacing the socket here, not in its own callback, keeps it alive
      // for as long as it is inside one of its own calls.
      arm_handshake_timer();
      connect_signaling();
    });
  }

  void do_fail_over(std::vector<std::string> urls) {
    if (finished || closing) return;
    if (refuse_urls(urls, "signaling")) return;
    signaling_urls = order_signaling_urls(std::move(urls));
    signaling_url_index = 0;
    cancel_retries();
    // Not inside any socket callback here: the old sockets can go at once,
    // and their close notifications with them.
    media.clear();
    signaling.reset();
    signaling_ready = false;
    signaling_lost_at = g_get_monotonic_time();
    signaling_attempt = 0;
    std::string target = log::log_url(signaling_urls.front());
    RTMS_LOG(Session, Info, &lc, "server failover to %s", target.c_str());
    listener.on_reconnecting("signaling", 1, 0, "server failover to " + target);
    arm_handshake_timer();
    connect_signaling();
  }

  void arm_handshake_timer() {
    if (handshake_timer) return;
    RTMS_LOG(Session, Debug, &lc, "timer: handshake timeout armed (%u ms)",
             config.handshake_timeout_ms);
    handshake_timer = add_timeout(config.handshake_timeout_ms, [this] { handshake_timer_fired(); });
  }

  // ---- media -----------------------------------------------------------
  void open_media_sockets() {
    static const uint32_t kTypes[] = {kMediaAudio, kMediaVideo, kMediaDeskshare,
                                      kMediaTranscript, kMediaChat};
    uint32_t wanted = config.media_types & kMediaEveryType;
    if (wanted == 0) wanted = kMediaAudio;
    auto all = media_urls.find("all");
    if (!config.split_sockets && all != media_urls.end()) {
      // One unified socket. Ask for ALL only when every type is wanted;
      // otherwise the OR of the wanted types keeps the server from sending
      // (and us from decoding) media nobody asked for.
      uint32_t mask = wanted == kMediaEveryType ? uint32_t(kMediaAll) : wanted;
      open_media_socket(all->second, mask, "media(all)");
      return;
    }
    for (uint32_t type : kTypes) {
      if (!(wanted & type)) continue;
      auto it = media_urls.find(media_type_key(type));
      // The docs name the screen-share URL deskshare; Zoom's own client
      // library looks for sharescreen.
      if (it == media_urls.end() && type == kMediaDeskshare) it = media_urls.find("sharescreen");
      if (it == media_urls.end()) it = all;
      if (it == media_urls.end()) {
        fail(make_error(SessionErrorKind::Handshake,
                        std::string("media(") + media_type_key(type) + ")",
                        std::string("the server offered no media URL for ") +
                            media_type_key(type) + " (does the app have that scope?)"));
        return;
      }
      open_media_socket(it->second, type, std::string("media(") + media_type_key(type) + ")");
      if (finished) return;  // refused (allowed-hosts)
    }
  }

  MediaParams params_for(uint32_t mask) const {
    MediaParams params;
    bool every = mask == kMediaAll;
    const MediaParams &want = config.media_params;
    if (every || (mask & kMediaAudio)) params.audio = want.audio ? want.audio : AudioParams{};
    if (every || (mask & kMediaVideo)) params.video = want.video ? want.video : VideoParams{};
    if (every || (mask & kMediaDeskshare))
      params.deskshare = want.deskshare ? want.deskshare : VideoParams{};
    if (every || (mask & kMediaTranscript))
      params.transcript = want.transcript ? want.transcript : TranscriptParams{};
    if (every || (mask & kMediaChat)) params.chat = want.chat ? want.chat : ChatParams{};
    return params;
  }

  void open_media_socket(const std::string &url, uint32_t mask, std::string label) {
    // The signaling server names the media servers: they are checked like
    // the signaling URLs.
    if (refuse_urls({url}, label)) return;
    auto channel = std::make_unique<MediaChannel>();
    channel->media_type = mask;
    channel->label = std::move(label);
    channel->url = url;
    MediaChannel *ch = channel.get();
    media.push_back(std::move(channel));
    connect_media(*ch);
  }

  void connect_media(MediaChannel &channel) {
    MediaChannel *ch = &channel;
    if (!ch->socket) {
      WebSocketHandlers handlers;
      handlers.on_message = [this, ch](std::string_view payload) { on_media_message(*ch, payload); };
      handlers.on_closed = [this, ch](int code, const std::string &reason) {
        on_media_closed(*ch, code, reason);
      };
      ch->socket = std::make_unique<WebSocket>(*network.get(), tls, ch->url, ch->label,
                                               config.max_message_size, std::move(handlers), &lc);
    }
    RTMS_LOG(Session, Info, &lc, "%s: connecting to %s", ch->label.c_str(),
             log::log_url(ch->url).c_str());
    ch->socket->connect([this, ch](const WebSocketFailure *failure) {
      if (failure && ch->lost_at != 0) {
        schedule_media_reconnect(*ch, failure->message);
        return;
      }
      if (failure) {
        fail(connect_error(ch->label, *failure));
        return;
      }
      warn_if_unverified(*ch->socket);
      DataHandshakeReq req;
      req.sequence = media_sequence++;
      req.identity = config.identity;
      req.rtms_stream_id = config.rtms_stream_id;
      req.signature = signature;
      req.media_type = ch->media_type;
      req.payload_encryption = false;
      req.media_params = params_for(ch->media_type);
      RTMS_LOG(Session, Info, &lc, "%s: sending DATA_HAND_SHAKE_REQ (media types %s, signed)",
               ch->label.c_str(), hex_mask(ch->media_type).c_str());
      ch->socket->send(encode_message(req));
    });
  }

  void on_media_message(MediaChannel &ch, std::string_view payload) {
    ch.last_rx = g_get_monotonic_time();
    Result<Message> decoded = decode_message(payload);
    if (!decoded) {
      warn(SessionWarningKind::Decode, ch.label,
           "ignored a " + ch.label + " message that does not decode: " +
               decoded.error().describe());
      return;
    }
    Message &message = decoded.value();
    if (auto *data = std::get_if<MediaData>(&message)) {
      if (!ch.ready) {
        warn(SessionWarningKind::ProtocolViolation, ch.label,
             "ignored media data that came before the " + ch.label + " handshake answer");
        return;
      }
      listener.on_media(std::move(*data));
    } else if (auto *ka = std::get_if<KeepAliveReq>(&message)) {
      RTMS_LOG(Session, Log, &lc, "%s: keep-alive (timestamp %lld) answered", ch.label.c_str(),
               (long long)ka->timestamp);
      ch.socket->send(encode_message(KeepAliveResp{ka->timestamp}));
    } else if (auto *resp = std::get_if<DataHandshakeResp>(&message)) {
      on_media_handshake(ch, *resp);
    } else {
      warn(SessionWarningKind::UnexpectedMessage, ch.label,
           std::string("ignored an unexpected ") + to_string(message_type_of(message)) +
               " on the " + ch.label + " socket");
    }
  }

  void on_media_handshake(MediaChannel &ch, const DataHandshakeResp &resp) {
    if (resp.status_code != StatusCode::Ok) {
      SessionError error = make_error(
          SessionErrorKind::Handshake, ch.label,
          "the server refused the " + ch.label + " handshake: status " +
              describe(resp.status_code) +
              (resp.reason.empty() ? "" : ", reason \"" + resp.reason + "\""));
      error.has_status = true;
      error.status = resp.status_code;
      error.reason = resp.reason;
      fail(error);
      return;
    }
    RTMS_LOG(Session, Info, &lc, "%s: media handshake accepted", ch.label.c_str());
    if (resp.payload_encrypted)
      warn(SessionWarningKind::EncryptedPayload, ch.label,
           "the server says the " + ch.label +
               " payload is encrypted although we asked for no encryption; no public source "
               "documents the cipher, payloads are read as plain");
    ch.ready = true;
    ch.ever_ready = true;
    bool reconnected = ch.lost_at != 0;
    ch.lost_at = 0;
    ch.attempt = 0;
    if (reconnected) {
      RTMS_LOG(Session, Info, &lc, "%s: reconnected", ch.label.c_str());
      listener.on_reconnected(ch.label);
    }
    uint32_t types = ch.media_type == kMediaAll ? kMediaEveryType : ch.media_type;
    listener.on_media_ready(types, resp.media_params);
    if (signaling) signaling->send(encode_message(ClientReadyAck{config.rtms_stream_id}));
    bool all_ready = std::all_of(media.begin(), media.end(),
                                 [](const auto &c) { return c->ready; });
    if (all_ready && handshake_timer) {
      RTMS_LOG(Session, Debug, &lc, "timer: every handshake answered, handshake timeout off");
      cancel_timer(handshake_timer);
    }
  }

  void on_media_closed(MediaChannel &ch, int code, const std::string &reason) {
    if (finished) return;
    // The server announces the stream's end on signaling just before it
    // closes media; when both arrive together, read signaling first so the
    // end is not mistaken for lost media.
    if (signaling && !draining) signaling->read_pending();
    if (finished) return;
    if (draining) {
      maybe_finish_drain();
      return;
    }
    std::string detail = describe_close(ch.label, code, reason);
    if (closing) return;  // the signaling side decides when we are done
    if (!signaling_ready) return;  // signaling reconnects all media with it
    if (ch.lost_at != 0) {  // a reconnection attempt that did not make it
      schedule_media_reconnect(ch, detail);
      return;
    }
    if (!ch.ever_ready) {
      SessionError error = make_error(SessionErrorKind::Handshake, ch.label,
                                      detail + " before answering the media handshake");
      error.reason = reason;
      error.close_code = code;
      fail(error);
      return;
    }
    media_lost(ch, code, reason, detail);
  }

  void media_lost(MediaChannel &ch, int code, const std::string &reason,
                  const std::string &detail) {
    if (config.media_reconnect_window_ms == 0 || too_big(code, reason)) {
      RTMS_LOG(Session, Info, &lc, "%s lost; not reconnecting (%s)", ch.label.c_str(),
               config.media_reconnect_window_ms == 0 ? "reconnection is off"
                                                     : "the message was over the limit");
      SessionError error = make_error(SessionErrorKind::ConnectionLost, ch.label, detail);
      error.reason = reason;
      error.close_code = code;
      fail(error);
      return;
    }
    // The stream's end arrives on signaling; a media socket that closes on
    // its own while signaling is up is lost media, which the server keeps
    // buffering (audio) for a while: reconnect it.
    ch.ready = false;
    ch.lost_at = g_get_monotonic_time();
    schedule_media_reconnect(ch, detail);
  }

  void schedule_media_reconnect(MediaChannel &ch, const std::string &why) {
    if (finished) return;
    last_reconnect_error = why;
    gint64 elapsed_ms = (g_get_monotonic_time() - ch.lost_at) / 1000;
    if (elapsed_ms >= gint64(config.media_reconnect_window_ms)) {
      fail(make_error(SessionErrorKind::ConnectionLost, ch.label,
                      "the " + ch.label +
                          " connection was lost and could not be re-established within " +
                          std::to_string(config.media_reconnect_window_ms) + " ms; last: " + why));
      return;
    }
    ch.attempt++;
    unsigned delay = backoff_ms(ch.attempt);
    RTMS_LOG(Session, Warning, &lc,
             "%s: reconnecting in %u ms (attempt %u, %lld of the %u ms window used): %s",
             ch.label.c_str(), delay, ch.attempt, (long long)elapsed_ms,
             config.media_reconnect_window_ms, why.c_str());
    listener.on_reconnecting(ch.label, ch.attempt, delay, why);
    cancel_timer(ch.retry_timer);
    MediaChannel *chp = &ch;
    ch.retry_timer = add_timeout(delay, [this, chp] {
      chp->retry_timer = 0;
      chp->socket.reset();  // not from inside its own callback: this is a timer
      arm_handshake_timer();
      connect_media(*chp);
    });
  }

  // ---- commands --------------------------------------------------------
  void do_request_close() {
    if (finished || closing) return;
    closing = true;
    if (!signaling || !signaling->is_open() || !signaling_ready) {
      end(StopReason::ReceiverRequestClose, "closed before the stream was established");
      return;
    }
    RTMS_LOG(Session, Info, &lc, "closing: sending STREAM_CLOSE_REQ, waiting at most %u ms",
             config.close_timeout_ms);
    signaling->send(encode_message(StreamCloseReq{config.rtms_stream_id}));
    close_timer = add_timeout(config.close_timeout_ms, [this] {
      close_timer = 0;
      end(StopReason::ReceiverRequestClose, "closed at our request (the server did not answer "
                                            "STREAM_CLOSE_REQ in time)");
    });
  }
};

Session::Session(SessionConfig config, SessionListener &listener)
    : impl_(std::make_unique<Impl>(std::move(config), listener)) {}

Session::~Session() { stop(); }

void Session::start() {
  std::lock_guard<std::mutex> guard(impl_->lifecycle_lock);
  if (impl_->started) return;
  impl_->started = true;
  log::refresh_levels();
  impl_->network = lease_network_thread(impl_->config.wake_interval_us,
                                        impl_->config.dedicated_thread);
  RTMS_LOG(Network, Debug, &impl_->lc, "on network thread rtms-net-%u (%u session(s) on it)",
           impl_->network->serial(), impl_->network->leases.load());
  Impl *impl = impl_.get();
  impl->invoke([impl] { impl->begin(); });
}

void Session::request_close() {
  std::lock_guard<std::mutex> guard(impl_->lifecycle_lock);
  if (!impl_->started) return;
  Impl *impl = impl_.get();
  impl->invoke([impl] { impl->do_request_close(); });
}

void Session::send_signaling(Message message) {
  std::lock_guard<std::mutex> guard(impl_->lifecycle_lock);
  if (!impl_->started) return;
  Impl *impl = impl_.get();
  auto shared = std::make_shared<Message>(std::move(message));
  impl->invoke([impl, shared] {
    if (impl->signaling && impl->signaling_ready) impl->signaling->send(encode_message(*shared));
  });
}

void Session::fail_over(std::vector<std::string> signaling_urls) {
  std::lock_guard<std::mutex> guard(impl_->lifecycle_lock);
  if (!impl_->started) return;
  Impl *impl = impl_.get();
  auto urls = std::make_shared<std::vector<std::string>>(std::move(signaling_urls));
  impl->invoke([impl, urls] { impl->do_fail_over(*urls); });
}

void Session::stop() {
  std::lock_guard<std::mutex> guard(impl_->lifecycle_lock);
  if (!impl_->started) return;
  Impl *impl = impl_.get();
  // Commands queued before this one run first; finished keeps them (and
  // anything else) from reaching the listener during teardown.
  impl->network->invoke_and_wait([impl] {
    RTMS_LOG(Session, Debug, &impl->lc, "stopping: every socket and timer goes");
    impl->finished = true;
    impl->teardown();
  });
  impl_->network.reset();
  impl_->started = false;
}

}  // namespace rtms
