// Every message of the signaling and media sockets (Zoom's "Event reference",
// https://developers.zoom.us/docs/rtms/event-reference/), as typed structures, with
// encoding and decoding in both directions (the client encodes requests and
// decodes responses; the emulator does the opposite).
//
// Decoding is lenient where the sources disagree: numbers may arrive as
// strings, `stop_reason` or `reason`, `timestamp` or `event_ts`, the ZCC
// spelling `paticipant_info`, a `data:...;base64,` prefix on media. It is
// strict about everything else and says which field was wrong and how.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "enums.h"
#include "media_params.h"
#include "result.h"

namespace rtms {

// Handshake identity: which key names the instance, and its value.
struct Identity {
  Product product = Product::Meeting;
  std::string instance_id;  // meeting_uuid / webinar_uuid / session_id / ...
};
// "meeting_uuid", "webinar_uuid", "session_id", "engagement_id", "call_id".
const char *identity_key(Product product);

// A user; Text is std::string (owned, `Participant`) or std::string_view
// (views, in a MediaView).
template <class Text>
struct BasicParticipant {
  int64_t user_id = 0;
  // The id as it came on the wire when it is not a number (ZCC string ids),
  // else empty.
  Text user_key;
  Text user_name;
  bool has_user_name = false;

  // The same user with the other string type.
  template <class Other>
  BasicParticipant<Other> with_text() const {
    return {user_id, Other(user_key), Other(user_name), has_user_name};
  }
};
using Participant = BasicParticipant<std::string>;

// ---- signaling, app -> server ----------------------------------------------
struct SignalingHandshakeReq {
  int protocol_version = 1;
  int64_t sequence = 1;
  Identity identity;
  std::string rtms_stream_id;
  std::string signature;
  std::optional<bool> buffer_data;
};

struct EventSubscription {
  struct Entry {
    int event_type = 0;
    bool subscribe = true;
  };
  std::vector<Entry> events;
};

struct ClientReadyAck {
  std::string rtms_stream_id;
};

struct KeepAliveResp {
  int64_t timestamp = 0;
};

struct SessionStateReq {
  std::string rtms_session_id;
};

struct StreamStateReq {
  std::string rtms_stream_id;
};

struct StreamCloseReq {
  std::string rtms_stream_id;
};

struct VideoSubscriptionReq {
  int64_t user_id = 0;
  bool subscribe = true;
  int64_t timestamp = 0;
};

// ---- signaling, server -> app ----------------------------------------------
struct SignalingHandshakeResp {
  int protocol_version = 1;
  int64_t sequence = 0;
  StatusCode status_code = StatusCode::Ok;
  std::string reason;
  // media_server.server_urls: key ("audio", "video", "deskshare",
  // "transcript", "chat", "all") -> URL.
  std::map<std::string, std::string> media_urls;
};

struct Event {
  int event_type = 0;  // EventType or ZccVoiceEventType depending on product
  int64_t timestamp = 0;  // `timestamp`, or `event_ts` (ZCC)
  // Single-user events (active speaker, sharing start): the user.
  bool has_user = false;
  Participant user;
  // Join/leave/video on/off: the participants.
  std::vector<Participant> participants;
  // ZCC `paticipant_info` / `participant_info` fields, kept as text.
  std::map<std::string, std::string> zcc_info;
};

struct EventUpdate {
  Event event;
};

struct StreamStateUpdate {
  StreamState state = StreamState::Inactive;
  StopReason reason = StopReason::Undefined;
  int64_t timestamp = 0;
};

struct SessionStateUpdate {
  SessionState state = SessionState::Inactive;
  StopReason stop_reason = StopReason::Undefined;  // `stop_reason` or `reason`
  int64_t timestamp = 0;
  std::string rtms_session_id;
};

struct SessionStateResp {
  std::string rtms_session_id;
  SessionState state = SessionState::Inactive;
  int64_t timestamp = 0;
};

struct StreamStateResp {
  StreamState state = StreamState::Inactive;
  std::string rtms_stream_id;
  int64_t timestamp = 0;  // unit unreliable (seconds in the doc example)
};

struct StreamCloseResp {
  std::string rtms_stream_id;
  StatusCode status_code = StatusCode::Ok;
  std::string reason;
  int64_t timestamp = 0;
};

struct VideoSubscriptionResp {
  int64_t user_id = 0;
  StatusCode status_code = StatusCode::Ok;
  std::string reason;
  int64_t timestamp = 0;
};

// Sent by the server on every socket; answered with KeepAliveResp.
struct KeepAliveReq {
  int64_t timestamp = 0;
};

// ---- media, app -> server --------------------------------------------------
struct DataHandshakeReq {
  int protocol_version = 1;
  int64_t sequence = 0;
  Identity identity;
  std::string rtms_stream_id;
  std::string signature;
  uint32_t media_type = 0;  // bitmask of MediaTypeFlags
  std::optional<bool> payload_encryption;
  MediaParams media_params;
};

// ---- media, server -> app --------------------------------------------------
struct DataHandshakeResp {
  int protocol_version = 1;
  int64_t sequence = 0;
  StatusCode status_code = StatusCode::Ok;
  std::string reason;
  bool payload_encrypted = false;
  MediaParams media_params;  // the effective parameters
};

// Media data, msg_type 14..18, in two forms that differ only in Text:
//  * MediaData (Text = std::string) owns its text: what decode_message gives
//    and what the emulator encodes.
//  * MediaView (Text = std::string_view) points into the text it was read
//    from (the media fast path's result, media_fast.h), without copies; valid
//    only while that text is: the WebSocket frame during its delivery.
template <class Text>
struct BasicMediaData {
  MessageType type = MessageType::MediaDataAudio;
  BasicParticipant<Text> user;  // user_id 0 and no name: mixed audio
  Text channel_id;              // ZCC speaker channel
  // Audio/video/share: base64 text exactly as received, with any
  // `data:...;base64,` prefix already stripped (see base64.h to decode it).
  // Transcript and chat: the UTF-8 text itself.
  Text data;
  bool has_length = false;
  int64_t length = 0;           // decoded byte count, when sent
  int64_t timestamp = 0;        // ms since the epoch
  // Transcript.
  bool has_times = false;
  int64_t start_time = 0;
  int64_t end_time = 0;
  bool has_language = false;
  int language = -1;
  DataMessageAttribute attribute = DataMessageAttribute::None;

