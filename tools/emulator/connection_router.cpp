#include "connection_router.h"

#include <algorithm>

#include "log.h"
#include "protocol/messages.h"
#include "rtms_stream.h"

namespace emulator {

ConnectionRouter::ConnectionRouter(bool binary_frames, FindFn find)
    : binary_frames_(binary_frames), find_(std::move(find)) {}

void ConnectionRouter::prune() {
  pending_.erase(std::remove_if(pending_.begin(), pending_.end(),
                                [](const auto &p) { return p->handed_over || p->ws->is_closed(); }),
                 pending_.end());
}

void ConnectionRouter::accept(SoupWebsocketConnection *connection, bool signaling) {
  prune();
  auto pending = std::make_unique<Pending>();
  pending->signaling = signaling;
  std::string label = std::string(signaling ? "signaling" : "media") + "-unrouted#" + std::to_string(next_id_++);
  pending->ws = std::make_unique<WsConnection>(connection, binary_frames_, std::move(label));
  Pending *raw = pending.get();
  pending->ws->set_handlers([this, raw](std::string_view payload) { on_first_message(raw, payload); },
                            [](int, bool) {});
  pending_.push_back(std::move(pending));
}

void ConnectionRouter::on_first_message(Pending *pending, std::string_view payload) {
  if (pending->handed_over) return;
  rtms::Result<rtms::Message> decoded = rtms::decode_message(payload);
  std::string stream_id;
  bool is_handshake = false;
  if (decoded.ok()) {
    if (const auto *req = std::get_if<rtms::SignalingHandshakeReq>(&decoded.value()); req && pending->signaling) {
      stream_id = req->rtms_stream_id;
      is_handshake = true;
    } else if (const auto *req = std::get_if<rtms::DataHandshakeReq>(&decoded.value()); req && !pending->signaling) {
      stream_id = req->rtms_stream_id;
      is_handshake = true;
    }
  }
  if (!is_handshake) {
    refuse(pending, decoded.ok() ? rtms::StatusCode::InvalidMessageType : rtms::StatusCode::InvalidPayload,
           std::string("expected ") + (pending->signaling ? "SIGNALING_HAND_SHAKE_REQ" : "DATA_HAND_SHAKE_REQ") +
               " first" + (decoded.ok() ? "" : ": " + decoded.error().describe()));
    return;
  }
  RtmsStream *stream = find_(stream_id);
  if (stream == nullptr) {
    refuse(pending, rtms::StatusCode::InvalidRtmsStreamId,
           "unknown rtms_stream_id \"" + stream_id + "\"");
    return;
  }
  pending->handed_over = true;
  rtms::GRef<SoupWebsocketConnection> connection = rtms::share(pending->ws->connection());
  pending->ws->detach();
  if (pending->signaling) stream->accept_signaling(connection.get(), payload);
  else stream->accept_media(connection.get(), payload);
}

void ConnectionRouter::refuse(Pending *pending, rtms::StatusCode status, const std::string &reason) {
  tools::log_warning("%s: handshake refused: %s", pending->ws->label().c_str(), reason.c_str());
  if (pending->signaling) {
    rtms::SignalingHandshakeResp resp;
    resp.status_code = status;
    resp.reason = reason;
    pending->ws->send(rtms::encode_message(resp));
  } else {
    rtms::DataHandshakeResp resp;
    resp.status_code = status;
    resp.reason = reason;
    pending->ws->send(rtms::encode_message(resp));
  }
  pending->ws->close(SOUP_WEBSOCKET_CLOSE_NORMAL, "handshake rejected");
  // Anything after the refusal is ignored.
  pending->ws->set_handlers([](std::string_view) {}, [](int, bool) {});
}

}  // namespace emulator
