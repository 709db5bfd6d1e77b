#include "json_text.h"

#include "protocol/json_fields.h"
#include "protocol/untrusted_text.h"

namespace emulator {

std::string to_json_text(JsonNode *node, bool pretty) { return rtms::json::node_to_text(node, pretty); }

std::string builder_to_text(JsonBuilder *builder, bool pretty) {
  auto root = rtms::adopt(json_builder_get_root(builder));
  return to_json_text(root.get(), pretty);
}

rtms::GRef<JsonNode> parse_json_text(std::string_view text) {
  // What clients send is untrusted: bounded before json-glib recurses.
  if (!rtms::json_check_limits(text).empty()) return nullptr;
  g_autoptr(JsonParser) parser = json_parser_new();
  if (!json_parser_load_from_data(parser, text.data(), static_cast<gssize>(text.size()), nullptr))
    return nullptr;
  return rtms::adopt(json_node_copy(json_parser_get_root(parser)));
}

}  // namespace emulator
