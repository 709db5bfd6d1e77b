#include "meeting_script.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <json-glib/json-glib.h>

#include "glib_ptr.h"

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

// Thrown inside this file only, caught by parse_meeting_script.
struct ScriptError {
  std::string message;
};

[[noreturn]] void fail(const std::string &path, const std::string &what) {
  throw ScriptError{path.empty() ? what : path + ": " + what};
}

const char *node_kind(JsonNode *node) {
  switch (JSON_NODE_TYPE(node)) {
    case JSON_NODE_OBJECT: return "an object";
    case JSON_NODE_ARRAY: return "an array";
    case JSON_NODE_NULL: return "null";
    case JSON_NODE_VALUE: {
      GType type = json_node_get_value_type(node);
      if (type == G_TYPE_STRING) return "a string";
      if (type == G_TYPE_BOOLEAN) return "a boolean";
      if (type == G_TYPE_DOUBLE) return "a fractional number";
      return "a number";
    }
  }
  return "something else";
}

int64_t as_int(JsonNode *node, const std::string &path) {
  if (JSON_NODE_TYPE(node) != JSON_NODE_VALUE ||
      json_node_get_value_type(node) != G_TYPE_INT64)
    fail(path, std::string("expected an integer, got ") + node_kind(node));
  return json_node_get_int(node);
}

double as_number(JsonNode *node, const std::string &path) {
  if (JSON_NODE_TYPE(node) == JSON_NODE_VALUE) {
    GType type = json_node_get_value_type(node);
    if (type == G_TYPE_INT64) return static_cast<double>(json_node_get_int(node));
    if (type == G_TYPE_DOUBLE) return json_node_get_double(node);
  }
  fail(path, std::string("expected a number, got ") + node_kind(node));
}

std::string as_string(JsonNode *node, const std::string &path) {
  if (JSON_NODE_TYPE(node) != JSON_NODE_VALUE ||
      json_node_get_value_type(node) != G_TYPE_STRING)
    fail(path, std::string("expected a string, got ") + node_kind(node));
  return json_node_get_string(node);
}

bool as_bool(JsonNode *node, const std::string &path) {
  if (JSON_NODE_TYPE(node) != JSON_NODE_VALUE ||
      json_node_get_value_type(node) != G_TYPE_BOOLEAN)
    fail(path, std::string("expected true or false, got ") + node_kind(node));
  return json_node_get_boolean(node);
}

JsonArray *as_array(JsonNode *node, const std::string &path) {
  if (!JSON_NODE_HOLDS_ARRAY(node))
    fail(path, std::string("expected an array, got ") + node_kind(node));
  return json_node_get_array(node);
}

JsonObject *as_object(JsonNode *node, const std::string &path) {
  if (!JSON_NODE_HOLDS_OBJECT(node))
    fail(path, std::string("expected an object, got ") + node_kind(node));
  return json_node_get_object(node);
}

// Unknown keys are errors: a misspelt "leave_ms" must not silently become
// "stays until the end".
void reject_unknown_keys(JsonObject *object, const std::string &path,
                         const std::set<std::string> &known) {
  g_autoptr(GList) members = json_object_get_members(object);
  for (GList *l = members; l != nullptr; l = l->next) {
    const char *name = static_cast<const char *>(l->data);
    if (known.count(name) == 0) {
      std::string list;
      for (const auto &k : known) list += (list.empty() ? "" : ", ") + k;
      fail(path.empty() ? name : path + "." + name,
           "unknown field (known fields: " + list + ")");
    }
  }
}

std::string join_path(const std::string &path, const char *key) {
  return path.empty() ? key : path + "." + key;
}

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

