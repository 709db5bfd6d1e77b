#include "media_peer.h"

#include <algorithm>

#include "active_speaker.h"
#include "json_text.h"
#include "log.h"
#include "rtms_stream.h"

namespace emulator {
namespace {

// The media_type of a handshake the protocol layer rejected, read straight
// from the JSON so the manifest still says what the client asked for.
uint32_t peek_media_type(std::string_view payload) {
  rtms::GRef<JsonNode> root = parse_json_text(payload);
  if (!root || !JSON_NODE_HOLDS_OBJECT(root.get())) return 0;
  JsonNode *node = json_object_get_member(json_node_get_object(root.get()), "media_type");
  if (node == nullptr || JSON_NODE_TYPE(node) != JSON_NODE_VALUE ||
      json_node_get_value_type(node) != G_TYPE_INT64)
    return 0;
  gint64 value = json_node_get_int(node);
  return value > 0 && value <= G_MAXUINT32 ? static_cast<uint32_t>(value) : 0;
}

}  // namespace

MediaPeer::MediaPeer(RtmsStream &stream, SoupWebsocketConnection *connection, int id)
    : stream_(stream),
      path_(g_uri_get_path(soup_websocket_connection_get_uri(connection))),
      ws_(connection, stream.script().binary_frames, "media#" + std::to_string(id)),
      keepalive_(stream.options().keepalive_interval_ms, stream.options().keepalive_misses,
                 stream.options().keepalive_when_busy, stream.manifest().media_keepalives(),
                 KeepAlive::Callbacks{
                     [this](int64_t ts) { send(rtms::KeepAliveReq{ts}); },
                     [this] { stream_.on_media_keepalive_timeout(this); },
                     [this](const std::string &what) {
                       stream_.record_violation("media", rtms::StatusCode::InvalidPayload, what);
                     },
                     [this] { return ws_.frames_sent(); }}) {
  ws_.set_handlers([this](std::string_view payload) { on_message(payload); },
                   [this](int code, bool by_server) { on_closed(code, by_server); });
  tools::log_info("%s: connected", ws_.label().c_str());
}

bool MediaPeer::send(const rtms::Message &message) {
  std::string json = rtms::encode_message(message);
  // Media data is too chatty even for --verbose.
  if (!std::holds_alternative<rtms::MediaData>(message))
    tools::log_debug("%s <- %s", ws_.label().c_str(), json.c_str());
  return ws_.send(json);
}

void MediaPeer::on_message(std::string_view payload) {
  if (stream_.ended() || state_ == State::Rejected) return;
  tools::log_debug("%s -> %.*s", ws_.label().c_str(), static_cast<int>(std::min<size_t>(payload.size(), 2000)),
                   payload.data());
  rtms::Result<rtms::Message> decoded = rtms::decode_message(payload);
  if (state_ == State::AwaitingHandshake) {
    handle_handshake(decoded, payload);
    return;
  }
  if (!decoded.ok()) {
    stream_.record_violation("media", status_for_decode_error(decoded.error()),
                             "undecodable message: " + decoded.error().describe());
    return;
  }
  const rtms::Message &message = decoded.value();
  if (const auto *ka = std::get_if<rtms::KeepAliveResp>(&message)) {
    keepalive_.on_response(ka->timestamp);
  } else if (const auto *ack = std::get_if<rtms::ClientReadyAck>(&message)) {
    // Some ZCC docs say to send it here; Zoom meetings expect it on
    // signaling. Honour it, but make the mistake visible.
    stream_.record_violation("media", rtms::StatusCode::InvalidClientReadyAck,
                             "CLIENT_READY_ACK sent on a media socket; it belongs on signaling");
    stream_.on_ready_ack(*ack, "media");
  } else {
    rtms::MessageType type = rtms::message_type_of(message);
    stream_.record_violation("media", rtms::StatusCode::InvalidMessageType,
                             "msg_type " + std::to_string(static_cast<int>(type)) + " (" +
                                 rtms::to_string(type) + ") is not accepted on a media socket");
  }
}

void MediaPeer::reject_handshake(rtms::StatusCode status, const std::string &reason,
                                 uint32_t media_type, const rtms::MediaParams *effective) {
  state_ = State::Rejected;
  stream_.manifest().add_media_handshake(media_type, static_cast<int>(status), effective, path_);
  stream_.record_violation("media", status, "media handshake rejected: " + reason);
  rtms::DataHandshakeResp resp;
  resp.status_code = status;
  resp.reason = reason;
  send(resp);
  ws_.close(SOUP_WEBSOCKET_CLOSE_NORMAL, "handshake rejected");
}

void MediaPeer::handle_handshake(const rtms::Result<rtms::Message> &decoded, std::string_view payload) {
  if (!decoded.ok()) {
    reject_handshake(status_for_decode_error(decoded.error()),
                     "cannot decode DATA_HAND_SHAKE_REQ: " + decoded.error().describe(),
                     peek_media_type(payload), nullptr);
    return;
  }
  const auto *req = std::get_if<rtms::DataHandshakeReq>(&decoded.value());
  if (req == nullptr) {
    reject_handshake(rtms::StatusCode::InvalidMessageType,
                     std::string("expected DATA_HAND_SHAKE_REQ (msg_type 3) first, got ") +
                         rtms::to_string(rtms::message_type_of(decoded.value())),
                     0, nullptr);
    return;
  }
  Verdict verdict = check_credentials(req->protocol_version, req->identity, req->rtms_stream_id,
                                      req->signature, stream_.script(), stream_.options());
  if (verdict.ok() && !stream_.signaling_ever_established())
    verdict = Verdict{rtms::StatusCode::InvalidRtmsStreamId,
                      "no signaling handshake has been made for this stream yet"};
  if (!verdict.ok()) {
    reject_handshake(verdict.status, verdict.reason, req->media_type, nullptr);
    return;
  }
  MediaAdmission admission = admit_media(*req, stream_.options().scopes, stream_.media_in_use(this));
  requested_ = admission.is_all ? req->media_params.present_types() & admission.carried : admission.carried;
  // Encoding happens here, before the answer, so a format the emulator
  // cannot produce is refused instead of failing silently later.
  if (admission.verdict.ok()) admission.verdict = prepare_media(admission.effective);
  if (!admission.verdict.ok()) {
    reject_handshake(admission.verdict.status, admission.verdict.reason, req->media_type,
                     admission.has_effective ? &admission.effective : nullptr);
    return;
  }
  state_ = State::Established;
  is_all_ = admission.is_all;
  carried_ = admission.carried;
  stream_.on_media_established(carried_);
  effective_ = admission.effective;
  stream_.manifest().add_media_handshake(req->media_type, 0, &effective_, path_);
  rtms::DataHandshakeResp resp;
  resp.sequence = req->sequence;
  resp.payload_encrypted = false;
  resp.media_params = effective_;
  send(resp);
  tools::log_info("%s: media handshake accepted for %s%s", ws_.label().c_str(),
                  rtms::media_type_names(carried_).c_str(), is_all_ ? " (all socket)" : "");
  if (audio_) tools::log_info("%s: audio is %s", ws_.label().c_str(), audio_->format.describe().c_str());
  if (video_) tools::log_info("%s: video is %s", ws_.label().c_str(), video_->format.describe().c_str());
  if (deskshare_) tools::log_info("%s: screen share is %s", ws_.label().c_str(), deskshare_->format.describe().c_str());
  if (requested_ != carried_)
    tools::log_info("%s: sends only %s (media_params names no other type)", ws_.label().c_str(),
                    rtms::media_type_names(requested_).c_str());
  keepalive_.start();
}

Verdict MediaPeer::prepare_media(const rtms::MediaParams &effective) {
  std::string error;
  if ((requested_ & rtms::kMediaAudio) && effective.audio) {
    AudioFormat format = audio_format_for(*effective.audio, stream_.options().g711);
    format.stamp = stream_.options().stamp_frames;
    audio_ = stream_.audio_for(format, &error);
    if (!audio_) return Verdict{rtms::StatusCode::InvalidMediaAudioParams, "cannot produce this audio: " + error};
  }
  if ((requested_ & rtms::kMediaVideo) && effective.video) {
    const int bitrate = stream_.options().video_bitrate_kbps;
    video_ = stream_.video_for(video_format_for(*effective.video, VideoKind::Camera, bitrate,
                                                        stream_.options().stamp_frames), &error);
    if (!video_) return Verdict{rtms::StatusCode::InvalidMediaVideoParams, "cannot produce this video: " + error};
  }
  if ((requested_ & rtms::kMediaDeskshare) && effective.deskshare) {
    const int bitrate = stream_.options().video_bitrate_kbps;
    deskshare_ = stream_.video_for(video_format_for(*effective.deskshare, VideoKind::Share, bitrate), &error);
    if (!deskshare_)
      return Verdict{rtms::StatusCode::InvalidMediaDeskshareParams, "cannot produce this screen share: " + error};
  }
  return {};
}

void MediaPeer::start_streaming(int64_t audio_interval) {
  if (streaming_ || state_ != State::Established) return;
  streaming_ = true;
  tools::log_info("%s: streaming starts", ws_.label().c_str());
  if (audio_) {
    AudioStreamer::BurstFn burst;
    if (stream_.options().coalesce)
      burst = [this](bool begin) { begin ? ws_.begin_burst() : ws_.end_burst(); };
    audio_streamer_ = std::make_unique<AudioStreamer>(
        audio_, stream_.clock(), audio_interval, [this](const AudioMessage &m) { send_audio(m); }, std::move(burst));
    audio_streamer_->start();
  }
  start_video();
  start_text();
}

void MediaPeer::start_video() {
  if (video_) {
    const bool individual = effective_.video &&
                            effective_.video->data_opt == rtms::DataOption::VideoSingleIndividualStream;
    VideoStreamer::ChooseFn choose;
    if (individual) {
      choose = [this](int64_t) { return stream_.subscribed_video_track(); };
    } else {
      auto video = video_;
      const MeetingScript &script = stream_.script();
      choose = [video, &script](int64_t frame) { return active_camera(script, video->format.frame_ms(frame)); };
    }
    video_streamer_ = std::make_unique<VideoStreamer>(
        video_, stream_.clock(), std::move(choose),
        individual ? VideoStreamer::Switching::Cut : VideoStreamer::Switching::HoldPrevious,
        [this](const VideoTrack &t, const VideoFrame &f, int64_t ts) { send_video(false, t, f, ts); });
    video_streamer_->start();
  }
  if (deskshare_) {
    auto share = deskshare_;
    // Shares never overlap, so at most one track has a frame at a time.
    auto choose = [share](int64_t frame) {
      for (size_t i = 0; i < share->tracks.size(); ++i)
        if (share->tracks[i].frame(frame) != nullptr) return static_cast<int>(i);
      return -1;
    };
    deskshare_streamer_ = std::make_unique<VideoStreamer>(
        deskshare_, stream_.clock(), choose, VideoStreamer::Switching::Cut,
        [this](const VideoTrack &t, const VideoFrame &f, int64_t ts) { send_video(true, t, f, ts); });
    deskshare_streamer_->start();
  }
}

void MediaPeer::start_text() {
  if (requested_ & rtms::kMediaTranscript) {
    transcript_streamer_ = std::make_unique<TextStreamer>(stream_.transcript_items(), stream_.clock(),
                                                          stream_.text_start(false),
                                                          [this](const TextItem &item) { send_transcript(item); });
    transcript_streamer_->start();
  }
  if (requested_ & rtms::kMediaChat) {
    chat_streamer_ = std::make_unique<TextStreamer>(stream_.chat_items(), stream_.clock(), stream_.text_start(true),
                                                    [this](const TextItem &item) { send_chat(item); });
    chat_streamer_->start();
  }
}

void MediaPeer::send_video(bool deskshare, const VideoTrack &track, const VideoFrame &frame, int64_t timestamp) {
  track.message.render(frame.base64, static_cast<int64_t>(frame.data.size()), timestamp, &frame_text_);
  if (!ws_.send(frame_text_)) return;
  stream_.manifest().add_video(deskshare, track.user_id, track.user_name, frame.data.data(), frame.data.size(),
                               timestamp, frame.keyframe);
}

void MediaPeer::send_transcript(const TextItem &item) {
  rtms::MediaData data = transcript_message(stream_.script(), item.index, stream_.clock());
  if (!send(data)) return;
  stream_.manifest().add_transcript(data.user.user_id, data.user.user_name, data.start_time, data.end_time,
                                    data.language, stream_.script().transcript[item.index].text);
}

void MediaPeer::send_chat(const TextItem &item) {
  rtms::MediaData data = chat_message(stream_.script(), item.index, stream_.clock());
  if (!send(data)) return;
  const ScriptChat &chat = stream_.script().chat[item.index];
  stream_.manifest().add_chat(data.user.user_id, data.user.user_name, data.timestamp, chat.text, chat.structured,
                              chat.has_to ? chat.to : 0);
}

// The hot path of a busy emulator: the message is pieced together from
// the track's template and the payload's base64, both prepared once for
// every stream, and the manifest only counts (see PayloadSequence).
void MediaPeer::send_audio(const AudioMessage &m) {
  const PayloadSequence &sent = *m.track->sent;
  const Payload &payload = sent.payload(m.index);
  m.track->message.render(sent.base64(m.index), static_cast<int64_t>(payload.size()), m.timestamp, &frame_text_);
  // The manifest records what really went out, not what a dead socket refused.
  if (!ws_.send(frame_text_)) return;
  stream_.manifest().add_audio(m.track->user_id, m.track->user_name, sent, m.index, m.timestamp);
}

void MediaPeer::finish_media() {
  if (ws_.is_open()) {
    if (audio_streamer_) audio_streamer_->finish();
    if (video_streamer_) video_streamer_->finish();
    if (deskshare_streamer_) deskshare_streamer_->finish();
    // A line whose utterance ends with the meeting is still sent.
    if (transcript_streamer_) transcript_streamer_->finish(stream_.script().duration_ms);
    if (chat_streamer_) chat_streamer_->finish(stream_.script().duration_ms);
  }
  stop();
}

void MediaPeer::stop() {
  keepalive_.stop();
  if (audio_streamer_) audio_streamer_->stop();
  if (video_streamer_) video_streamer_->stop();
  if (deskshare_streamer_) deskshare_streamer_->stop();
  if (transcript_streamer_) transcript_streamer_->stop();
  if (chat_streamer_) chat_streamer_->stop();
}

size_t MediaPeer::text_position(bool chat) const {
  const auto &streamer = chat ? chat_streamer_ : transcript_streamer_;
  return streamer ? streamer->position() : 0;
}

int64_t MediaPeer::audio_position() const {
  return audio_streamer_ ? audio_streamer_->next_interval() : -1;
}

void MediaPeer::on_closed(int code, bool by_server) {
  stop();
  tools::log_info("%s: closed by the %s (code %d)", ws_.label().c_str(), by_server ? "emulator" : "client", code);
  stream_.manifest().add_close("media", code, by_server);
  if (state_ == State::Established) stream_.on_media_closed(this);
}

}  // namespace emulator
