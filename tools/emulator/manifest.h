// What happened during the run, written as JSON when the stream ends: the
// record end-to-end tests compare against what their client received.
// Key names are a contract (docs/emulator.md); do not rename them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/gref.h"
#include "payload_sequence.h"
#include "protocol/media_params.h"

namespace emulator {

class Manifest {
 public:
  struct KeepAliveCount {
    int64_t sent = 0;
    int64_t answered = 0;
    int64_t skipped_busy = 0;  // intervals with data flowing: no request sent
  };

  Manifest(std::string rtms_stream_id, std::string meeting_uuid);

  void count_signaling_handshake() { ++signaling_handshakes_; }
  void add_media_handshake(uint32_t media_type, int status_code,
                           const rtms::MediaParams *effective, const std::string &path);
  void count_ready_ack() { ++ready_acks_; }
  void add_event_subscription(std::vector<int> event_types);
  void set_stream_close_req() { stream_close_req_ = true; }
  KeepAliveCount &signaling_keepalives() { return signaling_keepalives_; }
  KeepAliveCount &media_keepalives() { return media_keepalives_; }
  // One audio message as sent: payload `index` of its track's sequence
  // (the decoded bytes) and its timestamp. The sequence must outlive the
  // manifest's last to_json().
  void add_audio(int64_t user_id, const std::string &user_name, const PayloadSequence &sequence,
                 size_t index, int64_t timestamp);
  // One video or screen-share frame as sent (on the stream named by
  // `deskshare`), counted under the participant it shows.
  void add_video(bool deskshare, int64_t user_id, const std::string &user_name, const uint8_t *data,
                 size_t size, int64_t timestamp, bool keyframe);
  void add_transcript(int64_t user_id, const std::string &user_name, int64_t start_time, int64_t end_time,
                      int language, const std::string &text);
  // to: the receiver's user_id, or 0 for everyone.
  void add_chat(int64_t user_id, const std::string &user_name, int64_t timestamp, const std::string &text,
                bool structured, int64_t to);
  void add_video_subscription(int64_t user_id, bool subscribe, int status_code);
  // The `event` object of an EVENT_UPDATE as it went on the wire.
  void add_event(rtms::GRef<JsonNode> event);
  void add_violation(const char *socket, int status_code, std::string what);
  void set_stop_reason(int reason) { stop_reason_ = reason; }
  // Every configured fault injection, listed up front as not sent; the
  // index returned is what mark_injection_sent takes.
  size_t add_injection(const char *kind, const char *socket, int64_t at_ms);
  void mark_injection_sent(size_t index) { injections_.at(index).sent = true; }
  // How a socket closed: the code of whoever started the close.
  void add_close(const char *socket, int code, bool by_server);

  std::string to_json() const;
  bool write(const std::string &path, std::string *error) const;

 private:
  struct MediaHandshake {
    uint32_t media_type;
    int status_code;
    bool has_effective;
    rtms::MediaParams effective;
    std::string path;
  };
  // While a user's messages are exactly the first `packets` of one
  // sequence (the usual case), the digest is the sequence's shared prefix
  // digest and nothing is hashed per message; the first message that
  // breaks that pattern switches the tally to hashing its own copy.
  struct AudioTally {
    std::string user_name;
    int64_t packets = 0;
    int64_t bytes = 0;
    int64_t first_ts = 0;
    int64_t last_ts = 0;
    const PayloadSequence *prefix_of = nullptr;
    rtms::GRef<GChecksum> sha256;  // once the messages are no longer a prefix
    std::string digest() const;
  };
  struct VideoTally {
    std::string user_name;
    int64_t frames = 0;
    int64_t bytes = 0;
    int64_t first_ts = 0;
    int64_t last_ts = 0;
    int64_t keyframes = 0;
    rtms::GRef<GChecksum> sha256;
  };
  struct TranscriptRecord {
    int64_t user_id;
    std::string user_name;
    int64_t start_time;
    int64_t end_time;
    int language;
    std::string text;
  };
  struct ChatRecord {
    int64_t user_id;
    std::string user_name;
    int64_t timestamp;
    std::string text;
    bool structured;
    int64_t to;
  };
  struct SubscriptionRecord {
    int64_t user_id;
    bool subscribe;
    int status_code;
  };
  struct Violation {
    std::string socket;
    int status_code;
    std::string what;
  };

  std::string rtms_stream_id_;
  std::string meeting_uuid_;
  int64_t signaling_handshakes_ = 0;
  std::vector<MediaHandshake> media_handshakes_;
  int64_t ready_acks_ = 0;
  std::vector<std::vector<int>> event_subscriptions_;
  bool stream_close_req_ = false;
  KeepAliveCount signaling_keepalives_;
  KeepAliveCount media_keepalives_;
  std::map<int64_t, AudioTally> audio_;
  std::map<int64_t, VideoTally> video_;
  std::map<int64_t, VideoTally> deskshare_;
  std::vector<TranscriptRecord> transcript_;
  std::vector<ChatRecord> chat_;
  std::vector<SubscriptionRecord> video_subscriptions_;
  std::vector<rtms::GRef<JsonNode>> events_;
  std::vector<Violation> violations_;
  struct InjectionRecord {
    std::string kind;
    std::string socket;
    int64_t at_ms;
    bool sent;
  };
  std::vector<InjectionRecord> injections_;
  struct Close {
    std::string socket;
    int code;
    bool by_server;
  };
  std::vector<Close> closes_;
  int stop_reason_ = 0;
};

}  // namespace emulator