ScriptParticipant parse_participant(JsonObject *object, const std::string &path,
                                    int64_t duration_ms) {
  reject_unknown_keys(object, path,
                      {"user_id", "user_name", "tone_hz", "join_ms", "leave_ms", "talk"});
  ScriptParticipant p;
  if (!json_object_has_member(object, "user_id")) fail(join_path(path, "user_id"), "is required");
  p.user_id = as_int(json_object_get_member(object, "user_id"), join_path(path, "user_id"));
  // 0 is reserved on the wire for the mixed audio stream.
  if (p.user_id <= 0 || p.user_id > G_MAXUINT32)
    fail(join_path(path, "user_id"), "must be between 1 and 4294967295 (0 means mixed audio)");
  if (!json_object_has_member(object, "user_name")) fail(join_path(path, "user_name"), "is required");
  p.user_name = as_string(json_object_get_member(object, "user_name"), join_path(path, "user_name"));
  if (p.user_name.empty()) fail(join_path(path, "user_name"), "must not be empty");
  if (json_object_has_member(object, "tone_hz")) {
    p.tone_hz = as_number(json_object_get_member(object, "tone_hz"), join_path(path, "tone_hz"));
    // Must stay below the Nyquist frequency of the lowest rate (8 kHz).
    if (!(p.tone_hz >= 50.0 && p.tone_hz <= 3800.0))
      fail(join_path(path, "tone_hz"), "must be between 50 and 3800 Hz");
  }
  if (json_object_has_member(object, "join_ms"))
    p.join_ms = as_int(json_object_get_member(object, "join_ms"), join_path(path, "join_ms"));
  if (p.join_ms < 0 || p.join_ms >= duration_ms)
    fail(join_path(path, "join_ms"), "must be within the meeting (0 <= join_ms < duration_ms " +
                                         std::to_string(duration_ms) + ")");
  p.leave_ms = duration_ms;
  if (json_object_has_member(object, "leave_ms")) {
    p.leave_ms = as_int(json_object_get_member(object, "leave_ms"), join_path(path, "leave_ms"));
    if (p.leave_ms <= p.join_ms || p.leave_ms > duration_ms)
      fail(join_path(path, "leave_ms"), "must be after join_ms " + std::to_string(p.join_ms) +
                                            " and at most duration_ms " + std::to_string(duration_ms));
  }
  p.leaves_before_end = p.leave_ms < duration_ms;
  if (json_object_has_member(object, "talk")) {
    std::string talk_path = join_path(path, "talk");
    JsonArray *spans = as_array(json_object_get_member(object, "talk"), talk_path);
    for (guint i = 0; i < json_array_get_length(spans); ++i) {
      std::string span_path = talk_path + "[" + std::to_string(i) + "]";
      TalkSpan span = parse_span(json_array_get_element(spans, i), span_path);
      if (span.start_ms < p.join_ms || span.end_ms > p.leave_ms)
        fail(span_path, "talks outside the participant's presence [" + std::to_string(p.join_ms) +
                            ", " + std::to_string(p.leave_ms) + ")");
      if (!p.talk.empty() && span.start_ms < p.talk.back().end_ms)
        fail(span_path, "overlaps or precedes the previous span; list spans in order");
      p.talk.push_back(span);
    }
  }
  return p;
}

// The script form of --inject: {"kind": ..., "at_ms": ..., "socket": ...}.
Injection parse_injection_entry(JsonObject *object, const std::string &path, int64_t meeting_ms_after_t0) {
  reject_unknown_keys(object, path, {"kind", "at_ms", "socket"});
  Injection injection;
  if (!json_object_has_member(object, "kind")) fail(join_path(path, "kind"), "is required");
  std::string kind = as_string(json_object_get_member(object, "kind"), join_path(path, "kind"));
  if (!parse_fault_kind(kind, &injection.kind))
    fail(join_path(path, "kind"), "unknown kind \"" + kind + "\" (use " + fault_kind_list() + ")");
  if (!json_object_has_member(object, "at_ms")) fail(join_path(path, "at_ms"), "is required");
  injection.at_ms = as_int(json_object_get_member(object, "at_ms"), join_path(path, "at_ms"));
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
                       "duration_ms", "buffered_audio_ms", "binary_frames", "participants", "inject"});
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
          as_object(json_array_get_element(list, i), path), path, s.duration_ms);
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
  *script = std::move(s);
}

}  // namespace

bool ScriptParticipant::talking_at(int64_t ms) const {
  if (!present_at(ms)) return false;
  for (const auto &span : talk)
    if (ms >= span.start_ms && ms < span.end_ms) return true;
  return false;
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
  } catch (const ScriptError &e) {
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
  GCharPtr contents(raw);
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
