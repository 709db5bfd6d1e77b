// The session's life cycle (start, stop, the commands of other threads), its
// end (an error, or the stream's end after draining the media) and its
// timers. The signaling and media channels' roles are in
// session_signaling.cpp and session_media.cpp; reconnection is the
// channels' own (channel.h).
#include "session.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "session_impl.h"

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

std::string hex_mask(uint32_t mask) {
  char buf[16];
  snprintf(buf, sizeof buf, "0x%x", unsigned(mask));
  return buf;
}

Session::Impl::Impl(SessionConfig c, SessionListener &l) : config(std::move(c)), listener(l) {
  lc.object = config.log_object;
  lc.tag = config.log_tag.empty() ? config.rtms_stream_id : config.log_tag;
}

void Session::Impl::cancel_timer(TimerSet::Id &timer) {
  if (!timer) return;
  network->cancel_timeout(timer);
  timer = 0;
}

void Session::Impl::warn(SessionWarning warning) {
  RTMS_LOG(Session, Warning, &lc, "warning (%s) on the %s socket: %s", to_string(warning.kind),
           warning.socket.c_str(), warning.message.c_str());
  listener.on_warning(warning);
}

void Session::Impl::warn(SessionWarningKind kind, const std::string &socket,
                         std::string message) {
  SessionWarning warning;
  warning.kind = kind;
  warning.socket = socket;
  warning.message = std::move(message);
  warn(std::move(warning));
}

void Session::Impl::teardown() {
  cancel_timer(silence_timer);
  cancel_timer(handshake_timer);
  cancel_timer(close_timer);
  cancel_timer(drain_timer);
  cancel_timer(reap_timer);
  drop_media();
  retiring.clear();
  signaling.reset();
  env.tls.reset();
}

void Session::Impl::drop_media() {
  for (auto &channel : media)
    if (channel->winding_down()) retiring.push_back(std::move(channel));
  media.clear();  // their retry timers go with them
  media_generation++;
}

// From a timer: never inside a call of the channels that go.
void Session::Impl::reap_retiring() {
  retiring.erase(std::remove_if(retiring.begin(), retiring.end(),
                                [](const auto &channel) { return !channel->winding_down(); }),
                 retiring.end());
}

void Session::Impl::on_channel_wound_down(Channel &) {
  if (reap_timer || retiring.empty()) return;
  reap_timer = add_timeout(0, [this] {
    reap_timer = 0;
    reap_retiring();
  });
}

// ---- ending ------------------------------------------------------------------

void Session::Impl::fail(SessionError error) {
  if (finished) return;
  RTMS_LOG(Session, Error, &lc, "session failed (%s%s%s%s%s, close code %d, status %s%s%s): %s",
           to_string(error.kind), error.socket.empty() ? "" : ", ", error.socket.c_str(),
           error.tls_cause.empty() ? "" : ", TLS: ", error.tls_cause.c_str(), error.close_code,
           error.has_status ? to_string(error.status) : "none", error.http_status ? ", HTTP " : "",
           error.http_status ? std::to_string(error.http_status).c_str() : "",
           error.message.c_str());
  finished = true;
  cancel_timer(handshake_timer);
  close_all_sockets();
  listener.on_error(error);
}

void Session::Impl::fail_refused(const std::string &socket, StatusCode status,
                                 const std::string &reason) {
  SessionError error;
  error.kind = SessionErrorKind::Handshake;
  error.socket = socket;
  error.message = "the server refused the " + socket + " handshake: status " + describe(status) +
                  (reason.empty() ? "" : ", reason \"" + reason + "\"");
  error.has_status = true;
  error.status = status;
  error.reason = reason;
  fail(std::move(error));
}

