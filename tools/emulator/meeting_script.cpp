#include "meeting_script.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

#include <json-glib/json-glib.h>

#include "common/gref.h"
#include "script_json.h"
#include "script_media.h"
#include "video_pattern.h"

namespace emulator {
namespace {

// Fixed defaults so that two runs of the same script are byte-identical on
// the wire (apart from wall-clock timestamps).
constexpr const char *kDefaultMeetingUuid = "EmuMeetingUuid0000000001==";
constexpr const char *kDefaultStreamId = "0123456789abcdef0123456789abcdef";
constexpr const char *kDefaultSessionId = "fedcba9876543210fedcba9876543210";
constexpr const char *kDefaultOperatorId = "EmuOperator0000000001";
// Audio is encoded ahead of time and kept in memory (up to ~190 KB per
// second per track at 48 kHz stereo L16), so meetings are capped at an hour.
constexpr int64_t kMaxDurationMs = 3600 * 1000;
constexpr int64_t kMaxBufferedMs = 60 * 1000;

// The built-in meeting, also shipped as meetings/short.json.
constexpr const char *kBuiltinScript = R"({
  "duration_ms": 3000,
  "participants": [
    {"user_id": 16778240, "user_name": "Alice", "tone_hz": 440,
     "talk": [[0, 1200], [2000, 3000]]},
    {"user_id": 16779264, "user_name": "Bob", "tone_hz": 660,
     "join_ms": 200, "talk": [[1000, 2400]]}
  ]
})";

using namespace script_json;

bool is_hex32(const std::string &s) {
  return s.size() == 32 &&
         std::all_of(s.begin(), s.end(), [](char c) { return g_ascii_isxdigit(c); });
}

TalkSpan parse_span(JsonNode *node, const std::string &path) {
  JsonArray *pair = as_array(node, path);
  if (json_array_get_length(pair) != 2)
    fail(path, "expected [start_ms, end_ms]");
  TalkSpan span;
  span.start_ms = as_int(json_array_get_element(pair, 0), path + "[0]");
  span.end_ms = as_int(json_array_get_element(pair, 1), path + "[1]");
  if (span.start_ms < 0) fail(path, "start_ms must not be negative");
  if (span.end_ms <= span.start_ms)
    fail(path, "end_ms " + std::to_string(span.end_ms) +
                   " must be after start_ms " + std::to_string(span.start_ms));
  return span;
}

// Talk and camera spans: in order, not overlapping, within the presence.
std::vector<TalkSpan> parse_spans(JsonNode *node, const std::string &path, const ScriptParticipant &p,
                                  const char *what) {
  std::vector<TalkSpan> out;
  JsonArray *spans = as_array(node, path);
  for (guint i = 0; i < json_array_get_length(spans); ++i) {
    std::string span_path = index_path(path, i);
    TalkSpan span = parse_span(json_array_get_element(spans, i), span_path);
    if (span.start_ms < p.join_ms || span.end_ms > p.leave_ms)
      fail(span_path, std::string(what) + " outside the participant's presence [" + std::to_string(p.join_ms) +
                          ", " + std::to_string(p.leave_ms) + ")");
    if (!out.empty() && span.start_ms < out.back().end_ms)
      fail(span_path, "overlaps or precedes the previous span; list spans in order");
    out.push_back(span);
  }
  return out;
}

// x264 and the 4:2:0 formats need even sizes; 16 is the smallest macroblock.
void parse_video_size(JsonNode *node, const std::string &path, ScriptParticipant *p) {
  JsonArray *pair = as_array(node, path);
  if (json_array_get_length(pair) != 2) fail(path, "expected [width, height]");
  int64_t w = as_int(json_array_get_element(pair, 0), path + "[0]");
  int64_t h = as_int(json_array_get_element(pair, 1), path + "[1]");
  if (w < 16 || w > 3840 || w % 2 != 0)
    fail(path + "[0]", "width must be even and between 16 and 3840, got " + std::to_string(w));
  if (h < 16 || h > 2160 || h % 2 != 0)
    fail(path + "[1]", "height must be even and between 16 and 2160, got " + std::to_string(h));
  p->video_width = static_cast<int>(w);
  p->video_height = static_cast<int>(h);
}

