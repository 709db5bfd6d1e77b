#include "base64.h"

#include <array>
#include <cstdio>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RTMS_BASE64_X86 1
#include <immintrin.h>
#endif

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

// ---- vector kernels ----------------------------------------------------------
//
// A kernel decodes whole blocks of 16 (SSSE3) or 32 (AVX2) characters that
// are all in the alphabet, and stops before the first block holding
// anything else (padding, whitespace, an invalid character) or when the
// input or the room left (a block's store is a full vector wide) runs
// short. It returns the characters consumed, a multiple of four, so the
// scalar code goes on from a quantum boundary and words any error exactly
// as it would have without the kernel.
//
// Per byte c, with hi = c >> 4 and lo = c & 15 (the usual nibble-table
// method): c is in the alphabet iff kNibbles.lo[lo] & kNibbles.hi[hi] is
// zero, and its 6-bit value is c + kNibbles.roll[hi - (c == '/')] (mod 256).
// The tables are derived from kTable, and kNibblesExact checks at compile
// time that they agree with it on all 256 byte values.

struct NibbleTables {
  uint8_t lo[16];
  uint8_t hi[16];
  uint8_t roll[16];
  int classes;  // distinct rows of invalid low nibbles (at most 8 fit a byte)
  bool consistent;  // one offset per roll slot
};

constexpr NibbleTables make_nibble_tables() {
  NibbleTables t{};
  t.consistent = true;
  uint16_t rows[16] = {};  // per high nibble: the low nibbles that are invalid
  for (int h = 0; h < 16; h++)
    for (int l = 0; l < 16; l++)
      if (kTable[h * 16 + l] >= 64)
        rows[h] = uint16_t(rows[h] | (1u << l));
  uint16_t classes[16] = {};
  for (int h = 0; h < 16; h++) {
    if (rows[h] == 0)
      continue;  // a row without invalid characters needs no bit
    int k = 0;
    while (k < t.classes && classes[k] != rows[h])
      k++;
    if (k == t.classes)
      classes[t.classes++] = rows[h];
    if (k < 8)
      t.hi[h] = uint8_t(1u << k);
  }
  for (int l = 0; l < 16; l++)
    for (int k = 0; k < t.classes && k < 8; k++)
      if (classes[k] & (1u << l))
        t.lo[l] = uint8_t(t.lo[l] | (1u << k));
  bool set[16] = {};
  for (int c = 0; c < 256; c++) {
    if (kTable[c] >= 64)
      continue;
    int slot = (c >> 4) - (c == '/' ? 1 : 0);
    uint8_t offset = uint8_t(kTable[c] - c);
    if (set[slot] && t.roll[slot] != offset)
      t.consistent = false;
    set[slot] = true;
    t.roll[slot] = offset;
  }
  return t;
}
constexpr NibbleTables kNibbles = make_nibble_tables();
static_assert(kNibbles.classes <= 8, "the invalid-character classes must fit one byte");
static_assert(kNibbles.consistent, "one '+'-'/' offset per high nibble");

constexpr bool nibbles_exact() {
  for (int c = 0; c < 256; c++) {
    int hi = c >> 4, lo = c & 15;
    bool valid = (kNibbles.lo[lo] & kNibbles.hi[hi]) == 0;
    if (valid != (kTable[c] < 64))
      return false;
    int slot = (hi - (c == '/' ? 1 : 0)) & 15;
    if (valid && uint8_t(c + kNibbles.roll[slot]) != kTable[c])
      return false;
  }
  return true;
}
static_assert(nibbles_exact(), "the nibble tables must decode exactly as kTable");

using Kernel = size_t (*)(const uint8_t *in, size_t size, uint8_t *out, size_t capacity);

#ifdef RTMS_BASE64_X86

__attribute__((target("ssse3"))) size_t decode_ssse3(const uint8_t *in, size_t size,
                                                      uint8_t *out, size_t capacity) {
  const __m128i lut_lo = _mm_loadu_si128(reinterpret_cast<const __m128i *>(kNibbles.lo));
  const __m128i lut_hi = _mm_loadu_si128(reinterpret_cast<const __m128i *>(kNibbles.hi));
  const __m128i lut_roll = _mm_loadu_si128(reinterpret_cast<const __m128i *>(kNibbles.roll));
  const __m128i nibble = _mm_set1_epi8(0x0f);
  const __m128i slash = _mm_set1_epi8('/');
  const __m128i zero = _mm_setzero_si128();
  // Sextets a b c d -> (a << 6 | b), (c << 6 | d) -> a 24-bit group per
  // 32-bit lane, whose three bytes go out high byte first.
  const __m128i merge_pairs = _mm_set1_epi32(0x01400140);
  const __m128i merge_quads = _mm_set1_epi32(0x00011000);
  const __m128i pack = _mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  size_t i = 0, written = 0;
  while (size - i >= 16 && capacity - written >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(in + i));
    __m128i hi = _mm_and_si128(_mm_srli_epi32(v, 4), nibble);
    __m128i lo = _mm_and_si128(v, nibble);
    __m128i bad = _mm_and_si128(_mm_shuffle_epi8(lut_lo, lo), _mm_shuffle_epi8(lut_hi, hi));
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(bad, zero)) != 0xffff)
      break;
    __m128i roll = _mm_shuffle_epi8(lut_roll, _mm_add_epi8(hi, _mm_cmpeq_epi8(v, slash)));
    __m128i sextets = _mm_add_epi8(v, roll);
    __m128i groups = _mm_madd_epi16(_mm_maddubs_epi16(sextets, merge_pairs), merge_quads);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(out + written), _mm_shuffle_epi8(groups, pack));
    i += 16;
    written += 12;
  }
  return i;
}

