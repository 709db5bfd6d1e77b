// Fault injections: deliberately bad frames the emulator sends once, at a
// chosen moment, so end-to-end tests can prove the client survives hostile
// input from the network. This file only describes and validates them; the
// frames are built in fault_frames.* and sent by FaultInjector.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace emulator {

enum class FaultKind {
  MalformedJson,
  NotAnObject,
  UnknownMsgType,
  WrongType,
  BadBase64,
  EmptyData,
  HugeFrame,
  BinaryJson,
  UnknownEvent,
  // JSON that a recursive parser cannot survive: ~200 KB of nested arrays
  // in a message's content (a hostile server's crash attempt).
  DeepJson,
  // Flat but huge: an unknown message with 200,000 array elements.
  ManyValues,
  // An audio message from the first participant whose user_name holds an
  // octal escape ("\351"): not JSON, though json-glib 1.6 decodes it to a
  // lone 0xE9 byte; the client must refuse it, not pass on invalid UTF-8.
  OctalName,
  // The same with a lone surrogate escape ("\ud800"): valid JSON syntax
  // that json-glib decodes to bytes that are not UTF-8; the name must reach
  // GStreamer repaired.
  SurrogateName,
  // Not a frame: the server closes the socket (code 1011), as when a Zoom
  // media or signaling server goes away; the client is expected to reconnect.
  Drop,
};

enum class FaultSocket { Signaling, Media };

struct Injection {
  FaultKind kind = FaultKind::MalformedJson;
  // Milliseconds after t0 (the first CLIENT_READY_ACK).
  int64_t at_ms = 0;
  FaultSocket socket = FaultSocket::Media;
};

const char *fault_kind_name(FaultKind kind);
const char *fault_socket_name(FaultSocket socket);
bool parse_fault_kind(const std::string &text, FaultKind *kind);
bool parse_fault_socket(const std::string &text, FaultSocket *socket);
// Every kind name, comma-separated, for error messages.
std::string fault_kind_list();
// An EVENT_UPDATE belongs on signaling; everything else defaults to media.
FaultSocket default_fault_socket(FaultKind kind);

// Parses the --inject value KIND@MS[:SOCKET]. On failure sets *error to a
// message that says what is wrong with `text`.
bool parse_injection(const std::string &text, Injection *injection, std::string *error);

// Injections must fire while the meeting runs: before the script's end,
// which is duration_ms - buffered_audio_ms after t0.
bool check_injection_fits(const Injection &injection, int64_t meeting_ms_after_t0,
                          std::string *error);

// Bounds of --huge-frame-bytes: room for the JSON wrapper, and a ceiling
// that keeps the emulator's own memory reasonable.
constexpr int64_t kHugeFrameMinBytes = 64;
constexpr int64_t kHugeFrameMaxBytes = int64_t{1} << 30;
constexpr int64_t kHugeFrameDefaultBytes = int64_t{80} << 20;

}  // namespace emulator
