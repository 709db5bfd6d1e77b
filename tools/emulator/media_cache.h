// The meeting's media, encoded once per format for the whole process.
//
// Every stream of a multi-stream emulator plays the same script, so the
// audio and video payloads are byte for byte the same: they are encoded
// (and base64-encoded, and hashed) once, on the first handshake that asks
// for a format, and shared by every stream.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "audio_format.h"
#include "audio_source.h"
#include "meeting_script.h"
#include "video_format.h"
#include "video_source.h"

namespace emulator {

class MediaCache {
 public:
  // `script` must outlive the cache; only its media-related parts are read
  // (never its ids, which differ between streams).
  explicit MediaCache(const MeetingScript &script) : script_(script) {}
  MediaCache(const MediaCache &) = delete;
  MediaCache &operator=(const MediaCache &) = delete;

  // nullptr and *error when the emulator cannot produce the format.
  std::shared_ptr<const EncodedMeetingAudio> audio_for(const AudioFormat &format, std::string *error);
  std::shared_ptr<const EncodedMeetingVideo> video_for(const VideoFormat &format, std::string *error);

 private:
  const MeetingScript &script_;
  std::map<std::string, std::shared_ptr<const EncodedMeetingAudio>> audio_;
  std::map<std::string, std::shared_ptr<const EncodedMeetingVideo>> video_;
};

}  // namespace emulator
