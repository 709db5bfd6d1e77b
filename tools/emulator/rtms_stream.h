// One RTMS stream as Zoom runs it: the rules that span sockets (duplicate
// connections, which media sockets may stream, when the meeting starts and
// ends), the scripted timeline, and the orderly shutdown. The per-socket
// protocol lives in SignalingPeer and MediaPeer.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <libsoup/soup.h>

#include "audio_source.h"
#include "event_timeline.h"
#include "fault_injector.h"
#include "handshake_checks.h"
#include "manifest.h"
#include "media_cache.h"
#include "meeting_clock.h"
#include "meeting_script.h"
#include "options.h"
#include "text_timeline.h"
#include "timer.h"
#include "video_source.h"

namespace emulator {

class SignalingPeer;
class MediaPeer;

class RtmsStream {
 public:
  // Called once every socket is closed (or given up on) after the end.
  using EndedFn = std::function<void(rtms::StopReason reason)>;

  // `media` is shared with the other streams of the process.
  RtmsStream(const Options &options, const MeetingScript &script, Manifest &manifest, MediaCache &media,
             std::string media_url, EndedFn on_ended);
  ~RtmsStream();

  // `first_message`: what the socket already received before it was routed
  // to this stream (multi-stream mode), handled as if it arrived now.
  void accept_signaling(SoupWebsocketConnection *connection, std::string_view first_message = {});
  void accept_media(SoupWebsocketConnection *connection, std::string_view first_message = {});
  // Called each time the stream's signaling connection is lost while the
  // stream goes on (the *.rtms_interrupted webhook).
  void set_on_interrupted(std::function<void()> fn) { on_interrupted_ = std::move(fn); }
  const std::string &rtms_stream_id() const { return script_.rtms_stream_id; }
  // Ends the stream from outside (signal, client never came back).
  void end(rtms::StopReason reason);
  bool ended() const { return ended_; }

  // ---- used by the peers ----------------------------------------------------
  const Options &options() const { return options_; }
  const MeetingScript &script() const { return script_; }
  Manifest &manifest() { return manifest_; }
  const MeetingClock &clock() const { return clock_; }
  const std::string &media_url() const { return media_url_; }
  bool meeting_running() const { return running_; }

  void record_violation(const char *socket, rtms::StatusCode status, const std::string &what);

  // Signaling: whether another live signaling socket already owns the
  // stream (status 8 for the newcomer).
  bool signaling_taken_by_other(const SignalingPeer *peer) const;
  void on_signaling_established(SignalingPeer *peer);
  void on_signaling_closed(SignalingPeer *peer);
  void on_event_subscription(const rtms::EventSubscription &subscription);
  void on_ready_ack(const rtms::ClientReadyAck &ack, const char *socket);
  void on_stream_close_req(const rtms::StreamCloseReq &request);
  void on_signaling_keepalive_timeout(SignalingPeer *peer);
  rtms::SessionStateResp session_state() const;
  rtms::StreamStateResp stream_state() const;
  bool video_individual_mode() const;
  // VIDEO_SUBSCRIPTION_REQ: the answer, after applying it.
  rtms::VideoSubscriptionResp on_video_subscription(const rtms::VideoSubscriptionReq &request);
  // The participant index the individual video stream shows, -1 for none.
  int subscribed_video_track() const;

  // Media.
  bool signaling_ever_established() const { return signaling_established_once_; }
  MediaSocketsInUse media_in_use(const MediaPeer *except) const;
  // The encoded meeting audio for this format, encoded on first use (by
  // any stream of the process).
  std::shared_ptr<const EncodedMeetingAudio> audio_for(const AudioFormat &format, std::string *error);
  // The encoded cameras or screen shares for this format, encoded on first use.
  std::shared_ptr<const EncodedMeetingVideo> video_for(const VideoFormat &format, std::string *error);
  // Where a new socket's transcript or chat starts: after what an earlier
  // socket already sent, and never before t0 (Zoom buffers audio only).
  size_t text_start(bool chat) const;
  const std::vector<TextItem> &transcript_items() const { return transcript_items_; }
  const std::vector<TextItem> &chat_items() const { return chat_items_; }
  void on_media_closed(MediaPeer *peer);
  void on_media_keepalive_timeout(MediaPeer *peer);
  // A media handshake was accepted for these media types.
  void on_media_established(uint32_t types);

  // Sends an EVENT_UPDATE on signaling, when the client subscribed to its
  // type (1 and 7 always go), and records it in the manifest.
  void send_event(rtms::Event event);

 private:
  void start_meeting();
  void run_timeline();
  void send_signaling(const rtms::Message &message);
  SignalingPeer *live_signaling() const;
  // Signaling: the live socket. Media: the first established one carrying
  // audio, else the first established one.
  FaultTarget fault_target(FaultSocket socket) const;
  void close_everything();
  void wait_for_sockets(int waited_ms);
  void prune_closed_peers();

  const Options &options_;
  const MeetingScript &script_;
  Manifest &manifest_;
  MediaCache &media_;
  std::string media_url_;
  EndedFn on_ended_;
  std::function<void()> on_interrupted_;

  std::vector<std::unique_ptr<SignalingPeer>> signaling_peers_;
  std::vector<std::unique_ptr<MediaPeer>> media_peers_;
  int next_peer_id_ = 1;

  std::set<int> subscribed_events_;
  std::vector<TimelineEvent> timeline_;
  size_t next_timeline_event_ = 0;
  // Where audio resumes when a media socket comes back: Zoom keeps
  // buffering while the client reconnects, so nothing is skipped.
  int64_t audio_resume_interval_ = 0;
  std::vector<TextItem> transcript_items_;
  std::vector<TextItem> chat_items_;
  size_t transcript_resume_ = 0;
  size_t chat_resume_ = 0;
  // The participant the individual video stream shows (0: nobody).
  int64_t subscribed_video_user_ = 0;

  MeetingClock clock_;
  FaultInjector faults_;
  bool signaling_established_once_ = false;
  bool running_ = false;
  bool session_started_ = false;
  bool ended_ = false;
  // Signaling was lost while the meeting ran: the next signaling handshake
  // gets the stream and session state again.
  bool resend_state_ = false;
  // The stop reason when signaling is not re-established in time: 24 when
  // the emulator interrupted it for unanswered keep-alives, else 19.
  rtms::StopReason grace_stop_reason_ = rtms::StopReason::AwaitReconnectionTimeout;
  rtms::StopReason stop_reason_ = rtms::StopReason::Undefined;
  Timer reconnect_grace_timer_;
  // Media types whose socket was closed for unanswered keep-alives and has
  // not been re-established; the stream ends when the timer fires first.
  uint32_t media_interrupted_ = 0;
  Timer media_grace_timer_;
  Timer timeline_timer_;
  Timer shutdown_timer_;
};

}  // namespace emulator
