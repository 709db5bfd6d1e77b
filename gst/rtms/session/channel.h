// One reconnecting connection of a session: the signaling socket, or one
// media socket. The same type serves both; what differs (the handshake, what
// the messages mean, what a close means while the stream ends) is asked of
// its ChannelOwner, the session.
//
// It owns the transport and the rules Zoom gives for losing it
// (https://developers.zoom.us/docs/rtms/meetings/failover-reconnection/):
// keep-alive answers, the silence watchdog, the reconnect window, the
// backoff between attempts, and moving on to the next URL when one cannot
// be reached on the first connection. Lives on the session's network
// thread and is used from it only.
#pragma once

#include <glib.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "network_thread.h"
#include "protocol/messages.h"
#include "session.h"
#include "transport.h"

namespace rtms {

namespace log {
struct Context;
}

enum class ChannelState {
  Connecting,   // the transport is being opened
  Handshaking,  // open; our handshake request waits for its answer
  Open,         // the handshake was accepted: streaming
  BackingOff,   // lost; the next attempt waits for its timer
  Closed,       // no transport, none coming (closed, failed or given up)
};
const char *to_string(ChannelState state);

// The delay before reconnection attempt `attempt` (from 1): base, doubling
// each time, at most 30 s (or base, if larger). Zoom's rules with the
// default 3 s base: 3, 6, 12, 24, 30, 30... s.
unsigned reconnect_backoff_ms(unsigned base_ms, unsigned attempt);

// What every channel of a session shares; owned by the session, outlives
// its channels.
struct ChannelEnv {
  NetworkThread *network = nullptr;
  TransportFactory transport_factory;
  std::shared_ptr<ssl_ctx_st> tls;  // set once the session checked its TLS settings
  const log::Context *log = nullptr;
  size_t max_message_size = 0;
  unsigned reconnect_delay_ms = 0;
  // The proxy setting (SessionConfig::proxy): a proxy URL, or empty for the
  // environment's (https_proxy, no_proxy ...: http_proxy.h).
  std::string proxy;
  // How messages are written on the wire (SessionConfig::codec).
  const WireCodec *codec = &json_wire_codec();
};

// The HTTP proxy a connection to url goes through: the setting when it is
// not empty, else the one the environment names for url's host; none when
// neither names one. False with why when the proxy named is not usable (the
// message names the variable it came from, never the URL's credentials).
bool proxy_for_url(const std::string &setting, const std::string &url,
                   std::optional<HttpProxy> *proxy, std::string *why);

class Channel;

// The session's side of a channel. Every call comes on the network thread.
class ChannelOwner {
 public:
  virtual ~ChannelOwner() = default;
  // The transport is open: the handshake request to send on it.
  virtual std::string handshake_request(Channel &channel) = 0;
  // A decoded message, keep-alive requests excepted (the channel answers them).
  virtual void on_channel_message(Channel &channel, Message &message) = 0;
  // A media message the fast path read (media_fast.h), as views of the
  // frame: valid during the call only.
  virtual void on_channel_media(Channel &channel, const MediaView &media) = 0;
  // The transport closed; detail says how, in words. True when the owner
  // dealt with it (the stream is ending...), false to let the channel treat
  // it as a loss.
  virtual bool on_channel_closed(Channel &channel, const std::string &detail) = 0;
  // The channel was declared lost and is about to reconnect.
  virtual void on_channel_lost(Channel &channel) = 0;
  // A reconnection attempt is scheduled, or begins now (the retry timer fired).
  virtual void on_channel_reconnecting(Channel &channel, unsigned attempt, unsigned delay_ms,
                                       const std::string &why) = 0;
  virtual void on_channel_retry(Channel &channel) = 0;
  // An abandoned channel's transport finished closing: the channel has
  // nothing more to deliver and may go (not from inside this call).
  virtual void on_channel_wound_down(Channel &channel) = 0;
  // Fatal for the session; the channel does nothing more.
  virtual void on_channel_error(SessionError error) = 0;
  virtual void on_channel_warning(SessionWarning warning) = 0;
  // The session is over: nothing is scheduled any more.
  virtual bool session_finished() const = 0;
};

class Channel final : public TransportEvents {
 public:
  enum class Role { Signaling, Media };

