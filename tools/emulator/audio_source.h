// The audio of a whole scripted meeting, encoded once per format before it
// is needed, so sending is only copying bytes on a timer.
//
// Meeting time is cut into intervals of send_rate ms. A participant talks in
// interval n when the interval's start (n * send_rate) lies in one of their
// talk spans while they are present; muted intervals have no payload at all,
// which is what makes the gap visible in the timestamps.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "audio_encoder.h"
#include "audio_format.h"
#include "media_frame.h"
#include "meeting_script.h"
#include "payload_sequence.h"

namespace emulator {

struct AudioTrack {
  int64_t user_id = 0;        // 0 for the mixed stream
  std::string user_name;      // empty for the mixed stream
  // intervals[n]: the messages of interval n (messages_per_interval of
  // them), or none when this track is silent then.
  std::vector<std::vector<Payload>> intervals;
  // Position of interval n's first message in `sent` (send order).
  std::vector<size_t> first_message;
  // Every message of the track in send order, with its base64 and digests.
  std::unique_ptr<PayloadSequence> sent;
  // The text of this track's messages around data, length and timestamp.
  MediaFrameTemplate message;
};

struct EncodedMeetingAudio {
  AudioFormat format;
  int64_t interval_count = 0;
  std::vector<AudioTrack> tracks;  // one per participant, or one mixed track
};

std::shared_ptr<const EncodedMeetingAudio> encode_meeting_audio(
    const MeetingScript &script, const AudioFormat &format, std::string *error);

}  // namespace emulator
