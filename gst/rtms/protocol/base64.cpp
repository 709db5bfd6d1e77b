#include "base64.h"

#include <array>
#include <cstdio>

namespace rtms {

namespace {

constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Sentinels outside the 6-bit range keep the hot loop to one table lookup.
constexpr uint8_t kInvalid = 0xff;
constexpr uint8_t kSpace = 0xfe;
constexpr uint8_t kPad = 0xfd;

constexpr std::array<uint8_t, 256> make_table() {
  std::array<uint8_t, 256> t{};
  for (auto &v : t)
    v = kInvalid;
  for (int i = 0; i < 64; i++)
    t[static_cast<uint8_t>(kAlphabet[i])] = static_cast<uint8_t>(i);
  for (char c : {' ', '\t', '\n', '\r', '\f', '\v'})
    t[static_cast<uint8_t>(c)] = kSpace;
  t[static_cast<uint8_t>('=')] = kPad;
  return t;
}
constexpr std::array<uint8_t, 256> kTable = make_table();

std::string bad_char(uint8_t c, size_t offset) {
  char buf[96];
  std::snprintf(buf, sizeof buf,
                "invalid base64 character 0x%02x at offset %zu", c, offset);
  return buf;
}

Result<size_t> too_small(size_t capacity) {
  return Result<size_t>::fail(
      "", "output buffer of " + std::to_string(capacity) +
              " bytes is too small for the decoded data");
}

}  // namespace

size_t base64_max_decoded_size(size_t encoded_len) {
  return (encoded_len / 4) * 3 + ((encoded_len % 4) * 3 + 3) / 4;
}

Result<size_t> base64_decode_into(std::string_view encoded, uint8_t *out,
                                  size_t capacity) {
  size_t written = 0;
  size_t i = 0;
  // Media payloads are one unbroken run of whole quanta: decode four
  // characters at a time until anything else (space, padding, an invalid
  // character) turns up, then go on one character at a time from there,
  // where errors are found and worded.
  const auto *in = reinterpret_cast<const uint8_t *>(encoded.data());
  while (i + 4 <= encoded.size() && capacity - written >= 3) {
    uint32_t a = kTable[in[i]], b = kTable[in[i + 1]], c = kTable[in[i + 2]],
             d = kTable[in[i + 3]];
    if ((a | b | c | d) & 0xc0)
      break;
    uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
    out[written] = static_cast<uint8_t>(v >> 16);
    out[written + 1] = static_cast<uint8_t>(v >> 8);
    out[written + 2] = static_cast<uint8_t>(v);
    written += 3;
    i += 4;
  }
  uint32_t acc = 0;
  int quantum = 0;  // 6-bit groups in acc
  size_t pads = 0;
  for (; i < encoded.size(); i++) {
    uint8_t c = static_cast<uint8_t>(encoded[i]);
    uint8_t v = kTable[c];
    if (v < 64) {
      // Data after '=' means two encodings were glued together or the text
      // is corrupt; either way the bytes cannot be trusted.
      if (pads)
        return Result<size_t>::fail("", bad_char(c, i) + " (data after padding)");
      acc = (acc << 6) | v;
      if (++quantum == 4) {
        if (capacity - written < 3)
          return too_small(capacity);
        out[written++] = static_cast<uint8_t>(acc >> 16);
        out[written++] = static_cast<uint8_t>(acc >> 8);
        out[written++] = static_cast<uint8_t>(acc);
        acc = 0;
        quantum = 0;
      }
      continue;
    }
    if (v == kSpace)
      continue;
    if (v == kPad) {
      // Padding is only legal where it completes a quantum of 2 or 3 groups.
      if (quantum < 2 || quantum + pads >= 4)
        return Result<size_t>::fail("", bad_char(c, i) + " (misplaced padding)");
      pads++;
      continue;
    }
    return Result<size_t>::fail("", bad_char(c, i));
  }
  if (quantum == 1)
    return Result<size_t>::fail(
        "", "truncated base64: a single character is left over at the end");
  if (pads && quantum + pads != 4)
    return Result<size_t>::fail("", "incomplete base64 padding at the end");
  if (quantum >= 2) {
    size_t tail = static_cast<size_t>(quantum - 1);
    if (capacity - written < tail)
      return too_small(capacity);
    acc <<= 6 * (4 - quantum);
    out[written++] = static_cast<uint8_t>(acc >> 16);
    if (quantum == 3)
      out[written++] = static_cast<uint8_t>(acc >> 8);
  }
  return written;
}

std::string base64_encode(const uint8_t *data, size_t size) {
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    uint32_t v = (uint32_t(data[i]) << 16) | (uint32_t(data[i + 1]) << 8) |
                 data[i + 2];
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  size_t rest = size - i;
  if (rest) {
    uint32_t v = uint32_t(data[i]) << 16;
    if (rest == 2)
      v |= uint32_t(data[i + 1]) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::string_view strip_data_url_prefix(std::string_view encoded) {
  constexpr std::string_view kScheme = "data:";
  constexpr std::string_view kMarker = ";base64,";
  if (encoded.substr(0, kScheme.size()) != kScheme)
    return encoded;
  // A MIME type is short; bounding the search keeps a malformed megabyte
  // payload from being scanned twice.
  std::string_view head = encoded.substr(0, 256);
  size_t pos = head.find(kMarker);
  if (pos == std::string_view::npos)
    return encoded;
  return encoded.substr(pos + kMarker.size());
}

}  // namespace rtms