ScriptParticipant parse_participant(JsonObject *object, const std::string &path,
                                    int64_t duration_ms, size_t index) {
  reject_unknown_keys(object, path,
                      {"user_id", "user_name", "tone_hz", "join_ms", "leave_ms", "talk", "camera",
                       "video_size", "video_pattern"});
  ScriptParticipant p;
  p.user_id = as_int(required(object, path, "user_id"), join_path(path, "user_id"));
  // 0 is reserved on the wire for the mixed audio stream.
  if (p.user_id <= 0 || p.user_id > G_MAXUINT32)
    fail(join_path(path, "user_id"), "must be between 1 and 4294967295 (0 means mixed audio)");
  p.user_name = as_string(required(object, path, "user_name"), join_path(path, "user_name"));
  if (p.user_name.empty()) fail(join_path(path, "user_name"), "must not be empty");
  if (JsonNode *tone = member(object, "tone_hz")) {
    p.tone_hz = as_number(tone, join_path(path, "tone_hz"));
    // Must stay below the Nyquist frequency of the lowest rate (8 kHz).
    if (!(p.tone_hz >= 50.0 && p.tone_hz <= 3800.0))
      fail(join_path(path, "tone_hz"), "must be between 50 and 3800 Hz");
  }
  if (JsonNode *join = member(object, "join_ms")) p.join_ms = as_int(join, join_path(path, "join_ms"));
  if (p.join_ms < 0 || p.join_ms >= duration_ms)
    fail(join_path(path, "join_ms"), "must be within the meeting (0 <= join_ms < duration_ms " +
                                         std::to_string(duration_ms) + ")");
  p.leave_ms = duration_ms;
  if (JsonNode *leave = member(object, "leave_ms")) {
    p.leave_ms = as_int(leave, join_path(path, "leave_ms"));
    if (p.leave_ms <= p.join_ms || p.leave_ms > duration_ms)
      fail(join_path(path, "leave_ms"), "must be after join_ms " + std::to_string(p.join_ms) +
                                            " and at most duration_ms " + std::to_string(duration_ms));
  }
  p.leaves_before_end = p.leave_ms < duration_ms;
  if (JsonNode *talk = member(object, "talk")) p.talk = parse_spans(talk, join_path(path, "talk"), p, "talks");
  if (JsonNode *camera = member(object, "camera"))
    p.camera = parse_spans(camera, join_path(path, "camera"), p, "camera on");
  else
    p.camera.push_back(TalkSpan{p.join_ms, p.leave_ms});
  if (JsonNode *size = member(object, "video_size")) parse_video_size(size, join_path(path, "video_size"), &p);
  p.video_pattern = default_camera_pattern(index);
  if (JsonNode *pattern = member(object, "video_pattern")) {
    p.video_pattern = as_string(pattern, join_path(path, "video_pattern"));
    if (!is_video_pattern(p.video_pattern))
      fail(join_path(path, "video_pattern"),
           "unknown videotestsrc pattern \"" + p.video_pattern + "\" (use " + video_pattern_list() + ")");
  }
  return p;
}

// The script form of --inject: {"kind": ..., "at_ms": ..., "socket": ...}.
Injection parse_injection_entry(JsonObject *object, const std::string &path, int64_t meeting_ms_after_t0) {
  reject_unknown_keys(object, path, {"kind", "at_ms", "socket"});
  Injection injection;
  std::string kind = as_string(required(object, path, "kind"), join_path(path, "kind"));
  if (!parse_fault_kind(kind, &injection.kind))
    fail(join_path(path, "kind"), "unknown kind \"" + kind + "\" (use " + fault_kind_list() + ")");
  injection.at_ms = as_int(required(object, path, "at_ms"), join_path(path, "at_ms"));
  if (injection.at_ms < 0) fail(join_path(path, "at_ms"), "must not be negative");
  std::string error;
  if (!check_injection_fits(injection, meeting_ms_after_t0, &error)) fail(join_path(path, "at_ms"), error);
  injection.socket = default_fault_socket(injection.kind);
  if (json_object_has_member(object, "socket")) {
    std::string socket = as_string(json_object_get_member(object, "socket"), join_path(path, "socket"));
    if (!parse_fault_socket(socket, &injection.socket))
      fail(join_path(path, "socket"), "unknown socket \"" + socket + "\" (use signaling or media)");
  }
  return injection;
}

