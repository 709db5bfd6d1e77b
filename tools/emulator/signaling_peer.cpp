#include "signaling_peer.h"

#include <algorithm>

#include "log.h"
#include "rtms_stream.h"

namespace emulator {
namespace {

int64_t now_ms() { return g_get_real_time() / 1000; }

}  // namespace

SignalingPeer::SignalingPeer(RtmsStream &stream, SoupWebsocketConnection *connection, int id)
    : stream_(stream),
      ws_(connection, stream.script().binary_frames, "signaling#" + std::to_string(id)),
      keepalive_(stream.options().keepalive_interval_ms, stream.options().keepalive_misses,
                 stream.options().keepalive_when_busy, stream.manifest().signaling_keepalives(),
                 KeepAlive::Callbacks{
                     [this](int64_t ts) { send(rtms::KeepAliveReq{ts}); },
                     [this] { stream_.on_signaling_keepalive_timeout(this); },
                     [this](const std::string &what) {
                       stream_.record_violation("signaling", rtms::StatusCode::InvalidPayload, what);
                     },
                     [this] { return ws_.frames_sent(); }}) {
  ws_.set_handlers([this](std::string_view payload) { on_message(payload); },
                   [this](int code, bool by_server) { on_closed(code, by_server); });
  tools::log_info("%s: connected", ws_.label().c_str());
}

void SignalingPeer::send(const rtms::Message &message) {
  std::string json = rtms::encode_message(message);
  tools::log_debug("%s <- %s", ws_.label().c_str(), json.c_str());
  ws_.send(json);
}

void SignalingPeer::on_message(std::string_view payload) {
  if (stream_.ended() || state_ == State::Rejected) return;
  tools::log_debug("%s -> %.*s", ws_.label().c_str(), static_cast<int>(std::min<size_t>(payload.size(), 2000)),
                   payload.data());
  rtms::Result<rtms::Message> decoded = rtms::decode_message(payload);
  if (state_ == State::AwaitingHandshake) {
    handle_handshake(decoded);
    return;
  }
  if (!decoded.ok()) {
    stream_.record_violation("signaling", status_for_decode_error(decoded.error()),
                             "undecodable message: " + decoded.error().describe());
    return;
  }
  handle(decoded.value());
}

void SignalingPeer::reject_handshake(rtms::StatusCode status, const std::string &reason) {
  state_ = State::Rejected;
  stream_.record_violation("signaling", status, "handshake rejected: " + reason);
  rtms::SignalingHandshakeResp resp;
  resp.status_code = status;
  resp.reason = reason;
  send(resp);
  // Zoom closes with a normal close code after a failed handshake.
  ws_.close(SOUP_WEBSOCKET_CLOSE_NORMAL, "handshake rejected");
}

void SignalingPeer::handle_handshake(const rtms::Result<rtms::Message> &decoded) {
  if (!decoded.ok()) {
    reject_handshake(status_for_decode_error(decoded.error()),
                     "cannot decode SIGNALING_HAND_SHAKE_REQ: " + decoded.error().describe());
    return;
  }
  const auto *req = std::get_if<rtms::SignalingHandshakeReq>(&decoded.value());
  if (req == nullptr) {
    reject_handshake(rtms::StatusCode::InvalidMessageType,
                     std::string("expected SIGNALING_HAND_SHAKE_REQ (msg_type 1) first, got ") +
                         rtms::to_string(rtms::message_type_of(decoded.value())));
    return;
  }
  Verdict verdict = check_credentials(req->protocol_version, req->identity, req->rtms_stream_id,
                                      req->signature, stream_.script(), stream_.options());
  if (verdict.ok() && stream_.signaling_taken_by_other(this))
    verdict = Verdict{rtms::StatusCode::DuplicateSignalRequest,
                      "another signaling connection is already open for this stream"};
  if (!verdict.ok()) {
    reject_handshake(verdict.status, verdict.reason);
    return;
  }
  state_ = State::Established;
  rtms::SignalingHandshakeResp resp;
  resp.sequence = req->sequence;
  const uint32_t scopes = stream_.options().scopes;
  const Options &options = stream_.options();
  resp.media_urls["all"] = stream_.media_url();
  for (uint32_t flag = rtms::kMediaAudio; flag <= rtms::kMediaChat; flag <<= 1) {
    if (!(scopes & flag)) continue;
    std::string key = flag == rtms::kMediaDeskshare ? options.share_url_key : rtms::media_type_key(flag);
    resp.media_urls[key] = options.per_key_media_urls ? stream_.media_url() + "/" + key : stream_.media_url();
  }
  send(resp);
  tools::log_info("%s: handshake accepted (instance %s)", ws_.label().c_str(), req->identity.instance_id.c_str());
  keepalive_.start();
  stream_.on_signaling_established(this);
}

void SignalingPeer::handle(const rtms::Message &message) {
  if (const auto *sub = std::get_if<rtms::EventSubscription>(&message)) {
    stream_.on_event_subscription(*sub);
  } else if (const auto *ack = std::get_if<rtms::ClientReadyAck>(&message)) {
    stream_.on_ready_ack(*ack, "signaling");
  } else if (const auto *ka = std::get_if<rtms::KeepAliveResp>(&message)) {
    keepalive_.on_response(ka->timestamp);
  } else if (const auto *req = std::get_if<rtms::SessionStateReq>(&message)) {
    rtms::SessionStateResp resp = stream_.session_state();
    if (req->rtms_session_id != resp.rtms_session_id)
      stream_.record_violation("signaling", rtms::StatusCode::InvalidRtmsSessionId,
                               "SESSION_STATE_REQ for unknown rtms_session_id \"" + req->rtms_session_id + "\"");
    send(resp);
  } else if (const auto *req = std::get_if<rtms::StreamStateReq>(&message)) {
    if (req->rtms_stream_id != stream_.script().rtms_stream_id)
      stream_.record_violation("signaling", rtms::StatusCode::InvalidRtmsStreamId,
                               "STREAM_STATE_REQ for unknown rtms_stream_id \"" + req->rtms_stream_id + "\"");
    send(stream_.stream_state());
  } else if (const auto *req = std::get_if<rtms::StreamCloseReq>(&message)) {
    if (req->rtms_stream_id != stream_.script().rtms_stream_id) {
      stream_.record_violation("signaling", rtms::StatusCode::InvalidRtmsStreamId,
                               "STREAM_CLOSE_REQ for unknown rtms_stream_id \"" + req->rtms_stream_id + "\"");
      rtms::StreamCloseResp resp;
      resp.rtms_stream_id = req->rtms_stream_id;
      resp.status_code = rtms::StatusCode::InvalidRtmsStreamId;
      resp.reason = "unknown rtms_stream_id";
      resp.timestamp = now_ms();
      send(resp);
      return;
    }
    stream_.on_stream_close_req(*req);
  } else if (const auto *req = std::get_if<rtms::VideoSubscriptionReq>(&message)) {
    send(stream_.on_video_subscription(*req));
  } else if (std::holds_alternative<rtms::SignalingHandshakeReq>(message)) {
    stream_.record_violation("signaling", rtms::StatusCode::DuplicateSignalRequest,
                             "second SIGNALING_HAND_SHAKE_REQ on an established socket (ignored)");
  } else {
    rtms::MessageType type = rtms::message_type_of(message);
    stream_.record_violation("signaling", rtms::StatusCode::InvalidMessageType,
                             "msg_type " + std::to_string(static_cast<int>(type)) + " (" +
                                 rtms::to_string(type) + ") is not accepted on the signaling socket");
  }
}

void SignalingPeer::on_closed(int code, bool by_server) {
  keepalive_.stop();
  tools::log_info("%s: closed by the %s (code %d)", ws_.label().c_str(), by_server ? "emulator" : "client", code);
  stream_.manifest().add_close("signaling", code, by_server);
  if (state_ == State::Established) stream_.on_signaling_closed(this);
}

}  // namespace emulator
