// The inside of a Session, shared by the files that implement it:
// session.cpp (life cycle, the end, timers), session_signaling.cpp (the
// signaling channel's role) and session_media.cpp (the media channels').
// Not for use outside the session layer.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "channel.h"
#include "log.h"
#include "network_thread.h"
#include "session.h"

namespace rtms {

struct Session::Impl final : ChannelOwner {
  Impl(SessionConfig c, SessionListener &l);

  SessionConfig config;
  SessionListener &listener;
  log::Context lc;  // every line of this session and its connections
  std::string signature;

  // Serialises start, stop and the commands of other threads; guards
  // network and started.
  std::mutex lifecycle_lock;
  NetworkLease network;  // the thread all of the below runs on
  bool started = false;

  // Everything below lives on the network thread.
  ChannelEnv env;
  std::unique_ptr<Channel> signaling;
  std::vector<std::unique_ptr<Channel>> media;
  // Media channels dropped while still winding down (signaling came back
  // before their server answered our close): they deliver what the server
  // sent before its close frame, then go (reap_retiring()).
  std::vector<std::unique_ptr<Channel>> retiring;
  TimerSet::Id reap_timer = 0;
  unsigned media_generation = 0;  // changes whenever the media channels are dropped
  std::map<std::string, std::string> media_urls;
  TimerSet::Id handshake_timer = 0;
  TimerSet::Id close_timer = 0;
  TimerSet::Id drain_timer = 0;
  TimerSet::Id silence_timer = 0;
  static constexpr unsigned kDrainGraceMs = 1000;
  bool draining = false;
  StopReason drain_reason = StopReason::Undefined;
  std::string drain_detail;
  bool closing = false;
  bool finished = false;  // the listener got on_ended or on_error
  std::string last_reconnect_error;
  int64_t media_sequence = 0;

  // ---- session.cpp: plumbing, timers, the end ---------------------------
  void invoke(std::function<void()> fn) { network->invoke(std::move(fn)); }
  TimerSet::Id add_timeout(unsigned ms, std::function<void()> fn) {
    return network->add_timeout(ms, std::move(fn));
  }
  void cancel_timer(TimerSet::Id &timer);
  void warn(SessionWarning warning);
  void warn(SessionWarningKind kind, const std::string &socket, std::string message);
  void teardown();
  void fail(SessionError error);
  // A handshake the server refused: fatal, with its status.
  void fail_refused(const std::string &socket, StatusCode status, const std::string &reason);
  void end(StopReason reason, const std::string &detail);
  void drain_then_end(StopReason reason, const std::string &detail);
  void maybe_finish_drain();
  void close_all_sockets();
  bool refuse_urls(const std::vector<std::string> &urls, const std::string &socket);
  void arm_handshake_timer();
  void handshake_timer_fired();
  void arm_silence_check();
  void check_silence();
  bool signaling_ready() const { return signaling && signaling->ready(); }
  void drop_media();
  void reap_retiring();

  // ChannelOwner: each call goes to the channel's role.
  std::string handshake_request(Channel &channel) override;
  void on_channel_message(Channel &channel, Message &message) override;
  void on_channel_media(Channel &channel, const MediaView &media) override;
  bool on_channel_closed(Channel &channel, const std::string &detail) override;
  void on_channel_lost(Channel &channel) override;
  void on_channel_reconnecting(Channel &channel, unsigned attempt, unsigned delay_ms,
                               const std::string &why) override;
  void on_channel_retry(Channel &channel) override;
  void on_channel_wound_down(Channel &channel) override;
  void on_channel_error(SessionError error) override { fail(std::move(error)); }
  void on_channel_warning(SessionWarning warning) override { warn(std::move(warning)); }
  bool session_finished() const override { return finished; }

  // ---- session_signaling.cpp ------------------------------------------
  void begin();
  std::string signaling_handshake_request();
  void on_signaling_message(Message &message);
  void on_signaling_handshake(const SignalingHandshakeResp &resp);
  bool signaling_closed(const std::string &detail);
  void do_fail_over(std::vector<std::string> urls);
  void do_request_close();

  // ---- session_media.cpp ----------------------------------------------
  void open_media_sockets();
  void open_media_socket(const std::string &url, uint32_t mask, std::string label);
  MediaParams params_for(uint32_t mask) const;
  std::string media_handshake_request(Channel &channel);
  void on_media_message(Channel &channel, Message &message);
  // Media data on a media channel, as views (the fast path) or owned.
  void on_media_data(Channel &channel, const MediaView *view, MediaData *owned);
  void on_media_handshake(Channel &channel, const DataHandshakeResp &resp);
  bool media_closed();
};

// "0x1f", for logs.
std::string hex_mask(uint32_t mask);

}  // namespace rtms
