// One encoded media payload: exactly the bytes a message's base64 `data`
// carries once decoded.
#pragma once

#include <cstdint>
#include <vector>

namespace emulator {

using Payload = std::vector<uint8_t>;

}  // namespace emulator
