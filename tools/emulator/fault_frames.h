// The bytes of each injected fault. Every frame is built by hand or through
// the protocol layer's encoder, so what is wrong with it is exactly the one
// thing its kind names and nothing else.
#pragma once

#include <cstdint>
#include <string>

#include "fault_injection.h"
#include "meeting_script.h"

namespace emulator {

struct FaultContext {
  int64_t timestamp = 0;                     // wall-clock ms of "now" in the meeting
  const ScriptParticipant *speaker = nullptr;  // first participant present, if any
  int64_t huge_frame_bytes = kHugeFrameDefaultBytes;
  int64_t keepalive_timestamp = 0;           // for binary-json: a registered request
};

std::string build_fault_frame(FaultKind kind, const FaultContext &context);

// binary-json goes out in a BINARY frame whatever the script says; every
// other fault uses the connection's usual frame type.
inline bool fault_forces_binary(FaultKind kind) { return kind == FaultKind::BinaryJson; }

}  // namespace emulator