__attribute__((target("avx2"))) size_t decode_avx2(const uint8_t *in, size_t size, uint8_t *out,
                                                    size_t capacity) {
  const __m256i lut_lo =
      _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i *>(kNibbles.lo)));
  const __m256i lut_hi =
      _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i *>(kNibbles.hi)));
  const __m256i lut_roll = _mm256_broadcastsi128_si256(
      _mm_loadu_si128(reinterpret_cast<const __m128i *>(kNibbles.roll)));
  const __m256i nibble = _mm256_set1_epi8(0x0f);
  const __m256i slash = _mm256_set1_epi8('/');
  const __m256i zero = _mm256_setzero_si256();
  const __m256i merge_pairs = _mm256_set1_epi32(0x01400140);
  const __m256i merge_quads = _mm256_set1_epi32(0x00011000);
  // Per 128-bit lane as in the SSSE3 kernel, then the two lanes' twelve
  // bytes side by side.
  const __m256i pack = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,
                                        2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  const __m256i join = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7);
  size_t i = 0, written = 0;
  while (size - i >= 32 && capacity - written >= 32) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(in + i));
    __m256i hi = _mm256_and_si256(_mm256_srli_epi32(v, 4), nibble);
    __m256i lo = _mm256_and_si256(v, nibble);
    __m256i bad =
        _mm256_and_si256(_mm256_shuffle_epi8(lut_lo, lo), _mm256_shuffle_epi8(lut_hi, hi));
    if (uint32_t(_mm256_movemask_epi8(_mm256_cmpeq_epi8(bad, zero))) != 0xffffffffu)
      break;
    __m256i roll =
        _mm256_shuffle_epi8(lut_roll, _mm256_add_epi8(hi, _mm256_cmpeq_epi8(v, slash)));
    __m256i sextets = _mm256_add_epi8(v, roll);
    __m256i groups =
        _mm256_madd_epi16(_mm256_maddubs_epi16(sextets, merge_pairs), merge_quads);
    __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(groups, pack), join);
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(out + written), bytes);
    i += 32;
    written += 24;
  }
  // Back to SSE code: clear the upper halves first (GCC does not always do
  // it by itself in a target("avx2") function), or every SSE instruction
  // after this pays for them on many Intel cores.
  _mm256_zeroupper();
  // What is left of a clean run may still fill a 16-character block.
  return i + decode_ssse3(in + i, size - i, out + written, capacity - written);
}

#endif  // RTMS_BASE64_X86

Kernel kernel_of(Base64Kernel which) {
  switch (which) {
#ifdef RTMS_BASE64_X86
    case Base64Kernel::Ssse3:
      return __builtin_cpu_supports("ssse3") ? decode_ssse3 : nullptr;
    case Base64Kernel::Avx2:
      return __builtin_cpu_supports("avx2") ? decode_avx2 : nullptr;
    case Base64Kernel::Auto: {
      static const Kernel best = [] {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx2"))
          return Kernel(decode_avx2);
        if (__builtin_cpu_supports("ssse3"))
          return Kernel(decode_ssse3);
        return Kernel(nullptr);
      }();
      return best;
    }
#endif
    default:
      return nullptr;
  }
}

// The scalar decoder, from `i` characters in (a quantum boundary, with
// `written` bytes out).
Result<size_t> decode_from(std::string_view encoded, uint8_t *out, size_t capacity, size_t i,
                           size_t written);

Result<size_t> decode_with(Kernel kernel, std::string_view encoded, uint8_t *out,
                           size_t capacity) {
  size_t i = 0;
  if (kernel)
    i = kernel(reinterpret_cast<const uint8_t *>(encoded.data()), encoded.size(), out, capacity);
  return decode_from(encoded, out, capacity, i, i / 4 * 3);
}

}  // namespace

size_t base64_max_decoded_size(size_t encoded_len) {
  return (encoded_len / 4) * 3 + ((encoded_len % 4) * 3 + 3) / 4;
}

Result<size_t> base64_decode_into(std::string_view encoded, uint8_t *out,
                                  size_t capacity) {
  return decode_with(kernel_of(Base64Kernel::Auto), encoded, out, capacity);
}

bool base64_kernel_available(Base64Kernel kernel) {
  return kernel == Base64Kernel::Auto || kernel == Base64Kernel::Scalar ||
         kernel_of(kernel) != nullptr;
}

Result<size_t> base64_decode_into_with(Base64Kernel kernel, std::string_view encoded,
                                       uint8_t *out, size_t capacity) {
  return decode_with(kernel_of(kernel), encoded, out, capacity);
}

namespace {

Result<size_t> decode_from(std::string_view encoded, uint8_t *out, size_t capacity, size_t i,
                           size_t written) {
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

}  // namespace

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
