// Small helpers to turn json-glib trees into text and back.
#pragma once

#include <string>
#include <string_view>

#include <json-glib/json-glib.h>

#include "common/gref.h"

namespace emulator {

std::string to_json_text(JsonNode *node, bool pretty = false);
std::string builder_to_text(JsonBuilder *builder, bool pretty = false);
// nullptr when text is not JSON, or JSON over the protocol layer's bounds
// (untrusted_text.h: clients' messages reach this too).
rtms::GRef<JsonNode> parse_json_text(std::string_view text);

}  // namespace emulator
