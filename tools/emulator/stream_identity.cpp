#include "stream_identity.h"

#include <cctype>
#include <cstdint>
#include <cstdio>

namespace emulator {

std::string id_for_stream(const std::string &base, int index) {
  if (index == 0) return base;
  size_t body = base.find_last_not_of('=');
  body = body == std::string::npos ? 0 : body + 1;
  const std::string padding = base.substr(body);
  std::string id = base.substr(0, body);
  constexpr size_t kDigits = 8;
  bool hex_tail = id.size() >= kDigits;
  bool upper = false;
  for (size_t i = id.size() - std::min(id.size(), kDigits); hex_tail && i < id.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(id[i]);
    hex_tail = std::isxdigit(c) != 0;
    upper = upper || (std::isalpha(c) && std::isupper(c));
  }
  if (!hex_tail) return id + "-" + std::to_string(index) + padding;
  uint32_t value = static_cast<uint32_t>(std::stoul(id.substr(id.size() - kDigits), nullptr, 16));
  char digits[kDigits + 1];
  std::snprintf(digits, sizeof digits, upper ? "%08X" : "%08x", value + static_cast<uint32_t>(index));
  return id.substr(0, id.size() - kDigits) + digits + padding;
}

MeetingScript script_for_stream(const MeetingScript &base, int index) {
  MeetingScript script = base;
  script.rtms_stream_id = id_for_stream(base.rtms_stream_id, index);
  script.meeting_uuid = id_for_stream(base.meeting_uuid, index);
  script.rtms_session_id = id_for_stream(base.rtms_session_id, index);
  return script;
}

}  // namespace emulator
