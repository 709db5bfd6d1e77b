// Internal to the protocol layer: RAII holders for json-glib objects, and
// lenient, path-aware field getters used by every decoder.
//
// The getters share one rule set: a member that is missing or JSON null is
// "absent"; integers may also arrive as decimal strings ("16778240") because
// several public senders stringify ids; anything else of the wrong type is an
// error that names the dotted field path and what was found instead.
#pragma once

#include <json-glib/json-glib.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/gref.h"
#include "result.h"

namespace rtms::json {

// Parses text that must hold one JSON object. On success *parser owns the
// tree and the returned object lives as long as it does. Errors have an empty
// field: the whole message is at fault. Text over the JsonLimits of
// untrusted_text.h (nesting, value count) is refused before json-glib sees it.
Result<JsonObject *> parse_object(std::string_view text, GRef<JsonParser> *parser);

// Serialisation of a node (pretty: indented), or compact of a builder's
// root: the one way the project writes JSON with json-glib. Valid JSON for
// any string in it: json-glib 1.6's generator writes U+001F raw (it escapes
// the other control characters), which is not JSON; here it is written
// \u001f.
std::string node_to_text(JsonNode *node, bool pretty);
std::string to_compact_string(JsonBuilder *builder);
std::string node_to_compact_string(JsonNode *node);

// "the string \"abc\"", "the integer 5", "an object", ... for error messages.
std::string describe_node(JsonNode *node);

// Joins a parent path and a member name: ("content", "data") -> "content.data".
std::string join_path(const std::string &parent, std::string_view name);

// Error state shared by a reader and every nested reader made from it: the
// first error wins, later ones are dropped so the report names the root cause.
struct ErrorSink {
  std::optional<ProtocolError> error;
  void fail(std::string field, std::string message) {
    if (!error)
      error = ProtocolError{std::move(field), std::move(message)};
  }
  bool failed() const { return error.has_value(); }
};

// Reads the members of one JSON object. Getters named opt_* return nullopt
// for absent members; req_* record "missing required field" for them. After
// any error the caller checks sink->failed() once at the end.
class ObjectReader {
 public:
  ObjectReader(JsonObject *object, std::string path, ErrorSink *sink)
      : object_(object), path_(std::move(path)), sink_(sink) {}

  JsonObject *object() const { return object_; }
  const std::string &path() const { return path_; }
  ErrorSink *sink() const { return sink_; }
  std::string field(std::string_view name) const {
    return join_path(path_, name);
  }
  void fail(std::string_view name, std::string message) const {
    sink_->fail(field(name), std::move(message));
  }

  // Present and not null.
  bool has(const char *name) const;
  JsonNode *member(const char *name) const;

  std::optional<int64_t> opt_int(const char *name, int64_t min = INT64_MIN,
                                 int64_t max = INT64_MAX) const;
  int64_t req_int(const char *name, int64_t min = INT64_MIN,
                  int64_t max = INT64_MAX) const;

  std::optional<bool> opt_bool(const char *name) const;
  bool req_bool(const char *name) const;

  std::optional<std::string> opt_string(const char *name) const;
  std::string req_string(const char *name) const;
  // A string, or a number rendered in decimal (ids typed either way).
  std::optional<std::string> opt_text(const char *name) const;

  std::optional<ObjectReader> opt_object(const char *name) const;
  std::optional<ObjectReader> req_object(const char *name) const;

  JsonArray *opt_array(const char *name) const;
  JsonArray *req_array(const char *name) const;

  // A closed enumeration: an integer accepted only when `valid` says so,
  // otherwise "unknown <what> 42".
  template <typename E>
  std::optional<E> opt_enum(const char *name, bool (*valid)(int),
                            const char *what) const {
    auto v = opt_int(name, INT32_MIN, INT32_MAX);
    if (!v)
      return std::nullopt;
    if (!valid(static_cast<int>(*v))) {
      fail(name, "unknown " + std::string(what) + " " + std::to_string(*v));
      return std::nullopt;
    }
    return static_cast<E>(*v);
  }

 private:
  void missing(const char *name) const;

  JsonObject *object_;
  std::string path_;
  ErrorSink *sink_;
};

// Converts one node with the reader rules above; `field` is only used for the
// error message.
std::optional<int64_t> node_to_int(JsonNode *node, const std::string &field,
                                   ErrorSink *sink, int64_t min = INT64_MIN,
                                   int64_t max = INT64_MAX);
std::optional<ObjectReader> node_to_object(JsonNode *node,
                                           const std::string &field,
                                           ErrorSink *sink);

// A string node's text as valid UTF-8. json-glib 1.6 accepts octal escapes
// ("\351"), so a decoded string can hold any byte: ill-formed sequences
// become U+FFFD instead of reaching GStreamer (which refuses such tags).
std::string node_string(JsonNode *node);
// text, or a copy with ill-formed UTF-8 replaced (member names, raw text).
std::string valid_utf8(std::string_view text);

// Parses a whole decimal string as int64 (optional sign, no blanks).
bool parse_decimal(std::string_view text, int64_t *out);

}  // namespace rtms::json