  // The same message with the other string type: the one conversion both
  // forms use.
  template <class Other>
  BasicMediaData<Other> with_text() const;
  // Views of this message (valid while it lives and is not changed).
  BasicMediaData<std::string_view> view() const { return with_text<std::string_view>(); }
  // An owned copy (the fast path gives no string user ids: user_key empty).
  BasicMediaData<std::string> to_owned() const { return with_text<std::string>(); }
};
using MediaData = BasicMediaData<std::string>;
using MediaView = BasicMediaData<std::string_view>;

template <class Text>
template <class Other>
BasicMediaData<Other> BasicMediaData<Text>::with_text() const {
  BasicMediaData<Other> m;
  m.type = type;
  m.user = user.template with_text<Other>();
  m.channel_id = Other(channel_id);
  m.data = Other(data);
  m.has_length = has_length;
  m.length = length;
  m.timestamp = timestamp;
  m.has_times = has_times;
  m.start_time = start_time;
  m.end_time = end_time;
  m.has_language = has_language;
  m.language = language;
  m.attribute = attribute;
  return m;
}

// The structured form of a chat message's `data` (forward-looking, from
// Zoom's JavaScript client library):
// a JSON string with sender, receiver, chat session and operation. Plain-text
// chat has only `text`.
struct ChatPayload {
  bool structured = false;
  std::string text;
  Participant sender;
  bool has_receiver = false;
  Participant receiver;
  int chat_session_type = 0;  // ChatSessionType
  std::string chat_session_id;
  int operation_type = 0;     // ChatOperation
  std::string message_id;
  std::string parent_message_id;
};
// Reads `data` of a chat message: structured JSON when it parses as an
// object with a sender, plain text otherwise (never an error for text).
ChatPayload parse_chat_payload(std::string_view data);
std::string encode_chat_payload(const ChatPayload &payload);

using Message = std::variant<
    SignalingHandshakeReq, SignalingHandshakeResp, DataHandshakeReq,
    DataHandshakeResp, EventSubscription, EventUpdate, ClientReadyAck,
    StreamStateUpdate, SessionStateUpdate, SessionStateReq, SessionStateResp,
    KeepAliveReq, KeepAliveResp, MediaData, StreamStateReq, StreamStateResp,
    StreamCloseReq, StreamCloseResp, VideoSubscriptionReq,
    VideoSubscriptionResp>;

// Decodes one WebSocket message (text or binary frame, both UTF-8 JSON).
// Unknown msg_type values and the reserved META_DATA_* types are errors
// ("msg_type": "unknown message type 99") so the caller can log and go on.
Result<Message> decode_message(std::string_view json);
// decode_message without the media fast path (media_fast.h): the general
// parser alone. decode_message gives the same result for every input; tests
// hold both to that.
Result<Message> decode_message_general(std::string_view json);

// Encodes any message to compact JSON, msg_type first.
std::string encode_message(const Message &message);

// The msg_type a message encodes to.
MessageType message_type_of(const Message &message);

}  // namespace rtms
