// The server side of one media WebSocket: the data handshake (validation and
// the effective params), keep-alives, and once the client is ready, the
// media this socket carries: audio, video, screen share, transcript and
// chat, each with its own streamer, for the types the handshake asked for.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <libsoup/soup.h>

#include "audio_streamer.h"
#include "text_streamer.h"
#include "video_streamer.h"
#include "fault_injector.h"
#include "handshake_checks.h"
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
  // Whether the handshake asked for audio (a media_type bit, or a params
  // block on an "all" socket); only asked-for types are sent.
  bool carries_audio() const { return (requested_ & rtms::kMediaAudio) != 0; }
  FaultTarget fault_target() { return FaultTarget{&ws_, &keepalive_}; }

  // Starts sending media (after a CLIENT_READY_ACK); audio begins at
  // `audio_interval`.
  void start_streaming(int64_t audio_interval);
  // At the end of the meeting: everything still due, then stop.
  void finish_media();
  void stop();
  // Where this socket's audio stopped, or -1 when it carried none.
  int64_t audio_position() const;
  // The next transcript (chat: false) or chat item this socket would have
  // sent, 0 when it carries none.
  size_t text_position(bool chat) const;
  void close(unsigned short code, const char *reason) { ws_.close(code, reason); }
  // A message that arrived before this peer owned the socket (routing).
  void receive(std::string_view payload) { on_message(payload); }

 private:
  enum class State { AwaitingHandshake, Established, Rejected };

  void on_message(std::string_view payload);
  void on_closed(int code, bool by_server);
  void handle_handshake(const rtms::Result<rtms::Message> &decoded, std::string_view payload);
  void reject_handshake(rtms::StatusCode status, const std::string &reason, uint32_t media_type,
                        const rtms::MediaParams *effective);
  bool send(const rtms::Message &message);
  void send_audio(const AudioMessage &message);
  // Encodes what the handshake asks for; a verdict refusing the handshake
  // when the emulator cannot produce it.
  Verdict prepare_media(const rtms::MediaParams &effective);
  void start_video();
  void start_text();
  void send_video(bool deskshare, const VideoTrack &track, const VideoFrame &frame, int64_t timestamp);
  void send_transcript(const TextItem &item);
  void send_chat(const TextItem &item);

  RtmsStream &stream_;
  std::string path_;  // the request path the client connected to
  WsConnection ws_;
  KeepAlive keepalive_;
  State state_ = State::AwaitingHandshake;
  bool is_all_ = false;
  uint32_t carried_ = 0;
  rtms::MediaParams effective_;
  uint32_t requested_ = 0;
  bool streaming_ = false;
  std::shared_ptr<const EncodedMeetingAudio> audio_;
  std::unique_ptr<AudioStreamer> audio_streamer_;
  std::shared_ptr<const EncodedMeetingVideo> video_;
  std::shared_ptr<const EncodedMeetingVideo> deskshare_;
  std::unique_ptr<VideoStreamer> video_streamer_;
  std::unique_ptr<VideoStreamer> deskshare_streamer_;
  std::unique_ptr<TextStreamer> transcript_streamer_;
  std::unique_ptr<TextStreamer> chat_streamer_;
  std::string frame_text_;  // reused for every media message, so sending does not allocate
};

}  // namespace emulator
