#include "untrusted_text.h"

#include <cstdint>
#include <cstdio>
#include <cstring>

namespace rtms {

namespace {

// Looks at the sequence that starts at p (a byte >= 0x80). Returns its
// length and sets *valid; when it is ill-formed the length is that of the
// maximal ill-formed subpart (at least 1), which a repair replaces by one
// U+FFFD.
size_t sequence_at(const uint8_t *p, size_t avail, bool *valid) {
  uint8_t lead = p[0];
  size_t length;
  uint8_t low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;        // no overlong forms
    else if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    else if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    *valid = false;
    return 1;
  }
  for (size_t k = 1; k < length; ++k) {
    if (k >= avail) {
      *valid = false;
      return k;
    }
    uint8_t b = p[k];
    uint8_t lo = k == 1 ? low : 0x80, hi = k == 1 ? high : 0xBF;
    if (b < lo || b > hi) {
      *valid = false;
      return k;
    }
  }
  *valid = true;
  return length;
}

// Index of the first byte >= 0x80 at or after i (n when there is none),
// eight bytes at a time.
size_t skip_ascii(const uint8_t *p, size_t i, size_t n) {
  while (i + 8 <= n) {
    uint64_t word;
    std::memcpy(&word, p + i, 8);
    if (word & 0x8080808080808080ULL) break;
    i += 8;
  }
  while (i < n && p[i] < 0x80) ++i;
  return i;
}

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighBits = 0x8080808080808080ULL;

uint64_t has_byte(uint64_t word, uint8_t byte) {
  uint64_t x = word ^ (kOnes * byte);
  return (x - kOnes) & ~x & kHighBits;
}

uint64_t has_byte_below_space(uint64_t word) { return (word - kOnes * 0x20) & ~word & kHighBits; }

bool ends_plain_run(char c) { return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20; }

// Index of the first '"', '\\' or control character at or after i (n when
// there is none).
size_t skip_plain_string(const char *p, size_t i, size_t n) {
  while (i + 8 <= n) {
    uint64_t word;
    std::memcpy(&word, p + i, 8);
    if (has_byte(word, '"') | has_byte(word, '\\') | has_byte_below_space(word)) break;
    i += 8;
  }
  while (i < n && !ends_plain_run(p[i])) ++i;
  return i;
}

}  // namespace

bool utf8_is_valid(std::string_view text) {
  const auto *p = reinterpret_cast<const uint8_t *>(text.data());
  size_t n = text.size();
  size_t i = skip_ascii(p, 0, n);
  while (i < n) {
    bool valid = false;
    i += sequence_at(p + i, n - i, &valid);
    if (!valid) return false;
    i = skip_ascii(p, i, n);
  }
  return true;
}

std::string utf8_repair(std::string_view text) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  const auto *p = reinterpret_cast<const uint8_t *>(text.data());
  size_t n = text.size();
  std::string out;
  size_t done = 0;  // text[0, done) is in out
  size_t i = skip_ascii(p, 0, n);
  while (i < n) {
    bool valid = false;
    size_t length = sequence_at(p + i, n - i, &valid);
    if (!valid) {
      if (out.empty()) out.reserve(n + 8);
      out.append(text.substr(done, i - done));
      out.append(kReplacement);
      done = i + length;
    }
    i = skip_ascii(p, i + length, n);
  }
  if (done == 0) return std::string(text);
  out.append(text.substr(done));
  return out;
}

