// The parts of the meeting script that reference participants: screen
// shares, transcript lines and chat messages. Called after the participants
// are parsed; throws script_json::ScriptError naming the field.
#pragma once

#include <json-glib/json-glib.h>

#include "meeting_script.h"

namespace emulator {

void parse_shares(JsonNode *node, MeetingScript *script);
void parse_transcript(JsonNode *node, MeetingScript *script);
void parse_chat(JsonNode *node, MeetingScript *script);

}  // namespace emulator
