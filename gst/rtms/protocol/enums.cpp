#include "enums.h"

namespace rtms {

namespace {

// Name tables indexed by wire value; nullptr marks a hole. Kept as arrays so
// the wire number sits visibly next to its name.
template <size_t N>
const char *lookup(const char *const (&table)[N], int v, int first = 0) {
  int index = v - first;
  if (index < 0 || static_cast<size_t>(index) >= N || !table[index])
    return "UNKNOWN";
  return table[index];
}

constexpr const char *kMessageTypes[] = {
    "UNDEFINED",                 // 0
    "SIGNALING_HAND_SHAKE_REQ",  // 1
    "SIGNALING_HAND_SHAKE_RESP", // 2
    "DATA_HAND_SHAKE_REQ",       // 3
    "DATA_HAND_SHAKE_RESP",      // 4
    "EVENT_SUBSCRIPTION",        // 5
    "EVENT_UPDATE",              // 6
    "CLIENT_READY_ACK",          // 7
    "STREAM_STATE_UPDATE",       // 8
    "SESSION_STATE_UPDATE",      // 9
    "SESSION_STATE_REQ",         // 10
    "SESSION_STATE_RESP",        // 11
    "KEEP_ALIVE_REQ",            // 12
    "KEEP_ALIVE_RESP",           // 13
    "MEDIA_DATA_AUDIO",          // 14
    "MEDIA_DATA_VIDEO",          // 15
    "MEDIA_DATA_SHARE",          // 16
    "MEDIA_DATA_TRANSCRIPT",     // 17
    "MEDIA_DATA_CHAT",           // 18
    "STREAM_STATE_REQ",          // 19
    "STREAM_STATE_RESP",         // 20
    "STREAM_CLOSE_REQ",          // 21
    "STREAM_CLOSE_RESP",         // 22
    "META_DATA_AUDIO",           // 23
    "META_DATA_VIDEO",           // 24
    "META_DATA_SHARE",           // 25
    "META_DATA_TRANSCRIPT",      // 26
    "META_DATA_CHAT",            // 27
    "VIDEO_SUBSCRIPTION_REQ",    // 28
    "VIDEO_SUBSCRIPTION_RESP",   // 29
};

constexpr const char *kContentTypes[] = {
    "UNDEFINED", "RTP", "RAW_AUDIO", "RAW_VIDEO", "FILE_STREAM", "TEXT",
};

constexpr const char *kCodecs[] = {
    "UNDEFINED", "L16", "G711", "G722", "OPUS", "JPG", "PNG", "H264",
};

constexpr const char *kSampleRates[] = {"SR_8K", "SR_16K", "SR_32K", "SR_48K"};

constexpr const char *kChannels[] = {nullptr, "MONO", "STEREO"};

constexpr const char *kResolutions[] = {"UNDEFINED", "SD", "HD", "FHD", "QHD"};

constexpr const char *kDataOptions[] = {
    "UNDEFINED",
    "AUDIO_MIXED_STREAM",
    "AUDIO_MULTI_STREAMS",
    "VIDEO_SINGLE_ACTIVE_STREAM",
    "VIDEO_SINGLE_INDIVIDUAL_STREAM",
    "VIDEO_MIXED_GALLERY_VIEW",
};

constexpr const char *kEventTypes[] = {
    "UNDEFINED",                        // 0
    "FIRST_PACKET_TIMESTAMP",           // 1
    "ACTIVE_SPEAKER_CHANGE",            // 2
    "PARTICIPANT_JOIN",                 // 3
    "PARTICIPANT_LEAVE",                // 4
    "SHARING_START",                    // 5
    "SHARING_STOP",                     // 6
    "MEDIA_CONNECTION_INTERRUPTED",     // 7
    "PARTICIPANT_VIDEO_ON",             // 8
    "PARTICIPANT_VIDEO_OFF",            // 9
    "CHAT_GROUP_CREATE",                // 10
    "CHAT_GROUP_DELETE",                // 11
    "CHAT_GROUP_MEMBERS_ADD",           // 12
    "CHAT_GROUP_MEMBERS_DELETE",        // 13
    "CHAT_GROUP_MEMBER_STATUS_UPDATE",  // 14
};

constexpr const char *kZccEventTypes[] = {
    "UNDEFINED",                        // 0
    nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
    "CONSUMER_ANSWERED",                // 8
    "CONSUMER_END",                     // 9
    "USER_ANSWERED",                    // 10
    "USER_END",                         // 11
    "USER_HOLD",                        // 12
    "USER_UNHOLD",                      // 13
    "MONITOR_STARTED",                  // 14
    "MONITOR_TRANSITIONED",             // 15
    "MONITOR_ENDED",                    // 16
    "TAKEOVER_STARTED",                 // 17
    "TRANSFER_INITIATED",               // 18
    "TRANSFER_CANCELED",                // 19
    "TRANSFER_ACCEPTED",                // 20
    "TRANSFER_COMPLETED",               // 21
    "TRANSFER_REJECTED",                // 22
    "TRANSFER_TIMEOUT",                 // 23
    "CONFERENCE_CANCELED",              // 24
    "CONFERENCE_PARTICIPANT_CANCELED",  // 25
    "CONFERENCE_PARTICIPANT_INVITED",   // 26
    "CONFERENCE_PARTICIPANT_REJECTED",  // 27
    "CONFERENCE_PARTICIPANT_TIMEOUT",   // 28
    "CONFERENCE_PARTICIPANT_LEFT",      // 29
};

constexpr const char *kStatusCodes[] = {
    "OK",                                       // 0
    "INVALID_MESSAGE_TYPE",                     // 1
    "INVALID_RTMS_STREAM_ID",                   // 2
    "INVALID_SIGNATURE",                        // 3
    "INVALID_PAYLOAD",                          // 4
    "INVALID_EVENTS",                           // 5
    "INVALID_EVENT_TYPE",                       // 6
    "INVALID_MEDIA_TYPE",                       // 7
    "DUPLICATE_SIGNAL_REQUEST",                 // 8
    "MEDIA_TYPE_AUDIO_NOT_SUPPORT",             // 9
    "MEDIA_TYPE_VIDEO_NOT_SUPPORT",             // 10
    "MEDIA_TYPE_DESKSHARE_NOT_SUPPORT",         // 11
    "MEDIA_TYPE_TRANSCRIPT_NOT_SUPPORT",        // 12
    "MEDIA_TYPE_CHAT_NOT_SUPPORT",              // 13
    "MEDIA_TYPE_INVALID_VALUE",                 // 14
    "MEDIA_DATA_ALL_CONNECTION_EXIST",          // 15
    "DUPLICATE_MEDIA_DATA_CONNECTION",          // 16
    "INVALID_MEDIA_PARAMS",                     // 17
    "INVALID_MEDIA_AUDIO_PARAMS",               // 18
    "INVALID_MEDIA_AUDIO_CONTENT_TYPE",         // 19
    "INVALID_MEDIA_AUDIO_SAMPLE_RATE",          // 20
    "INVALID_MEDIA_AUDIO_CHANNEL",              // 21
    "INVALID_MEDIA_AUDIO_CODEC",                // 22
    "INVALID_MEDIA_AUDIO_DATA_OPT",             // 23
    "INVALID_MEDIA_AUDIO_SEND_RATE",            // 24
    "INVALID_MEDIA_VIDEO_PARAMS",               // 25
    "INVALID_MEDIA_VIDEO_CONTENT_TYPE",         // 26
    "INVALID_MEDIA_VIDEO_CODEC",                // 27
    "INVALID_MEDIA_VIDEO_RESOLUTION",           // 28
    "INVALID_MEDIA_VIDEO_DATA_OPT",             // 29
    "INVALID_MEDIA_VIDEO_FPS",                  // 30
    "INVALID_MEDIA_DESKSHARE_PARAMS",           // 31
    "INVALID_MEDIA_DESKSHARE_CONTENT_TYPE",     // 32
    "INVALID_MEDIA_DESKSHARE_CODEC",            // 33
    "INVALID_MEDIA_DESKSHARE_RESOLUTION",       // 34
    "INVALID_MEDIA_DESKSHARE_FPS",              // 35
    "INVALID_MEDIA_TRANSCRIPT_PARAMS",          // 36
    "INVALID_MEDIA_TRANSCRIPT_CONTENT_TYPE",    // 37
    "INVALID_MEDIA_CHAT_PARAMS",                // 38
    "INVALID_MEDIA_CHAT_CONTENT_TYPE",          // 39
    "INVALID_RTMS_SESSION_ID",                  // 40
    "INVALID_CLIENT_READY_ACK",                 // 41
    "INVALID_EVENT_SUBSCRIBE",                  // 42
    "INVALID_MEDIA_TRANSCRIPT_SOURCE_LANGUAGE", // 43
    "DUPLICATE_VIDEO_SUBSCRIPTION",             // 44
    "INTERNAL_EXCEPTION",                       // 45
    "INVALID_MEDIA_TRANSCRIPT_TARGET_LANGUAGE", // 46
    "CHAT_SESSION_KEY_NOT_AVAILABLE",           // 47
};

constexpr const char *kSessionStates[] = {
    "INACTIVE", "INITIALIZE", "STARTED", "PAUSED", "RESUMED", "STOPPED",
};

constexpr const char *kStreamStates[] = {
    "INACTIVE",   "ACTIVE", "INTERRUPTED", "TERMINATING",
    "TERMINATED", "PAUSED", "RESUMED",
};

constexpr const char *kStopReasons[] = {
    "UNDEFINED",                          // 0
    "HOST_TRIGGERED",                     // 1
    "USER_TRIGGERED",                     // 2
    "USER_LEFT",                          // 3
    "USER_EJECTED",                       // 4
    "HOST_DISABLED_APP",                  // 5
    "MEETING_ENDED",                      // 6
    "STREAM_CANCELED",                    // 7
    "STREAM_REVOKED",                     // 8
    "ALL_APPS_DISABLED",                  // 9
    "INTERNAL_EXCEPTION",                 // 10
    "CONNECTION_TIMEOUT",                 // 11
    "INSTANCE_CONNECTION_INTERRUPTED",    // 12
    "SIGNAL_CONNECTION_INTERRUPTED",      // 13
    "DATA_CONNECTION_INTERRUPTED",        // 14
    "SIGNAL_CONNECTION_CLOSED_ABNORMALLY",// 15
    "DATA_CONNECTION_CLOSED_ABNORMALLY",  // 16
    "EXIT_SIGNAL",                        // 17
    "AUTHENTICATION_FAILURE",             // 18
    "AWAIT_RECONNECTION_TIMEOUT",         // 19
    "RECEIVER_REQUEST_CLOSE",             // 20
    "CUSTOMER_DISCONNECTED",              // 21
    "AGENT_DISCONNECTED",                 // 22
    "ADMIN_DISABLED_APP",                 // 23
    "KEEP_ALIVE_TIMEOUT",                 // 24
    "MANUAL_API_TRIGGERED",               // 25
    "STREAMING_NOT_SUPPORTED",            // 26
};

// Starts at -1 (NONE, automatic detection).
constexpr const char *kLanguages[] = {
    "NONE",               // -1
    "ARABIC",             // 0
    "BENGALI",            // 1
    "CANTONESE",          // 2
    "CATALAN",            // 3
    "CHINESE_SIMPLIFIED", // 4
    "CHINESE_TRADITIONAL",// 5
    "CZECH",              // 6
    "DANISH",             // 7
    "DUTCH",              // 8
    "ENGLISH",            // 9
    "ESTONIAN",           // 10
    "FINNISH",            // 11
    "FRENCH_CANADA",      // 12
    "FRENCH_FRANCE",      // 13
    "GERMAN",             // 14
    "HEBREW",             // 15
    "HINDI",              // 16
    "HUNGARIAN",          // 17
    "INDONESIAN",         // 18
    "ITALIAN",            // 19
    "JAPANESE",           // 20
    "KOREAN",             // 21
    "MALAY",              // 22
    "PERSIAN",            // 23
    "POLISH",             // 24
    "PORTUGUESE",         // 25
    "ROMANIAN",           // 26
    "RUSSIAN",            // 27
    "SPANISH",            // 28
    "SWEDISH",            // 29
    "TAGALOG",            // 30
    "TAMIL",              // 31
    "TELUGU",             // 32
    "THAI",               // 33
    "TURKISH",            // 34
    "UKRAINIAN",          // 35
    "VIETNAMESE",         // 36
};

constexpr const char *kTransmission[] = {nullptr, "WEBSOCKET", "RTMP", "UDP",
                                         "WEBRTC"};

constexpr const char *kAttributes[] = {"ATTR_NONE", "ATTR_NEW", "ATTR_UPDATE",
                                       "ATTR_DELETE"};

constexpr const char *kChatOperations[] = {
    nullptr,  "NEW", "DELETE", "UPDATE", "ADD_EMOJI_REACTION",
    "REMOVE_EMOJI_REACTION",
};

constexpr const char *kChatSessionTypes[] = {
    nullptr,
    "EVERYONE",
    "INDIVIDUAL",
    "CHAT_GROUP",
    "HOSTS_AND_PANELISTS",
    "INDIVIDUAL_CC_HOSTS_AND_PANELISTS",
};

constexpr const char *kProducts[] = {"MEETING", "WEBINAR", "VIDEO_SDK",
                                     "CONTACT_CENTER", "PHONE"};

struct MediaFlagName {
  uint32_t flag;
  const char *upper;
  const char *key;
};
constexpr MediaFlagName kMediaFlags[] = {
    {kMediaAudio, "AUDIO", "audio"},
    {kMediaVideo, "VIDEO", "video"},
    {kMediaDeskshare, "DESKSHARE", "deskshare"},
    {kMediaTranscript, "TRANSCRIPT", "transcript"},
    {kMediaChat, "CHAT", "chat"},
    {kMediaAll, "ALL", "all"},
};

}  // namespace

const char *to_string(MessageType v) { return lookup(kMessageTypes, int(v)); }
const char *to_string(ContentType v) { return lookup(kContentTypes, int(v)); }
const char *to_string(Codec v) { return lookup(kCodecs, int(v)); }
const char *to_string(SampleRate v) { return lookup(kSampleRates, int(v)); }
const char *to_string(AudioChannel v) { return lookup(kChannels, int(v)); }
const char *to_string(Resolution v) { return lookup(kResolutions, int(v)); }
const char *to_string(DataOption v) { return lookup(kDataOptions, int(v)); }
const char *to_string(EventType v) { return lookup(kEventTypes, int(v)); }
const char *to_string(ZccVoiceEventType v) {
  return lookup(kZccEventTypes, int(v));
}
const char *to_string(StatusCode v) { return lookup(kStatusCodes, int(v)); }
const char *to_string(SessionState v) {
  return lookup(kSessionStates, int(v));
}
const char *to_string(StreamState v) { return lookup(kStreamStates, int(v)); }
const char *to_string(StopReason v) { return lookup(kStopReasons, int(v)); }
const char *to_string(TranscriptLanguage v) {
  return lookup(kLanguages, int(v), -1);
}
const char *to_string(TransmissionProtocol v) {
  return lookup(kTransmission, int(v));
}
const char *to_string(DataMessageAttribute v) {
  return lookup(kAttributes, int(v));
}
const char *to_string(ChatOperation v) {
  return lookup(kChatOperations, int(v));
}
const char *to_string(ChatSessionType v) {
  return lookup(kChatSessionTypes, int(v));
}
const char *to_string(Product v) { return lookup(kProducts, int(v)); }

std::string media_type_names(uint32_t mask) {
  if (mask == 0)
    return "UNDEFINED";
  std::string out;
  uint32_t known = 0;
  for (const auto &f : kMediaFlags) {
    known |= f.flag;
    if (mask & f.flag) {
      if (!out.empty())
        out.push_back('|');
      out.append(f.upper);
    }
  }
  if (mask & ~known) {
    if (!out.empty())
      out.push_back('|');
    out.append("UNKNOWN");
  }
  return out;
}

const char *media_type_key(uint32_t single_flag) {
  for (const auto &f : kMediaFlags) {
    if (f.flag == single_flag)
      return f.key;
  }
  return "unknown";
}

const char *event_type_name(int event_type, Product product) {
  if (product == Product::ContactCenter)
    return to_string(static_cast<ZccVoiceEventType>(event_type));
  return to_string(static_cast<EventType>(event_type));
}

std::string describe(StatusCode v) {
  return std::to_string(int(v)) + " (" + to_string(v) + ")";
}

std::string describe(StopReason v) {
  return std::to_string(int(v)) + " (" + to_string(v) + ")";
}

int sample_rate_hz(SampleRate v) {
  switch (v) {
    case SampleRate::SR8K:
      return 8000;
    case SampleRate::SR16K:
      return 16000;
    case SampleRate::SR32K:
      return 32000;
    case SampleRate::SR48K:
      return 48000;
  }
  return 0;
}

bool hz_to_sample_rate(int hz, SampleRate *out) {
  for (SampleRate r : {SampleRate::SR8K, SampleRate::SR16K, SampleRate::SR32K,
                       SampleRate::SR48K}) {
    if (sample_rate_hz(r) == hz) {
      if (out)
        *out = r;
      return true;
    }
  }
  return false;
}

bool stop_reason_is_transient(StopReason v) {
  int r = int(v);
  return (r >= 10 && r <= 19) || r == 24;
}

}  // namespace rtms
