// The video of a whole scripted meeting, encoded once per format before it
// is needed, so sending is only copying bytes on a timer. Cameras give one
// track per participant (frames while their camera is on and they are
// present); screen sharing gives one track per share (frames while it
// lasts).
//
// Each track encodes one second of its picture (one GOP: a keyframe and
// fps-1 frames after it) and plays it in a loop: every continuous run of
// frames starts at the loop's keyframe, and a keyframe follows every second.
// That keeps setup time and memory independent of the meeting's length
// (an hour of 30 fps HD would otherwise take minutes and gigabytes).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "media_frame.h"
#include "meeting_script.h"
#include "video_encoder.h"
#include "video_format.h"

namespace emulator {

struct VideoTrack {
  int64_t user_id = 0;
  std::string user_name;
  int width = 0;
  int height = 0;
  std::vector<VideoFrame> loop;  // one second, keyframe first
  // slots[i]: the loop frame shown at meeting frame i (time
  // format.frame_ms(i)), -1 when there is none.
  std::vector<int32_t> slots;
  // The text of this track's messages around data, length and timestamp.
  MediaFrameTemplate message;

  const VideoFrame *frame(int64_t i) const {
    if (i < 0 || i >= static_cast<int64_t>(slots.size())) return nullptr;
    int32_t slot = slots[static_cast<size_t>(i)];
    return slot < 0 ? nullptr : &loop[static_cast<size_t>(slot)];
  }
};

struct EncodedMeetingVideo {
  VideoFormat format;
  int64_t frame_count = 0;
  // Camera: participants in script order. Share: shares in script order.
  std::vector<VideoTrack> tracks;
};

std::shared_ptr<const EncodedMeetingVideo> encode_meeting_video(const MeetingScript &script,
                                                                const VideoFormat &format, std::string *error);

}  // namespace emulator
