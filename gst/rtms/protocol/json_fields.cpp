#include "json_fields.h"

#include <cmath>
#include <cstdio>
#include <cstring>

#include "untrusted_text.h"

namespace rtms::json {

namespace {


// Long media payloads would drown the error message; the start is enough to
// recognise what was sent.
constexpr size_t kQuoteLimit = 40;

std::string quote(std::string_view s) {
  std::string out = "\"";
  // Cut, then repair: the cut may split a sequence, and the text may not
  // have been UTF-8 in the first place.
  if (s.size() > kQuoteLimit) {
    out.append(utf8_repair(s.substr(0, kQuoteLimit)));
    out.append("...");
  } else {
    out.append(utf8_repair(s));
  }
  out.push_back('"');
  return out;
}

std::string format_double(double d) {
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd(buf, sizeof buf, "%.17g", d);
  return buf;
}

std::string range_message(int64_t v, int64_t min, int64_t max) {
  return "value " + std::to_string(v) + " is out of range [" +
         std::to_string(min) + ", " + std::to_string(max) + "]";
}

}  // namespace

bool parse_decimal(std::string_view text, int64_t *out) {
  if (text.empty() || text.size() > 20)
    return false;
  size_t i = 0;
  bool negative = false;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    i = 1;
  }
  if (i == text.size())
    return false;
  // Accumulate as unsigned so INT64_MIN parses without overflow.
  uint64_t magnitude = 0;
  const uint64_t limit =
      negative ? uint64_t(INT64_MAX) + 1 : uint64_t(INT64_MAX);
  for (; i < text.size(); i++) {
    char c = text[i];
    if (c < '0' || c > '9')
      return false;
    uint64_t digit = uint64_t(c - '0');
    if (magnitude > (limit - digit) / 10)
      return false;
    magnitude = magnitude * 10 + digit;
  }
  *out = negative ? int64_t(0 - magnitude) : int64_t(magnitude);
  return true;
}

Result<JsonObject *> parse_object(std::string_view text, GRef<JsonParser> *parser) {
  // json-glib recurses per nesting level and builds a node per value: bound
  // both before it sees the text.
  std::string too_big = json_check_limits(text);
  if (!too_big.empty())
    return Result<JsonObject *>::fail("", too_big + "; not parsed");
  auto p = adopt(json_parser_new());
  GError *raw_error = nullptr;
  if (!json_parser_load_from_data(p.get(), text.data(),
                                  static_cast<gssize>(text.size()),
                                  &raw_error)) {
    auto error = adopt(raw_error);
    return Result<JsonObject *>::fail(
        "", std::string("not valid JSON: ") +
                (error ? error->message : "unknown parser error"));
  }
  JsonNode *root = json_parser_get_root(p.get());
  if (!root)
    return Result<JsonObject *>::fail("", "not valid JSON: empty message");
  if (!JSON_NODE_HOLDS_OBJECT(root))
    return Result<JsonObject *>::fail(
        "", "expected a JSON object, got " + describe_node(root));
  JsonObject *object = json_node_get_object(root);
  *parser = std::move(p);
  return object;
}

std::string node_to_text(JsonNode *node, bool pretty) {
  auto gen = adopt(json_generator_new());
  json_generator_set_root(gen.get(), node);
  json_generator_set_pretty(gen.get(), pretty);
  gsize length = 0;
  auto text = adopt(json_generator_to_data(gen.get(), &length));
  if (!std::memchr(text.get(), '\x1f', length)) return std::string(text.get(), length);  // nearly always
  std::string out;
  out.reserve(length + 8);
  // A raw 0x1F can only be inside a string (member name or value): JSON's
  // structure uses no control character but white space, and in UTF-8 the
  // byte is never part of another character.
  for (const char *c = text.get(), *end = c + length; c < end; ++c) {
    if (*c == '\x1f')
      out += "\\u001f";
    else
      out.push_back(*c);
  }
  return out;
}

std::string node_to_compact_string(JsonNode *node) { return node_to_text(node, false); }

std::string to_compact_string(JsonBuilder *builder) {
  auto root = adopt(json_builder_get_root(builder));
  if (!root)
    return std::string();
  return node_to_compact_string(root.get());
}

std::string describe_node(JsonNode *node) {
  if (!node)
    return "nothing";
  switch (json_node_get_node_type(node)) {
    case JSON_NODE_OBJECT:
      return "an object";
    case JSON_NODE_ARRAY:
      return "an array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
      break;
  }
  GType type = json_node_get_value_type(node);
  if (type == G_TYPE_INT64)
    return "the integer " + std::to_string(json_node_get_int(node));
  if (type == G_TYPE_DOUBLE)
    return "the number " + format_double(json_node_get_double(node));
  if (type == G_TYPE_BOOLEAN)
    return json_node_get_boolean(node) ? "true" : "false";
  if (type == G_TYPE_STRING)
    return "the string " + quote(json_node_get_string(node));
  return "a value of an unexpected type";
}

std::string join_path(const std::string &parent, std::string_view name) {
  if (parent.empty())
    return std::string(name);
  std::string out = parent;
  out.push_back('.');
  out.append(name);
  return out;
}

