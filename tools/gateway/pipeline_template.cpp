#include "pipeline_template.h"

#include <glib.h>

namespace gateway {

namespace {

struct Shipped {
  const char *name;
  const char *launch;
  bool per_participant_audio;
};

// record: per-participant WAV files, linked by the gateway as speakers
// appear. mixed: one WAV file of the mixed audio, all in gst-launch syntax.
constexpr Shipped kShipped[] = {
    {"record", "rtmssrc name=src", true},
    {"mixed",
     "rtmssrc name=src audio-mode=mixed ! queue ! audiorate ! audioconvert ! wavenc ! "
     "filesink location=\"{out}/mixed.wav\"",
     false},
};

}  // namespace

bool shipped_template(const std::string &name, PipelineTemplate *out) {
  for (const auto &t : kShipped) {
    if (name == t.name) {
      *out = PipelineTemplate{t.name, t.launch, t.per_participant_audio};
      return true;
    }
  }
  return false;
}

const char *shipped_template_names() { return "record, mixed"; }

std::string file_safe(const std::string &value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) out += (g_ascii_isalnum(c) || c == '-' || c == '_' || c == '.') ? c : '_';
  if (!out.empty() && out[0] == '.') out[0] = '_';
  if (out.empty()) out = "_";
  return out;
}

std::string expand_placeholders(const std::string &text, const std::map<std::string, std::string> &values) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '{') {
      size_t close = text.find('}', i);
      if (close != std::string::npos) {
        auto it = values.find(text.substr(i + 1, close - i - 1));
        if (it != values.end()) {
          out += it->second;
          i = close + 1;
          continue;
        }
      }
    }
    out += text[i++];
  }
  return out;
}

}  // namespace gateway
