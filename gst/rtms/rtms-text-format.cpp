#include "rtms-text-format.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace rtms {
namespace textfmt {

namespace {

struct GFreeString {
  gchar *p;
  ~GFreeString() { g_free(p); }
};

bool is_blank(const std::string &line) {
  for (char c : line)
    if (c != ' ' && c != '\t') return false;
  return true;
}

std::string one_line(const std::string &text) {
  std::string out;
  for (char c : cue_lines(text)) out += c == '\n' ? ' ' : c;
  return out;
}

std::string clock_time(GstClockTime t, char separator) {
  if (!GST_CLOCK_TIME_IS_VALID(t)) t = 0;
  uint64_t ms = t / GST_MSECOND;
  char text[48];
  std::snprintf(text, sizeof text, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64 "%c%03" PRIu64, ms / 3600000,
                ms / 60000 % 60, ms / 1000 % 60, separator, ms % 1000);
  return text;
}

// Seconds with millisecond precision, as a JSON number.
std::string json_seconds(GstClockTime t) {
  uint64_t ms = t / GST_MSECOND;
  char text[48];
  std::snprintf(text, sizeof text, "%" PRIu64 ".%03" PRIu64, ms / 1000, ms % 1000);
  return text;
}

void cue_times(const Cue &cue, GstClockTime default_duration, GstClockTime *start, GstClockTime *end) {
  *start = GST_CLOCK_TIME_IS_VALID(cue.start) ? cue.start : 0;
  *end = GST_CLOCK_TIME_IS_VALID(cue.end) ? cue.end : *start + default_duration;
  if (*end <= *start) *end = *start + GST_MSECOND;
}

std::string json_value(const GValue *v) {
  GType type = G_VALUE_TYPE(v);
  if (type == G_TYPE_INT) return std::to_string(g_value_get_int(v));
  if (type == G_TYPE_UINT) return std::to_string(g_value_get_uint(v));
  if (type == G_TYPE_INT64) return std::to_string(g_value_get_int64(v));
  if (type == G_TYPE_UINT64) return std::to_string(g_value_get_uint64(v));
  if (type == G_TYPE_BOOLEAN) return g_value_get_boolean(v) ? "true" : "false";
  if (type == G_TYPE_STRING) {
    const char *s = g_value_get_string(v);
    return s ? json_string(valid_utf8(s, strlen(s), kMaxTextBytes)) : "null";
  }
  GFreeString serialized{gst_value_serialize(v)};
  if (!serialized.p) return "null";
  return json_string(valid_utf8(serialized.p, strlen(serialized.p), kMaxTextBytes));
}

}  // namespace

std::string valid_utf8(const char *data, size_t size, size_t max_bytes) {
  if (!data) return {};
  if (size > max_bytes) {
    // Back up to the start of a character (never more than 3 bytes).
    size_t cut = max_bytes;
    for (int i = 0; i < 3 && cut > 0 && (static_cast<unsigned char>(data[cut]) & 0xC0) == 0x80; i++) cut--;
    size = cut;
  }
  if (g_utf8_validate(data, gssize(size), nullptr)) return std::string(data, size);
  GFreeString valid{g_utf8_make_valid(data, gssize(size))};
  return valid.p ? std::string(valid.p) : std::string();
}

std::string cue_lines(const std::string &text) {
  std::string out;
  std::string line;
  auto end_line = [&]() {
    // Trim the line; a blank line would end a WebVTT cue or SRT entry early.
    size_t first = line.find_first_not_of(" \t");
    size_t last = line.find_last_not_of(" \t");
    if (first != std::string::npos && !is_blank(line)) {
      if (!out.empty()) out += '\n';
      out.append(line, first, last - first + 1);
    }
    line.clear();
  };
  const char *p = text.c_str();
  const char *end = p + text.size();
  while (p < end) {
    gunichar c = g_utf8_get_char_validated(p, end - p);
    if (c == gunichar(-1) || c == gunichar(-2)) break;  // not from valid_utf8()
    const char *next = g_utf8_next_char(p);
    if (c == '\r') {
      end_line();
      if (next < end && *next == '\n') next++;
    } else if (c == '\n' || c == 0x2028 || c == 0x2029) {
      end_line();
    } else if (c == '\t' || !(c < 0x20 || (c >= 0x7F && c <= 0x9F))) {
      line.append(p, next - p);
    }
    p = next;
  }
  end_line();
  return out;
}

std::string webvtt_time(GstClockTime t) { return clock_time(t, '.'); }
std::string srt_time(GstClockTime t) { return clock_time(t, ','); }

std::string webvtt_escape(const std::string &text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string json_string(const std::string &text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  const char *p = text.c_str();
  const char *end = p + text.size();
  while (p < end) {
    unsigned char c = static_cast<unsigned char>(*p);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          char esc[8];
          std::snprintf(esc, sizeof esc, "\\u%04x", c);
          out += esc;
        } else if (c == 0xE2 && end - p >= 3 && static_cast<unsigned char>(p[1]) == 0x80 &&
                   (static_cast<unsigned char>(p[2]) == 0xA8 || static_cast<unsigned char>(p[2]) == 0xA9)) {
          // U+2028 and U+2029 are valid JSON but end a line in JavaScript.
          out += static_cast<unsigned char>(p[2]) == 0xA8 ? "\\u2028" : "\\u2029";
          p += 2;
        } else {
          out += char(c);
        }
    }
    p++;
  }
  out += '"';
  return out;
}

