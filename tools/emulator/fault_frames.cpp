#include "fault_frames.h"

#include "json_text.h"
#include "protocol/messages.h"

namespace emulator {
namespace {

// An audio message that is well-formed except for its data, addressed to
// someone the client already knows about so that only the data is at fault.
std::string audio_with_data(const FaultContext &context, const std::string &data, bool with_length) {
  rtms::MediaData m;
  m.type = rtms::MessageType::MediaDataAudio;
  if (context.speaker != nullptr) {
    m.user.user_id = context.speaker->user_id;
    m.user.has_user_name = true;
    m.user.user_name = context.speaker->user_name;
  }
  m.data = data;
  m.has_length = with_length;
  m.length = 0;
  m.timestamp = context.timestamp;
  return rtms::encode_message(m);
}

std::string wrong_types(const FaultContext &context) {
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "msg_type");
  json_builder_add_int_value(b, static_cast<int>(rtms::MessageType::MediaDataAudio));
  json_builder_set_member_name(b, "content");
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "user_id");
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "id");
  json_builder_add_int_value(b, context.speaker != nullptr ? context.speaker->user_id : 0);
  json_builder_end_object(b);
  json_builder_set_member_name(b, "user_name");
  json_builder_add_string_value(b, context.speaker != nullptr ? context.speaker->user_name.c_str() : "");
  // Four zero bytes: valid data, so the only faults are the two types.
  json_builder_set_member_name(b, "data");
  json_builder_add_string_value(b, "AAAAAA==");
  json_builder_set_member_name(b, "length");
  json_builder_add_int_value(b, 4);
  json_builder_set_member_name(b, "timestamp");
  json_builder_add_string_value(b, "soon");
  json_builder_end_object(b);
  json_builder_end_object(b);
  return builder_to_text(b);
}

// Valid JSON of an unknown type, padded to the exact size: were a client to
// accept a frame this big, it would still have nothing to act on.
std::string huge_frame(int64_t bytes) {
  const std::string head = "{\"msg_type\":99,\"padding\":\"";
  const std::string tail = "\"}";
  size_t size = static_cast<size_t>(bytes);
  std::string frame;
  frame.reserve(size);
  frame += head;
  frame.append(size - head.size() - tail.size(), 'a');
  frame += tail;
  return frame;
}

std::string deep_json() {
  constexpr size_t kDepth = 100000;
  std::string frame = "{\"msg_type\":14,\"content\":";
  frame.append(kDepth, '[');
  frame.append(kDepth, ']');
  frame += "}";
  return frame;
}

std::string many_values() {
  constexpr size_t kValues = 200000;
  std::string frame = "{\"msg_type\":99,\"padding\":[";
  frame.reserve(frame.size() + 2 * kValues + 2);
  for (size_t i = 0; i < kValues; ++i) frame += i ? ",0" : "0";
  frame += "]}";
  return frame;
}

// Four zero bytes of audio from the speaker, named with an escape the
// encoder would never write (hence the text is patched after encoding).
std::string escaped_name(const FaultContext &context, const char *escaped) {
  rtms::MediaData m;
  m.type = rtms::MessageType::MediaDataAudio;
  m.user.user_id = context.speaker != nullptr ? context.speaker->user_id : 0;
  m.user.has_user_name = true;
  m.user.user_name = "OCTAL-NAME";
  m.data = "AAAAAA==";  // base64 of four zero bytes
  m.has_length = true;
  m.length = 4;
  m.timestamp = context.timestamp;
  std::string text = rtms::encode_message(m);
  size_t at = text.find("OCTAL-NAME");
  if (at != std::string::npos) text.replace(at, 10, escaped);
  return text;
}

}  // namespace

std::string build_fault_frame(FaultKind kind, const FaultContext &context) {
  switch (kind) {
    case FaultKind::MalformedJson: return "{\"msg_type\":14,\"content\":{";
    case FaultKind::NotAnObject: return "[1,2,3]";
    case FaultKind::UnknownMsgType: return "{\"msg_type\":99}";
    case FaultKind::WrongType: return wrong_types(context);
    case FaultKind::BadBase64: return audio_with_data(context, "@@@not*base64@@@", false);
    case FaultKind::EmptyData: return audio_with_data(context, "", true);
    case FaultKind::HugeFrame: return huge_frame(context.huge_frame_bytes);
    case FaultKind::BinaryJson: return rtms::encode_message(rtms::KeepAliveReq{context.keepalive_timestamp});
    case FaultKind::DeepJson: return deep_json();
    case FaultKind::ManyValues: return many_values();
    case FaultKind::OctalName: return escaped_name(context, "Ren\\351e");
    case FaultKind::SurrogateName: return escaped_name(context, "Ren\\ud800e");
    case FaultKind::Drop: return std::string();  // no frame: the socket is closed instead
    case FaultKind::UnknownEvent: {
      rtms::Event event;
      event.event_type = 77;
      event.timestamp = context.timestamp;
      return rtms::encode_message(rtms::EventUpdate{event});
    }
  }
  return {};
}

}  // namespace emulator
