// When each transcript line and chat message of the script goes out, and
// the message it becomes. A transcript line is sent when its utterance
// ends (Zoom knows the text only then); a chat message at its at_ms.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "meeting_clock.h"
#include "meeting_script.h"
#include "protocol/messages.h"

namespace emulator {

struct TextItem {
  int64_t at_ms = 0;  // meeting time it is due
  size_t index = 0;   // into script.transcript or script.chat
};

// In sending order (by due time, script order among equals).
std::vector<TextItem> transcript_schedule(const MeetingScript &script);
std::vector<TextItem> chat_schedule(const MeetingScript &script);

// msg_type 17: user, start_time/end_time (epoch ms), timestamp = start_time,
// language, and the plain UTF-8 text as data.
rtms::MediaData transcript_message(const MeetingScript &script, size_t index, const MeetingClock &clock);
// msg_type 18: user, timestamp and data, which is the text itself or, for
// structured messages, the JSON string rtms::encode_chat_payload makes.
rtms::MediaData chat_message(const MeetingScript &script, size_t index, const MeetingClock &clock);

}  // namespace emulator
