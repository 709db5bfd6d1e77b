// Pipeline templates: gst-launch descriptions with an rtmssrc named `src` and
// placeholders the gateway fills per stream.
//   {stream_id}   rtms_stream_id (file-safe)
//   {meeting}     the meeting/webinar/session/engagement id, file-safe
//   {start_time}  UTC start of the stream, YYYYMMDD-HHMMSS
//   {out}         the stream's own output folder
#pragma once

#include <map>
#include <string>

namespace gateway {

struct PipelineTemplate {
  std::string name;
  std::string launch;
  // gst-launch syntax cannot link pads that appear later under names
  // nobody knows in advance: the gateway links each audio_%u pad to a WAV
  // file of its own when this is set.
  bool per_participant_audio = false;
};

// "record" and "mixed"; false when there is no such template.
bool shipped_template(const std::string &name, PipelineTemplate *out);
const char *shipped_template_names();  // for messages

// Anything but [A-Za-z0-9._-] becomes '_' (meeting UUIDs are base64 and may
// hold '/'), and a leading dot too, so a value can never climb out of a
// folder or break the gst-launch syntax.
std::string file_safe(const std::string &value);

// Replaces every {name} of values; unknown {words} stay as they are (they
// may be part of a property value).
std::string expand_placeholders(const std::string &text, const std::map<std::string, std::string> &values);

}  // namespace gateway
