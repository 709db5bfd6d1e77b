// The scripted meeting's events in time order: participants joining and
// leaving, the active speaker changing whenever someone starts talking,
// cameras going on and off, and screen shares starting and stopping.
#pragma once

#include <cstdint>
#include <vector>

#include "protocol/messages.h"
#include "meeting_script.h"

namespace emulator {

struct TimelineEvent {
  int64_t at_ms = 0;   // meeting time
  rtms::Event event;   // timestamp filled in when sent
};

std::vector<TimelineEvent> build_event_timeline(const MeetingScript &script);

// PARTICIPANT_LEAVE for everyone still in the meeting when it ends, or an
// event with no participants when nobody is.
rtms::Event final_leave_event(const MeetingScript &script);

}  // namespace emulator