void parse_root(JsonNode *root, MeetingScript *script) {
  JsonObject *object = as_object(root, "");
  reject_unknown_keys(object, "",
                      {"meeting_uuid", "rtms_stream_id", "rtms_session_id", "operator_id",
                       "duration_ms", "buffered_audio_ms", "binary_frames", "participants", "inject",
                       "shares", "transcript", "chat"});
  MeetingScript s;
  s.meeting_uuid = kDefaultMeetingUuid;
  s.rtms_stream_id = kDefaultStreamId;
  s.rtms_session_id = kDefaultSessionId;
  s.operator_id = kDefaultOperatorId;
  if (json_object_has_member(object, "meeting_uuid"))
    s.meeting_uuid = as_string(json_object_get_member(object, "meeting_uuid"), "meeting_uuid");
  if (s.meeting_uuid.empty()) fail("meeting_uuid", "must not be empty");
  if (json_object_has_member(object, "rtms_stream_id"))
    s.rtms_stream_id = as_string(json_object_get_member(object, "rtms_stream_id"), "rtms_stream_id");
  if (!is_hex32(s.rtms_stream_id))
    fail("rtms_stream_id", "must be 32 hexadecimal characters, got \"" + s.rtms_stream_id + "\"");
  if (json_object_has_member(object, "rtms_session_id"))
    s.rtms_session_id = as_string(json_object_get_member(object, "rtms_session_id"), "rtms_session_id");
  if (s.rtms_session_id.empty()) fail("rtms_session_id", "must not be empty");
  if (json_object_has_member(object, "operator_id"))
    s.operator_id = as_string(json_object_get_member(object, "operator_id"), "operator_id");
  if (!json_object_has_member(object, "duration_ms")) fail("duration_ms", "is required");
  s.duration_ms = as_int(json_object_get_member(object, "duration_ms"), "duration_ms");
  if (s.duration_ms <= 0 || s.duration_ms > kMaxDurationMs)
    fail("duration_ms", "must be between 1 and " + std::to_string(kMaxDurationMs));
  if (json_object_has_member(object, "buffered_audio_ms"))
    s.buffered_audio_ms = as_int(json_object_get_member(object, "buffered_audio_ms"), "buffered_audio_ms");
  if (s.buffered_audio_ms < 0 || s.buffered_audio_ms > kMaxBufferedMs ||
      s.buffered_audio_ms >= s.duration_ms)
    fail("buffered_audio_ms", "must be between 0 and 60000 and less than duration_ms");
  if (json_object_has_member(object, "binary_frames"))
    s.binary_frames = as_bool(json_object_get_member(object, "binary_frames"), "binary_frames");
  if (json_object_has_member(object, "participants")) {
    JsonArray *list = as_array(json_object_get_member(object, "participants"), "participants");
    std::set<int64_t> ids;
    for (guint i = 0; i < json_array_get_length(list); ++i) {
      std::string path = "participants[" + std::to_string(i) + "]";
      ScriptParticipant p = parse_participant(
          as_object(json_array_get_element(list, i), path), path, s.duration_ms, i);
      if (!ids.insert(p.user_id).second)
        fail(path + ".user_id", "duplicate user_id " + std::to_string(p.user_id));
      s.participants.push_back(std::move(p));
    }
  }
  if (json_object_has_member(object, "inject")) {
    JsonArray *list = as_array(json_object_get_member(object, "inject"), "inject");
    for (guint i = 0; i < json_array_get_length(list); ++i) {
      std::string path = "inject[" + std::to_string(i) + "]";
      s.injections.push_back(
          parse_injection_entry(as_object(json_array_get_element(list, i), path), path,
                                s.duration_ms - s.buffered_audio_ms));
    }
  }
  if (JsonNode *shares = member(object, "shares")) parse_shares(shares, &s);
  if (JsonNode *transcript = member(object, "transcript")) parse_transcript(transcript, &s);
  if (JsonNode *chat = member(object, "chat")) parse_chat(chat, &s);
  *script = std::move(s);
}

}  // namespace

bool ScriptParticipant::talking_at(int64_t ms) const {
  if (!present_at(ms)) return false;
  for (const auto &span : talk)
    if (ms >= span.start_ms && ms < span.end_ms) return true;
  return false;
}

bool ScriptParticipant::camera_on_at(int64_t ms) const {
  if (!present_at(ms)) return false;
  for (const auto &span : camera)
    if (ms >= span.start_ms && ms < span.end_ms) return true;
  return false;
}

int64_t ScriptParticipant::last_talk_start(int64_t ms) const {
  int64_t last = -1;
  for (const auto &span : talk)
    if (span.start_ms <= ms) last = span.start_ms;
  return last;
}

const ScriptParticipant *MeetingScript::find(int64_t user_id) const {
  for (const auto &p : participants)
    if (p.user_id == user_id) return &p;
  return nullptr;
}

bool parse_meeting_script(std::string_view json, MeetingScript *script,
                          std::string *error) {
  g_autoptr(JsonParser) parser = json_parser_new();
  g_autoptr(GError) gerror = nullptr;
  if (!json_parser_load_from_data(parser, json.data(), static_cast<gssize>(json.size()),
                                  &gerror)) {
    *error = std::string("not valid JSON: ") + gerror->message;
    return false;
  }
  try {
    parse_root(json_parser_get_root(parser), script);
  } catch (const script_json::ScriptError &e) {
    *error = e.message;
    return false;
  }
  return true;
}

bool load_meeting_script(const std::string &path, MeetingScript *script,
                         std::string *error) {
  gchar *raw = nullptr;
  gsize length = 0;
  g_autoptr(GError) gerror = nullptr;
  if (!g_file_get_contents(path.c_str(), &raw, &length, &gerror)) {
    *error = gerror->message;
    return false;
  }
  auto contents = rtms::adopt(raw);
  std::string inner;
  if (!parse_meeting_script(std::string_view(contents.get(), length), script, &inner)) {
    *error = path + ": " + inner;
    return false;
  }
  return true;
}

MeetingScript builtin_meeting_script() {
  MeetingScript script;
  std::string error;
  // The built-in text is part of this program; failing here is a bug.
  if (!parse_meeting_script(kBuiltinScript, &script, &error)) g_error("built-in script: %s", error.c_str());
  return script;
}

}  // namespace emulator
