// How RTMS messages are written on the wire, behind one interface so that
// the session never depends on the format.
//
// RTMS V1, the only format any source documents (docs/protocol.md), is JSON
// text in WebSocket text frames: json_wire_codec(). Zoom announced a "V2"
// (protobuf messages, other transports) whose schema is not published; a
// codec for it implements WireCodec, a transport for it implements
// session/transport.h's Transport, and nothing between changes. No guess
// at V2's format is made here.
//
// Cost: one virtual call per message received, on top of the decoding.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "protocol/messages.h"
#include "protocol/result.h"

namespace rtms {

// How a codec's messages travel in the transport's frames.
enum class FrameKind { Text, Binary };

class WireCodec {
 public:
  virtual ~WireCodec() = default;
  // Names it in logs and errors ("json (RTMS V1)").
  virtual const char *name() const = 0;
  virtual FrameKind frame_kind() const = 0;
  virtual std::string encode(const Message &message) const = 0;
  // A received media message (audio, video, share, transcript, chat: nearly
  // all the traffic) read in place: views of frame, valid while frame is.
  // nullopt for anything else, or what this fast reading declines; decode()
  // reads those.
  virtual std::optional<MediaView> decode_media(std::string_view frame) const = 0;
  // Any received message, once decode_media declined it.
  virtual Result<Message> decode(std::string_view frame) const = 0;
};

// RTMS V1: JSON (messages.h; media through media_fast.h's fast path).
const WireCodec &json_wire_codec();

}  // namespace rtms
