// Pipeline templates: gst-launch descriptions with an rtmssrc named `src` and
// placeholders the gateway fills per stream.
//   {stream_id}   rtms_stream_id (file-safe)
//   {meeting}     the meeting/webinar/session/engagement id, file-safe
//   {start_time}  UTC start of the stream, YYYYMMDD-HHMMSS
//   {out}         the stream's own output folder
//   {rtmp_url}    --rtmp-url, its own placeholders filled in
//   {account_id}, {meeting_id}, {webinar_id}   rtms_started's fields of those
//                 names, file-safe; empty when the webhook has none
//   {is_original_host}   "true", "false", or empty when absent
//
// gst-launch syntax cannot link pads that appear later under names nobody
// knows in advance (one audio pad per speaker), nor pads that rtmssrc adds
// after no-more-pads (video_0 comes with the first frame). The gateway links
// those itself (pad_router.h): every audio_%u pad to its own WAV file
// (per_participant_audio) and to an element named `mix`; video_0,
// deskshare_0, transcript_0 and chat_0 to an element named `video`,
// `deskshare`, `transcript` and `chat`.
#pragma once

#include <map>
#include <string>

namespace gateway {

struct PipelineTemplate {
  std::string name;
  std::string launch;
  // Each audio_%u pad of src is also recorded to {out}/audio_N-<id>.wav.
  bool per_participant_audio = false;
  // The transcript is also written to {out}/transcript.vtt.
  bool webvtt = false;
  // The template names {rtmp_url}: --rtmp-url is required.
  bool needs_rtmp_url = false;
  // --rtmp-url, with {stream_id}, {meeting} and {start_time} of its own.
  std::string rtmp_url;
};

// "record", "mixed", "rtmp" and "hls"; false when there is no such template.
bool shipped_template(const std::string &name, PipelineTemplate *out);
const char *shipped_template_names();  // for messages

// Anything but [A-Za-z0-9._-] becomes '_' (meeting UUIDs are base64 and may
// hold '/'), and a leading dot too, so a value can never climb out of a
// folder or break the gst-launch syntax.
std::string file_safe(const std::string &value);

// Replaces every {name} of values; unknown {words} stay as they are (they
// may be part of a property value).
std::string expand_placeholders(const std::string &text, const std::map<std::string, std::string> &values);

// What --rtmp-url may be: an rtmp:// or rtmps:// URL without characters that
// would end its quoted value in a gst-launch description. False with why.
bool valid_rtmp_url(const std::string &url, std::string *why);

}  // namespace gateway
