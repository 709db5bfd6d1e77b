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

// Which decoding kernel base64_decode_into uses for its long runs of
// clean base64 (everything else, and every error, is handled by the same
// scalar code whichever kernel is chosen). Auto picks the fastest one the
// CPU supports, once; the others are for tests that compare the kernels.
enum class Base64Kernel { Auto, Scalar, Ssse3, Avx2 };
// Whether this build and CPU can run `kernel` (Auto and Scalar always can).
bool base64_kernel_available(Base64Kernel kernel);
// base64_decode_into with a given kernel; falls back to Scalar when
// `kernel` is not available.
Result<size_t> base64_decode_into_with(Base64Kernel kernel, std::string_view encoded,
                                       uint8_t *out, size_t capacity);

// Strips a leading `data:<mime>;base64,` prefix, if there is one.
std::string_view strip_data_url_prefix(std::string_view encoded);

}  // namespace rtms