namespace {

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Characters of JSON numbers and of true, false and null.
bool is_scalar_char(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' || c == 't' ||
         c == 'r' || c == 'u' || c == 'f' || c == 'a' || c == 'l' || c == 's' || c == 'n';
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// The four hex digits at p[at], if there are four.
bool hex4(const char *p, size_t at, size_t n, unsigned *value) {
  if (at + 4 > n) return false;
  unsigned v = 0;
  for (size_t k = 0; k < 4; ++k) {
    char c = p[at + k];
    if (!is_hex(c)) return false;
    v = v * 16 + unsigned(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  *value = v;
  return true;
}

std::string at_byte(size_t i, size_t n) {
  return "(at byte " + std::to_string(i) + " of " + std::to_string(n) + ")";
}

std::string printable_char(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7f) return std::string("'") + c + "'";
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02x", u);
  return hex;
}

}  // namespace

// Lexically strict: outside strings only whitespace, structural characters
// and the characters of numbers and literals; inside strings only JSON's
// escapes. So this scan splits the text into the same tokens as any JSON
// parser, and a parser that accepts more (json-glib 1.6 takes octal
// escapes and comments) never sees a nesting this scan did not count.
std::string json_check_limits(std::string_view text, const JsonLimits &limits) {
  size_t depth = 0, values = 1;
  bool closed = false;  // the top-level value has ended
  const char *p = text.data();
  size_t n = text.size();
  for (size_t i = 0; i < n; ++i) {
    char c = p[i];
    if (is_json_space(c)) continue;
    if (closed) return "JSON goes on after its value " + at_byte(i, n) + ": one value per message";
    if (c == '"') {
      // Skip the string: only '"' and '\\' matter inside it (base64
      // payloads make strings long, so eight bytes at a time).
      size_t at = i + 1;
      for (;;) {
        at = skip_plain_string(p, at, n);
        if (at >= n) return "not valid JSON: a string does not end " + at_byte(i, n);
        if (p[at] == '"') break;
        if (static_cast<unsigned char>(p[at]) < 0x20)
          return "not valid JSON: control character " + printable_char(p[at]) + " in a string " + at_byte(at, n);
        // A backslash: one of JSON's escapes, nothing else.
        char e = at + 1 < n ? p[at + 1] : '\0';
        if (e == 'u') {
          unsigned unit = 0;
          if (!hex4(p, at + 2, n, &unit)) return "not valid JSON: \\u needs four hex digits " + at_byte(at, n);
          // UTF-16 surrogates come in pairs: json-glib 1.6 turns a lone one
          // into bytes that are not UTF-8, or fails and leaks what it built.
          unsigned low = 0;
          if (unit >= 0xDC00 && unit <= 0xDFFF)
            return "not valid JSON: a lone low surrogate \\u" + std::string(p + at + 2, 4) + " " + at_byte(at, n);
          if (unit >= 0xD800 && unit <= 0xDBFF) {
            if (at + 7 >= n || p[at + 6] != '\\' || p[at + 7] != 'u' || !hex4(p, at + 8, n, &low) || low < 0xDC00 ||
                low > 0xDFFF)
              return "not valid JSON: a high surrogate \\u" + std::string(p + at + 2, 4) +
                     " without its low surrogate " + at_byte(at, n);
            at += 6;
          }
          at += 6;
        } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
                   e == 't') {
          at += 2;
        } else {
          return "not valid JSON: invalid escape \\" + (at + 1 < n ? printable_char(e) : std::string("at the end")) +
                 " " + at_byte(at, n);
        }
      }
      i = at;  // the closing quote: the loop steps past it
      if (depth == 0) closed = true;  // a top-level string
      continue;
    }
    if (c == '[' || c == '{') {
      if (++depth > limits.max_depth)
        return "JSON nested deeper than " + std::to_string(limits.max_depth) + " levels " + at_byte(i, n);
      // An array or object that is not empty holds one value more than it
      // has commas; counting the opening as that value may count an empty
      // one, which errs on the safe side.
      ++values;
    } else if (c == ']' || c == '}') {
      if (depth == 0) return "not valid JSON: unexpected " + printable_char(c) + " " + at_byte(i, n);
      if (--depth == 0) closed = true;
      continue;
    } else if (c == ',') {
      ++values;
    } else if (c == ':') {
      continue;
    } else if (is_scalar_char(c)) {
      // A number or literal: it ends at the next blank or structural
      // character; at the top level nothing may follow it.
      while (i + 1 < n && is_scalar_char(p[i + 1])) ++i;
      if (depth == 0) closed = true;
      continue;
    } else {
      return "not valid JSON: unexpected character " + printable_char(c) + " " + at_byte(i, n);
    }
    if (values > limits.max_values)
      return "JSON holds more than " + std::to_string(limits.max_values) + " values " + at_byte(i, n);
  }
  return std::string();
}

}  // namespace rtms
