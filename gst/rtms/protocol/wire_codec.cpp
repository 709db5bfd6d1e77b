#include "protocol/wire_codec.h"

#include "protocol/media_fast.h"

namespace rtms {

namespace {

class JsonWireCodec final : public WireCodec {
 public:
  const char *name() const override { return "json (RTMS V1)"; }
  FrameKind frame_kind() const override { return FrameKind::Text; }
  std::string encode(const Message &message) const override { return encode_message(message); }
  std::optional<MediaView> decode_media(std::string_view frame) const override {
    return decode_media_fast_view(frame);
  }
  // decode_message would try the fast path again first; after
  // decode_media declined, the general parser alone decides.
  Result<Message> decode(std::string_view frame) const override { return decode_message_general(frame); }
};

}  // namespace

const WireCodec &json_wire_codec() {
  static const JsonWireCodec codec;
  return codec;
}

}  // namespace rtms
