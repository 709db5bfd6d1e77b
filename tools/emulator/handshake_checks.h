// Whether a client's handshake is acceptable, and if not which status code
// (current 0-45 table, docs/protocol.md#status-codes) Zoom would answer with. Pure
// decisions, no I/O: the peers send the answers.
#pragma once

#include <cstdint>
#include <string>

#include "protocol/messages.h"
#include "meeting_script.h"
#include "options.h"

namespace emulator {

struct Verdict {
  rtms::StatusCode status = rtms::StatusCode::Ok;
  std::string reason;
  bool ok() const { return status == rtms::StatusCode::Ok; }
};

// Checks protocol_version, rtms_stream_id, the identity key and the
// signature shared by the signaling and media handshakes.
Verdict check_credentials(int protocol_version, const rtms::Identity &identity,
                          const std::string &rtms_stream_id, const std::string &signature,
                          const MeetingScript &script, const Options &options);

// Media sockets already open for the stream.
struct MediaSocketsInUse {
  bool all = false;     // a media_type 32 socket
  uint32_t split = 0;   // types carried by per-type sockets
};

struct MediaAdmission {
  Verdict verdict;
  bool is_all = false;
  uint32_t carried = 0;            // media types this socket will carry
  bool has_effective = false;
  rtms::MediaParams effective;     // defaults filled in
};

// media_type, scopes, all/split conflicts, then the params themselves.
MediaAdmission admit_media(const rtms::DataHandshakeReq &request, uint32_t scopes,
                           const MediaSocketsInUse &in_use);

// The status code for a message the protocol layer could not decode:
// bad media params map to their specific code (17-39, 43), an unknown
// msg_type to 1, anything else to 4 INVALID_PAYLOAD.
rtms::StatusCode status_for_decode_error(const rtms::ProtocolError &error);

}  // namespace emulator