void Session::Impl::end(StopReason reason, const std::string &detail) {
  if (finished) return;
  finished = true;
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
void Session::Impl::drain_then_end(StopReason reason, const std::string &detail) {
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

void Session::Impl::maybe_finish_drain() {
  if (!draining) return;
  bool media_open = std::any_of(media.begin(), media.end(),
                                [](const auto &channel) { return channel->transport_open(); });
  if (!media_open) end(drain_reason, drain_detail);
}

// No channel schedules anything once finished is set: closing them is all.
void Session::Impl::close_all_sockets() {
  for (auto &channel : media) {
    channel->cancel_retry();
    channel->close();
  }
  for (auto &channel : retiring) channel->close();
  if (signaling) {
    signaling->cancel_retry();
    signaling->close();
  }
}

// Fails the session when one of urls may not be connected to (allowed-hosts,
// allow-plaintext); true if so.
bool Session::Impl::refuse_urls(const std::vector<std::string> &urls, const std::string &socket) {
  if (config.allowed_hosts.empty() && config.allow_plaintext) return false;
  HostAllowlist any;
  any.add("*", nullptr);
  const HostAllowlist &allowlist = config.allowed_hosts.empty() ? any : config.allowed_hosts;
  for (const auto &url : urls) {
    std::string why;
    ServerUrlCheck result = check_server_url(allowlist, config.allow_plaintext, url, &why);
    if (result == ServerUrlCheck::Allowed) continue;
    if (result == ServerUrlCheck::HostNotAllowed) why += " (allowed-hosts)";
    if (result == ServerUrlCheck::Plaintext) why += " (allow-plaintext is off)";
    RTMS_LOG(Session, Error, &lc, "%s: refusing %s: %s", socket.c_str(), log::log_url(url).c_str(),
             why.c_str());
    SessionError error;
    error.kind = SessionErrorKind::Config;
    error.socket = socket;
    error.message = "refusing the " + socket + " server: " + why;
    fail(std::move(error));
    return true;
  }
  return false;
}

// ---- timers --------------------------------------------------------------------

// One timer for every handshake under way (signaling, then media): armed
// when the session starts and at each reconnection attempt, off once every
// handshake was answered.
void Session::Impl::arm_handshake_timer() {
  if (handshake_timer) return;
  RTMS_LOG(Session, Debug, &lc, "timer: handshake timeout armed (%u ms)",
           config.handshake_timeout_ms);
  handshake_timer = add_timeout(config.handshake_timeout_ms, [this] { handshake_timer_fired(); });
}

void Session::Impl::handshake_timer_fired() {
  handshake_timer = 0;
  bool signaling_up = signaling_ready();
  std::string socket = "signaling";
  if (signaling_up)
    for (auto &channel : media)
      if (!channel->ready()) {
        socket = channel->label();
        break;
      }
  RTMS_LOG(Session, Debug, &lc, "timer: the handshake timer fired (%s socket)", socket.c_str());
  SessionError error;
  error.kind = SessionErrorKind::Timeout;
  error.socket = socket;
  error.message = std::string("no answer to the ") +
                  (signaling_up ? "media handshake" : "signaling handshake") + " within " +
                  std::to_string(config.handshake_timeout_ms) + " ms" +
                  (last_reconnect_error.empty() ? "" : "; last: " + last_reconnect_error);
  fail(std::move(error));
}

// The silence watchdog (channel.h). The same timer follows log threshold
// changes, so it runs (every 5 s) even when the watch is off.
void Session::Impl::arm_silence_check() {
  unsigned period = config.silence_timeout_ms == 0
                        ? 5000u
                        : std::max(10u, std::min(config.silence_timeout_ms / 4, 5000u));
  silence_timer = add_timeout(period, [this] {
    silence_timer = 0;
    log::refresh_levels();
    RTMS_LOG(Session, Trace, &lc, "timer: silence check");
    check_silence();
    if (!finished) arm_silence_check();
  });
}

// Only established connections are watched; handshakes have their own
// timeout.
void Session::Impl::check_silence() {
  if (finished || closing || draining || config.silence_timeout_ms == 0) return;
  gint64 now = g_get_monotonic_time();
  gint64 limit = gint64(config.silence_timeout_ms) * 1000;
  // Signaling takes its media with it when it goes.
  if (signaling && signaling->check_silence(now, limit)) return;
  for (auto &channel : media)
    if (channel->check_silence(now, limit) && finished) return;
}

// ---- the channels' owner -----------------------------------------------------

std::string Session::Impl::handshake_request(Channel &channel) {
  if (channel.role() == Channel::Role::Signaling) return signaling_handshake_request();
  return media_handshake_request(channel);
}

void Session::Impl::on_channel_message(Channel &channel, Message &message) {
  if (channel.role() == Channel::Role::Media)
    on_media_message(channel, message);
  else
    on_signaling_message(message);
}

void Session::Impl::on_channel_media(Channel &channel, const MediaView &media) {
  if (channel.role() == Channel::Role::Media) {
    on_media_data(channel, &media, nullptr);
    return;
  }
  Message message = media.to_owned();  // media on signaling: a warning, rare
  on_signaling_message(message);
}

bool Session::Impl::on_channel_closed(Channel &channel, const std::string &detail) {
  if (channel.role() == Channel::Role::Signaling) return signaling_closed(detail);
  return media_closed();
}

void Session::Impl::on_channel_lost(Channel &channel) {
  if (channel.role() != Channel::Role::Signaling) return;
  // Media sockets cannot outlive their signaling connection; they are
  // opened again after it.
  for (auto &other : media) other->abandon();
}

void Session::Impl::on_channel_reconnecting(Channel &channel, unsigned attempt,
                                            unsigned delay_ms, const std::string &why) {
  last_reconnect_error = why;
  listener.on_reconnecting(channel.label(), attempt, delay_ms, why);
}

void Session::Impl::on_channel_retry(Channel &) { arm_handshake_timer(); }

// ---- Session ---------------------------------------------------------------------

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
    if (impl->signaling_ready()) impl->signaling->send(impl->env.codec->encode(*shared));
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
