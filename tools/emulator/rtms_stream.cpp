#include "rtms_stream.h"

#include <algorithm>

#include "json_text.h"
#include "log.h"
#include "media_peer.h"
#include "signaling_peer.h"

namespace emulator {
namespace {

using rtms::StopReason;

int64_t now_ms() { return g_get_real_time() / 1000; }

// How long the end of the stream waits for clients to answer the close
// handshake before giving up on them.
constexpr int kCloseWaitMs = 2000;
constexpr int kClosePollMs = 20;

bool event_is_automatic(int event_type) {
  return event_type == static_cast<int>(rtms::EventType::FirstPacketTimestamp) ||
         event_type == static_cast<int>(rtms::EventType::MediaConnectionInterrupted);
}

// The script's injections first, then the command line's, in the order
// given; the manifest lists them the same way.
std::vector<Injection> all_injections(const Options &options, const MeetingScript &script) {
  std::vector<Injection> all = script.injections;
  all.insert(all.end(), options.injections.begin(), options.injections.end());
  return all;
}

}  // namespace

RtmsStream::RtmsStream(const Options &options, const MeetingScript &script, Manifest &manifest,
                       MediaCache &media, std::string media_url, EndedFn on_ended)
    : options_(options), script_(script), manifest_(manifest), media_(media), media_url_(std::move(media_url)),
      on_ended_(std::move(on_ended)), timeline_(build_event_timeline(script)),
      transcript_items_(transcript_schedule(script)), chat_items_(chat_schedule(script)),
      faults_(all_injections(options, script), options.huge_frame_bytes, script, clock_, manifest,
              [this](FaultSocket socket) { return fault_target(socket); }) {}

RtmsStream::~RtmsStream() = default;

void RtmsStream::prune_closed_peers() {
  // Only called from the server's accept path, never from inside a peer's
  // own callback, so erasing here cannot pull a peer out from under itself.
  auto gone = [](const auto &peer) { return peer->closed(); };
  signaling_peers_.erase(std::remove_if(signaling_peers_.begin(), signaling_peers_.end(), gone),
                         signaling_peers_.end());
  media_peers_.erase(std::remove_if(media_peers_.begin(), media_peers_.end(), gone), media_peers_.end());
}

void RtmsStream::accept_signaling(SoupWebsocketConnection *connection, std::string_view first_message) {
  prune_closed_peers();
  signaling_peers_.push_back(std::make_unique<SignalingPeer>(*this, connection, next_peer_id_++));
  SignalingPeer *peer = signaling_peers_.back().get();
  if (ended_) peer->close(SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "stream has ended");
  else if (!first_message.empty()) peer->receive(first_message);
}

void RtmsStream::accept_media(SoupWebsocketConnection *connection, std::string_view first_message) {
  prune_closed_peers();
  media_peers_.push_back(std::make_unique<MediaPeer>(*this, connection, next_peer_id_++));
  MediaPeer *peer = media_peers_.back().get();
  if (ended_) peer->close(SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "stream has ended");
  else if (!first_message.empty()) peer->receive(first_message);
}

void RtmsStream::record_violation(const char *socket, rtms::StatusCode status, const std::string &what) {
  tools::log_warning("client violation on %s: %s: %s", socket, rtms::describe(status).c_str(), what.c_str());
  manifest_.add_violation(socket, static_cast<int>(status), what);
}

SignalingPeer *RtmsStream::live_signaling() const {
  for (const auto &peer : signaling_peers_)
    if (peer->established() && peer->open()) return peer.get();
  return nullptr;
}

bool RtmsStream::signaling_taken_by_other(const SignalingPeer *peer) const {
  SignalingPeer *live = live_signaling();
  return live != nullptr && live != peer;
}

FaultTarget RtmsStream::fault_target(FaultSocket socket) const {
  if (socket == FaultSocket::Signaling) {
    SignalingPeer *peer = live_signaling();
    return peer != nullptr ? peer->fault_target() : FaultTarget{};
  }
  MediaPeer *fallback = nullptr;
  for (const auto &peer : media_peers_) {
    if (!peer->established() || !peer->open()) continue;
    if (peer->carries_audio()) return peer->fault_target();
    if (fallback == nullptr) fallback = peer.get();
  }
  return fallback != nullptr ? fallback->fault_target() : FaultTarget{};
}

void RtmsStream::send_signaling(const rtms::Message &message) {
  if (SignalingPeer *peer = live_signaling()) peer->send(message);
}

void RtmsStream::on_signaling_established(SignalingPeer *) {
  manifest_.count_signaling_handshake();
  signaling_established_once_ = true;
  reconnect_grace_timer_.cancel();
  grace_stop_reason_ = StopReason::AwaitReconnectionTimeout;
  if (resend_state_ && running_ && !ended_) {
    // Back after an interruption: the stream and its session go on.
    resend_state_ = false;
    tools::log_info("signaling is back; re-sending the stream and session state");
    send_signaling(rtms::StreamStateUpdate{rtms::StreamState::Active, StopReason::Undefined, now_ms()});
    send_signaling(rtms::SessionStateUpdate{rtms::SessionState::Started, StopReason::Undefined, now_ms(),
                                            script_.rtms_session_id});
  }
}

void RtmsStream::on_signaling_closed(SignalingPeer *) {
  if (ended_ || live_signaling() != nullptr) return;
  // Zoom interrupts the media connections with signaling
  // (docs/protocol.md#keep-alives, #failover-and-reconnection): the client reconnects them once signaling
  // is back. Audio stays buffered meanwhile (on_media_closed keeps where
  // each track stopped).
  for (const auto &peer : media_peers_)
    if (peer->open()) peer->close(SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "signaling connection interrupted");
  if (running_) resend_state_ = true;
  if (on_interrupted_) on_interrupted_();
  // Zoom keeps the stream (and buffers audio) while it waits for the app to
  // reconnect, then gives up.
  tools::log_info("signaling is gone; waiting %d ms for a reconnection", options_.reconnect_grace_ms);
  reconnect_grace_timer_.once(static_cast<guint>(options_.reconnect_grace_ms), [this] {
    tools::log_warning("the client did not reconnect signaling in time");
    end(grace_stop_reason_);
  });
}

void RtmsStream::on_event_subscription(const rtms::EventSubscription &subscription) {
  std::vector<int> subscribed;
  for (const auto &entry : subscription.events) {
    if (event_is_automatic(entry.event_type) || entry.event_type <= 0 ||
        entry.event_type > static_cast<int>(rtms::EventType::ChatGroupMemberStatusUpdate)) {
      record_violation("signaling", rtms::StatusCode::InvalidEventType,
                       "EVENT_SUBSCRIPTION names event_type " + std::to_string(entry.event_type) +
                           (event_is_automatic(entry.event_type) ? ", which is sent automatically and must not be subscribed"
                                                                 : ", which does not exist"));
      continue;
    }
    if (entry.subscribe) {
      subscribed_events_.insert(entry.event_type);
      subscribed.push_back(entry.event_type);
    } else {
      subscribed_events_.erase(entry.event_type);
    }
  }
  manifest_.add_event_subscription(std::move(subscribed));
}

void RtmsStream::on_ready_ack(const rtms::ClientReadyAck &ack, const char *socket) {
  manifest_.count_ready_ack();
  if (ended_) return;
  if (ack.rtms_stream_id != script_.rtms_stream_id) {
    record_violation(socket, rtms::StatusCode::InvalidClientReadyAck,
                     "CLIENT_READY_ACK carries rtms_stream_id \"" + ack.rtms_stream_id + "\", expected \"" +
                         script_.rtms_stream_id + "\"");
    return;
  }
  std::vector<MediaPeer *> ready;
  bool any_established = false;
  for (const auto &peer : media_peers_) {
    if (!peer->established() || !peer->open()) continue;
    any_established = true;
    if (!peer->streaming()) ready.push_back(peer.get());
  }
  if (!any_established) {
    record_violation(socket, rtms::StatusCode::InvalidClientReadyAck,
                     "CLIENT_READY_ACK before any successful media handshake");
    return;
  }
  if (ready.empty()) {
    tools::log_info("CLIENT_READY_ACK with every media socket already streaming (harmless)");
    return;
  }
  if (!running_) start_meeting();
  for (MediaPeer *peer : ready) peer->start_streaming(audio_resume_interval_);
}

void RtmsStream::start_meeting() {
  running_ = true;
  clock_.start(script_.buffered_audio_ms);
  tools::log_info("meeting starts (t0 %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT " ms buffered)", clock_.t0_ms,
                  clock_.buffered_ms);
  rtms::Event first;
  first.event_type = static_cast<int>(rtms::EventType::FirstPacketTimestamp);
  first.timestamp = clock_.timestamp_of(0);
  send_event(first);
  send_signaling(rtms::StreamStateUpdate{rtms::StreamState::Active, StopReason::Undefined, now_ms()});
  send_signaling(rtms::SessionStateUpdate{rtms::SessionState::Started, StopReason::Undefined, now_ms(),
                                          script_.rtms_session_id});
  session_started_ = true;
  run_timeline();
  if (!ended_) faults_.start();
}

