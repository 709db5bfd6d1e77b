// Who the VIDEO_SINGLE_ACTIVE_STREAM shows: among the participants whose
// camera is on, the one who most recently started talking. Someone talking
// with their camera off does not take the picture away from the last
// speaker who still has a camera on.
#pragma once

#include <cstdint>

#include "meeting_script.h"

namespace emulator {

// Index into script.participants, or -1 when no participant with a camera on
// at ms has talked yet (nothing is shown then). Talk starts at the same
// moment go to the later participant in the script, as ACTIVE_SPEAKER_CHANGE
// events do.
int active_camera(const MeetingScript &script, int64_t ms);

}  // namespace emulator
