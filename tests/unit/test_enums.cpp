// Enum names must be the names of Zoom's "Data type definitions"
// (https://developers.zoom.us/docs/rtms/data-types/).
#include "check_helpers.h"
#include "protocol/enums.h"

using namespace rtms;

GST_START_TEST(test_message_type_names)
{
  assert_str(to_string(MessageType::Undefined), "UNDEFINED");
  assert_str(to_string(MessageType::SignalingHandshakeReq),
             "SIGNALING_HAND_SHAKE_REQ");
  assert_str(to_string(MessageType::SignalingHandshakeResp),
             "SIGNALING_HAND_SHAKE_RESP");
  assert_str(to_string(MessageType::DataHandshakeReq), "DATA_HAND_SHAKE_REQ");
  assert_str(to_string(MessageType::DataHandshakeResp), "DATA_HAND_SHAKE_RESP");
  assert_str(to_string(MessageType::EventSubscription), "EVENT_SUBSCRIPTION");
  assert_str(to_string(MessageType::ClientReadyAck), "CLIENT_READY_ACK");
  assert_str(to_string(MessageType::KeepAliveReq), "KEEP_ALIVE_REQ");
  assert_str(to_string(MessageType::KeepAliveResp), "KEEP_ALIVE_RESP");
  assert_str(to_string(MessageType::MediaDataShare), "MEDIA_DATA_SHARE");
  assert_str(to_string(MessageType::MediaDataChat), "MEDIA_DATA_CHAT");
  assert_str(to_string(MessageType::StreamCloseResp), "STREAM_CLOSE_RESP");
  assert_str(to_string(MessageType::MetaDataAudio), "META_DATA_AUDIO");
  assert_str(to_string(MessageType::MetaDataChat), "META_DATA_CHAT");
  assert_str(to_string(MessageType::VideoSubscriptionReq),
             "VIDEO_SUBSCRIPTION_REQ");
  assert_str(to_string(MessageType::VideoSubscriptionResp),
             "VIDEO_SUBSCRIPTION_RESP");
  assert_str(to_string(static_cast<MessageType>(30)), "UNKNOWN");
  assert_str(to_string(static_cast<MessageType>(-1)), "UNKNOWN");
}
GST_END_TEST;

GST_START_TEST(test_media_enums)
{
  assert_str(to_string(ContentType::Rtp), "RTP");
  assert_str(to_string(ContentType::RawAudio), "RAW_AUDIO");
  assert_str(to_string(ContentType::FileStream), "FILE_STREAM");
  assert_str(to_string(ContentType::Text), "TEXT");
  assert_str(to_string(static_cast<ContentType>(6)), "UNKNOWN");
  assert_str(to_string(Codec::L16), "L16");
  assert_str(to_string(Codec::G711), "G711");
  assert_str(to_string(Codec::G722), "G722");
  assert_str(to_string(Codec::Opus), "OPUS");
  assert_str(to_string(Codec::Jpg), "JPG");
  assert_str(to_string(Codec::Png), "PNG");
  assert_str(to_string(Codec::H264), "H264");
  assert_str(to_string(static_cast<Codec>(42)), "UNKNOWN");
  assert_str(to_string(SampleRate::SR8K), "SR_8K");
  assert_str(to_string(SampleRate::SR48K), "SR_48K");
  assert_str(to_string(static_cast<SampleRate>(4)), "UNKNOWN");
  assert_str(to_string(AudioChannel::Mono), "MONO");
  assert_str(to_string(AudioChannel::Stereo), "STEREO");
  assert_str(to_string(static_cast<AudioChannel>(0)), "UNKNOWN");
  assert_str(to_string(Resolution::SD), "SD");
  assert_str(to_string(Resolution::QHD), "QHD");
  assert_str(to_string(static_cast<Resolution>(5)), "UNKNOWN");
  assert_str(to_string(DataOption::AudioMixedStream), "AUDIO_MIXED_STREAM");
  assert_str(to_string(DataOption::AudioMultiStreams), "AUDIO_MULTI_STREAMS");
  assert_str(to_string(DataOption::VideoSingleActiveStream),
             "VIDEO_SINGLE_ACTIVE_STREAM");
  assert_str(to_string(DataOption::VideoSingleIndividualStream),
             "VIDEO_SINGLE_INDIVIDUAL_STREAM");
  assert_str(to_string(DataOption::VideoMixedGalleryView),
             "VIDEO_MIXED_GALLERY_VIEW");
  assert_str(to_string(static_cast<DataOption>(6)), "UNKNOWN");
}
GST_END_TEST;