void RtmsStream::run_timeline() {
  int64_t now = clock_.now_ms();
  while (next_timeline_event_ < timeline_.size() && timeline_[next_timeline_event_].at_ms <= now) {
    const TimelineEvent &entry = timeline_[next_timeline_event_++];
    rtms::Event event = entry.event;
    event.timestamp = clock_.timestamp_of(entry.at_ms);
    send_event(std::move(event));
  }
  if (now >= script_.duration_ms) {
    end(StopReason::MeetingEnded);
    return;
  }
  int64_t next = script_.duration_ms;
  if (next_timeline_event_ < timeline_.size()) next = std::min(next, timeline_[next_timeline_event_].at_ms);
  timeline_timer_.once(clock_.delay_until(next), [this] { run_timeline(); });
}

void RtmsStream::send_event(rtms::Event event) {
  if (!event_is_automatic(event.event_type) && subscribed_events_.count(event.event_type) == 0) return;
  SignalingPeer *peer = live_signaling();
  if (peer == nullptr) return;
  rtms::EventUpdate update{std::move(event)};
  std::string json = rtms::encode_message(update);
  peer->send(update);
  // The manifest keeps the event exactly as it went on the wire.
  rtms::GRef<JsonNode> root = parse_json_text(json);
  if (root && JSON_NODE_HOLDS_OBJECT(root.get())) {
    JsonNode *inner = json_object_get_member(json_node_get_object(root.get()), "event");
    if (inner != nullptr) manifest_.add_event(rtms::adopt(json_node_copy(inner)));
  }
}

