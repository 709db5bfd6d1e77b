// Checks for text that comes from the network before anything trusts it:
// UTF-8 validation (fast for the ASCII that RTMS messages almost always are)
// and repair, and bounds on JSON that are checked before a recursive parser
// (json-glib recurses once per nesting level, when parsing and when freeing)
// ever sees the text. Pure: no I/O, no allocation unless repairing.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rtms {

// Whether text is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF). NUL bytes are valid.
bool utf8_is_valid(std::string_view text);

// text with every ill-formed sequence replaced by U+FFFD (one per maximal
// ill-formed subpart, as Unicode recommends); text itself when it is valid.
std::string utf8_repair(std::string_view text);

// Bounds on a JSON document. The defaults are far above anything RTMS or
// its webhooks send (messages nest 4 levels deep and hold at most a few
// thousand values) and far below what makes a parser crash or a process
// balloon.
struct JsonLimits {
  // Arrays and objects open at once.
  size_t max_depth = 32;
  // Values of any kind (every array element, object member and the root);
  // json-glib spends ~100 bytes per node.
  size_t max_values = 100000;
};

// Scans text (no parsing, no recursion) and returns an empty string when it
// is within limits, else what was exceeded, e.g. "JSON nested deeper than 32
// levels (at byte 33)". Anything but whitespace after the top-level value
// (of any type) is refused too: json-glib 1.6 fails such text but leaks the
// nodes it built for the second value (~0.5 KB a message, found by fuzzing).
// The scan is lexically strict ("not valid JSON: invalid escape \\'A' ..."):
// only JSON's escapes, no comments, no character outside strings that no
// JSON token has. json-glib 1.6 accepts octal escapes and comments, and a
// quote inside either would have hidden nesting from a looser scan. What is
// lexically JSON but not grammatically ("{1:}") is left to the parser.
std::string json_check_limits(std::string_view text, const JsonLimits &limits = JsonLimits());

}  // namespace rtms
