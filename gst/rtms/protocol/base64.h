// Base64 for media payloads. Decoding writes straight into caller memory
// (a GstBuffer's, on the hot path) and rejects anything that is not base64,
// naming the offset of the first bad character.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "result.h"

namespace rtms {

// Upper bound of the decoded size of `encoded_len` base64 characters.
size_t base64_max_decoded_size(size_t encoded_len);

// Decodes standard base64 (RFC 4648, padding optional, ASCII whitespace
// ignored) into out[0..capacity). Returns the decoded size, or an error
// ("invalid base64 character 0x2a at offset 17").
Result<size_t> base64_decode_into(std::string_view encoded, uint8_t *out,
                                  size_t capacity);

std::string base64_encode(const uint8_t *data, size_t size);

// Strips a leading `data:<mime>;base64,` prefix, if there is one.
std::string_view strip_data_url_prefix(std::string_view encoded);

}  // namespace rtms