void RtmsStream::on_stream_close_req(const rtms::StreamCloseReq &request) {
  manifest_.set_stream_close_req();
  if (ended_) return;
  tools::log_info("the client asked to close the stream");
  rtms::StreamCloseResp resp;
  resp.rtms_stream_id = request.rtms_stream_id;
  resp.timestamp = now_ms();
  send_signaling(resp);
  end(StopReason::ReceiverRequestClose);
}

void RtmsStream::on_signaling_keepalive_timeout(SignalingPeer *peer) {
  if (ended_) return;
  peer->stop_keepalive();
  // Zoom interrupts the connection and keeps the stream for the reconnect
  // window (docs/protocol.md#keep-alives); closing the socket leads to
  // on_signaling_closed, which interrupts media and starts the window.
  record_violation("signaling", rtms::StatusCode::Ok,
                   std::to_string(options_.keepalive_misses) +
                       " signaling keep-alives in a row went unanswered; interrupting the connection");
  peer->send(rtms::StreamStateUpdate{rtms::StreamState::Interrupted, StopReason::KeepAliveTimeout, now_ms()});
  grace_stop_reason_ = StopReason::KeepAliveTimeout;
  peer->close(SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "keep-alive timeout");
}

rtms::SessionStateResp RtmsStream::session_state() const {
  rtms::SessionStateResp resp;
  resp.rtms_session_id = script_.rtms_session_id;
  resp.state = ended_ ? rtms::SessionState::Stopped
               : session_started_ ? rtms::SessionState::Started
                                  : rtms::SessionState::Initialize;
  resp.timestamp = now_ms();
  return resp;
}

