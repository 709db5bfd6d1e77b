#include "video_source.h"

#include <functional>

namespace emulator {
namespace {

struct TrackPlan {
  int64_t user_id;
  std::string user_name;
  int width;
  int height;
  std::string pattern;
  std::string label;
  std::function<bool(int64_t ms)> visible;
};

std::vector<TrackPlan> plan_tracks(const MeetingScript &script, const VideoFormat &format) {
  std::vector<TrackPlan> plans;
  if (format.kind == VideoKind::Camera) {
    for (const auto &p : script.participants) {
      bool own_size = p.video_width > 0;
      plans.push_back({p.user_id, p.user_name, own_size ? p.video_width : format.width,
                       own_size ? p.video_height : format.height, p.video_pattern, p.user_name,
                       [&p](int64_t ms) { return p.camera_on_at(ms); }});
    }
  } else {
    for (const auto &share : script.shares) {
      const ScriptParticipant *p = script.find(share.user_id);
      std::string name = p != nullptr ? p->user_name : std::string();
      plans.push_back({share.user_id, name, format.width, format.height, share.pattern, name + "'s screen",
                       [&share](int64_t ms) { return ms >= share.start_ms && ms < share.end_ms; }});
    }
  }
  return plans;
}

bool encode_track(const VideoFormat &format, int64_t frame_count, int64_t first_frame, const TrackPlan &plan,
                  VideoTrack *track, std::string *error) {
  track->user_id = plan.user_id;
  track->user_name = plan.user_name;
  track->width = plan.width;
  track->height = plan.height;
  track->message = MediaFrameTemplate(
      format.kind == VideoKind::Camera ? rtms::MessageType::MediaDataVideo : rtms::MessageType::MediaDataShare,
      plan.user_id, true, plan.user_name);
  track->slots.assign(static_cast<size_t>(frame_count), -1);
  // A run restarts the loop, so it opens with the keyframe.
  int32_t position = -1;
  bool any = false;
  for (int64_t i = first_frame; i < frame_count; ++i) {
    if (!plan.visible(format.frame_ms(i))) {
      position = -1;
      continue;
    }
    position = (position + 1) % format.fps;
    track->slots[static_cast<size_t>(i)] = position;
    any = true;
  }
  if (!any) return true;
  VideoSegmentSpec spec{format.codec, plan.width,  plan.height, format.fps,
                        plan.pattern, plan.label, format.fps, format.bitrate_kbps};
  spec.stamp = format.stamp && format.kind == VideoKind::Camera;
  return encode_video_segment(spec, &track->loop, error);
}

}  // namespace

std::shared_ptr<const EncodedMeetingVideo> encode_meeting_video(const MeetingScript &script,
                                                                const VideoFormat &format, std::string *error) {
  auto video = std::make_shared<EncodedMeetingVideo>();
  video->format = format;
  video->frame_count = format.frame_count(script.duration_ms);
  // Zoom buffers audio only: frames from before t0 are never sent, so they
  // are not encoded either (and the first frame sent is a keyframe).
  int64_t first_frame = format.frames_due(script.buffered_audio_ms - 1);
  for (const auto &plan : plan_tracks(script, format)) {
    VideoTrack track;
    if (!encode_track(format, video->frame_count, first_frame, plan, &track, error)) return nullptr;
    video->tracks.push_back(std::move(track));
  }
  return video;
}

}  // namespace emulator
