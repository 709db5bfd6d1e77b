// A fast path for the messages that make up nearly all RTMS traffic: media
// data (msg_type 14-18). Building a json-glib tree costs several times more
// than everything else a media message needs, so the common, clean shape is
// scanned directly instead.
//
// The scanner accepts only a strict subset of JSON that it can read exactly
// as the general parser would: flat integers, strings without escapes, and
// the documented fields. Whatever falls outside (escapes, fractions, string
// ids, nested values, duplicates, errors of any kind) returns nullopt, and
// the caller decodes with the general parser, which also words the errors.
#pragma once

#include <optional>
#include <string_view>

#include "messages.h"

namespace rtms {

// The message as views of text (no copies): valid only while text is.
std::optional<MediaView> decode_media_fast_view(std::string_view text);
// The same, owned.
std::optional<MediaData> decode_media_fast(std::string_view text);

}  // namespace rtms
