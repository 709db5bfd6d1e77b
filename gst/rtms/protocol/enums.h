// Every enumeration of the RTMS wire protocol (Zoom's "Data type definitions",
// https://developers.zoom.us/docs/rtms/data-types/; docs/protocol.md lists them for users),
// with value-to-name functions for logs and error messages.
//
// Values are the integers that travel on the wire. Enumerations are kept open
// (plain integers can hold values we do not know yet): name functions return
// "UNKNOWN" for those instead of failing, since a newer server may legitimately
// send them.
#pragma once

#include <cstdint>
#include <string>

namespace rtms {

// msg_type (RTMS_MESSAGE_TYPE)
enum class MessageType : int {
  Undefined = 0,
  SignalingHandshakeReq = 1,
  SignalingHandshakeResp = 2,
  DataHandshakeReq = 3,
  DataHandshakeResp = 4,
  EventSubscription = 5,
  EventUpdate = 6,
  ClientReadyAck = 7,
  StreamStateUpdate = 8,
  SessionStateUpdate = 9,
  SessionStateReq = 10,
  SessionStateResp = 11,
  KeepAliveReq = 12,
  KeepAliveResp = 13,
  MediaDataAudio = 14,
  MediaDataVideo = 15,
  MediaDataShare = 16,
  MediaDataTranscript = 17,
  MediaDataChat = 18,
  StreamStateReq = 19,
  StreamStateResp = 20,
  StreamCloseReq = 21,
  StreamCloseResp = 22,
  MetaDataAudio = 23,
  MetaDataVideo = 24,
  MetaDataShare = 25,
  MetaDataTranscript = 26,
  MetaDataChat = 27,
  VideoSubscriptionReq = 28,
  VideoSubscriptionResp = 29,
};

// media_type (MEDIA_DATA_TYPE), a bitmask. All (32) asks for one unified socket.
enum MediaTypeFlags : uint32_t {
  kMediaUndefined = 0,
  kMediaAudio = 1,
  kMediaVideo = 2,
  kMediaDeskshare = 4,
  kMediaTranscript = 8,
  kMediaChat = 16,
  kMediaAll = 32,
};
constexpr uint32_t kMediaEveryType =
    kMediaAudio | kMediaVideo | kMediaDeskshare | kMediaTranscript | kMediaChat;

// content_type (MEDIA_CONTENT_TYPE)
enum class ContentType : int {
  Undefined = 0,
  Rtp = 1,
  RawAudio = 2,
  RawVideo = 3,
  FileStream = 4,
  Text = 5,
};

// codec (MEDIA_PAYLOAD_TYPE)
enum class Codec : int {
  Undefined = 0,
  L16 = 1,
  G711 = 2,
  G722 = 3,
  Opus = 4,
  Jpg = 5,
  Png = 6,
  H264 = 7,
};

// sample_rate (AUDIO_SAMPLE_RATE): an enum on the wire, not Hz.
enum class SampleRate : int {
  SR8K = 0,
  SR16K = 1,
  SR32K = 2,
  SR48K = 3,
};

// channel (AUDIO_CHANNEL)
enum class AudioChannel : int {
  Mono = 1,
  Stereo = 2,
};

// resolution (MEDIA_RESOLUTION)
enum class Resolution : int {
  Undefined = 0,
  SD = 1,
  HD = 2,
  FHD = 3,
  QHD = 4,
};

// data_opt (MEDIA_DATA_OPTION). 5 (gallery) exists only in the SDK header; the server does
// not document it.
enum class DataOption : int {
  Undefined = 0,
  AudioMixedStream = 1,
  AudioMultiStreams = 2,
  VideoSingleActiveStream = 3,
  VideoSingleIndividualStream = 4,
  VideoMixedGalleryView = 5,
};

// event_type (RTMS_EVENT_TYPE) for meetings, webinars and Video SDK sessions,
// plus the forward-looking chat-group events 10-14 that only Zoom's
// JavaScript client library (zoom/rtms-samples) defines.
enum class EventType : int {
  Undefined = 0,
  FirstPacketTimestamp = 1,
  ActiveSpeakerChange = 2,
  ParticipantJoin = 3,
  ParticipantLeave = 4,
  SharingStart = 5,
  SharingStop = 6,
  MediaConnectionInterrupted = 7,
  ParticipantVideoOn = 8,
  ParticipantVideoOff = 9,
  ChatGroupCreate = 10,
  ChatGroupDelete = 11,
  ChatGroupMembersAdd = 12,
  ChatGroupMembersDelete = 13,
  ChatGroupMemberStatusUpdate = 14,
};

// event_type in a Contact Center engagement (RTMS_ZCC_VOICE_EVENT_TYPE). 8..14 collide with
// EventType, so event types are interpreted by product.
enum class ZccVoiceEventType : int {
  Undefined = 0,
  ConsumerAnswered = 8,
  ConsumerEnd = 9,
  UserAnswered = 10,
  UserEnd = 11,
  UserHold = 12,
  UserUnhold = 13,
  MonitorStarted = 14,
  MonitorTransitioned = 15,
  MonitorEnded = 16,
  TakeoverStarted = 17,
  TransferInitiated = 18,
  TransferCanceled = 19,
  TransferAccepted = 20,
  TransferCompleted = 21,
  TransferRejected = 22,
  TransferTimeout = 23,
  ConferenceCanceled = 24,
  ConferenceParticipantCanceled = 25,
  ConferenceParticipantInvited = 26,
  ConferenceParticipantRejected = 27,
  ConferenceParticipantTimeout = 28,
  ConferenceParticipantLeft = 29,
};

// status_code (RTMS_STATUS_CODE), the current 0-45 table (plus 46/47 from the JS library).
enum class StatusCode : int {
  Ok = 0,
  InvalidMessageType = 1,
  InvalidRtmsStreamId = 2,
  InvalidSignature = 3,
  InvalidPayload = 4,
  InvalidEvents = 5,
  InvalidEventType = 6,
  InvalidMediaType = 7,
  DuplicateSignalRequest = 8,
  MediaTypeAudioNotSupport = 9,
  MediaTypeVideoNotSupport = 10,
  MediaTypeDeskshareNotSupport = 11,
  MediaTypeTranscriptNotSupport = 12,
  MediaTypeChatNotSupport = 13,
  MediaTypeInvalidValue = 14,
  MediaDataAllConnectionExist = 15,
  DuplicateMediaDataConnection = 16,
  InvalidMediaParams = 17,
  InvalidMediaAudioParams = 18,
  InvalidMediaAudioContentType = 19,
  InvalidMediaAudioSampleRate = 20,
  InvalidMediaAudioChannel = 21,
  InvalidMediaAudioCodec = 22,
  InvalidMediaAudioDataOpt = 23,
  InvalidMediaAudioSendRate = 24,
  InvalidMediaVideoParams = 25,
  InvalidMediaVideoContentType = 26,
  InvalidMediaVideoCodec = 27,
  InvalidMediaVideoResolution = 28,
  InvalidMediaVideoDataOpt = 29,
  InvalidMediaVideoFps = 30,
  InvalidMediaDeskshareParams = 31,
  InvalidMediaDeskshareContentType = 32,
  InvalidMediaDeskshareCodec = 33,
  InvalidMediaDeskshareResolution = 34,
  InvalidMediaDeskshareFps = 35,
  InvalidMediaTranscriptParams = 36,
  InvalidMediaTranscriptContentType = 37,
  InvalidMediaChatParams = 38,
  InvalidMediaChatContentType = 39,
  InvalidRtmsSessionId = 40,
  InvalidClientReadyAck = 41,
  InvalidEventSubscribe = 42,
  InvalidMediaTranscriptSourceLanguage = 43,
  DuplicateVideoSubscription = 44,
  InternalException = 45,
  InvalidMediaTranscriptTargetLanguage = 46,
  ChatSessionKeyNotAvailable = 47,
};

// RTMS_SESSION_STATE
enum class SessionState : int {
  Inactive = 0,
  Initialize = 1,
  Started = 2,
  Paused = 3,
  Resumed = 4,
  Stopped = 5,
};

// RTMS_STREAM_STATE
enum class StreamState : int {
  Inactive = 0,
  Active = 1,
  Interrupted = 2,
  Terminating = 3,
  Terminated = 4,
  Paused = 5,
  Resumed = 6,
};

// stop reasons (RTMS_STOP_REASON, STOP_BC_*).
enum class StopReason : int {
  Undefined = 0,
  HostTriggered = 1,
  UserTriggered = 2,
  UserLeft = 3,
  UserEjected = 4,
  HostDisabledApp = 5,
  MeetingEnded = 6,
  StreamCanceled = 7,
  StreamRevoked = 8,
  AllAppsDisabled = 9,
  InternalException = 10,
  ConnectionTimeout = 11,
  InstanceConnectionInterrupted = 12,
  SignalConnectionInterrupted = 13,
  DataConnectionInterrupted = 14,
  SignalConnectionClosedAbnormally = 15,
  DataConnectionClosedAbnormally = 16,
  ExitSignal = 17,
  AuthenticationFailure = 18,
  AwaitReconnectionTimeout = 19,
  ReceiverRequestClose = 20,
  CustomerDisconnected = 21,
  AgentDisconnected = 22,
  AdminDisabledApp = 23,
  KeepAliveTimeout = 24,
  ManualApiTriggered = 25,
  StreamingNotSupported = 26,
};

// src_language / language (RTMS_TRANSCRIPT_LANGUAGE). -1 asks for automatic detection.
enum class TranscriptLanguage : int {
  None = -1,
  Arabic = 0,
  Bengali = 1,
  Cantonese = 2,
  Catalan = 3,
  ChineseSimplified = 4,
  ChineseTraditional = 5,
  Czech = 6,
  Danish = 7,
  Dutch = 8,
  English = 9,
  Estonian = 10,
  Finnish = 11,
  FrenchCanada = 12,
  FrenchFrance = 13,
  German = 14,
  Hebrew = 15,
  Hindi = 16,
  Hungarian = 17,
  Indonesian = 18,
  Italian = 19,
  Japanese = 20,
  Korean = 21,
  Malay = 22,
  Persian = 23,
  Polish = 24,
  Portuguese = 25,
  Romanian = 26,
  Russian = 27,
  Spanish = 28,
  Swedish = 29,
  Tagalog = 30,
  Tamil = 31,
  Telugu = 32,
  Thai = 33,
  Turkish = 34,
  Ukrainian = 35,
  Vietnamese = 36,
};

// TRANSMISSION_PROTOCOL and RTMS_DATA_MESSAGE_ATTRIBUTE
enum class TransmissionProtocol : int {
  WebSocket = 1,
  Rtmp = 2,
  Udp = 3,
  WebRtc = 4,
};

enum class DataMessageAttribute : int {
  None = 0,
  New = 1,
  Update = 2,
  Delete = 3,
};

// Chat (forward-looking, from Zoom's JavaScript client library).
enum class ChatOperation : int {
  New = 1,
  Delete = 2,
  Update = 3,
  AddEmojiReaction = 4,
  RemoveEmojiReaction = 5,
};

enum class ChatSessionType : int {
  Everyone = 1,
  Individual = 2,
  ChatGroup = 3,
  HostsAndPanelists = 4,
  IndividualCcHostsAndPanelists = 5,
};

// Which product a stream belongs to; decides the identity key of the
// handshakes and how event numbers are read (Contact Center's differ).
enum class Product : int {
  Meeting = 0,
  Webinar = 1,
  VideoSdk = 2,
  ContactCenter = 3,
  Phone = 4,
};

// Value-to-name. Unknown values give "UNKNOWN".
const char *to_string(MessageType v);
const char *to_string(ContentType v);
const char *to_string(Codec v);
const char *to_string(SampleRate v);
const char *to_string(AudioChannel v);
const char *to_string(Resolution v);
const char *to_string(DataOption v);
const char *to_string(EventType v);
const char *to_string(ZccVoiceEventType v);
const char *to_string(StatusCode v);
const char *to_string(SessionState v);
const char *to_string(StreamState v);
const char *to_string(StopReason v);
const char *to_string(TranscriptLanguage v);
const char *to_string(TransmissionProtocol v);
const char *to_string(DataMessageAttribute v);
const char *to_string(ChatOperation v);
const char *to_string(ChatSessionType v);
const char *to_string(Product v);

// Name of a single media type flag ("AUDIO"), or of a mask ("AUDIO|VIDEO").
std::string media_type_names(uint32_t mask);
// Name of a single media type flag as used for media_params keys and
// server_urls keys: "audio", "video", "deskshare", "transcript", "chat", "all".
const char *media_type_key(uint32_t single_flag);

// Event names depend on the product: 8 is PARTICIPANT_VIDEO_ON in a meeting
// and CONSUMER_ANSWERED in a Contact Center engagement.
const char *event_type_name(int event_type, Product product);

// "3 (INVALID_SIGNATURE)"; the form every log line and error uses.
std::string describe(StatusCode v);
std::string describe(StopReason v);

// Sample rate enum <-> Hz. hz_to_sample_rate returns false for rates RTMS
// cannot carry.
int sample_rate_hz(SampleRate v);
bool hz_to_sample_rate(int hz, SampleRate *out);

// Whether a stream stopped for this reason may come back (Zoom's failover
// rules, https://developers.zoom.us/docs/rtms/meetings/failover-reconnection/:
// reasons 10-19 and 24 are transient).
bool stop_reason_is_transient(StopReason v);

}  // namespace rtms
