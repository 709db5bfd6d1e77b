// The media channels' role in a session: which sockets to open for the
// media types wanted, their handshakes, and handing media to the listener.
// This is the per-message path: nothing here may copy or allocate for a
// media message.
#include <algorithm>
#include <utility>

#include "session_impl.h"

namespace rtms {

void Session::Impl::open_media_sockets() {
  static const uint32_t kTypes[] = {kMediaAudio, kMediaVideo, kMediaDeskshare, kMediaTranscript,
                                    kMediaChat};
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
    std::string label = std::string("media(") + media_type_key(type) + ")";
    auto it = media_urls.find(media_type_key(type));
    // The docs name the screen-share URL deskshare; Zoom's own client
    // library looks for sharescreen.
    if (it == media_urls.end() && type == kMediaDeskshare) it = media_urls.find("sharescreen");
    if (it == media_urls.end()) it = all;
    if (it == media_urls.end()) {
      SessionError error;
      error.kind = SessionErrorKind::Handshake;
      error.socket = label;
      error.message = std::string("the server offered no media URL for ") +
                      media_type_key(type) + " (does the app have that scope?)";
      fail(std::move(error));
      return;
    }
    open_media_socket(it->second, type, std::move(label));
    if (finished) return;  // refused (allowed-hosts)
  }
}

void Session::Impl::open_media_socket(const std::string &url, uint32_t mask, std::string label) {
  // The signaling server names the media servers: they are checked like
  // the signaling URLs.
  if (refuse_urls({url}, label)) return;
  media.push_back(std::make_unique<Channel>(*this, env, Channel::Role::Media, std::move(label),
                                            std::vector<std::string>{url},
                                            config.media_reconnect_window_ms, mask));
  media.back()->connect();
}

MediaParams Session::Impl::params_for(uint32_t mask) const {
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

std::string Session::Impl::media_handshake_request(Channel &channel) {
  DataHandshakeReq req;
  req.sequence = media_sequence++;
  req.identity = config.identity;
  req.rtms_stream_id = config.rtms_stream_id;
  req.signature = signature;
  req.media_type = channel.media_type();
  req.payload_encryption = false;
  req.media_params = params_for(channel.media_type());
  RTMS_LOG(Session, Info, &lc, "%s: sending DATA_HAND_SHAKE_REQ (media types %s, signed)",
           channel.label().c_str(), hex_mask(channel.media_type()).c_str());
  return env.codec->encode(req);
}

void Session::Impl::on_media_data(Channel &channel, const MediaView *view, MediaData *owned) {
  if (channel.winding_down()) {
    // Given up with its signaling connection: only the media the server sent
    // before our close frame still counts.
    if (finished) return;
  } else if (!channel.delivers_media()) {
    warn(SessionWarningKind::ProtocolViolation, channel.label(),
         "ignored media data that came before the " + channel.label() + " handshake answer");
    return;
  }
  if (view)
    listener.on_media_view(*view);
  else
    listener.on_media(std::move(*owned));
}

void Session::Impl::on_media_message(Channel &channel, Message &message) {
  if (auto *data = std::get_if<MediaData>(&message)) {
    on_media_data(channel, nullptr, data);
    return;
  }
  if (channel.winding_down()) return;
  if (auto *resp = std::get_if<DataHandshakeResp>(&message)) {
    on_media_handshake(channel, *resp);
  } else {
    warn(SessionWarningKind::UnexpectedMessage, channel.label(),
         std::string("ignored an unexpected ") + to_string(message_type_of(message)) + " on the " +
             channel.label() + " socket");
  }
}

void Session::Impl::on_media_handshake(Channel &channel, const DataHandshakeResp &resp) {
  const std::string &label = channel.label();
  if (resp.status_code != StatusCode::Ok) {
    fail_refused(label, resp.status_code, resp.reason);
    return;
  }
  RTMS_LOG(Session, Info, &lc, "%s: media handshake accepted", label.c_str());
  if (resp.payload_encrypted)
    warn(SessionWarningKind::EncryptedPayload, label,
         "the server says the " + label +
             " payload is encrypted although we asked for no encryption; no public source "
             "documents the cipher, payloads are read as plain");
  if (channel.accept()) {
    RTMS_LOG(Session, Info, &lc, "%s: reconnected", label.c_str());
    listener.on_reconnected(label);
  }
  uint32_t types = channel.media_type() == kMediaAll ? kMediaEveryType : channel.media_type();
  listener.on_media_ready(types, resp.media_params);
  if (signaling) signaling->send(env.codec->encode(ClientReadyAck{config.rtms_stream_id}));
  bool all_ready = std::all_of(media.begin(), media.end(),
                               [](const auto &other) { return other->ready(); });
  if (all_ready && handshake_timer) {
    RTMS_LOG(Session, Debug, &lc, "timer: every handshake answered, handshake timeout off");
    cancel_timer(handshake_timer);
  }
}

// True when the close needs nothing of the channel (see ChannelOwner).
bool Session::Impl::media_closed() {
  if (finished) return true;
  // The server announces the stream's end on signaling just before it
  // closes media; when both arrive together, read signaling first so the
  // end is not mistaken for lost media.
  if (signaling && !draining) {
    unsigned generation = media_generation;
    signaling->read_pending();
    if (generation != media_generation) return true;  // the channel went meanwhile
  }
  if (finished) return true;
  if (draining) {
    maybe_finish_drain();
    return true;
  }
  if (closing) return true;              // the signaling side decides when we are done
  if (!signaling_ready()) return true;   // signaling reconnects every media socket with it
  return false;
}

}  // namespace rtms
