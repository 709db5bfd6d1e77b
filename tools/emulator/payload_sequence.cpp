#include "payload_sequence.h"

#include <algorithm>

#include "common/gref.h"
#include "protocol/base64.h"

namespace emulator {

PayloadSequence::PayloadSequence(std::vector<const Payload *> payloads) : payloads_(std::move(payloads)) {
  base64_.reserve(payloads_.size());
  for (const Payload *p : payloads_) base64_.push_back(rtms::base64_encode(p->data(), p->size()));
}

std::string PayloadSequence::prefix_sha256(size_t count) const {
  count = std::min(count, payloads_.size());
  auto known = digests_.find(count);
  if (known != digests_.end()) return known->second;
  auto checksum = rtms::adopt(g_checksum_new(G_CHECKSUM_SHA256));
  for (size_t i = 0; i < count; ++i)
    g_checksum_update(checksum.get(), payloads_[i]->data(), static_cast<gssize>(payloads_[i]->size()));
  std::string digest = g_checksum_get_string(checksum.get());
  digests_.emplace(count, digest);
  return digest;
}

}  // namespace emulator
