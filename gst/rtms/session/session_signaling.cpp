// The signaling channel's role in a session: starting, the signaling
// handshake, what the server says on signaling (events, stream states, the
// end), server failover and the close we ask for.
#include <algorithm>
#include <utility>

#include "protocol/signature.h"
#include "session_impl.h"
#include "tls_client.h"

namespace rtms {

namespace {

// wss:// first: Zoom may list several URLs, and the secure one is the one to
// use when there is a choice.
std::vector<std::string> order_signaling_urls(std::vector<std::string> urls) {
  std::stable_partition(urls.begin(), urls.end(), [](const std::string &u) {
    return g_str_has_prefix(u.c_str(), "wss://");
  });
  return urls;
}

SessionError config_error(std::string message) {
  SessionError error;
  error.kind = SessionErrorKind::Config;
  error.message = std::move(message);
  return error;
}

}  // namespace

void Session::Impl::begin() {
  std::vector<std::string> urls = order_signaling_urls(config.signaling_urls);
  RTMS_LOG(Session, Info, &lc,
           "starting: %zu signaling URL(s), media types %s, %s media sockets, TLS %s, "
           "handshake timeout %u ms, reconnect delay %u ms, keep-alive timeout %u ms",
           urls.size(), hex_mask(config.media_types).c_str(),
           config.split_sockets ? "split" : "unified",
           !config.tls_strict ? "NOT verified (ssl-strict=false)"
           : config.ca_file.empty() ? "verified against the system's CAs"
                                    : "verified against ssl-ca-file",
           config.handshake_timeout_ms, config.reconnect_delay_ms, config.silence_timeout_ms);
  if (urls.empty()) {
    fail(config_error("no signaling URL: set server-urls or webhook-payload"));
    return;
  }
  if (config.rtms_stream_id.empty() || config.identity.instance_id.empty()) {
    fail(config_error("the stream id and the meeting/webinar/session/engagement id are required"));
    return;
  }
  if (refuse_urls(urls, "signaling")) return;
  std::string why;
  if (!config.proxy.empty()) {
    Result<HttpProxy> proxy = parse_http_proxy(config.proxy);
    if (!proxy) {
      fail(config_error("the proxy setting does not name a usable HTTP proxy: " +
                        proxy.error().message));
      return;
    }
  }
  env.tls = client_tls_context(config.ca_file, config.tls_strict, &why);
  if (!env.tls) {
    fail(config_error(why));
    return;
  }
  env.network = network.get();
  env.transport_factory =
      config.transport_factory ? config.transport_factory : websocket_transport_factory();
  env.log = &lc;
  env.max_message_size = config.max_message_size;
  env.reconnect_delay_ms = config.reconnect_delay_ms;
  env.proxy = config.proxy;
  if (config.codec) env.codec = config.codec;
  arm_silence_check();
  signature = handshake_signature(config.client_id, config.identity.instance_id,
                                  config.rtms_stream_id, config.client_secret);
  arm_handshake_timer();
  signaling = std::make_unique<Channel>(*this, env, Channel::Role::Signaling, "signaling",
                                        std::move(urls), config.signaling_reconnect_window_ms);
  signaling->connect();
}

std::string Session::Impl::signaling_handshake_request() {
  SignalingHandshakeReq req;
  req.sequence = 1;
  req.identity = config.identity;
  req.rtms_stream_id = config.rtms_stream_id;
  req.signature = signature;
  req.buffer_data = config.buffer_data;
  RTMS_LOG(Session, Info, &lc, "signaling: sending SIGNALING_HAND_SHAKE_REQ (%s %s, signed)",
           to_string(config.identity.product), config.identity.instance_id.c_str());
  return env.codec->encode(req);
}

void Session::Impl::on_signaling_message(Message &message) {
  if (auto *resp = std::get_if<SignalingHandshakeResp>(&message)) {
    on_signaling_handshake(*resp);
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

void Session::Impl::on_signaling_handshake(const SignalingHandshakeResp &resp) {
  if (signaling->ready()) {
    warn(SessionWarningKind::ProtocolViolation, "signaling",
         "ignored a second SIGNALING_HAND_SHAKE_RESP");
    return;
  }
  // While reconnecting, the server may still hold our old connection.
  if (signaling->reconnecting() && resp.status_code == StatusCode::DuplicateSignalRequest) {
    signaling->retry_later("the server still holds the previous signaling connection (" +
                           describe(resp.status_code) + ")");
    return;
  }
  if (resp.status_code != StatusCode::Ok) {
    fail_refused("signaling", resp.status_code, resp.reason);
    return;
  }
  bool reconnected = signaling->accept();
  media_urls = resp.media_urls;
  if (log::enabled(log::Category::Session, log::Level::Info)) {
    std::string urls;
    for (const auto &kv : media_urls)
      urls += (urls.empty() ? "" : ", ") + kv.first + " " + log::log_url(kv.second);
    RTMS_LOG(Session, Info, &lc, "signaling: handshake accepted; media URLs: %s",
             urls.empty() ? "none" : urls.c_str());
  }
  listener.on_signaling_ready(resp);
  if (reconnected) {
    RTMS_LOG(Session, Info, &lc, "signaling: reconnected; reopening the media sockets");
    listener.on_reconnected("signaling");
    // The old media sockets went with the old signaling connection.
    drop_media();
  }
  if (!config.subscribe_events.empty()) {
    EventSubscription sub;
    for (int type : config.subscribe_events) sub.events.push_back({type, true});
    RTMS_LOG(Session, Debug, &lc, "signaling: subscribing to %zu event type(s)",
             sub.events.size());
    signaling->send(env.codec->encode(sub));
  }
  open_media_sockets();
}

// True when the close needs nothing of the channel (see ChannelOwner).
bool Session::Impl::signaling_closed(const std::string &detail) {
  if (finished || draining) return true;
  if (closing) {
    end(StopReason::ReceiverRequestClose, "closed at our request; " + detail);
    return true;
  }
  return false;
}

void Session::Impl::do_fail_over(std::vector<std::string> urls) {
  if (finished || closing || !signaling) return;
  if (refuse_urls(urls, "signaling")) return;
  // Not inside any transport's call here: the old connections can go at
  // once, and their close notifications with them.
  drop_media();
  signaling->restart(order_signaling_urls(std::move(urls)));
  std::string target = log::log_url(signaling->url());
  RTMS_LOG(Session, Info, &lc, "server failover to %s", target.c_str());
  listener.on_reconnecting("signaling", 1, 0, "server failover to " + target);
  arm_handshake_timer();
  signaling->connect();
}

void Session::Impl::do_request_close() {
  if (finished || closing) return;
  closing = true;
  if (!signaling || !signaling->transport_open() || !signaling->ready()) {
    end(StopReason::ReceiverRequestClose, "closed before the stream was established");
    return;
  }
  RTMS_LOG(Session, Info, &lc, "closing: sending STREAM_CLOSE_REQ, waiting at most %u ms",
           config.close_timeout_ms);
  signaling->send(env.codec->encode(StreamCloseReq{config.rtms_stream_id}));
  close_timer = add_timeout(config.close_timeout_ms, [this] {
    close_timer = 0;
    end(StopReason::ReceiverRequestClose, "closed at our request (the server did not answer "
                                          "STREAM_CLOSE_REQ in time)");
  });
}

}  // namespace rtms
