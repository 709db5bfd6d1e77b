#include "channel.h"

#include <algorithm>
#include <utility>

#include "log.h"
#include "protocol/host_allowlist.h"
#include "protocol/media_fast.h"
#include "protocol/ws_frames.h"

namespace rtms {

const char *to_string(ChannelState state) {
  switch (state) {
    case ChannelState::Connecting: return "connecting";
    case ChannelState::Handshaking: return "handshaking";
    case ChannelState::Open: return "open";
    case ChannelState::BackingOff: return "backing-off";
    case ChannelState::Closed: return "closed";
  }
  return "unknown";
}

unsigned reconnect_backoff_ms(unsigned base_ms, unsigned attempt) {
  uint64_t delay = uint64_t(base_ms) << std::min(std::max(attempt, 1u) - 1, 10u);
  return unsigned(std::min<uint64_t>(delay, std::max(30000u, base_ms)));
}

Channel::Channel(ChannelOwner &owner, const ChannelEnv &env, Role role, std::string label,
                 std::vector<std::string> urls, unsigned window_ms, uint32_t media_type)
    : owner_(owner), env_(env), role_(role), label_(std::move(label)), urls_(std::move(urls)),
      window_ms_(window_ms), media_type_(media_type) {
  if (urls_.empty()) urls_.emplace_back();
}

Channel::~Channel() {
  cancel_retry();
  transport_.reset();  // a goodbye at most; it reports nothing from here on
}

void Channel::cancel_retry() {
  if (!retry_timer_) return;
  env_.network->cancel_timeout(retry_timer_);
  retry_timer_ = 0;
}

bool proxy_for_url(const std::string &setting, const std::string &url,
                   std::optional<HttpProxy> *proxy, std::string *why) {
  proxy->reset();
  WsUrl target;
  std::string url_error;
  if (!parse_ws_url(url, &target, &url_error)) return true;  // the transport says what is wrong
  std::string chosen = setting;
  std::string source = "the proxy setting";
  if (chosen.empty()) {
    ProxyChoice choice = proxy_from_environment(
        target.secure, target.host, [](const char *name) -> std::optional<std::string> {
          const char *value = g_getenv(name);
          if (!value) return std::nullopt;
          return std::string(value);
        });
    if (choice.url.empty()) return true;
    chosen = choice.url;
    source = "the environment variable " + choice.variable;
  }
  Result<HttpProxy> parsed = parse_http_proxy(chosen);
  if (!parsed) {
    *why = source + " does not name a usable HTTP proxy: " + parsed.error().message;
    return false;
  }
  *proxy = std::move(parsed.value());
  return true;
}

void Channel::connect() {
  const std::string &target = url();
  if (role_ == Role::Signaling)
    RTMS_LOG(Session, Info, env_.log, "%s: connecting to %s (URL %zu of %zu)", label_.c_str(),
             log::log_url(target).c_str(), url_index_ + 1, urls_.size());
  else
    RTMS_LOG(Session, Info, env_.log, "%s: connecting to %s", label_.c_str(),
             log::log_url(target).c_str());
  TransportParams params;
  params.network = env_.network;
  params.tls = env_.tls;
  params.url = target;
  params.label = label_;
  params.max_message_size = env_.max_message_size;
  params.log = env_.log;
  std::string proxy_error;
  if (!proxy_for_url(env_.proxy, target, &params.proxy, &proxy_error)) {
    TransportFailure failure;
    failure.kind = TransportFailure::Kind::Proxy;
    failure.message = "cannot open the " + label_ + " WebSocket " + log::log_url(target) + ": " +
                      proxy_error;
    state_ = ChannelState::Connecting;
    on_transport_failed(failure);
    return;
  }
  if (params.proxy)
    RTMS_LOG(Session, Info, env_.log, "%s: through the HTTP proxy %s", label_.c_str(),
             params.proxy->shown().c_str());
  state_ = ChannelState::Connecting;
  abandoned_ = false;
  winding_down_ = false;
  transport_ = env_.transport_factory(params, *this);
  // May answer (and even replace transport_) before it returns.
  transport_->connect();
}

void Channel::send(const std::string &text) {
  if (transport_) transport_->send(text, env_.codec->frame_kind());
}

void Channel::read_pending() {
  if (transport_) transport_->read_pending();
}

void Channel::close() {
  if (transport_) transport_->close();
}

bool Channel::accept() {
  state_ = ChannelState::Open;
  ever_ready_ = true;
  bool reconnected = lost_at_ != 0;
  lost_at_ = 0;
  attempt_ = 0;
  return reconnected;
}

void Channel::retry_later(const std::string &why) { schedule_reconnect(why); }

bool Channel::check_silence(gint64 now_us, gint64 limit_us) {
  if (!transport_ || !ready() || now_us - last_rx_ <= limit_us) return false;
  std::string detail = "nothing arrived on the " + label_ + " socket for " +
                       std::to_string((now_us - last_rx_) / 1000) +
                       " ms, neither data nor a keep-alive: the connection is presumed dead";
  RTMS_LOG(Session, Warning, env_.log, "%s", detail.c_str());
  // From a timer, not from one of the transport's own calls: it can go at
  // once, and its destruction reports nothing.
  transport_.reset();
  state_ = ChannelState::Closed;
  lost(0, std::string(), detail);
  return true;
}

void Channel::abandon() {
  cancel_retry();
  lost_at_ = 0;
  // Media the server sent before it learns of the close is still the
  // stream's: read what is already here, and keep taking what comes until
  // its close frame (delivers_media()).
  bool streaming = state_ == ChannelState::Open;
  if (streaming) read_pending();
  if (state_ != ChannelState::Open) streaming = false;  // it closed meanwhile
  abandoned_ = true;
  winding_down_ = streaming;
  state_ = ChannelState::Closed;
  close();
}

void Channel::restart(std::vector<std::string> urls) {
  cancel_retry();
  transport_.reset();
  if (!urls.empty()) urls_ = std::move(urls);
  url_index_ = 0;
  state_ = ChannelState::Closed;
  lost_at_ = g_get_monotonic_time();
  attempt_ = 0;
}

// ---- the transport's events -------------------------------------------------

void Channel::on_transport_open() {
  if (transport_->tls_unverified()) {
    const std::string &host = transport_->host();
    warn(SessionWarningKind::TlsUnverified,
         "the TLS certificate of " + host + " (" + label_ +
             " socket) was not verified (ssl-strict=false): the connection is encrypted but "
             "the server is not authenticated",
         host);
  }
  state_ = ChannelState::Handshaking;
  send(owner_.handshake_request(*this));
}

void Channel::on_transport_failed(const TransportFailure &failure) {
  state_ = ChannelState::Closed;
  if (lost_at_ != 0) {
    schedule_reconnect(failure.message);
    return;
  }
  if (url_index_ + 1 < urls_.size()) {
    warn(SessionWarningKind::ServerUnreachable, failure.message + "; trying the next server URL",
         transport_ ? transport_->host() : std::string(), failure.tls_cause);
    url_index_++;
    connect();
    return;
  }
  bool untrusted = failure.kind == TransportFailure::Kind::TlsUntrusted;
  SessionError error;
  error.kind = untrusted ? SessionErrorKind::Tls : SessionErrorKind::Connect;
  error.socket = label_;
  error.message = failure.message;
  error.tls_cause = failure.tls_cause;
  error.http_status = failure.http_status;
  owner_.on_channel_error(std::move(error));
}

void Channel::on_transport_message(std::string_view payload) {
  last_rx_ = g_get_monotonic_time();
  // Media, nearly all the traffic, is read in place: the frame outlives
  // the delivery, so its strings need no copies.
  if (std::optional<MediaView> media = env_.codec->decode_media(payload)) {
    owner_.on_channel_media(*this, *media);
    return;
  }
  Result<Message> decoded = env_.codec->decode(payload);
  if (!decoded) {
    warn(SessionWarningKind::Decode,
         "ignored a " + label_ + " message that does not decode: " + decoded.error().describe());
    return;
  }
  Message &message = decoded.value();
  if (auto *ka = std::get_if<KeepAliveReq>(&message)) {
    if (abandoned_) return;  // our close frame is out: nothing more is sent
    RTMS_LOG(Session, Log, env_.log, "%s: keep-alive (timestamp %lld) answered", label_.c_str(),
             (long long)ka->timestamp);
    send(env_.codec->encode(KeepAliveResp{ka->timestamp}));
    return;
  }
  owner_.on_channel_message(*this, message);
}

void Channel::on_transport_closed(int code, const std::string &reason) {
  if (state_ != ChannelState::BackingOff) state_ = ChannelState::Closed;
  if (abandoned_) {  // the close we started: nothing lost, nothing to reconnect
    RTMS_LOG(Session, Debug, env_.log, "%s: closed after it was given up", label_.c_str());
    bool was_winding_down = winding_down_;
    winding_down_ = false;
    if (was_winding_down) owner_.on_channel_wound_down(*this);
    return;
  }
  winding_down_ = false;
  std::string detail = describe_close(code, reason);
  // The owner may destroy this channel in there: nothing is touched after
  // it said it dealt with the close.
  if (owner_.on_channel_closed(*this, detail)) return;
  if (lost_at_ != 0) {  // a reconnection attempt that did not make it
    schedule_reconnect(detail);
    return;
  }
  if (!ever_ready_) {
    const char *hint = role_ == Role::Signaling
                           ? " before answering the handshake; check the client id, client "
                             "secret and stream id"
                           : " before answering the media handshake";
    report_error(SessionErrorKind::Handshake, detail + hint, code, reason);
    return;
  }
  lost(code, reason, detail);
}

// ---- losing and reconnecting -----------------------------------------------

void Channel::lost(int code, const std::string &reason, const std::string &detail) {
  // A message over our limit would come again on a new connection.
  bool too_big = code == kWsCloseTooBig;
  if (window_ms_ == 0 || too_big) {
    RTMS_LOG(Session, Info, env_.log, "%s lost; not reconnecting (%s)", label_.c_str(),
             window_ms_ == 0 ? "reconnection is off" : "the message was over the limit");
    report_error(SessionErrorKind::ConnectionLost, detail, code, reason);
    return;
  }
  state_ = ChannelState::Closed;
  lost_at_ = g_get_monotonic_time();
  owner_.on_channel_lost(*this);
  schedule_reconnect(detail);
}

void Channel::schedule_reconnect(const std::string &why) {
  if (owner_.session_finished()) return;
  gint64 elapsed_ms = (g_get_monotonic_time() - lost_at_) / 1000;
  if (elapsed_ms >= gint64(window_ms_)) {
    report_error(SessionErrorKind::ConnectionLost,
                 "the " + label_ +
                     " connection was lost and could not be re-established within " +
                     std::to_string(window_ms_) + " ms; last: " + why);
    return;
  }
  attempt_++;
  unsigned delay = reconnect_backoff_ms(env_.reconnect_delay_ms, attempt_);
  RTMS_LOG(Session, Warning, env_.log,
           "%s: reconnecting in %u ms (attempt %u, %lld of the %u ms window used): %s",
           label_.c_str(), delay, attempt_, (long long)elapsed_ms, window_ms_, why.c_str());
  state_ = ChannelState::BackingOff;
  owner_.on_channel_reconnecting(*this, attempt_, delay, why);
  cancel_retry();
  retry_timer_ = env_.network->add_timeout(delay, [this] {
    retry_timer_ = 0;
    // From a timer, not from inside one of the old transport's calls: it
    // can be replaced now.
    transport_.reset();
    owner_.on_channel_retry(*this);
    connect();
  });
}

// ---- helpers ---------------------------------------------------------------

void Channel::report_error(SessionErrorKind kind, const std::string &message, int close_code,
                           const std::string &reason) {
  SessionError error;
  error.kind = kind;
  error.socket = label_;
  error.message = message;
  error.close_code = close_code;
  error.reason = reason;
  owner_.on_channel_error(std::move(error));
}

void Channel::warn(SessionWarningKind kind, std::string message, std::string host,
                   std::string tls_cause) {
  SessionWarning warning;
  warning.kind = kind;
  warning.socket = label_;
  warning.message = std::move(message);
  warning.host = std::move(host);
  warning.tls_cause = std::move(tls_cause);
  owner_.on_channel_warning(std::move(warning));
}

std::string Channel::describe_close(int code, const std::string &reason) const {
  std::string text = "the " + label_ + " socket closed (close code " + std::to_string(code) +
                     (reason.empty() ? "" : ", \"" + reason + "\"") + ")";
  // A message over the size limit is refused by closing with 1009.
  if (code == kWsCloseTooBig)
    text += ": the server sent a message larger than the limit of " +
            std::to_string(env_.max_message_size) + " bytes (max-message-size)";
  return text;
}

}  // namespace rtms
