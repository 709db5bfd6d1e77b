#include "text_timeline.h"

#include <algorithm>
#include <string>

namespace emulator {
namespace {

std::vector<TextItem> sorted(std::vector<TextItem> items) {
  std::stable_sort(items.begin(), items.end(),
                   [](const TextItem &a, const TextItem &b) { return a.at_ms < b.at_ms; });
  return items;
}

rtms::Participant named(const MeetingScript &script, int64_t user_id) {
  rtms::Participant p;
  p.user_id = user_id;
  p.has_user_name = true;
  if (const ScriptParticipant *who = script.find(user_id)) p.user_name = who->user_name;
  return p;
}

// Fixed ids, so two runs of a script send identical chat payloads.
std::string chat_session_id(const ScriptChat &chat) {
  if (!chat.has_to) return "EmuChatEveryone";
  int64_t low = std::min(chat.from, chat.to), high = std::max(chat.from, chat.to);
  return "EmuChat" + std::to_string(low) + "-" + std::to_string(high);
}

}  // namespace

std::vector<TextItem> transcript_schedule(const MeetingScript &script) {
  std::vector<TextItem> items;
  for (size_t i = 0; i < script.transcript.size(); ++i) items.push_back({script.transcript[i].end_ms, i});
  return sorted(std::move(items));
}

std::vector<TextItem> chat_schedule(const MeetingScript &script) {
  std::vector<TextItem> items;
  for (size_t i = 0; i < script.chat.size(); ++i) items.push_back({script.chat[i].at_ms, i});
  return sorted(std::move(items));
}

rtms::MediaData transcript_message(const MeetingScript &script, size_t index, const MeetingClock &clock) {
  const ScriptTranscriptLine &line = script.transcript.at(index);
  rtms::MediaData m;
  m.type = rtms::MessageType::MediaDataTranscript;
  m.user = named(script, line.user_id);
  m.data = line.text;
  m.has_times = true;
  m.start_time = clock.timestamp_of(line.start_ms);
  m.end_time = clock.timestamp_of(line.end_ms);
  m.timestamp = m.start_time;
  m.has_language = true;
  m.language = line.language;
  return m;
}

rtms::MediaData chat_message(const MeetingScript &script, size_t index, const MeetingClock &clock) {
  const ScriptChat &chat = script.chat.at(index);
  rtms::MediaData m;
  m.type = rtms::MessageType::MediaDataChat;
  m.user = named(script, chat.from);
  m.timestamp = clock.timestamp_of(chat.at_ms);
  rtms::ChatPayload payload;
  payload.structured = chat.structured;
  payload.text = chat.text;
  if (chat.structured) {
    payload.sender = named(script, chat.from);
    payload.has_receiver = chat.has_to;
    if (chat.has_to) payload.receiver = named(script, chat.to);
    payload.chat_session_type = static_cast<int>(chat.has_to ? rtms::ChatSessionType::Individual
                                                             : rtms::ChatSessionType::Everyone);
    payload.chat_session_id = chat_session_id(chat);
    payload.operation_type = static_cast<int>(rtms::ChatOperation::New);
    payload.message_id = "EmuChatMsg" + std::to_string(index + 1);
  }
  // Plain chat is the text itself; the protocol layer does both forms so
  // the client's parse_chat_payload reads exactly what is written here.
  m.data = rtms::encode_chat_payload(payload);
  return m;
}

}  // namespace emulator
