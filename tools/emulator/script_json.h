// Typed access to the meeting script's JSON for the script parsers. Every
// accessor names the offending field when the value has the wrong type, so
// a bad script fails with "participants[1].talk[0]: ..." rather than a
// quiet default.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include <json-glib/json-glib.h>

namespace emulator {
namespace script_json {

// Thrown by the script parsers only, caught by parse_meeting_script.
struct ScriptError {
  std::string message;
};

[[noreturn]] void fail(const std::string &path, const std::string &what);

int64_t as_int(JsonNode *node, const std::string &path);
double as_number(JsonNode *node, const std::string &path);
std::string as_string(JsonNode *node, const std::string &path);
bool as_bool(JsonNode *node, const std::string &path);
JsonArray *as_array(JsonNode *node, const std::string &path);
JsonObject *as_object(JsonNode *node, const std::string &path);

// Unknown keys are errors: a misspelt "leave_ms" must not silently become
// "stays until the end".
void reject_unknown_keys(JsonObject *object, const std::string &path,
                         const std::set<std::string> &known);

std::string join_path(const std::string &path, const char *key);
std::string index_path(const std::string &path, unsigned index);

// The member, or nullptr when absent.
JsonNode *member(JsonObject *object, const char *key);
// The member, failing with "<path>.<key>: is required" when absent.
JsonNode *required(JsonObject *object, const std::string &path, const char *key);

}  // namespace script_json
}  // namespace emulator
