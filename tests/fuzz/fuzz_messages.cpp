// The message decoder (protocol/messages.h) on arbitrary text from a server.
//  * decode_message (media fast path first) and decode_message_general must
//    agree: both decode to the same encoding, or both fail with the same error.
//  * Whenever the fast path (protocol/media_fast.h) accepts, the general
//    parser must accept too, and every field of the two MediaData is equal;
//    its view form accepts the same, points into the text and holds the same.
//  * What decodes re-encodes to JSON that decodes again to the same encoding,
//    except a binary payload that is still a data: URL once its own data:
//    prefix is stripped (each decode strips one prefix, by design; such a
//    payload is not base64 and fails when it is decoded).
#include <glib.h>

#include <string>
#include <string_view>
#include <variant>

#include "fuzz_check.h"
#include "protocol/base64.h"
#include "protocol/media_fast.h"
#include "protocol/messages.h"

namespace {

void compare_field(bool equal, const char *field, std::string_view input) {
  FUZZ_CHECK(equal, std::string("fast path and general parser differ on ") + field +
                        "\ninput: " + fuzz::printable(input));
}

void compare_media(const rtms::MediaData &f, const rtms::MediaData &g, std::string_view input) {
  compare_field(f.type == g.type, "type", input);
  compare_field(f.user.user_id == g.user.user_id, "user.user_id", input);
  compare_field(f.user.user_key == g.user.user_key, "user.user_key", input);
  compare_field(f.user.user_name == g.user.user_name, "user.user_name", input);
  compare_field(f.user.has_user_name == g.user.has_user_name, "user.has_user_name", input);
  compare_field(f.channel_id == g.channel_id, "channel_id", input);
  compare_field(f.data == g.data, "data", input);
  compare_field(f.has_length == g.has_length, "has_length", input);
  compare_field(f.length == g.length, "length", input);
  compare_field(f.timestamp == g.timestamp, "timestamp", input);
  compare_field(f.has_times == g.has_times, "has_times", input);
  compare_field(f.start_time == g.start_time, "start_time", input);
  compare_field(f.end_time == g.end_time, "end_time", input);
  compare_field(f.has_language == g.has_language, "has_language", input);
  compare_field(f.language == g.language, "language", input);
  compare_field(f.attribute == g.attribute, "attribute", input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);

  auto general = rtms::decode_message_general(text);
  auto combined = rtms::decode_message(text);
  FUZZ_CHECK(general.ok() == combined.ok(),
             std::string("decode_message ") + (combined.ok() ? "decodes" : combined.error().describe()) +
                 ", general parser " + (general.ok() ? "decodes" : general.error().describe()) +
                 "\ninput: " + fuzz::printable(text));
  if (!general.ok()) {
    FUZZ_CHECK(general.error().describe() == combined.error().describe(),
               "errors differ: " + combined.error().describe() + " / " + general.error().describe());
  } else {
    FUZZ_CHECK(rtms::encode_message(*general) == rtms::encode_message(*combined),
               "encodings differ\ninput: " + fuzz::printable(text));
  }

  auto fast = rtms::decode_media_fast(text);
  if (fast) {
    FUZZ_CHECK(general.ok(), "the fast path accepted what the general parser refuses: " +
                                 general.error().describe() + "\ninput: " + fuzz::printable(text));
    FUZZ_CHECK(std::holds_alternative<rtms::MediaData>(*general),
               "the fast path read media, the general parser another message type");
    compare_media(*fast, std::get<rtms::MediaData>(*general), text);
    // The session's form of the same: views into the text, equal fields.
    auto view = rtms::decode_media_fast_view(text);
    FUZZ_CHECK(bool(view), "decode_media_fast accepted, decode_media_fast_view did not");
    for (std::string_view field : {view->data, view->user.user_key, view->user.user_name, view->channel_id})
      FUZZ_CHECK(field.empty() || (field.data() >= text.data() &&
                                   field.data() + field.size() <= text.data() + text.size()),
                 "a view points outside the text\ninput: " + fuzz::printable(text));
    compare_media(view->to_owned(), *fast, text);
  } else {
    FUZZ_CHECK(!rtms::decode_media_fast_view(text), "decode_media_fast_view accepted, decode_media_fast did not");
  }

  if (general.ok()) {
    const std::string encoded = rtms::encode_message(*general);
    FUZZ_CHECK(g_utf8_validate(encoded.data(), gssize(encoded.size()), nullptr),
               "decode_message returned text that is not UTF-8\nencoded: " + fuzz::printable(encoded) +
                   "\ninput: " + fuzz::printable(text));
    auto again = rtms::decode_message(encoded);
    FUZZ_CHECK(again.ok(), "our own encoding does not decode: " + again.error().describe() +
                               "\nencoded: " + fuzz::printable(encoded) + "\ninput: " + fuzz::printable(text));
    const auto *media = std::get_if<rtms::MediaData>(&*general);
    bool nested_data_url = media && media->data.rfind("data:", 0) == 0 &&
                           rtms::strip_data_url_prefix(media->data).size() != media->data.size();
    FUZZ_CHECK(nested_data_url || rtms::encode_message(*again) == encoded,
               "re-encoding changed\nencoded: " + fuzz::printable(encoded) +
                   "\nagain: " + fuzz::printable(rtms::encode_message(*again)));
  }
  return 0;
}
