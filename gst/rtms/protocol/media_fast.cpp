#include "media_fast.h"

#include <glib.h>

#include <cstdint>
#include <cstring>

#include "base64.h"

#if defined(__SSE2__) && !defined(RTMS_MEDIA_FAST_NO_SIMD)
#define RTMS_MEDIA_FAST_SSE2 1
#include <emmintrin.h>
#endif

namespace rtms {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// How many bytes of the block at p (kBlock of them, which the caller makes
// sure are there) are plain string content: up to the first quote,
// backslash, control character or non-ASCII byte, or the whole block.
#ifdef RTMS_MEDIA_FAST_SSE2
constexpr size_t kBlock = 16;
size_t plain_prefix(const char *p) {
  __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
  // As signed bytes, "below 0x20" also takes 0x80-0xff.
  __m128i special = _mm_or_si128(
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
      _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
  unsigned mask = unsigned(_mm_movemask_epi8(special));
  return mask ? size_t(__builtin_ctz(mask)) : kBlock;
}
#else
// Byte tests on eight bytes at once (exact for "is there any").
constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighBits = 0x8080808080808080ull;
uint64_t has_zero_byte(uint64_t x) { return (x - kOnes) & ~x & kHighBits; }
uint64_t has_byte(uint64_t x, unsigned char b) { return has_zero_byte(x ^ (kOnes * b)); }
uint64_t has_byte_below_space(uint64_t x) { return (x - kOnes * 0x20) & ~x & kHighBits; }

constexpr size_t kBlock = 8;
size_t plain_prefix(const char *p) {
  uint64_t word;
  std::memcpy(&word, p, 8);
  if (!(has_byte(word, '"') | has_byte(word, '\\') | has_byte_below_space(word) |
        (word & kHighBits)))
    return kBlock;
  size_t n = 0;
  while (n < kBlock) {
    unsigned char c = static_cast<unsigned char>(p[n]);
    if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
    n++;
  }
  return n;
}
#endif

// Reads the accepted subset; every method returns false on anything else.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text) {}

  bool eat(char c) {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == c) {
      pos_++;
      return true;
    }
    return false;
  }

  bool at_end() {
    skip_space();
    return pos_ == s_.size();
  }

  // A string with no escapes and no control characters, as a view of the
  // text. Non-ASCII must be valid UTF-8, as the general parser requires.
  bool string(std::string_view *out) {
    if (!eat('"')) return false;
    const char *begin = s_.data() + pos_;
    const size_t left = s_.size() - pos_;
    // A block at a time up to the next quote, backslash, control character
    // or non-ASCII byte (base64 payloads are long); that byte on its own.
    size_t length = 0;
    bool high = false;
    for (;;) {
      if (left - length >= kBlock) {
        size_t plain = plain_prefix(begin + length);
        length += plain;
        if (plain == kBlock) continue;
      }
      if (length == left) return false;  // no closing quote
      unsigned char c = static_cast<unsigned char>(begin[length]);
      if (c == '"') break;
      if (c == '\\' || c < 0x20) return false;
      high |= c >= 0x80;
      length++;
    }
    if (high && !g_utf8_validate(begin, gssize(length), nullptr)) return false;
    *out = std::string_view(begin, length);
    pos_ += length + 1;
    return true;
  }

  // A JSON integer that fits in int64 with room to spare (at most 18
  // digits): no fraction, exponent or leading zero.
  bool integer(int64_t *out) {
    skip_space();
    size_t p = pos_;
    bool negative = p < s_.size() && s_[p] == '-';
    if (negative) p++;
    size_t first = p;
    uint64_t value = 0;
    while (p < s_.size() && s_[p] >= '0' && s_[p] <= '9') {
      value = value * 10 + uint64_t(s_[p] - '0');
      p++;
    }
    size_t digits = p - first;
    if (digits == 0 || digits > 18) return false;
    if (digits > 1 && s_[first] == '0') return false;
    if (p < s_.size() && (s_[p] == '.' || s_[p] == 'e' || s_[p] == 'E')) return false;
    *out = negative ? -int64_t(value) : int64_t(value);
    pos_ = p;
    return true;
  }

  // The value of a member nobody reads: scalars only.
  bool skip_scalar() {
    skip_space();
    if (pos_ >= s_.size()) return false;
    char c = s_[pos_];
    if (c == '"') {
      std::string_view ignored;
      return string(&ignored);
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      int64_t ignored;
      return integer(&ignored);
    }
    for (std::string_view word : {"true", "false", "null"}) {
      if (s_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        return true;
      }
    }
    return false;
  }

