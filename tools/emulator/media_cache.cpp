#include "media_cache.h"

#include <glib.h>

#include "log.h"

namespace emulator {

std::shared_ptr<const EncodedMeetingAudio> MediaCache::audio_for(const AudioFormat &format, std::string *error) {
  auto it = audio_.find(format.cache_key());
  if (it != audio_.end()) return it->second;
  gint64 started = g_get_monotonic_time();
  auto audio = encode_meeting_audio(script_, format, error);
  if (!audio) return nullptr;
  tools::log_info("encoded %" G_GINT64_FORMAT " ms of meeting audio as %s in %" G_GINT64_FORMAT " ms",
                  script_.duration_ms, format.describe().c_str(), (g_get_monotonic_time() - started) / 1000);
  audio_[format.cache_key()] = audio;
  return audio;
}

std::shared_ptr<const EncodedMeetingVideo> MediaCache::video_for(const VideoFormat &format, std::string *error) {
  auto it = video_.find(format.cache_key());
  if (it != video_.end()) return it->second;
  gint64 started = g_get_monotonic_time();
  auto video = encode_meeting_video(script_, format, error);
  if (!video) return nullptr;
  tools::log_info("encoded %" G_GINT64_FORMAT " ms of meeting %s as %s in %" G_GINT64_FORMAT " ms", script_.duration_ms,
                  format.kind == VideoKind::Camera ? "video" : "screen share", format.describe().c_str(),
                  (g_get_monotonic_time() - started) / 1000);
  video_[format.cache_key()] = video;
  return video;
}

}  // namespace emulator
