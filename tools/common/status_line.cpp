#include "status_line.h"

#include <json-glib/json-glib.h>

#include "common/gref.h"
#include "protocol/json_fields.h"
#include "protocol/untrusted_text.h"

namespace tools {
namespace {

// An optional member: absent leaves *out alone; present, it must be a string
// (or null where allow_null, which reads as "").
bool read_string(JsonObject *object, const char *name, bool allow_null, std::string *out,
                   std::string *error) {
  JsonNode *node = json_object_get_member(object, name);
  if (node == nullptr) return true;
  if (allow_null && JSON_NODE_HOLDS_NULL(node)) {
    out->clear();
    return true;
  }
  if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING) {
    *error = std::string("\"") + name + "\" is not a string";
    return false;
  }
  *out = json_node_get_string(node);
  return true;
}

bool read_int(JsonObject *object, const char *name, int64_t *out, std::string *error) {
  JsonNode *node = json_object_get_member(object, name);
  if (node == nullptr) return true;
  if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_INT64) {
    *error = std::string("\"") + name + "\" is not an integer";
    return false;
  }
  *out = json_node_get_int(node);
  return true;
}

// The "webhook" object of `object` as JSON text.
bool read_webhook(JsonObject *object, const char *where, std::vector<std::string> *out, std::string *error) {
  JsonNode *webhook = json_object_get_member(object, "webhook");
  if (webhook == nullptr || !JSON_NODE_HOLDS_OBJECT(webhook)) {
    *error = std::string(where) + " has no \"webhook\" object";
    return false;
  }
  out->emplace_back(rtms::json::node_to_compact_string(webhook));
  return true;
}

bool read_emulator_ready(JsonObject *object, StatusLine *out, std::string *error) {
  if (!read_string(object, "ca_file", true, &out->ca_file, error)) return false;
  JsonNode *streams = json_object_get_member(object, "streams");
  if (streams == nullptr) return read_webhook(object, "the ready line", &out->webhooks, error);
  if (!JSON_NODE_HOLDS_ARRAY(streams)) {
    *error = "\"streams\" is not an array";
    return false;
  }
  JsonArray *list = json_node_get_array(streams);
  if (json_array_get_length(list) == 0) {
    *error = "\"streams\" is empty";
    return false;
  }
  for (guint i = 0; i < json_array_get_length(list); ++i) {
    JsonNode *entry = json_array_get_element(list, i);
    std::string where = "stream " + std::to_string(i);
    if (!JSON_NODE_HOLDS_OBJECT(entry)) {
      *error = where + " is not an object";
      return false;
    }
    if (!read_webhook(json_node_get_object(entry), where.c_str(), &out->webhooks, error)) return false;
  }
  return true;
}

bool read_ready(JsonObject *object, StatusLine *out, std::string *error) {
  if (!read_int(object, "pid", &out->pid, error)) return false;
  if (!read_string(object, "signaling_url", false, &out->signaling_url, error)) return false;
  if (!read_string(object, "url", false, &out->url, error)) return false;
  if (out->signaling_url.empty() == out->url.empty()) {
    *error = "a ready line names either \"signaling_url\" (the emulator) or \"url\" (the gateway)";
    return false;
  }
  return out->signaling_url.empty() || read_emulator_ready(object, out, error);
}

bool read_done(JsonObject *object, StatusLine *out, std::string *error) {
  if (!read_string(object, "manifest", false, &out->manifest, error)) return false;
  JsonNode *late = json_object_get_member(object, "timer_lateness_us");
  if (late == nullptr) return true;
  if (!JSON_NODE_HOLDS_OBJECT(late)) {
    *error = "\"timer_lateness_us\" is not an object";
    return false;
  }
  JsonObject *o = json_node_get_object(late);
  StatusLine::Lateness &l = out->lateness;
  return read_int(o, "runs", &l.runs, error) && read_int(o, "p50", &l.p50_us, error) &&
         read_int(o, "p99", &l.p99_us, error) && read_int(o, "max", &l.max_us, error);
}

}  // namespace

bool parse_status_line(std::string_view line, StatusLine *out, std::string *error) {
  *out = StatusLine();
  // Checked first: json-glib leaks what follows a complete value, and
  // recurses once per nesting level.
  std::string limits = rtms::json_check_limits(line);
  if (!limits.empty()) {
    *error = "not one JSON object: " + limits;
    return false;
  }
  auto parser = rtms::adopt(json_parser_new());
  rtms::GRef<GError> parse_error;
  if (!json_parser_load_from_data(parser.get(), line.data(), gssize(line.size()), parse_error.out())) {
    *error = std::string("not JSON: ") + (parse_error ? parse_error->message : "?");
    return false;
  }
  JsonNode *root = json_parser_get_root(parser.get());
  if (root == nullptr || !JSON_NODE_HOLDS_OBJECT(root)) {
    *error = "not a JSON object";
    return false;
  }
  JsonObject *object = json_node_get_object(root);
  if (!read_string(object, "event", false, &out->event, error)) return false;
  if (out->event.empty()) {
    *error = "no \"event\"";
    return false;
  }
  if (out->is("ready")) return read_ready(object, out, error);
  if (out->is("done")) return read_done(object, out, error);
  return true;
}

}  // namespace tools
