#include "active_speaker.h"

namespace emulator {

int active_camera(const MeetingScript &script, int64_t ms) {
  int best = -1;
  int64_t best_start = -1;
  for (size_t i = 0; i < script.participants.size(); ++i) {
    const ScriptParticipant &p = script.participants[i];
    if (!p.camera_on_at(ms)) continue;
    int64_t start = p.last_talk_start(ms);
    if (start >= 0 && start >= best_start) {
      best = static_cast<int>(i);
      best_start = start;
    }
  }
  return best;
}

}  // namespace emulator
