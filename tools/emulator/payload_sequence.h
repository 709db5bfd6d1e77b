// The payloads one audio track sends, in send order, prepared once for
// every stream that plays the track: their base64 text (what `data`
// carries) and SHA-256 digests of their prefixes (what the manifest
// records for a stream that sent the first `count` of them, which is what
// every stream does unless its socket drops mid-meeting).
//
// Without this, each of N streams would base64-encode and hash every
// payload it sends: per message, more CPU than the rest of the send path.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "payload.h"

namespace emulator {

class PayloadSequence {
 public:
  // `payloads` must outlive the sequence and stay where they are.
  explicit PayloadSequence(std::vector<const Payload *> payloads);

  size_t size() const { return payloads_.size(); }
  const Payload &payload(size_t index) const { return *payloads_[index]; }
  std::string_view base64(size_t index) const { return base64_[index]; }
  // Lowercase hex SHA-256 of payloads [0, count) concatenated; computed
  // once per count (streams that end alike share it).
  std::string prefix_sha256(size_t count) const;

 private:
  std::vector<const Payload *> payloads_;
  std::vector<std::string> base64_;
  mutable std::map<size_t, std::string> digests_;
};

}  // namespace emulator
