// The text of a media message (audio, video or screen share), built from
// pieces instead of a JSON tree.
//
// Per message only the base64 data, the length and the timestamp change;
// the rest (msg_type, user_id, user_name) is fixed per track. The template
// is cut out of what the protocol layer's encoder produces for that track,
// so the bytes are exactly those of rtms::encode_message, and a message
// costs a few appends instead of a json-glib builder and generator.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/messages.h"

namespace emulator {

class MediaFrameTemplate {
 public:
  MediaFrameTemplate() = default;
  // `type` is MEDIA_DATA_AUDIO, _VIDEO or _SHARE; user_name is left out
  // when `has_user_name` is false (mixed audio), as the encoder does.
  MediaFrameTemplate(rtms::MessageType type, int64_t user_id, bool has_user_name, const std::string &user_name);

  // Replaces *out with the message carrying `base64` (the payload's
  // encoding), `length` (decoded size) and `timestamp`.
  void render(std::string_view base64, int64_t length, int64_t timestamp, std::string *out) const;

 private:
  rtms::MediaData message_;  // the fallback, should the encoder's layout change
  bool split_ = false;
  std::string before_data_, before_length_, before_timestamp_, after_timestamp_;
};

}  // namespace emulator
