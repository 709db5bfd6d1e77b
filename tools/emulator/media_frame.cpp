#include "media_frame.h"

#include <charconv>

namespace emulator {
namespace {

// Stand-ins that the encoder writes verbatim and that cannot be confused
// with the fixed fields: the data marker is not base64 and is searched
// from the end (user_name comes before data), the numbers after it.
constexpr std::string_view kDataMarker = "@@rtms-emulator-data@@";
constexpr int64_t kLengthMarker = 918273645546372819;
constexpr int64_t kTimestampMarker = 827364554637281909;

void append_int(std::string *out, int64_t value) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  (void)ec;  // 24 characters always hold an int64
  out->append(digits, static_cast<size_t>(end - digits));
}

}  // namespace

MediaFrameTemplate::MediaFrameTemplate(rtms::MessageType type, int64_t user_id, bool has_user_name,
                                       const std::string &user_name) {
  message_.type = type;
  message_.user.user_id = user_id;
  message_.user.has_user_name = has_user_name;
  message_.user.user_name = user_name;
  message_.has_length = true;

  rtms::MediaData marked = message_;
  marked.data = std::string(kDataMarker);
  marked.length = kLengthMarker;
  marked.timestamp = kTimestampMarker;
  const std::string text = rtms::encode_message(marked);
  const std::string length_text = std::to_string(kLengthMarker);
  const std::string timestamp_text = std::to_string(kTimestampMarker);
  size_t data = text.rfind(kDataMarker);
  if (data == std::string::npos) return;
  size_t length = text.find(length_text, data + kDataMarker.size());
  if (length == std::string::npos) return;
  size_t timestamp = text.find(timestamp_text, length + length_text.size());
  if (timestamp == std::string::npos) return;
  before_data_ = text.substr(0, data);
  before_length_ = text.substr(data + kDataMarker.size(), length - data - kDataMarker.size());
  before_timestamp_ = text.substr(length + length_text.size(), timestamp - length - length_text.size());
  after_timestamp_ = text.substr(timestamp + timestamp_text.size());
  split_ = true;
}

void MediaFrameTemplate::render(std::string_view base64, int64_t length, int64_t timestamp,
                                std::string *out) const {
  if (!split_) {
    rtms::MediaData message = message_;
    message.data = std::string(base64);
    message.length = length;
    message.timestamp = timestamp;
    *out = rtms::encode_message(message);
    return;
  }
  out->clear();
  out->reserve(before_data_.size() + base64.size() + before_length_.size() + before_timestamp_.size() +
               after_timestamp_.size() + 40);
  out->append(before_data_);
  out->append(base64);
  out->append(before_length_);
  append_int(out, length);
  out->append(before_timestamp_);
  append_int(out, timestamp);
  out->append(after_timestamp_);
}

}  // namespace emulator
