// The JSON meeting script: who is in the meeting, when they join, leave,
// talk, show their camera and share their screen, what the transcript says
// and who chats. Parsing validates everything up front and names the faulty field,
// so a typo in a test's script fails loudly instead of producing a quiet,
// wrong meeting.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fault_injection.h"

namespace emulator {

struct TalkSpan {
  int64_t start_ms = 0;  // meeting time, inclusive
  int64_t end_ms = 0;    // exclusive
};

struct ScriptParticipant {
  int64_t user_id = 0;
  std::string user_name;
  double tone_hz = 440.0;
  int64_t join_ms = 0;
  int64_t leave_ms = 0;  // the meeting's duration when the script omits it
  bool leaves_before_end = false;
  std::vector<TalkSpan> talk;
  // Camera-on spans, within the presence; the whole presence by default.
  std::vector<TalkSpan> camera;
  // 0 x 0: the size the negotiated video resolution implies.
  int video_width = 0;
  int video_height = 0;
  std::string video_pattern;  // videotestsrc nick, default filled in

  bool present_at(int64_t ms) const { return ms >= join_ms && ms < leave_ms; }
  bool talking_at(int64_t ms) const;
  bool camera_on_at(int64_t ms) const;
  // The start of the latest talk span that began at or before ms, -1 if none.
  int64_t last_talk_start(int64_t ms) const;
};

struct ScriptShare {
  int64_t user_id = 0;
  int64_t start_ms = 0;  // inclusive
  int64_t end_ms = 0;    // exclusive
  std::string pattern;
};

// One utterance; Zoom knows its text only when it ends, so that is when it
// is sent.
struct ScriptTranscriptLine {
  int64_t user_id = 0;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  std::string text;
  int language = 9;  // ENGLISH
};

struct ScriptChat {
  int64_t at_ms = 0;
  int64_t from = 0;
  bool has_to = false;  // false: to everyone
  int64_t to = 0;
  std::string text;
  bool structured = false;  // data is the JSON form (sender, receiver, ...)
};

struct MeetingScript {
  std::string meeting_uuid;
  std::string rtms_stream_id;
  std::string rtms_session_id;
  std::string operator_id;
  int64_t duration_ms = 0;
  // Audio from before the client was ready, delivered in a burst (Zoom
  // buffers up to 60 s from rtms_started).
  int64_t buffered_audio_ms = 0;
  // Zoom sometimes sends its JSON in BINARY frames; clients must cope.
  bool binary_frames = false;
  std::vector<ScriptParticipant> participants;
  // Same as --inject; sent before the command line's.
  std::vector<Injection> injections;
  std::vector<ScriptShare> shares;                 // in time order
  std::vector<ScriptTranscriptLine> transcript;    // in script order
  std::vector<ScriptChat> chat;                    // in script order

  const ScriptParticipant *find(int64_t user_id) const;
};

// Parses and validates a script. On failure returns false and sets *error to
// a message naming the field ("participants[1].talk[0]: ...").
bool parse_meeting_script(std::string_view json, MeetingScript *script,
                          std::string *error);
bool load_meeting_script(const std::string &path, MeetingScript *script,
                         std::string *error);

// The meeting used when no --script is given: a few seconds, two talkers.
MeetingScript builtin_meeting_script();

}  // namespace emulator