  // urls: tried in order on the first connection (more than one for
  // signaling only); reconnections use the one that worked. window_ms: how
  // long after a loss it may come back (0: a loss is fatal). media_type: a
  // media channel's MediaTypeFlags mask (or kMediaAll).
  Channel(ChannelOwner &owner, const ChannelEnv &env, Role role, std::string label,
          std::vector<std::string> urls, unsigned window_ms, uint32_t media_type = 0);
  ~Channel() override;
  Channel(const Channel &) = delete;
  Channel &operator=(const Channel &) = delete;

  Role role() const { return role_; }
  const std::string &label() const { return label_; }
  const std::string &url() const { return urls_[url_index_]; }
  uint32_t media_type() const { return media_type_; }
  ChannelState state() const { return state_; }
  bool ready() const { return state_ == ChannelState::Open; }
  // Whether media arriving now is the server's and to be delivered: while
  // streaming, and after we closed a streaming connection ourselves (a
  // media socket that goes with its signaling connection) until the
  // server's close frame, as what it sent before reading ours is genuine.
  bool delivers_media() const { return state_ == ChannelState::Open || winding_down_; }
  // Abandoned while streaming, and its transport has not closed yet.
  bool winding_down() const { return winding_down_; }
  // Lost while streaming and not back yet.
  bool reconnecting() const { return lost_at_ != 0; }
  // The transport exists and is open (also while its close is under way).
  bool transport_open() const { return transport_ && transport_->is_open(); }

  // Opens a transport to the current URL.
  void connect();
  void send(const std::string &text);
  // Delivers what already arrived on the transport.
  void read_pending();
  // Starts an orderly close of the transport.
  void close();
  // The handshake was accepted: streaming. True when this ends a
  // reconnection (the owner tells its listener).
  bool accept();
  // The server asked us to try again later (the old connection is still
  // held): as if the attempt had failed.
  void retry_later(const std::string &why);
  // The silence watchdog: a channel that is streaming and has received
  // nothing for longer than limit_us is presumed dead, dropped and
  // reconnected. True if so.
  bool check_silence(gint64 now_us, gint64 limit_us);
  // Gives up: no reconnection, the transport closes (a media channel whose
  // signaling connection was lost). What already arrived is delivered
  // first, and media still arriving before the server's close frame too.
  void abandon();
  // Server failover: drops the transport and takes other URLs, as a
  // reconnection (that the caller then starts with connect()).
  void restart(std::vector<std::string> urls);
  void cancel_retry();

  // TransportEvents
  void on_transport_open() override;
  void on_transport_failed(const TransportFailure &failure) override;
  void on_transport_message(std::string_view payload) override;
  void on_transport_closed(int code, const std::string &reason) override;

 private:
  void lost(int code, const std::string &reason, const std::string &detail);
  void schedule_reconnect(const std::string &why);
  void report_error(SessionErrorKind kind, const std::string &message, int close_code = 0,
                    const std::string &reason = std::string());
  void warn(SessionWarningKind kind, std::string message, std::string host = std::string(),
            std::string tls_cause = std::string());
  std::string describe_close(int code, const std::string &reason) const;

  ChannelOwner &owner_;
  const ChannelEnv &env_;
  const Role role_;
  const std::string label_;
  std::vector<std::string> urls_;
  size_t url_index_ = 0;
  const unsigned window_ms_;
  const uint32_t media_type_;

  std::unique_ptr<Transport> transport_;
  ChannelState state_ = ChannelState::Closed;
  bool ever_ready_ = false;  // a handshake was accepted once (a later loss is reconnected)
  bool abandoned_ = false;      // given up (abandon()): a close is no loss
  bool winding_down_ = false;  // abandoned while streaming; the close is under way
  TimerSet::Id retry_timer_ = 0;
  unsigned attempt_ = 0;     // reconnection attempts since the loss
  gint64 lost_at_ = 0;       // monotonic us of the loss; 0 while not reconnecting
  gint64 last_rx_ = 0;       // monotonic us of the last message received
};

}  // namespace rtms
