#include "script_json.h"

#include <glib.h>

namespace emulator {
namespace script_json {
namespace {

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

}  // namespace

void fail(const std::string &path, const std::string &what) {
  throw ScriptError{path.empty() ? what : path + ": " + what};
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

std::string index_path(const std::string &path, unsigned index) {
  return path + "[" + std::to_string(index) + "]";
}

JsonNode *member(JsonObject *object, const char *key) {
  return json_object_has_member(object, key) ? json_object_get_member(object, key) : nullptr;
}

JsonNode *required(JsonObject *object, const std::string &path, const char *key) {
  JsonNode *node = member(object, key);
  if (node == nullptr) fail(join_path(path, key), "is required");
  return node;
}

}  // namespace script_json
}  // namespace emulator