GST_START_TEST(test_media_type_names)
{
  assert_str(media_type_names(0), "UNDEFINED");
  assert_str(media_type_names(1), "AUDIO");
  assert_str(media_type_names(3), "AUDIO|VIDEO");
  assert_str(media_type_names(4), "DESKSHARE");
  assert_str(media_type_names(8), "TRANSCRIPT");
  assert_str(media_type_names(16), "CHAT");
  assert_str(media_type_names(32), "ALL");
  assert_str(media_type_names(1 | 4 | 8 | 16), "AUDIO|DESKSHARE|TRANSCRIPT|CHAT");
  assert_str(media_type_names(64), "UNKNOWN");
  assert_str(media_type_names(65), "AUDIO|UNKNOWN");
  assert_str(media_type_key(kMediaAudio), "audio");
  assert_str(media_type_key(kMediaDeskshare), "deskshare");
  assert_str(media_type_key(kMediaTranscript), "transcript");
  assert_str(media_type_key(kMediaChat), "chat");
  assert_str(media_type_key(kMediaAll), "all");
  assert_str(media_type_key(3), "unknown");
}
GST_END_TEST;

GST_START_TEST(test_event_names)
{
  assert_str(to_string(EventType::FirstPacketTimestamp),
             "FIRST_PACKET_TIMESTAMP");
  assert_str(to_string(EventType::ActiveSpeakerChange), "ACTIVE_SPEAKER_CHANGE");
  assert_str(to_string(EventType::ParticipantLeave), "PARTICIPANT_LEAVE");
  assert_str(to_string(EventType::MediaConnectionInterrupted),
             "MEDIA_CONNECTION_INTERRUPTED");
  assert_str(to_string(EventType::ParticipantVideoOff), "PARTICIPANT_VIDEO_OFF");
  assert_str(to_string(EventType::ChatGroupMemberStatusUpdate),
             "CHAT_GROUP_MEMBER_STATUS_UPDATE");
  assert_str(to_string(static_cast<EventType>(15)), "UNKNOWN");
  assert_str(to_string(ZccVoiceEventType::ConsumerAnswered),
             "CONSUMER_ANSWERED");
  assert_str(to_string(ZccVoiceEventType::TransferInitiated),
             "TRANSFER_INITIATED");
  assert_str(to_string(ZccVoiceEventType::ConferenceParticipantLeft),
             "CONFERENCE_PARTICIPANT_LEFT");
  assert_str(to_string(static_cast<ZccVoiceEventType>(5)), "UNKNOWN");
  assert_str(to_string(static_cast<ZccVoiceEventType>(30)), "UNKNOWN");
  // 8 means different things per product (Contact Center's events differ).
  assert_str(event_type_name(8, Product::Meeting), "PARTICIPANT_VIDEO_ON");
  assert_str(event_type_name(8, Product::ContactCenter), "CONSUMER_ANSWERED");
  assert_str(event_type_name(3, Product::ContactCenter), "UNKNOWN");
  assert_str(event_type_name(3, Product::Webinar), "PARTICIPANT_JOIN");
}
GST_END_TEST;

GST_START_TEST(test_status_codes)
{
  assert_str(to_string(StatusCode::Ok), "OK");
  assert_str(to_string(StatusCode::InvalidSignature), "INVALID_SIGNATURE");
  assert_str(to_string(StatusCode::DuplicateSignalRequest),
             "DUPLICATE_SIGNAL_REQUEST");
  assert_str(to_string(StatusCode::MediaTypeDeskshareNotSupport),
             "MEDIA_TYPE_DESKSHARE_NOT_SUPPORT");
  assert_str(to_string(StatusCode::MediaDataAllConnectionExist),
             "MEDIA_DATA_ALL_CONNECTION_EXIST");
  assert_str(to_string(StatusCode::InvalidMediaAudioSendRate),
             "INVALID_MEDIA_AUDIO_SEND_RATE");
  assert_str(to_string(StatusCode::InvalidMediaVideoDataOpt),
             "INVALID_MEDIA_VIDEO_DATA_OPT");
  assert_str(to_string(StatusCode::InvalidMediaDeskshareFps),
             "INVALID_MEDIA_DESKSHARE_FPS");
  assert_str(to_string(StatusCode::InvalidMediaTranscriptSourceLanguage),
             "INVALID_MEDIA_TRANSCRIPT_SOURCE_LANGUAGE");
  assert_str(to_string(StatusCode::DuplicateVideoSubscription),
             "DUPLICATE_VIDEO_SUBSCRIPTION");
  assert_str(to_string(StatusCode::InternalException), "INTERNAL_EXCEPTION");
  assert_str(to_string(StatusCode::ChatSessionKeyNotAvailable),
             "CHAT_SESSION_KEY_NOT_AVAILABLE");
  assert_str(to_string(static_cast<StatusCode>(48)), "UNKNOWN");
  assert_str(to_string(static_cast<StatusCode>(75)), "UNKNOWN");
  assert_str(describe(StatusCode::InvalidSignature), "3 (INVALID_SIGNATURE)");
  assert_str(describe(StatusCode::Ok), "0 (OK)");
  assert_str(describe(static_cast<StatusCode>(99)), "99 (UNKNOWN)");
}
GST_END_TEST;