std::string structure_json(const GstStructure *s) {
  std::string out = "{";
  gint n = gst_structure_n_fields(s);
  for (gint i = 0; i < n; i++) {
    const char *name = gst_structure_nth_field_name(s, guint(i));
    if (i) out += ',';
    out += json_string(valid_utf8(name, strlen(name), kMaxNameBytes));
    out += ':';
    out += json_value(gst_structure_get_value(s, name));
  }
  out += '}';
  return out;
}

std::string header(Format format) { return format == Format::WebVtt ? "WEBVTT\n\n" : ""; }

std::string format_cue(Format format, const Cue &cue, unsigned index, GstClockTime default_duration) {
  GstClockTime start, end;
  cue_times(cue, default_duration, &start, &end);
  if (format == Format::JsonLines) {
    std::string out = "{\"kind\":" + json_string(cue.kind) + ",\"start\":" + json_seconds(start) + ",\"end\":" +
                      (GST_CLOCK_TIME_IS_VALID(cue.end) ? json_seconds(end) : std::string("null"));
    out += ",\"speaker_id\":" + (cue.has_speaker ? std::to_string(cue.speaker_id) : std::string("null"));
    out += ",\"speaker\":" + (cue.has_speaker ? json_string(cue.speaker) : std::string("null"));
    out += ",\"language\":" + (cue.language_name.empty() ? std::string("null") : json_string(cue.language_name));
    out += ",\"language_id\":" + (cue.language >= 0 ? std::to_string(cue.language) : std::string("null"));
    out += ",\"text\":" + json_string(cue.text);
    if (!cue.meta_json.empty()) out += ",\"meta\":" + cue.meta_json;
    out += "}\n";
    return out;
  }
  std::string text = cue_lines(cue.text);
  if (text.empty()) return {};
  std::string speaker = one_line(cue.speaker);
  std::string out = std::to_string(index) + "\n";
  if (format == Format::WebVtt) {
    out += webvtt_time(start) + " --> " + webvtt_time(end) + "\n";
    if (!speaker.empty()) out += "<v " + webvtt_escape(speaker) + ">";
    out += webvtt_escape(text);
  } else {
    out += srt_time(start) + " --> " + srt_time(end) + "\n";
    if (!speaker.empty()) text = speaker + ": " + text;
    // SRT has no escaping; a timing arrow in the text could resynchronize
    // a parser, so it is broken with a zero-width space.
    std::string::size_type at = 0;
    while ((at = text.find("-->", at)) != std::string::npos) {
      text.insert(at + 2, "\xE2\x80\x8B");
      at += 6;
    }
    out += text;
  }
  out += "\n\n";
  return out;
}

}  // namespace textfmt
}  // namespace rtms