  // An object, calling member(key) with the scanner at each value.
  template <typename Member>
  bool object(Member &&member) {
    if (!eat('{')) return false;
    if (eat('}')) return true;
    for (;;) {
      std::string_view key;
      if (!string(&key) || !eat(':') || !member(key)) return false;
      if (eat(',')) continue;
      return eat('}');
    }
  }

 private:
  void skip_space() {
    while (pos_ < s_.size() && is_space(s_[pos_])) pos_++;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

struct Fields {
  std::optional<int64_t> msg_type;
  bool has_content = false;
  std::optional<int64_t> user_id, length, timestamp, start_time, end_time, language, attribute;
  std::optional<std::string_view> user_name, channel_id, data;
};

bool read_int(Scanner &s, std::optional<int64_t> *slot) {
  int64_t v;
  if (*slot || !s.integer(&v)) return false;  // a duplicate is left to the general parser
  *slot = v;
  return true;
}

bool read_string(Scanner &s, std::optional<std::string_view> *slot) {
  std::string_view v;
  if (*slot || !s.string(&v)) return false;
  *slot = v;
  return true;
}

bool read_content_member(Scanner &s, std::string_view key, Fields *f) {
  if (key == "data") return read_string(s, &f->data);
  if (key == "timestamp") return read_int(s, &f->timestamp);
  if (key == "user_id") return read_int(s, &f->user_id);
  if (key == "user_name") return read_string(s, &f->user_name);
  if (key == "length") return read_int(s, &f->length);
  if (key == "channel_id") return read_string(s, &f->channel_id);
  if (key == "start_time") return read_int(s, &f->start_time);
  if (key == "end_time") return read_int(s, &f->end_time);
  if (key == "language") return read_int(s, &f->language);
  if (key == "attribute") return read_int(s, &f->attribute);
  return s.skip_scalar();
}

bool in_int32(const std::optional<int64_t> &v) {
  return !v || (*v >= INT32_MIN && *v <= INT32_MAX);
}

}  // namespace

std::optional<MediaView> decode_media_fast_view(std::string_view text) {
  Scanner s(text);
  Fields f;
  bool scanned = s.object([&](std::string_view key) {
    if (key == "msg_type") return read_int(s, &f.msg_type);
    if (key == "content") {
      if (f.has_content) return false;
      f.has_content = true;
      return s.object([&](std::string_view inner) { return read_content_member(s, inner, &f); });
    }
    return s.skip_scalar();
  });
  if (!scanned || !s.at_end()) return std::nullopt;
  if (!f.msg_type || *f.msg_type < int64_t(MessageType::MediaDataAudio) ||
      *f.msg_type > int64_t(MessageType::MediaDataChat))
    return std::nullopt;
  // What the general parser would refuse, it also explains.
  if (!f.has_content || !f.data || !f.timestamp) return std::nullopt;
  if ((f.length && *f.length < 0) || !in_int32(f.language) || !in_int32(f.attribute))
    return std::nullopt;

  MediaView m;
  m.type = static_cast<MessageType>(*f.msg_type);
  m.user.user_id = f.user_id.value_or(0);
  if (f.user_name) {
    m.user.user_name = *f.user_name;
    m.user.has_user_name = true;
  }
  if (f.channel_id) m.channel_id = *f.channel_id;
  bool binary = m.type == MessageType::MediaDataAudio || m.type == MessageType::MediaDataVideo ||
                m.type == MessageType::MediaDataShare;
  m.data = binary ? strip_data_url_prefix(*f.data) : *f.data;
  if (f.length) {
    m.has_length = true;
    m.length = *f.length;
  }
  m.timestamp = *f.timestamp;
  if (f.start_time || f.end_time) {
    m.has_times = true;
    m.start_time = f.start_time.value_or(0);
    m.end_time = f.end_time.value_or(0);
  }
  if (f.language) {
    m.has_language = true;
    m.language = static_cast<int>(*f.language);
  }
  m.attribute = static_cast<DataMessageAttribute>(f.attribute.value_or(0));
  return m;
}

std::optional<MediaData> decode_media_fast(std::string_view text) {
  std::optional<MediaView> view = decode_media_fast_view(text);
  if (!view) return std::nullopt;
  return view->to_owned();
}

}  // namespace rtms
