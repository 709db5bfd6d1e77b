// The video of a whole scripted meeting, encoded once per format before it
// is needed, so sending is only copying bytes on a timer. Cameras give one
// track per participant (frames while their camera is on and they are
// present); screen sharing gives one track per share (frames while it
// lasts). Each continuous run of frames is encoded on its own, so it starts
// with a keyframe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "meeting_script.h"
#include "video_encoder.h"
#include "video_format.h"

namespace emulator {

struct VideoTrack {
  int64_t user_id = 0;
  std::string user_name;
  int width = 0;
  int height = 0;
  // frames[i]: meeting frame i (time format.frame_ms(i)), empty when absent.
  std::vector<VideoFrame> frames;

  const VideoFrame *frame(int64_t i) const {
    if (i < 0 || i >= static_cast<int64_t>(frames.size()) || !frames[static_cast<size_t>(i)].present())
      return nullptr;
    return &frames[static_cast<size_t>(i)];
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
