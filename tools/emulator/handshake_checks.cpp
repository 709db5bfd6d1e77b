#include "handshake_checks.h"

#include <utility>

#include "protocol/signature.h"

namespace emulator {
namespace {

using rtms::StatusCode;

Verdict reject(StatusCode status, std::string reason) { return Verdict{status, std::move(reason)}; }

StatusCode scope_status(uint32_t single_flag) {
  switch (single_flag) {
    case rtms::kMediaAudio: return StatusCode::MediaTypeAudioNotSupport;
    case rtms::kMediaVideo: return StatusCode::MediaTypeVideoNotSupport;
    case rtms::kMediaDeskshare: return StatusCode::MediaTypeDeskshareNotSupport;
    case rtms::kMediaTranscript: return StatusCode::MediaTypeTranscriptNotSupport;
    default: return StatusCode::MediaTypeChatNotSupport;
  }
}

// The first type in `wanted` the app has no scope for, or 0.
uint32_t first_unscoped(uint32_t wanted, uint32_t scopes) {
  for (uint32_t flag = rtms::kMediaAudio; flag <= rtms::kMediaChat; flag <<= 1)
    if ((wanted & flag) && !(scopes & flag)) return flag;
  return 0;
}

// Keeps only the parameter blocks for the types this socket carries.
rtms::MediaParams restrict_to(const rtms::MediaParams &params, uint32_t types) {
  rtms::MediaParams out;
  if (types & rtms::kMediaAudio) out.audio = params.audio;
  if (types & rtms::kMediaVideo) out.video = params.video;
  if (types & rtms::kMediaDeskshare) out.deskshare = params.deskshare;
  if (types & rtms::kMediaTranscript) out.transcript = params.transcript;
  if (types & rtms::kMediaChat) out.chat = params.chat;
  return out;
}

struct FieldStatus {
  const char *field;
  StatusCode status;
};

// Most specific first: the longest matching prefix wins.
constexpr FieldStatus kParamFieldStatus[] = {
    {"media_params.audio.content_type", StatusCode::InvalidMediaAudioContentType},
    {"media_params.audio.sample_rate", StatusCode::InvalidMediaAudioSampleRate},
    {"media_params.audio.channel", StatusCode::InvalidMediaAudioChannel},
    {"media_params.audio.codec", StatusCode::InvalidMediaAudioCodec},
    {"media_params.audio.data_opt", StatusCode::InvalidMediaAudioDataOpt},
    {"media_params.audio.send_rate", StatusCode::InvalidMediaAudioSendRate},
    {"media_params.audio", StatusCode::InvalidMediaAudioParams},
    {"media_params.video.content_type", StatusCode::InvalidMediaVideoContentType},
    {"media_params.video.codec", StatusCode::InvalidMediaVideoCodec},
    {"media_params.video.resolution", StatusCode::InvalidMediaVideoResolution},
    {"media_params.video.data_opt", StatusCode::InvalidMediaVideoDataOpt},
    {"media_params.video.fps", StatusCode::InvalidMediaVideoFps},
    {"media_params.video", StatusCode::InvalidMediaVideoParams},
    {"media_params.deskshare.content_type", StatusCode::InvalidMediaDeskshareContentType},
    {"media_params.deskshare.codec", StatusCode::InvalidMediaDeskshareCodec},
    {"media_params.deskshare.resolution", StatusCode::InvalidMediaDeskshareResolution},
    {"media_params.deskshare.fps", StatusCode::InvalidMediaDeskshareFps},
    {"media_params.deskshare", StatusCode::InvalidMediaDeskshareParams},
    {"media_params.transcript.content_type", StatusCode::InvalidMediaTranscriptContentType},
    {"media_params.transcript.src_language", StatusCode::InvalidMediaTranscriptSourceLanguage},
    {"media_params.transcript", StatusCode::InvalidMediaTranscriptParams},
    {"media_params.chat.content_type", StatusCode::InvalidMediaChatContentType},
    {"media_params.chat", StatusCode::InvalidMediaChatParams},
    {"media_params", StatusCode::InvalidMediaParams},
};

}  // namespace

Verdict check_credentials(int protocol_version, const rtms::Identity &identity,
                          const std::string &rtms_stream_id, const std::string &signature,
                          const MeetingScript &script, const Options &options) {
  if (protocol_version != 1)
    return reject(StatusCode::InvalidPayload,
                  "unsupported protocol_version " + std::to_string(protocol_version) + " (only 1 exists)");
  if (rtms_stream_id != script.rtms_stream_id)
    return reject(StatusCode::InvalidRtmsStreamId, "unknown rtms_stream_id \"" + rtms_stream_id + "\"");
  if (identity.instance_id.empty())
    return reject(StatusCode::InvalidPayload,
                  "no instance id (meeting_uuid, webinar_uuid, session_id, engagement_id or call_id)");
  // The signature is checked against the stream's own meeting, as Zoom
  // knows it, so a handshake naming another meeting fails here too.
  if (!rtms::verify_handshake_signature(signature, options.client_id, script.meeting_uuid,
                                        script.rtms_stream_id, options.client_secret)) {
    std::string reason = "signature is not HMAC-SHA256(client secret, \"client_id,meeting_uuid,rtms_stream_id\")";
    if (identity.instance_id != script.meeting_uuid)
      reason += "; the handshake names instance \"" + identity.instance_id +
                "\" but this stream belongs to \"" + script.meeting_uuid + "\"";
    return reject(StatusCode::InvalidSignature, reason);
  }
  return {};
}

MediaAdmission admit_media(const rtms::DataHandshakeReq &request, uint32_t scopes,
                           const MediaSocketsInUse &in_use) {
  MediaAdmission a;
  const uint32_t mask = request.media_type;
  if (mask == 0) {
    a.verdict = reject(StatusCode::InvalidMediaType, "media_type 0 names no media");
    return a;
  }
  if ((mask & ~(rtms::kMediaEveryType | rtms::kMediaAll)) != 0 ||
      ((mask & rtms::kMediaAll) && (mask & rtms::kMediaEveryType))) {
    a.verdict = reject(StatusCode::MediaTypeInvalidValue,
                       "media_type " + std::to_string(mask) +
                           " is neither 32 (all) nor a combination of 1, 2, 4, 8 and 16");
    return a;
  }
  a.is_all = mask == rtms::kMediaAll;
  // An "all" socket carries every granted type; params for a type without
  // scope are as wrong as asking for that type outright.
  uint32_t asked = a.is_all ? request.media_params.present_types() : mask;
  if (uint32_t flag = first_unscoped(asked, scopes)) {
    a.verdict = reject(scope_status(flag), std::string("the app has no scope for ") +
                                               rtms::media_type_key(flag) + " media");
    return a;
  }
  a.carried = a.is_all ? scopes : mask;
  if (a.is_all && in_use.all) {
    a.verdict = reject(StatusCode::DuplicateMediaDataConnection, "an \"all\" media socket is already open");
    return a;
  }
  if (a.is_all ? in_use.split != 0 : in_use.all) {
    a.verdict = reject(StatusCode::MediaDataAllConnectionExist,
                       a.is_all ? "per-type media sockets are already open"
                                : "an \"all\" media socket is already open");
    return a;
  }
  if (uint32_t dup = a.carried & in_use.split) {
    a.verdict = reject(StatusCode::DuplicateMediaDataConnection,
                       "a media socket for " + rtms::media_type_names(dup) + " is already open");
    return a;
  }
  a.effective = rtms::apply_defaults(restrict_to(request.media_params, a.carried), a.carried);
  a.has_effective = true;
  rtms::Validation v = rtms::validate(a.effective);
  if (!v.ok()) a.verdict = reject(v.status, v.reason);
  return a;
}

StatusCode status_for_decode_error(const rtms::ProtocolError &error) {
  if (error.field == "msg_type") return StatusCode::InvalidMessageType;
  for (const auto &entry : kParamFieldStatus) {
    std::string prefix = entry.field;
    if (error.field == prefix || error.field.rfind(prefix + ".", 0) == 0 ||
        error.field.rfind(prefix + "[", 0) == 0)
      return entry.status;
  }
  return StatusCode::InvalidPayload;
}

}  // namespace emulator