GST_START_TEST(test_states_and_reasons)
{
  assert_str(to_string(SessionState::Initialize), "INITIALIZE");
  assert_str(to_string(SessionState::Stopped), "STOPPED");
  assert_str(to_string(static_cast<SessionState>(6)), "UNKNOWN");
  assert_str(to_string(StreamState::Interrupted), "INTERRUPTED");
  assert_str(to_string(StreamState::Terminating), "TERMINATING");
  assert_str(to_string(StreamState::Resumed), "RESUMED");
  assert_str(to_string(static_cast<StreamState>(7)), "UNKNOWN");
  assert_str(to_string(StopReason::HostTriggered), "HOST_TRIGGERED");
  assert_str(to_string(StopReason::StreamRevoked), "STREAM_REVOKED");
  assert_str(to_string(StopReason::SignalConnectionClosedAbnormally),
             "SIGNAL_CONNECTION_CLOSED_ABNORMALLY");
  assert_str(to_string(StopReason::AuthenticationFailure),
             "AUTHENTICATION_FAILURE");
  assert_str(to_string(StopReason::ReceiverRequestClose),
             "RECEIVER_REQUEST_CLOSE");
  assert_str(to_string(StopReason::KeepAliveTimeout), "KEEP_ALIVE_TIMEOUT");
  assert_str(to_string(StopReason::StreamingNotSupported),
             "STREAMING_NOT_SUPPORTED");
  assert_str(to_string(static_cast<StopReason>(27)), "UNKNOWN");
  assert_str(describe(StopReason::AuthenticationFailure),
             "18 (AUTHENTICATION_FAILURE)");

  // Zoom's failover rules: reasons 10-19 and 24 may come back.
  for (int r = 0; r <= 26; r++) {
    bool expected = (r >= 10 && r <= 19) || r == 24;
    fail_unless(stop_reason_is_transient(static_cast<StopReason>(r)) ==
                    expected,
                "stop reason %d", r);
  }
}
GST_END_TEST;

GST_START_TEST(test_other_enums)
{
  assert_str(to_string(TranscriptLanguage::None), "NONE");
  assert_str(to_string(TranscriptLanguage::Arabic), "ARABIC");
  assert_str(to_string(TranscriptLanguage::English), "ENGLISH");
  assert_str(to_string(TranscriptLanguage::FrenchCanada), "FRENCH_CANADA");
  assert_str(to_string(TranscriptLanguage::Vietnamese), "VIETNAMESE");
  assert_str(to_string(static_cast<TranscriptLanguage>(37)), "UNKNOWN");
  assert_str(to_string(static_cast<TranscriptLanguage>(-2)), "UNKNOWN");
  assert_str(to_string(TransmissionProtocol::WebSocket), "WEBSOCKET");
  assert_str(to_string(TransmissionProtocol::WebRtc), "WEBRTC");
  assert_str(to_string(static_cast<TransmissionProtocol>(0)), "UNKNOWN");
  assert_str(to_string(DataMessageAttribute::None), "ATTR_NONE");
  assert_str(to_string(DataMessageAttribute::Delete), "ATTR_DELETE");
  assert_str(to_string(ChatOperation::AddEmojiReaction), "ADD_EMOJI_REACTION");
  assert_str(to_string(static_cast<ChatOperation>(0)), "UNKNOWN");
  assert_str(to_string(ChatSessionType::IndividualCcHostsAndPanelists),
             "INDIVIDUAL_CC_HOSTS_AND_PANELISTS");
  assert_str(to_string(Product::VideoSdk), "VIDEO_SDK");
  assert_str(to_string(Product::ContactCenter), "CONTACT_CENTER");
  assert_str(to_string(static_cast<Product>(9)), "UNKNOWN");
}
GST_END_TEST;

GST_START_TEST(test_sample_rates)
{
  ck_assert_int_eq(sample_rate_hz(SampleRate::SR8K), 8000);
  ck_assert_int_eq(sample_rate_hz(SampleRate::SR16K), 16000);
  ck_assert_int_eq(sample_rate_hz(SampleRate::SR32K), 32000);
  ck_assert_int_eq(sample_rate_hz(SampleRate::SR48K), 48000);
  ck_assert_int_eq(sample_rate_hz(static_cast<SampleRate>(4)), 0);
  SampleRate r = SampleRate::SR8K;
  fail_unless(hz_to_sample_rate(48000, &r));
  fail_unless(r == SampleRate::SR48K);
  fail_unless(hz_to_sample_rate(16000, &r));
  fail_unless(r == SampleRate::SR16K);
  fail_if(hz_to_sample_rate(44100, &r));
  fail_if(hz_to_sample_rate(24000, &r));
  fail_unless(r == SampleRate::SR16K, "a failed lookup must not write");
}
GST_END_TEST;

static Suite *
enums_suite(void)
{
  Suite *s = suite_create("rtms-enums");
  TCase *tc = tcase_create("names");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_message_type_names);
  tcase_add_test(tc, test_media_enums);
  tcase_add_test(tc, test_media_type_names);
  tcase_add_test(tc, test_event_names);
  tcase_add_test(tc, test_status_codes);
  tcase_add_test(tc, test_states_and_reasons);
  tcase_add_test(tc, test_other_enums);
  tcase_add_test(tc, test_sample_rates);
  return s;
}

GST_CHECK_MAIN(enums);