rtms::StreamStateResp RtmsStream::stream_state() const {
  rtms::StreamStateResp resp;
  resp.rtms_stream_id = script_.rtms_stream_id;
  resp.state = ended_ ? rtms::StreamState::Terminated
               : running_ ? rtms::StreamState::Active
                          : rtms::StreamState::Inactive;
  resp.timestamp = now_ms();
  return resp;
}

bool RtmsStream::video_individual_mode() const {
  for (const auto &peer : media_peers_)
    if (peer->established() && peer->open() && peer->effective().video &&
        peer->effective().video->data_opt == rtms::DataOption::VideoSingleIndividualStream)
      return true;
  return false;
}

rtms::VideoSubscriptionResp RtmsStream::on_video_subscription(const rtms::VideoSubscriptionReq &request) {
  rtms::VideoSubscriptionResp resp;
  resp.user_id = request.user_id;
  resp.timestamp = now_ms();
  resp.reason = "OK";
  if (!video_individual_mode()) {
    resp.status_code = rtms::StatusCode::InvalidMediaVideoDataOpt;
    resp.reason = "VIDEO_SUBSCRIPTION_REQ needs video data_opt 4 (VIDEO_SINGLE_INDIVIDUAL_STREAM)";
  } else if (script_.find(request.user_id) == nullptr) {
    resp.status_code = rtms::StatusCode::InvalidPayload;
    resp.reason = "user_id " + std::to_string(request.user_id) + " is not a participant of this meeting";
  } else if (request.subscribe && request.user_id == subscribed_video_user_) {
    resp.status_code = rtms::StatusCode::DuplicateVideoSubscription;
    resp.reason = "already subscribed to the video of user_id " + std::to_string(request.user_id);
  } else if (request.subscribe) {
    // One individual stream at a time: a new subscription replaces the old.
    subscribed_video_user_ = request.user_id;
    tools::log_info("individual video now shows user_id %" G_GINT64_FORMAT, request.user_id);
  } else if (request.user_id == subscribed_video_user_) {
    subscribed_video_user_ = 0;
    tools::log_info("individual video stopped");
  }
  if (resp.status_code != rtms::StatusCode::Ok) record_violation("signaling", resp.status_code, resp.reason);
  manifest_.add_video_subscription(request.user_id, request.subscribe, static_cast<int>(resp.status_code));
  return resp;
}

int RtmsStream::subscribed_video_track() const {
  for (size_t i = 0; i < script_.participants.size(); ++i)
    if (script_.participants[i].user_id == subscribed_video_user_) return static_cast<int>(i);
  return -1;
}

MediaSocketsInUse RtmsStream::media_in_use(const MediaPeer *except) const {
  MediaSocketsInUse in_use;
  for (const auto &peer : media_peers_) {
    if (peer.get() == except || !peer->established() || !peer->open()) continue;
    if (peer->is_all()) in_use.all = true;
    else in_use.split |= peer->carried();
  }
  return in_use;
}

std::shared_ptr<const EncodedMeetingAudio> RtmsStream::audio_for(const AudioFormat &format,
                                                                 std::string *error) {
  return media_.audio_for(format, error);
}

std::shared_ptr<const EncodedMeetingVideo> RtmsStream::video_for(const VideoFormat &format, std::string *error) {
  return media_.video_for(format, error);
}

size_t RtmsStream::text_start(bool chat) const {
  const std::vector<TextItem> &items = chat ? chat_items_ : transcript_items_;
  size_t first = 0;
  while (first < items.size() && items[first].at_ms < script_.buffered_audio_ms) ++first;
  return std::max(first, chat ? chat_resume_ : transcript_resume_);
}

void RtmsStream::on_media_closed(MediaPeer *peer) {
  int64_t position = peer->audio_position();
  if (position >= 0) audio_resume_interval_ = std::max(audio_resume_interval_, position);
  transcript_resume_ = std::max(transcript_resume_, peer->text_position(false));
  chat_resume_ = std::max(chat_resume_, peer->text_position(true));
  if (ended_ || !running_) return;
  rtms::Event event;
  event.event_type = static_cast<int>(rtms::EventType::MediaConnectionInterrupted);
  event.timestamp = now_ms();
  send_event(event);
}

