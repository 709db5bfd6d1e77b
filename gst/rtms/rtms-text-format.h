// Text formats of rtmstextenc: one transcript line or chat message (a cue)
// as a WebVTT cue, an SRT entry or a JSON line. Pure string work, no
// element, so that tests can check the escaping directly.
#pragma once

#include <gst/gst.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace rtms {
namespace textfmt {

enum class Format { WebVtt = 0, Srt = 1, JsonLines = 2 };

// Bounds on untrusted text: longer text is cut at a character boundary.
constexpr size_t kMaxTextBytes = 16 * 1024;
constexpr size_t kMaxNameBytes = 256;

struct Cue {
  const char *kind = "text";       // "transcript", "chat" or "text" (no GstRtmsMeta)
  GstClockTime start = 0;          // running time
  GstClockTime end = GST_CLOCK_TIME_NONE;  // NONE: the buffer had no duration
  bool has_speaker = false;
  int64_t speaker_id = 0;
  std::string speaker;             // valid UTF-8, bounded, may be empty
  int language = -1;
  std::string language_name;
  std::string text;                // valid UTF-8, bounded, as received otherwise
  std::string meta_json;           // the whole GstRtmsMeta as a JSON object, or empty
};

// Valid UTF-8 of at most max_bytes (invalid sequences become U+FFFD; a cut
// never splits a character).
std::string valid_utf8(const char *data, size_t size, size_t max_bytes);

// Text for a cue payload: line breaks normalized to \n, control characters
// other than tab dropped, empty and blank lines dropped, trimmed.
std::string cue_lines(const std::string &text);

// HH:MM:SS.mmm (WebVTT) and HH:MM:SS,mmm (SRT); NONE reads as 0.
std::string webvtt_time(GstClockTime t);
std::string srt_time(GstClockTime t);
// &, < and > as character references: what WebVTT cue text cannot hold raw
// (this also rules out "-->").
std::string webvtt_escape(const std::string &text);
// A JSON string literal (with its quotes) of valid UTF-8 text.
std::string json_string(const std::string &text);
// Every field of s as a JSON object; values that are not numbers, booleans
// or strings are written as their GStreamer serialization.
std::string structure_json(const GstStructure *s);

// What the stream starts with: "WEBVTT\n\n" for WebVTT, nothing otherwise.
std::string header(Format format);
// One cue. index counts from 1 (WebVTT cue identifier, SRT number). A cue
// without an end lasts default_duration; one that would end before it
// starts lasts 1 ms (WebVTT and SRT want the end after the start).
// Empty text gives an empty string for WebVTT and SRT (no cue).
std::string format_cue(Format format, const Cue &cue, unsigned index, GstClockTime default_duration);

}  // namespace textfmt
}  // namespace rtms
