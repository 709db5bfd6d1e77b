#include "fault_injection.h"

#include <cerrno>
#include <cstdlib>

namespace emulator {
namespace {

struct KindName {
  FaultKind kind;
  const char *name;
};

// The names are a CLI and script contract (docs/emulator.md).
constexpr KindName kKindNames[] = {
    {FaultKind::MalformedJson, "malformed-json"},
    {FaultKind::NotAnObject, "not-an-object"},
    {FaultKind::UnknownMsgType, "unknown-msg-type"},
    {FaultKind::WrongType, "wrong-type"},
    {FaultKind::BadBase64, "bad-base64"},
    {FaultKind::EmptyData, "empty-data"},
    {FaultKind::HugeFrame, "huge-frame"},
    {FaultKind::BinaryJson, "binary-json"},
    {FaultKind::UnknownEvent, "unknown-event"},
    {FaultKind::DeepJson, "deep-json"},
    {FaultKind::ManyValues, "many-values"},
    {FaultKind::OctalName, "octal-name"},
    {FaultKind::SurrogateName, "surrogate-name"},
    {FaultKind::Drop, "drop"},
};

// Plain decimal digits only: strtoll alone would take "+5", " 5" or "5x".
bool parse_ms(const std::string &text, int64_t *out) {
  if (text.empty() || text.size() > 10) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  errno = 0;
  long long value = std::strtoll(text.c_str(), nullptr, 10);
  if (errno != 0) return false;
  *out = value;
  return true;
}

}  // namespace

const char *fault_kind_name(FaultKind kind) {
  for (const auto &entry : kKindNames)
    if (entry.kind == kind) return entry.name;
  return "?";
}

const char *fault_socket_name(FaultSocket socket) {
  return socket == FaultSocket::Signaling ? "signaling" : "media";
}

bool parse_fault_kind(const std::string &text, FaultKind *kind) {
  for (const auto &entry : kKindNames) {
    if (text == entry.name) {
      *kind = entry.kind;
      return true;
    }
  }
  return false;
}

bool parse_fault_socket(const std::string &text, FaultSocket *socket) {
  if (text == "signaling") *socket = FaultSocket::Signaling;
  else if (text == "media") *socket = FaultSocket::Media;
  else return false;
  return true;
}

std::string fault_kind_list() {
  std::string list;
  for (const auto &entry : kKindNames) list += (list.empty() ? "" : ", ") + std::string(entry.name);
  return list;
}

FaultSocket default_fault_socket(FaultKind kind) {
  return kind == FaultKind::UnknownEvent ? FaultSocket::Signaling : FaultSocket::Media;
}

bool parse_injection(const std::string &text, Injection *injection, std::string *error) {
  const std::string prefix = "--inject \"" + text + "\": ";
  size_t at = text.find('@');
  if (at == std::string::npos) {
    *error = prefix + "expected KIND@MS[:SOCKET], e.g. bad-base64@500:media";
    return false;
  }
  Injection result;
  std::string kind = text.substr(0, at);
  if (!parse_fault_kind(kind, &result.kind)) {
    *error = prefix + "unknown kind \"" + kind + "\" (use " + fault_kind_list() + ")";
    return false;
  }
  std::string rest = text.substr(at + 1);
  size_t colon = rest.find(':');
  std::string ms = rest.substr(0, colon);
  if (!parse_ms(ms, &result.at_ms)) {
    *error = prefix + "MS must be a non-negative whole number of milliseconds, got \"" + ms + "\"";
    return false;
  }
  result.socket = default_fault_socket(result.kind);
  if (colon != std::string::npos) {
    std::string socket = rest.substr(colon + 1);
    if (!parse_fault_socket(socket, &result.socket)) {
      *error = prefix + "unknown socket \"" + socket + "\" (use signaling or media)";
      return false;
    }
  }
  *injection = result;
  return true;
}

bool check_injection_fits(const Injection &injection, int64_t meeting_ms_after_t0, std::string *error) {
  if (injection.at_ms < meeting_ms_after_t0) return true;
  *error = std::string(fault_kind_name(injection.kind)) + " at " + std::to_string(injection.at_ms) +
           " ms would never be sent: the meeting ends " + std::to_string(meeting_ms_after_t0) +
           " ms after t0 (duration_ms - buffered_audio_ms)";
  return false;
}

}  // namespace emulator