// Zoom interrupts that media connection and ends the stream if it is not
// re-established within 65 s (rtms-protocol.md 5.2; the stop reason is not
// documented: 24 KEEP_ALIVE_TIMEOUT, as for signaling).
void RtmsStream::on_media_keepalive_timeout(MediaPeer *peer) {
  if (ended_) return;
  record_violation("media", rtms::StatusCode::Ok,
                   std::to_string(options_.keepalive_misses) + " media keep-alives in a row went unanswered on " +
                       peer->label() + "; closing that socket, " + std::to_string(options_.media_reconnect_grace_ms) +
                       " ms to re-establish it");
  bool first = media_interrupted_ == 0;
  media_interrupted_ |= peer->carried();
  peer->close(SOUP_WEBSOCKET_CLOSE_NORMAL, "keep-alive timeout");
  if (!first || media_interrupted_ == 0) return;
  media_grace_timer_.once(static_cast<guint>(options_.media_reconnect_grace_ms), [this] {
    if (ended_ || media_interrupted_ == 0) return;
    tools::log_info("media (%s) not re-established within %d ms after its keep-alive timeout",
                    rtms::media_type_names(media_interrupted_).c_str(), options_.media_reconnect_grace_ms);
    end(StopReason::KeepAliveTimeout);
  });
}

void RtmsStream::on_media_established(uint32_t types) {
  if (media_interrupted_ == 0) return;
  media_interrupted_ &= ~types;
  if (media_interrupted_ == 0) {
    tools::log_info("media re-established after its keep-alive timeout");
    media_grace_timer_.cancel();
  }
}

void RtmsStream::end(StopReason reason) {
  if (ended_) return;
  ended_ = true;
  stop_reason_ = reason;
  manifest_.set_stop_reason(static_cast<int>(reason));
  tools::log_info("stream ends: %s", rtms::describe(reason).c_str());
  timeline_timer_.cancel();
  reconnect_grace_timer_.cancel();
  media_grace_timer_.cancel();
  faults_.stop();
  for (const auto &peer : signaling_peers_) peer->stop_keepalive();
  if (reason == StopReason::MeetingEnded) {
    for (const auto &peer : media_peers_) peer->finish_media();
    rtms::Event leave = final_leave_event(script_);
    leave.timestamp = clock_.timestamp_of(script_.duration_ms);
    if (!leave.participants.empty()) send_event(std::move(leave));
  } else {
    for (const auto &peer : media_peers_) peer->stop();
  }
  send_signaling(rtms::StreamStateUpdate{rtms::StreamState::Terminated, reason, now_ms()});
  if (session_started_)
    send_signaling(rtms::SessionStateUpdate{rtms::SessionState::Stopped, reason, now_ms(), script_.rtms_session_id});
  close_everything();
  wait_for_sockets(0);
}

void RtmsStream::close_everything() {
  for (const auto &peer : media_peers_) peer->close(SOUP_WEBSOCKET_CLOSE_NORMAL, "stream ended");
  for (const auto &peer : signaling_peers_) peer->close(SOUP_WEBSOCKET_CLOSE_NORMAL, "stream ended");
}

void RtmsStream::wait_for_sockets(int waited_ms) {
  bool all_closed = std::all_of(signaling_peers_.begin(), signaling_peers_.end(),
                                [](const auto &p) { return p->closed(); }) &&
                    std::all_of(media_peers_.begin(), media_peers_.end(), [](const auto &p) { return p->closed(); });
  if (all_closed || waited_ms >= kCloseWaitMs) {
    if (!all_closed) tools::log_warning("some clients did not finish the close handshake in time");
    // Deferred, so the owner may tear this object down from its callback.
    shutdown_timer_.once(0, [this] { on_ended_(stop_reason_); });
    return;
  }
  shutdown_timer_.once(kClosePollMs, [this, waited_ms] { wait_for_sockets(waited_ms + kClosePollMs); });
}

}  // namespace emulator
