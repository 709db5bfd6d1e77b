// The server side of one media WebSocket: the data handshake (validation and
// the effective params), keep-alives, and once the client is ready, the
// media this socket carries. Only audio produces data so far; other types
// are negotiated and then stay silent, and plug in next to AudioStreamer.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <libsoup/soup.h>

#include "audio_streamer.h"
#include "fault_injector.h"
#include "protocol/messages.h"
#include "keepalive.h"
#include "ws_connection.h"

namespace emulator {

class RtmsStream;

class MediaPeer {
 public:
  MediaPeer(RtmsStream &stream, SoupWebsocketConnection *connection, int id);

  bool established() const { return state_ == State::Established; }
  bool streaming() const { return streaming_; }
  bool is_all() const { return is_all_; }
  uint32_t carried() const { return carried_; }
  const rtms::MediaParams &effective() const { return effective_; }
  bool open() const { return ws_.is_open(); }
  bool closed() const { return ws_.is_closed(); }
  const std::string &label() const { return ws_.label(); }
  bool carries_audio() const { return effective_.audio.has_value(); }
  FaultTarget fault_target() { return FaultTarget{&ws_, &keepalive_}; }

  // Starts sending media (after a CLIENT_READY_ACK); audio begins at
  // `audio_interval`.
  void start_streaming(int64_t audio_interval);
  // At the end of the meeting: everything still due, then stop.
  void finish_media();
  void stop();
  // Where this socket's audio stopped, or -1 when it carried none.
  int64_t audio_position() const;
  void close(unsigned short code, const char *reason) { ws_.close(code, reason); }

 private:
  enum class State { AwaitingHandshake, Established, Rejected };

  void on_message(std::string_view payload);
  void on_closed(int code, bool by_server);
  void handle_handshake(const rtms::Result<rtms::Message> &decoded, std::string_view payload);
  void reject_handshake(rtms::StatusCode status, const std::string &reason, uint32_t media_type,
                        const rtms::MediaParams *effective);
  bool send(const rtms::Message &message);
  void send_audio(const AudioMessage &message);

  RtmsStream &stream_;
  WsConnection ws_;
  KeepAlive keepalive_;
  State state_ = State::AwaitingHandshake;
  bool is_all_ = false;
  uint32_t carried_ = 0;
  rtms::MediaParams effective_;
  bool streaming_ = false;
  std::shared_ptr<const EncodedMeetingAudio> audio_;
  std::unique_ptr<AudioStreamer> audio_streamer_;
};

}  // namespace emulator
