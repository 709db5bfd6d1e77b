#include "script_media.h"

#include <string>

#include "script_json.h"
#include "video_pattern.h"

namespace emulator {
namespace {

using namespace script_json;

// Transcript languages (docs/protocol.md#transcript-languages): -1 (none) to 36.
constexpr int kMinLanguage = -1;
constexpr int kMaxLanguage = 36;

const ScriptParticipant &participant(const MeetingScript &script, JsonObject *object,
                                     const std::string &path, const char *key) {
  std::string field = join_path(path, key);
  int64_t id = as_int(required(object, path, key), field);
  const ScriptParticipant *p = script.find(id);
  if (p == nullptr) {
    std::string ids;
    for (const auto &q : script.participants) ids += (ids.empty() ? "" : ", ") + std::to_string(q.user_id);
    fail(field, "unknown user_id " + std::to_string(id) + " (participants: " + (ids.empty() ? "none" : ids) + ")");
  }
  return *p;
}

std::string non_empty_text(JsonObject *object, const std::string &path) {
  std::string text = as_string(required(object, path, "text"), join_path(path, "text"));
  if (text.empty()) fail(join_path(path, "text"), "must not be empty");
  return text;
}

// [start_ms, end_ms) of a share or an utterance: ordered, and within the
// presence of whoever it belongs to.
void read_interval(JsonObject *object, const std::string &path, const ScriptParticipant &who,
                   int64_t *start, int64_t *end) {
  *start = as_int(required(object, path, "start_ms"), join_path(path, "start_ms"));
  *end = as_int(required(object, path, "end_ms"), join_path(path, "end_ms"));
  if (*start < 0) fail(join_path(path, "start_ms"), "must not be negative");
  if (*end <= *start)
    fail(join_path(path, "end_ms"), "end_ms " + std::to_string(*end) + " must be after start_ms " +
                                        std::to_string(*start));
  if (*start < who.join_ms || *end > who.leave_ms)
    fail(path, "[" + std::to_string(*start) + ", " + std::to_string(*end) + ") is outside the presence of " +
                   who.user_name + " [" + std::to_string(who.join_ms) + ", " + std::to_string(who.leave_ms) + ")");
}

}  // namespace

void parse_shares(JsonNode *node, MeetingScript *script) {
  JsonArray *list = as_array(node, "shares");
  for (guint i = 0; i < json_array_get_length(list); ++i) {
    std::string path = index_path("shares", i);
    JsonObject *object = as_object(json_array_get_element(list, i), path);
    reject_unknown_keys(object, path, {"user_id", "start_ms", "end_ms", "pattern"});
    ScriptShare share;
    const ScriptParticipant &who = participant(*script, object, path, "user_id");
    share.user_id = who.user_id;
    read_interval(object, path, who, &share.start_ms, &share.end_ms);
    share.pattern = kDefaultSharePattern;
    if (JsonNode *pattern = member(object, "pattern")) {
      share.pattern = as_string(pattern, join_path(path, "pattern"));
      if (!is_video_pattern(share.pattern))
        fail(join_path(path, "pattern"),
             "unknown videotestsrc pattern \"" + share.pattern + "\" (use " + video_pattern_list() + ")");
    }
    // One screen is shared at a time, as in a default Zoom meeting.
    if (!script->shares.empty() && share.start_ms < script->shares.back().end_ms)
      fail(path, "overlaps or precedes shares[" + std::to_string(i - 1) +
                     "]; one share at a time, listed in order");
    script->shares.push_back(std::move(share));
  }
}

void parse_transcript(JsonNode *node, MeetingScript *script) {
  JsonArray *list = as_array(node, "transcript");
  for (guint i = 0; i < json_array_get_length(list); ++i) {
    std::string path = index_path("transcript", i);
    JsonObject *object = as_object(json_array_get_element(list, i), path);
    reject_unknown_keys(object, path, {"user_id", "start_ms", "end_ms", "text", "language"});
    ScriptTranscriptLine line;
    const ScriptParticipant &who = participant(*script, object, path, "user_id");
    line.user_id = who.user_id;
    read_interval(object, path, who, &line.start_ms, &line.end_ms);
    line.text = non_empty_text(object, path);
    if (JsonNode *language = member(object, "language")) {
      int64_t value = as_int(language, join_path(path, "language"));
      if (value < kMinLanguage || value > kMaxLanguage)
        fail(join_path(path, "language"), "must be a transcript language, -1 to 36 (9 is English), got " +
                                              std::to_string(value));
      line.language = static_cast<int>(value);
    }
    script->transcript.push_back(std::move(line));
  }
}

void parse_chat(JsonNode *node, MeetingScript *script) {
  JsonArray *list = as_array(node, "chat");
  for (guint i = 0; i < json_array_get_length(list); ++i) {
    std::string path = index_path("chat", i);
    JsonObject *object = as_object(json_array_get_element(list, i), path);
    reject_unknown_keys(object, path, {"at_ms", "from", "to", "text", "structured"});
    ScriptChat chat;
    chat.at_ms = as_int(required(object, path, "at_ms"), join_path(path, "at_ms"));
    if (chat.at_ms < 0 || chat.at_ms >= script->duration_ms)
      fail(join_path(path, "at_ms"), "must be within the meeting (0 <= at_ms < duration_ms " +
                                         std::to_string(script->duration_ms) + ")");
    const ScriptParticipant &from = participant(*script, object, path, "from");
    if (!from.present_at(chat.at_ms))
      fail(join_path(path, "from"), from.user_name + " is not in the meeting at " + std::to_string(chat.at_ms) +
                                        " ms");
    chat.from = from.user_id;
    if (member(object, "to") != nullptr) {
      const ScriptParticipant &to = participant(*script, object, path, "to");
      if (to.user_id == from.user_id) fail(join_path(path, "to"), "a participant cannot chat with themselves");
      if (!to.present_at(chat.at_ms))
        fail(join_path(path, "to"), to.user_name + " is not in the meeting at " + std::to_string(chat.at_ms) +
                                        " ms");
      chat.has_to = true;
      chat.to = to.user_id;
    }
    chat.text = non_empty_text(object, path);
    if (JsonNode *structured = member(object, "structured"))
      chat.structured = as_bool(structured, join_path(path, "structured"));
    script->chat.push_back(std::move(chat));
  }
}

}  // namespace emulator