std::optional<int64_t> node_to_int(JsonNode *node, const std::string &field,
                                   ErrorSink *sink, int64_t min,
                                   int64_t max) {
  int64_t v = 0;
  bool parsed = false;
  if (JSON_NODE_HOLDS_VALUE(node)) {
    GType type = json_node_get_value_type(node);
    if (type == G_TYPE_INT64) {
      v = json_node_get_int(node);
      parsed = true;
    } else if (type == G_TYPE_DOUBLE) {
      // Some JSON writers emit 20.0 for an integer; a fraction is an error.
      double d = json_node_get_double(node);
      if (std::isfinite(d) && std::floor(d) == d && d >= -9.2e18 &&
          d <= 9.2e18) {
        v = static_cast<int64_t>(d);
        parsed = true;
      }
    } else if (type == G_TYPE_STRING) {
      parsed = parse_decimal(json_node_get_string(node), &v);
    }
  }
  if (!parsed) {
    sink->fail(field, "expected an integer, got " + describe_node(node));
    return std::nullopt;
  }
  if (v < min || v > max) {
    sink->fail(field, range_message(v, min, max));
    return std::nullopt;
  }
  return v;
}

std::optional<ObjectReader> node_to_object(JsonNode *node,
                                           const std::string &field,
                                           ErrorSink *sink) {
  if (!JSON_NODE_HOLDS_OBJECT(node)) {
    sink->fail(field, "expected an object, got " + describe_node(node));
    return std::nullopt;
  }
  return ObjectReader(json_node_get_object(node), field, sink);
}

JsonNode *ObjectReader::member(const char *name) const {
  JsonNode *node = json_object_get_member(object_, name);
  if (!node || JSON_NODE_HOLDS_NULL(node))
    return nullptr;
  return node;
}

bool ObjectReader::has(const char *name) const {
  return member(name) != nullptr;
}

void ObjectReader::missing(const char *name) const {
  fail(name, "missing required field");
}

std::optional<int64_t> ObjectReader::opt_int(const char *name, int64_t min,
                                             int64_t max) const {
  JsonNode *node = member(name);
  if (!node)
    return std::nullopt;
  return node_to_int(node, field(name), sink_, min, max);
}

int64_t ObjectReader::req_int(const char *name, int64_t min,
                              int64_t max) const {
  if (!has(name)) {
    missing(name);
    return 0;
  }
  return opt_int(name, min, max).value_or(0);
}

std::optional<bool> ObjectReader::opt_bool(const char *name) const {
  JsonNode *node = member(name);
  if (!node)
    return std::nullopt;
  if (JSON_NODE_HOLDS_VALUE(node)) {
    GType type = json_node_get_value_type(node);
    if (type == G_TYPE_BOOLEAN)
      return json_node_get_boolean(node) != FALSE;
    // Stringly typed and 0/1 booleans are what loosely typed senders emit.
    if (type == G_TYPE_STRING) {
      std::string_view s = json_node_get_string(node);
      if (s == "true")
        return true;
      if (s == "false")
        return false;
    }
    if (type == G_TYPE_INT64) {
      gint64 i = json_node_get_int(node);
      if (i == 0 || i == 1)
        return i == 1;
    }
  }
  fail(name, "expected a boolean, got " + describe_node(node));
  return std::nullopt;
}

bool ObjectReader::req_bool(const char *name) const {
  if (!has(name)) {
    missing(name);
    return false;
  }
  return opt_bool(name).value_or(false);
}

std::string node_string(JsonNode *node) {
  const char *text = json_node_get_string(node);
  return valid_utf8(text ? text : "");
}

std::string valid_utf8(std::string_view text) {
  return utf8_repair(text);
}

std::optional<std::string> ObjectReader::opt_string(const char *name) const {
  JsonNode *node = member(name);
  if (!node)
    return std::nullopt;
  if (JSON_NODE_HOLDS_VALUE(node) &&
      json_node_get_value_type(node) == G_TYPE_STRING)
    return node_string(node);
  fail(name, "expected a string, got " + describe_node(node));
  return std::nullopt;
}

std::string ObjectReader::req_string(const char *name) const {
  if (!has(name)) {
    missing(name);
    return std::string();
  }
  return opt_string(name).value_or(std::string());
}

std::optional<std::string> ObjectReader::opt_text(const char *name) const {
  JsonNode *node = member(name);
  if (!node)
    return std::nullopt;
  if (JSON_NODE_HOLDS_VALUE(node)) {
    GType type = json_node_get_value_type(node);
    if (type == G_TYPE_STRING)
      return node_string(node);
    if (type == G_TYPE_INT64)
      return std::to_string(json_node_get_int(node));
  }
  fail(name, "expected a string or an integer, got " + describe_node(node));
  return std::nullopt;
}

std::optional<ObjectReader> ObjectReader::opt_object(const char *name) const {
  JsonNode *node = member(name);
  if (!node)
    return std::nullopt;
  return node_to_object(node, field(name), sink_);
}

std::optional<ObjectReader> ObjectReader::req_object(const char *name) const {
  if (!has(name)) {
    missing(name);
    return std::nullopt;
  }
  return opt_object(name);
}

JsonArray *ObjectReader::opt_array(const char *name) const {
  JsonNode *node = member(name);
  if (!node)
    return nullptr;
  if (!JSON_NODE_HOLDS_ARRAY(node)) {
    fail(name, "expected an array, got " + describe_node(node));
    return nullptr;
  }
  return json_node_get_array(node);
}

JsonArray *ObjectReader::req_array(const char *name) const {
  if (!has(name)) {
    missing(name);
    return nullptr;
  }
  return opt_array(name);
}

}  // namespace rtms::json
