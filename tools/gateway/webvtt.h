// The transcript as a WebVTT file: one cue per rtmssrc transcript buffer,
// timed by the buffer's running time (the recording's timeline, the same as
// meeting.mkv's) and voiced by the speaker named in its GstRtmsMeta.
#pragma once

#include <string>

#include <gst/gst.h>

namespace gateway {

// HH:MM:SS.mmm, the cue timing format.
std::string webvtt_time(GstClockTime t);
// &, < and > as character references (cue text may not hold them raw).
std::string webvtt_escape(const std::string &text);
// One cue block, ending with a blank line: "<n>\n<start> --> <end>\n<v Name>text\n\n".
// An empty speaker gives no voice span; an end not after start gets 1 ms.
std::string webvtt_cue(unsigned index, GstClockTime start, GstClockTime end, const std::string &speaker,
                       const std::string &text);

// Writes path (header now, a cue per buffer, flushed as it goes, so even a
// killed gateway leaves every line so far) from the buffers that flow on pad.
// The file is closed at EOS or when the pad goes away. False with why when
// the file cannot be created.
bool attach_webvtt_writer(GstPad *pad, const std::string &path, std::string *why);

}  // namespace gateway
