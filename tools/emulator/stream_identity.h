// The ids of each stream of a multi-stream emulator. Every stream plays the
// same script, but Zoom gives each its own rtms_stream_id, meeting UUID and
// session id, and the signature a client computes covers them: a client
// that mixes up two streams' webhooks must fail the handshake.
#pragma once

#include <string>

#include "meeting_script.h"

namespace emulator {

// `base` with the ids of stream `index`. Stream 0 keeps the script's own
// ids, so a one-stream run is unchanged. Other ids are derived: when an id
// ends in 8 hex digits (before any base64 '=' padding), those digits are
// advanced by `index` (the id keeps its length and alphabet); otherwise
// "-<index>" is appended before the padding.
MeetingScript script_for_stream(const MeetingScript &base, int index);

// The id rule above, on its own.
std::string id_for_stream(const std::string &base, int index);

}  // namespace emulator
