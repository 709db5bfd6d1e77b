#include "session.h"

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <utility>

#include "gref.h"
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

namespace {

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
  Impl(SessionConfig c, SessionListener &l) : config(std::move(c)), listener(l) {}

  SessionConfig config;
  SessionListener &listener;
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
    listener.on_ended(reason, detail);
  }

  // The end arrives on signaling, but media sent just before it may still be
  // in flight on the media sockets: keep reading them until the server closes
  // them (or a short grace period passes) so the last packets are not lost.
  void drain_then_end(StopReason reason, const std::string &detail) {
    if (finished || draining) return;
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
    // 3 s, 6 s, 12 s, 24 s, then 30 s (rtms-protocol.md 5.3).
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

  // ---- signaling -------------------------------------------------------
  void connect_first() {
    signaling_urls = order_signaling_urls(config.signaling_urls);
    if (signaling_urls.empty()) {
      fail({SessionErrorKind::Config, false, StatusCode::Ok, "",
            "no signaling URL: set server-urls or webhook-payload"});
      return;
    }
    if (config.rtms_stream_id.empty() || config.identity.instance_id.empty()) {
      fail({SessionErrorKind::Config, false, StatusCode::Ok, "",
            "the stream id and the meeting/webinar/session/engagement id are required"});
      return;
    }
    std::string why;
    tls = client_tls_context(config.ca_file, config.tls_strict, &why);
    if (!tls) {
      fail({SessionErrorKind::Config, false, StatusCode::Ok, "", why});
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
    fail({SessionErrorKind::Timeout, false, StatusCode::Ok, "",
          "no answer to the " + what + " within " +
              std::to_string(config.handshake_timeout_ms) + " ms" +
              (last_reconnect_error.empty() ? "" : "; last: " + last_reconnect_error)});
  }

  void connect_signaling() {
    const std::string &url = signaling_urls[signaling_url_index];
    WebSocketHandlers handlers;
    handlers.on_message = [this](std::string_view payload) { on_signaling_message(payload); };
    handlers.on_closed = [this](int code, const std::string &reason) {
      on_signaling_closed(code, reason);
    };
    signaling = std::make_unique<WebSocket>(*network.get(), tls, url, "signaling",
                                            config.max_message_size, std::move(handlers));
    signaling->connect([this](const std::string &error) {
      if (error.empty()) {
        send_signaling_handshake();
        return;
      }
      if (signaling_lost_at != 0) {
        schedule_signaling_reconnect(error);
        return;
      }
      if (signaling_url_index + 1 < signaling_urls.size()) {
        listener.on_warning(error + "; trying the next server URL");
        signaling_url_index++;
        connect_signaling();
        return;
      }
      bool tls = error.find("TLS certificate") != std::string::npos;
      fail({tls ? SessionErrorKind::Tls : SessionErrorKind::Connect, false, StatusCode::Ok, "",
            error});
    });
  }

  void send_signaling_handshake() {
    SignalingHandshakeReq req;
    req.sequence = 1;
    req.identity = config.identity;
    req.rtms_stream_id = config.rtms_stream_id;
    req.signature = signature;
    req.buffer_data = config.buffer_data;
    signaling->send(encode_message(req));
  }

  void on_signaling_message(std::string_view payload) {
    signaling_last_rx = g_get_monotonic_time();
    Result<Message> decoded = decode_message(payload);
    if (!decoded) {
      listener.on_warning("ignored a signaling message that does not decode: " +
                          decoded.error().describe());
      return;
    }
    Message &message = decoded.value();
    if (auto *resp = std::get_if<SignalingHandshakeResp>(&message)) {
      on_signaling_handshake(*resp);
    } else if (auto *ka = std::get_if<KeepAliveReq>(&message)) {
      signaling->send(encode_message(KeepAliveResp{ka->timestamp}));
    } else if (auto *update = std::get_if<EventUpdate>(&message)) {
      listener.on_event(update->event);
    } else if (auto *stream = std::get_if<StreamStateUpdate>(&message)) {
      listener.on_stream_state(*stream);
      if (stream->state == StreamState::Terminated)
        drain_then_end(stream->reason, std::string("the server terminated the stream: ") +
                                           describe(stream->reason));
    } else if (auto *sess = std::get_if<SessionStateUpdate>(&message)) {
      listener.on_session_state(*sess);
    } else if (auto *close_resp = std::get_if<StreamCloseResp>(&message)) {
      listener.on_other_message(message);
      if (closing)
        drain_then_end(StopReason::ReceiverRequestClose,
                       "closed at our request (STREAM_CLOSE_RESP " +
                           describe(close_resp->status_code) + ")");
    } else if (std::holds_alternative<MediaData>(message)) {
      listener.on_warning("ignored media data on the signaling socket");
    } else {
      listener.on_other_message(message);
    }
  }

  void on_signaling_handshake(const SignalingHandshakeResp &resp) {
    if (signaling_ready) {
      listener.on_warning("ignored a second SIGNALING_HAND_SHAKE_RESP");
      return;
    }
    // While reconnecting, the server may still hold our old connection.
    if (signaling_lost_at != 0 && resp.status_code == StatusCode::DuplicateSignalRequest) {
      schedule_signaling_reconnect("the server still holds the previous signaling connection (" +
                                   describe(resp.status_code) + ")");
      return;
    }
    if (resp.status_code != StatusCode::Ok) {
      fail({SessionErrorKind::Handshake, true, resp.status_code, resp.reason,
            "the server refused the signaling handshake: status " + describe(resp.status_code) +
                (resp.reason.empty() ? "" : ", reason \"" + resp.reason + "\"")});
      return;
    }
    signaling_ready = true;
    media_urls = resp.media_urls;
    bool reconnected = signaling_lost_at != 0;
    signaling_lost_at = 0;
    signaling_attempt = 0;
    listener.on_signaling_ready(resp);
    if (reconnected) {
      listener.on_reconnected("signaling");
      // The old media sockets went with the old signaling connection.
      for (auto &channel : media) cancel_timer(channel->retry_timer);
      media.clear();
    }
    if (!config.subscribe_events.empty()) {
      EventSubscription sub;
      for (int type : config.subscribe_events) sub.events.push_back({type, true});
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
      fail({SessionErrorKind::Handshake, false, StatusCode::Ok, reason,
            detail + " before answering the handshake; check the client id, client "
                     "secret and stream id"});
      return;
    }
    signaling_lost(code, reason, detail);
  }

  void signaling_lost(int code, const std::string &reason, const std::string &detail) {
    if (config.signaling_reconnect_window_ms == 0 || too_big(code, reason)) {
      fail({SessionErrorKind::ConnectionLost, false, StatusCode::Ok, reason, detail});
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
  void arm_silence_check() {
    if (config.silence_timeout_ms == 0) return;
    unsigned period = std::max(10u, std::min(config.silence_timeout_ms / 4, 5000u));
    silence_timer = add_timeout(period, [this] {
      silence_timer = 0;
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
    if (finished || closing || draining) return;
    gint64 now = g_get_monotonic_time();
    gint64 limit = gint64(config.silence_timeout_ms) * 1000;
    if (signaling && signaling_ready && now - signaling_last_rx > limit) {
      std::string detail = silence_detail("signaling", now - signaling_last_rx);
      signaling.reset();
      signaling_lost(0, "", detail);
      return;
    }
    for (auto &channel : media) {
      MediaChannel &ch = *channel;
      if (!ch.socket || !ch.ready || now - ch.last_rx <= limit) continue;
      std::string detail = silence_detail(ch.label, now - ch.last_rx);
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
      fail({SessionErrorKind::ConnectionLost, false, StatusCode::Ok, "",
            "the signaling connection was lost and could not be re-established within " +
                std::to_string(config.signaling_reconnect_window_ms) + " ms; last: " + why});
      return;
    }
    signaling_attempt++;
    unsigned delay = backoff_ms(signaling_attempt);
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
    listener.on_reconnecting("signaling", 1, 0, "server failover to " + signaling_urls.front());
    arm_handshake_timer();
    connect_signaling();
  }

  void arm_handshake_timer() {
    if (handshake_timer) return;
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
      if (it == media_urls.end()) it = all;
      if (it == media_urls.end()) {
        fail({SessionErrorKind::Handshake, false, StatusCode::Ok, "",
              std::string("the server offered no media URL for ") + media_type_key(type) +
                  " (does the app have that scope?)"});
        return;
      }
      open_media_socket(it->second, type, std::string("media(") + media_type_key(type) + ")");
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
                                               config.max_message_size, std::move(handlers));
    }
    ch->socket->connect([this, ch](const std::string &error) {
      if (!error.empty() && ch->lost_at != 0) {
        schedule_media_reconnect(*ch, error);
        return;
      }
      if (!error.empty()) {
        bool tls = error.find("TLS certificate") != std::string::npos;
        fail({tls ? SessionErrorKind::Tls : SessionErrorKind::Connect, false, StatusCode::Ok,
              "", error});
        return;
      }
      DataHandshakeReq req;
      req.sequence = media_sequence++;
      req.identity = config.identity;
      req.rtms_stream_id = config.rtms_stream_id;
      req.signature = signature;
      req.media_type = ch->media_type;
      req.payload_encryption = false;
      req.media_params = params_for(ch->media_type);
      ch->socket->send(encode_message(req));
    });
  }

  void on_media_message(MediaChannel &ch, std::string_view payload) {
    ch.last_rx = g_get_monotonic_time();
    Result<Message> decoded = decode_message(payload);
    if (!decoded) {
      listener.on_warning("ignored a " + ch.label + " message that does not decode: " +
                          decoded.error().describe());
      return;
    }
    Message &message = decoded.value();
    if (auto *data = std::get_if<MediaData>(&message)) {
      if (!ch.ready) {
        listener.on_warning("ignored media data that came before the " + ch.label +
                            " handshake answer");
        return;
      }
      listener.on_media(std::move(*data));
    } else if (auto *ka = std::get_if<KeepAliveReq>(&message)) {
      ch.socket->send(encode_message(KeepAliveResp{ka->timestamp}));
    } else if (auto *resp = std::get_if<DataHandshakeResp>(&message)) {
      on_media_handshake(ch, *resp);
    } else {
      listener.on_warning(std::string("ignored an unexpected ") +
                          to_string(message_type_of(message)) + " on the " + ch.label +
                          " socket");
    }
  }

  void on_media_handshake(MediaChannel &ch, const DataHandshakeResp &resp) {
    if (resp.status_code != StatusCode::Ok) {
      fail({SessionErrorKind::Handshake, true, resp.status_code, resp.reason,
            "the server refused the " + ch.label + " handshake: status " +
                describe(resp.status_code) +
                (resp.reason.empty() ? "" : ", reason \"" + resp.reason + "\"")});
      return;
    }
    if (resp.payload_encrypted)
      listener.on_warning("the server says the " + ch.label +
                          " payload is encrypted although we asked for no encryption; "
                          "no public source documents the cipher, payloads are read as plain");
    ch.ready = true;
    ch.ever_ready = true;
    bool reconnected = ch.lost_at != 0;
    ch.lost_at = 0;
    ch.attempt = 0;
    if (reconnected) listener.on_reconnected(ch.label);
    uint32_t types = ch.media_type == kMediaAll ? kMediaEveryType : ch.media_type;
    listener.on_media_ready(types, resp.media_params);
    if (signaling) signaling->send(encode_message(ClientReadyAck{config.rtms_stream_id}));
    bool all_ready = std::all_of(media.begin(), media.end(),
                                 [](const auto &c) { return c->ready; });
    if (all_ready) cancel_timer(handshake_timer);
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
      fail({SessionErrorKind::Handshake, false, StatusCode::Ok, reason,
            detail + " before answering the media handshake"});
      return;
    }
    media_lost(ch, code, reason, detail);
  }

  void media_lost(MediaChannel &ch, int code, const std::string &reason,
                  const std::string &detail) {
    if (config.media_reconnect_window_ms == 0 || too_big(code, reason)) {
      fail({SessionErrorKind::ConnectionLost, false, StatusCode::Ok, reason, detail});
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
      fail({SessionErrorKind::ConnectionLost, false, StatusCode::Ok, "",
            "the " + ch.label + " connection was lost and could not be re-established within " +
                std::to_string(config.media_reconnect_window_ms) + " ms; last: " + why});
      return;
    }
    ch.attempt++;
    unsigned delay = backoff_ms(ch.attempt);
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
  impl_->network = lease_network_thread(impl_->config.wake_interval_us,
                                        impl_->config.dedicated_thread);
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
    impl->finished = true;
    impl->teardown();
  });
  impl_->network.reset();
  impl_->started = false;
}

}  // namespace rtms
