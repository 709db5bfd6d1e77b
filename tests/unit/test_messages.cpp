// Every message of the signaling and media sockets. Inputs are written by hand
// from the examples and field lists of Zoom's "Event reference"
// (https://developers.zoom.us/docs/rtms/event-reference/), never produced by our encoder.
#include "check_helpers.h"
#include "protocol/messages.h"

using namespace rtms;

static const char kUuid[] = "4444AAAiAAAAAiAiAiiAii==";
static const char kStream[] = "609340fb2a7946909659956c8aa9250c";

// ---- signaling, app -> server ----------------------------------------------

GST_START_TEST(test_decode_signaling_handshake_req)
{
  auto m = decode_as<SignalingHandshakeReq>(R"({"msg_type":1,
      "protocol_version":1,"sequence":1,
      "meeting_uuid":"4444AAAiAAAAAiAiAiiAii==",
      "rtms_stream_id":"609340fb2a7946909659956c8aa9250c",
      "signature":"b432ad1b2ad7af30c62f370bc4f6a2a162264104f50f5c98ff64e8ec560ff58b",
      "buffer_data":false})");
  ck_assert_int_eq(m.protocol_version, 1);
  ck_assert_int_eq(m.sequence, 1);
  fail_unless(m.identity.product == Product::Meeting);
  assert_str(m.identity.instance_id, kUuid);
  assert_str(m.rtms_stream_id, kStream);
  assert_str(m.signature,
             "b432ad1b2ad7af30c62f370bc4f6a2a162264104f50f5c98ff64e8ec560ff58b");
  fail_unless(m.buffer_data == false);

  // [S-JS] sends a random sequence and no buffer_data.
  m = decode_as<SignalingHandshakeReq>(R"({"msg_type":1,"protocol_version":1,
      "sequence":734918272,"meeting_uuid":"u","rtms_stream_id":"s",
      "signature":"x"})");
  ck_assert_int_eq(m.sequence, 734918272);
  fail_unless(!m.buffer_data.has_value());
}
GST_END_TEST;

GST_START_TEST(test_identity_keys)
{
  // [S-VSDK] sends both keys with the same value: session_id wins.
  auto m = decode_as<SignalingHandshakeReq>(R"({"msg_type":1,
      "meeting_uuid":"sess-1","session_id":"sess-1",
      "rtms_stream_id":"s","signature":"x"})");
  fail_unless(m.identity.product == Product::VideoSdk);
  assert_str(m.identity.instance_id, "sess-1");

  m = decode_as<SignalingHandshakeReq>(R"({"msg_type":1,
      "webinar_uuid":"web==","rtms_stream_id":"s","signature":"x"})");
  fail_unless(m.identity.product == Product::Webinar);
  assert_str(m.identity.instance_id, "web==");

  m = decode_as<SignalingHandshakeReq>(R"({"msg_type":1,
      "engagement_id":"eng_1","rtms_stream_id":"s","signature":"x"})");
  fail_unless(m.identity.product == Product::ContactCenter);

  m = decode_as<SignalingHandshakeReq>(R"({"msg_type":1,
      "call_id":"c1","rtms_stream_id":"s","signature":"x"})");
  fail_unless(m.identity.product == Product::Phone);
  assert_str(m.identity.instance_id, "c1");

  assert_str(identity_key(Product::Meeting), "meeting_uuid");
  assert_str(identity_key(Product::Webinar), "webinar_uuid");
  assert_str(identity_key(Product::VideoSdk), "session_id");
  assert_str(identity_key(Product::ContactCenter), "engagement_id");
  assert_str(identity_key(Product::Phone), "call_id");
}
GST_END_TEST;

GST_START_TEST(test_decode_small_requests)
{
  auto sub = decode_as<EventSubscription>(R"({"msg_type":5,"events":[
      {"event_type":2,"subscribe":true},{"event_type":3,"subscribe":true},
      {"event_type":8,"subscribe":false}]})");
  ck_assert_uint_eq(sub.events.size(), 3);
  ck_assert_int_eq(sub.events[0].event_type, 2);
  fail_unless(sub.events[0].subscribe);
  ck_assert_int_eq(sub.events[2].event_type, 8);
  fail_if(sub.events[2].subscribe);
  fail_unless(decode_as<EventSubscription>(R"({"msg_type":5,"events":[]})")
                  .events.empty());

  auto ack = decode_as<ClientReadyAck>(
      R"({"msg_type":7,"rtms_stream_id":"609340fb2a7946909659956c8aa9250c"})");
  assert_str(ack.rtms_stream_id, kStream);

  auto ka = decode_as<KeepAliveResp>(R"({"msg_type":13,"timestamp":1727384349000})");
  ck_assert_int_eq(ka.timestamp, 1727384349000LL);

  auto ssr = decode_as<SessionStateReq>(
      R"({"msg_type":10,"rtms_session_id":"5c1f5c1d-ad5b-4c8a-9f33-0b6a3c7dd9ea"})");
  assert_str(ssr.rtms_session_id, "5c1f5c1d-ad5b-4c8a-9f33-0b6a3c7dd9ea");

  assert_str(decode_as<StreamStateReq>(
                 R"({"msg_type":19,"rtms_stream_id":"abc"})").rtms_stream_id,
             "abc");
  assert_str(decode_as<StreamCloseReq>(
                 R"({"msg_type":21,"rtms_stream_id":"abc"})").rtms_stream_id,
             "abc");

  auto vs = decode_as<VideoSubscriptionReq>(
      R"({"msg_type":28,"user_id":16778240,"subscribe":true,"timestamp":1738214400000})");
  ck_assert_int_eq(vs.user_id, 16778240);
  fail_unless(vs.subscribe);
  ck_assert_int_eq(vs.timestamp, 1738214400000LL);
}
GST_END_TEST;

// ---- signaling, server -> app ----------------------------------------------

GST_START_TEST(test_decode_signaling_handshake_resp)
{
  auto m = decode_as<SignalingHandshakeResp>(R"({"msg_type":2,
      "protocol_version":1,"sequence":0,"status_code":0,"reason":"",
      "media_server":{"server_urls":{
        "audio":"wss://127.0.0.1:443","video":"wss://127.0.0.1:443",
        "transcript":"wss://127.0.0.1:443","all":"wss://127.0.0.1:443"}}})");
  fail_unless(m.status_code == StatusCode::Ok);
  assert_str(m.reason, "");
  ck_assert_uint_eq(m.media_urls.size(), 4);
  assert_str(m.media_urls.at("all"), "wss://127.0.0.1:443");
  assert_str(m.media_urls.at("transcript"), "wss://127.0.0.1:443");

  m = decode_as<SignalingHandshakeResp>(R"({"msg_type":2,"protocol_version":1,
      "sequence":0,"status_code":3,"reason":"invalid signature"})");
  fail_unless(m.status_code == StatusCode::InvalidSignature);
  assert_str(m.reason, "invalid signature");
  fail_unless(m.media_urls.empty());

  // Legacy servers number statuses up to 75: kept, not rejected.
  m = decode_as<SignalingHandshakeResp>(R"({"msg_type":2,"status_code":75})");
  ck_assert_int_eq(int(m.status_code), 75);
}
GST_END_TEST;

GST_START_TEST(test_decode_events)
{
  auto e = decode_as<EventUpdate>(
      R"({"msg_type":6,"event":{"event_type":1,"timestamp":1727384349000}})").event;
  ck_assert_int_eq(e.event_type, 1);
  ck_assert_int_eq(e.timestamp, 1727384349000LL);
  fail_if(e.has_user);
  fail_unless(e.participants.empty());

  e = decode_as<EventUpdate>(R"({"msg_type":6,"event":{"event_type":2,
      "timestamp":1727384350000,"user_id":16778240,"user_name":"Alice"}})").event;
  fail_unless(e.has_user);
  ck_assert_int_eq(e.user.user_id, 16778240);
  assert_str(e.user.user_name, "Alice");
  fail_unless(e.user.has_user_name);

  // [DOC] join example uses string placeholders for ids.
  e = decode_as<EventUpdate>(R"({"msg_type":6,"event":{"event_type":3,
      "timestamp":1727384351000,"participants":[
        {"user_id":"xxxxxxxxxx","user_name":"Bob"},
        {"user_id":"16779264","user_name":"Carol"},
        {"user_id":16780288,"user_name":"Dan"}]}})").event;
  ck_assert_uint_eq(e.participants.size(), 3);
  assert_str(e.participants[0].user_key, "xxxxxxxxxx");
  ck_assert_int_eq(e.participants[0].user_id, 0);
  ck_assert_int_eq(e.participants[1].user_id, 16779264);
  assert_str(e.participants[1].user_key, "");
  ck_assert_int_eq(e.participants[2].user_id, 16780288);
  assert_str(e.participants[2].user_name, "Dan");

  e = decode_as<EventUpdate>(R"({"msg_type":6,"event":{"event_type":4,
      "timestamp":1727384352000,"participants":[{"user_id":16778240}]}})").event;
  ck_assert_uint_eq(e.participants.size(), 1);
  fail_if(e.participants[0].has_user_name);

  e = decode_as<EventUpdate>(R"({"msg_type":6,"event":{"event_type":5,
      "timestamp":1727384353000,"user_id":16778240,"user_name":"Alice"}})").event;
  ck_assert_int_eq(e.event_type, 5);
  fail_unless(e.has_user);

  e = decode_as<EventUpdate>(
      R"({"msg_type":6,"event":{"event_type":6,"timestamp":1727384354000}})").event;
  ck_assert_int_eq(e.event_type, 6);
  e = decode_as<EventUpdate>(
      R"({"msg_type":6,"event":{"event_type":7,"timestamp":1727384355000}})").event;
  ck_assert_int_eq(e.event_type, 7);

  e = decode_as<EventUpdate>(R"({"msg_type":6,"event":{"event_type":8,
      "timestamp":1727384356000,"participants":[{"user_id":1},{"user_id":2}]}})").event;
  ck_assert_uint_eq(e.participants.size(), 2);
  ck_assert_int_eq(e.participants[1].user_id, 2);
}
GST_END_TEST;

GST_START_TEST(test_decode_zcc_event)
{
  auto e = decode_as<EventUpdate>(R"({"msg_type":6,"event":{"event_type":8,
      "event_ts":1727384360000,"paticipant_info":{
        "channel_id":"ch-consumer-1","participant_mode":"caller",
        "queue_id":"q1","queue_name":"Support","phone_number":"+15550100",
        "user_id":"szCyubr_Q2aXW8Vh3Q","display_name":"Consumer"}}})").event;
  ck_assert_int_eq(e.event_type, 8);
  ck_assert_int_eq(e.timestamp, 1727384360000LL);
  assert_str(event_type_name(e.event_type, Product::ContactCenter),
             "CONSUMER_ANSWERED");
  ck_assert_uint_eq(e.zcc_info.size(), 7);
  assert_str(e.zcc_info.at("channel_id"), "ch-consumer-1");
  assert_str(e.zcc_info.at("user_id"), "szCyubr_Q2aXW8Vh3Q");
  assert_str(e.zcc_info.at("participant_mode"), "caller");

  // The corrected spelling, and non-string values kept as JSON text.
  e = decode_as<EventUpdate>(R"({"msg_type":6,"event":{"event_type":"21",
      "event_ts":"1727384361000","participant_info":{"channel_id":7,
      "on_hold":false}}})").event;
  ck_assert_int_eq(e.event_type, 21);
  ck_assert_int_eq(e.timestamp, 1727384361000LL);
  assert_str(e.zcc_info.at("channel_id"), "7");
  assert_str(e.zcc_info.at("on_hold"), "false");
}
GST_END_TEST;

GST_START_TEST(test_decode_state_messages)
{
  auto su = decode_as<StreamStateUpdate>(
      R"({"msg_type":8,"state":4,"reason":6,"timestamp":1727384370000})");
  fail_unless(su.state == StreamState::Terminated);
  fail_unless(su.reason == StopReason::MeetingEnded);
  ck_assert_int_eq(su.timestamp, 1727384370000LL);
  su = decode_as<StreamStateUpdate>(R"({"msg_type":8,"state":1,"timestamp":1})");
  fail_unless(su.state == StreamState::Active);
  fail_unless(su.reason == StopReason::Undefined);

  // [DOC] example spells stop_reason ...
  auto ss = decode_as<SessionStateUpdate>(R"({"msg_type":9,"state":5,
      "stop_reason":6,"timestamp":1727384371000,
      "rtms_session_id":"5c1f5c1d-ad5b-4c8a-9f33-0b6a3c7dd9ea"})");
  fail_unless(ss.state == SessionState::Stopped);
  fail_unless(ss.stop_reason == StopReason::MeetingEnded);
  assert_str(ss.rtms_session_id, "5c1f5c1d-ad5b-4c8a-9f33-0b6a3c7dd9ea");
  // ... its field table says reason.
  ss = decode_as<SessionStateUpdate>(R"({"msg_type":9,"state":5,"reason":20,
      "timestamp":1727384372000,"rtms_session_id":"s2"})");
  fail_unless(ss.stop_reason == StopReason::ReceiverRequestClose);
  ss = decode_as<SessionStateUpdate>(
      R"({"msg_type":9,"state":2,"timestamp":1,"rtms_session_id":"s3"})");
  fail_unless(ss.state == SessionState::Started);
  fail_unless(ss.stop_reason == StopReason::Undefined);

  auto sr = decode_as<SessionStateResp>(R"({"msg_type":11,
      "rtms_session_id":"s3","state":3,"timestamp":1727384373000})");
  fail_unless(sr.state == SessionState::Paused);
  assert_str(sr.rtms_session_id, "s3");

  // The doc's example timestamp is in seconds: passed through untouched.
  auto str = decode_as<StreamStateResp>(R"({"msg_type":20,"state":1,
      "rtms_stream_id":"609340fb2a7946909659956c8aa9250c","timestamp":1694204592})");
  fail_unless(str.state == StreamState::Active);
  ck_assert_int_eq(str.timestamp, 1694204592);

  auto cr = decode_as<StreamCloseResp>(R"({"msg_type":22,
      "rtms_stream_id":"609340fb2a7946909659956c8aa9250c","status_code":0,
      "reason":"","timestamp":1727384374000})");
  fail_unless(cr.status_code == StatusCode::Ok);
  assert_str(cr.rtms_stream_id, kStream);

  auto vr = decode_as<VideoSubscriptionResp>(R"({"msg_type":29,
      "user_id":16778240,"status_code":44,"reason":"OK","timestamp":1727384375000})");
  fail_unless(vr.status_code == StatusCode::DuplicateVideoSubscription);
  ck_assert_int_eq(vr.user_id, 16778240);
  assert_str(vr.reason, "OK");

  auto ka = decode_as<KeepAliveReq>(R"({"msg_type":12,"timestamp":1727384376000})");
  ck_assert_int_eq(ka.timestamp, 1727384376000LL);
}
GST_END_TEST;

// ---- media socket -----------------------------------------------------------

GST_START_TEST(test_decode_data_handshake_req)
{
  auto m = decode_as<DataHandshakeReq>(R"({"msg_type":3,"protocol_version":1,
      "sequence":0,"meeting_uuid":"4444AAAiAAAAAiAiAiiAii==",
      "rtms_stream_id":"609340fb2a7946909659956c8aa9250c",
      "signature":"b432ad1b2ad7af30c62f370bc4f6a2a162264104f50f5c98ff64e8ec560ff58b",
      "media_type":32,"payload_encryption":false,
      "media_params":{
        "audio":{"content_type":1,"sample_rate":1,"channel":1,"codec":1,
                 "data_opt":1,"send_rate":100},
        "video":{"codec":7,"resolution":2,"fps":25},
        "deskshare":{"codec":5},
        "chat":{"content_type":5},
        "transcript":{"content_type":5}}})");
  ck_assert_uint_eq(m.media_type, kMediaAll);
  fail_unless(m.payload_encryption == false);
  fail_unless(m.identity.product == Product::Meeting);
  ck_assert_uint_eq(m.media_params.present_types(), kMediaEveryType);
  fail_unless(m.media_params.audio->content_type == ContentType::Rtp);
  fail_unless(m.media_params.audio->send_rate_ms == 100);
  fail_unless(m.media_params.video->codec == Codec::H264);
  fail_unless(m.media_params.deskshare->codec == Codec::Jpg);

  // ZCC audio-only handshake with the base64-looking signature of [DOC-ZCC].
  m = decode_as<DataHandshakeReq>(R"({"msg_type":3,"protocol_version":1,
      "sequence":0,"engagement_id":"eng_8gNcUQ","rtms_stream_id":"abc",
      "signature":"kDBZVzEWgox9tWVBc7DHsjW2OnVD/6H1zN2vdmU9VY8=",
      "media_type":1})");
  fail_unless(m.identity.product == Product::ContactCenter);
  ck_assert_uint_eq(m.media_type, kMediaAudio);
  fail_unless(!m.payload_encryption);
  ck_assert_uint_eq(m.media_params.present_types(), 0);
}
GST_END_TEST;

GST_START_TEST(test_decode_data_handshake_resp)
{
  auto m = decode_as<DataHandshakeResp>(R"({"msg_type":4,"protocol_version":1,
      "status_code":0,"reason":"","sequence":0,"payload_encrypted":true,
      "media_params":{
        "audio":{"content_type":2,"sample_rate":1,"channel":1,"codec":1,
                 "data_opt":1,"send_rate":20},
        "video":{"content_type":3,"codec":7,"resolution":2,"data_opt":3,"fps":25},
        "deskshare":{"content_type":3,"codec":5,"resolution":3,"fps":1},
        "transcript":{"content_type":5,"src_language":9,"enable_lid":true},
        "chat":{"content_type":5}}})");
  fail_unless(m.status_code == StatusCode::Ok);
  fail_unless(m.payload_encrypted);
  const MediaParams &p = m.media_params;
  fail_unless(p.video->data_opt == DataOption::VideoSingleActiveStream);
  fail_unless(p.video->fps == 25);
  fail_unless(p.deskshare->resolution == Resolution::FHD);
  fail_unless(p.transcript->src_language == TranscriptLanguage::English);
  fail_unless(validate(p).ok());

  m = decode_as<DataHandshakeResp>(R"({"msg_type":4,"protocol_version":1,
      "status_code":30,"reason":"invalid video fps","sequence":0})");
  fail_unless(m.status_code == StatusCode::InvalidMediaVideoFps);
  fail_if(m.payload_encrypted);
}
GST_END_TEST;

GST_START_TEST(test_decode_media)
{
  // Mixed audio: user_id 0 and no user_name.
  auto a = decode_as<MediaData>(R"({"msg_type":14,"content":{"user_id":0,
      "data":"AAABAAIA","length":6,"timestamp":1727384380000}})");
  fail_unless(a.type == MessageType::MediaDataAudio);
  ck_assert_int_eq(a.user.user_id, 0);
  fail_if(a.user.has_user_name);
  assert_str(a.data, "AAABAAIA");
  fail_unless(a.has_length);
  ck_assert_int_eq(a.length, 6);
  ck_assert_int_eq(a.timestamp, 1727384380000LL);
  fail_if(a.has_times);
  fail_if(a.has_language);

  // Multi-stream audio with a stringified id and no length (older [DOC]).
  a = decode_as<MediaData>(R"({"msg_type":14,"content":{"user_id":"16778240",
      "user_name":"Alice","data":"AAAA","timestamp":"1727384380020"}})");
  ck_assert_int_eq(a.user.user_id, 16778240);
  assert_str(a.user.user_name, "Alice");
  fail_if(a.has_length);
  ck_assert_int_eq(a.timestamp, 1727384380020LL);

  // ZCC audio: a channel instead of a participant.
  a = decode_as<MediaData>(R"({"msg_type":14,"content":{
      "channel_id":"ch-agent-2","data":"AAAA","timestamp":1727384380040}})");
  assert_str(a.channel_id, "ch-agent-2");
  ck_assert_int_eq(a.user.user_id, 0);
  a = decode_as<MediaData>(R"({"msg_type":14,"content":{
      "channel_id":2,"data":"AAAA","timestamp":1727384380040}})");
  assert_str(a.channel_id, "2");

  auto v = decode_as<MediaData>(R"({"msg_type":15,"content":{"user_id":16778240,
      "user_name":"Alice","data":"data:image/jpeg;base64,/9j/4AAQ","length":6,
      "timestamp":1727384380100}})");
  fail_unless(v.type == MessageType::MediaDataVideo);
  assert_str(v.data, "/9j/4AAQ");

  auto s = decode_as<MediaData>(R"({"msg_type":16,"content":{"user_id":1,
      "user_name":"Alice","data":"data:image/png;base64,iVBORw0K",
      "timestamp":1727384380200}})");
  fail_unless(s.type == MessageType::MediaDataShare);
  assert_str(s.data, "iVBORw0K");

  // Transcript data is text: a data: prefix there is content.
  auto t = decode_as<MediaData>(R"({"msg_type":17,"content":{"user_id":16778240,
      "user_name":"Alice","start_time":1727384381000,"end_time":1727384383500,
      "timestamp":1727384381000,"language":9,"attribute":1,
      "data":"data:x;base64, is what she said"}})");
  fail_unless(t.type == MessageType::MediaDataTranscript);
  assert_str(t.data, "data:x;base64, is what she said");
  fail_unless(t.has_times);
  ck_assert_int_eq(t.start_time, 1727384381000LL);
  ck_assert_int_eq(t.end_time, 1727384383500LL);
  fail_unless(t.has_language);
  ck_assert_int_eq(t.language, 9);
  fail_unless(t.attribute == DataMessageAttribute::New);

  auto c = decode_as<MediaData>(
      R"({"msg_type":18,"content":{"timestamp":1727384390000,"data":"hello all"}})");
  fail_unless(c.type == MessageType::MediaDataChat);
  assert_str(c.data, "hello all");
}
GST_END_TEST;

// ---- errors -----------------------------------------------------------------

GST_START_TEST(test_decode_errors_whole_message)
{
  expect_decode_error("", "", "not valid JSON");
  expect_decode_error("{\"msg_type\":1", "", "not valid JSON");
  expect_decode_error("msg_type=1", "", "not valid JSON");
  expect_decode_error("[1,2]", "", "expected a JSON object, got an array");
  expect_decode_error("\"hello\"", "", "expected a JSON object, got the string");
  expect_decode_error("42", "", "expected a JSON object, got the integer 42");
  expect_decode_error("{}", "msg_type", "missing required field");
  expect_decode_error(R"({"msg_type":null})", "msg_type", "missing required field");
  expect_decode_error(R"({"msg_type":"keepalive"})", "msg_type",
                      "expected an integer, got the string \"keepalive\"");
  expect_decode_error(R"({"msg_type":99})", "msg_type", "unknown message type 99");
  expect_decode_error(R"({"msg_type":0})", "msg_type", "unknown message type 0");
  expect_decode_error(R"({"msg_type":-3})", "msg_type", "unknown message type -3");
  expect_decode_error(R"({"msg_type":30})", "msg_type", "unknown message type 30");
  expect_decode_error(R"({"msg_type":23})", "msg_type",
                      "reserved message type 23 (META_DATA_AUDIO)");
  expect_decode_error(R"({"msg_type":"25"})", "msg_type",
                      "reserved message type 25 (META_DATA_SHARE)");
  expect_decode_error(R"({"msg_type":27})", "msg_type", "META_DATA_CHAT");
  expect_decode_error(R"({"msg_type":1.5})", "msg_type",
                      "expected an integer, got the number 1.5");
  expect_decode_error(R"({"msg_type":true})", "msg_type",
                      "expected an integer, got true");
  expect_decode_error(R"({"msg_type":99999999999})", "msg_type", "out of range");
}
GST_END_TEST;

GST_START_TEST(test_decode_errors_fields)
{
  expect_decode_error(R"({"msg_type":2,"protocol_version":1,"sequence":0,
      "reason":""})", "status_code", "missing required field");
  expect_decode_error(R"({"msg_type":2,"status_code":"ok"})", "status_code",
                      "expected an integer, got the string \"ok\"");
  expect_decode_error(R"({"msg_type":2,"status_code":0,"reason":5})", "reason",
                      "expected a string, got the integer 5");
  expect_decode_error(R"({"msg_type":2,"status_code":0,"media_server":"x"})",
                      "media_server", "expected an object");
  expect_decode_error(R"({"msg_type":2,"status_code":0,
      "media_server":{"server_urls":{"audio":1}}})",
      "media_server.server_urls.audio", "expected a string, got the integer 1");
  expect_decode_error(R"({"msg_type":4,"protocol_version":1})", "status_code",
                      "missing required field");

  expect_decode_error(R"({"msg_type":1,"rtms_stream_id":"s","signature":"x"})",
                      "meeting_uuid", "missing required field");
  expect_decode_error(R"({"msg_type":1,"meeting_uuid":"","rtms_stream_id":"s",
      "signature":"x"})", "meeting_uuid", "must not be empty");
  expect_decode_error(R"({"msg_type":1,"meeting_uuid":12,"rtms_stream_id":"s",
      "signature":"x"})", "meeting_uuid", "expected a string");
  expect_decode_error(R"({"msg_type":1,"meeting_uuid":"u","signature":"x"})",
                      "rtms_stream_id", "missing required field");
  expect_decode_error(R"({"msg_type":1,"meeting_uuid":"u","rtms_stream_id":"s"})",
                      "signature", "missing required field");
  expect_decode_error(R"({"msg_type":1,"meeting_uuid":"u","rtms_stream_id":"s",
      "signature":"x","buffer_data":"maybe"})", "buffer_data",
      "expected a boolean, got the string \"maybe\"");
  expect_decode_error(R"({"msg_type":1,"meeting_uuid":"u","rtms_stream_id":"s",
      "signature":"x","sequence":[1]})", "sequence",
      "expected an integer, got an array");

  expect_decode_error(R"({"msg_type":3,"meeting_uuid":"u","rtms_stream_id":"s",
      "signature":"x"})", "media_type", "missing required field");
  expect_decode_error(R"({"msg_type":3,"meeting_uuid":"u","rtms_stream_id":"s",
      "signature":"x","media_type":-1})", "media_type", "out of range");
  expect_decode_error(R"({"msg_type":3,"meeting_uuid":"u","rtms_stream_id":"s",
      "signature":"x","media_type":1,"media_params":{"audio":{"codec":42}}})",
      "media_params.audio.codec", "unknown codec 42");
  expect_decode_error(R"({"msg_type":4,"status_code":0,
      "media_params":{"video":{"fps":"fast"}}})", "media_params.video.fps",
      "expected an integer, got the string \"fast\"");

  expect_decode_error(R"({"msg_type":5})", "events", "missing required field");
  expect_decode_error(R"({"msg_type":5,"events":{"event_type":2}})", "events",
                      "expected an array, got an object");
  expect_decode_error(R"({"msg_type":5,"events":[{"event_type":2,"subscribe":true},
      {"event_type":3}]})", "events[1].subscribe", "missing required field");
  expect_decode_error(R"({"msg_type":5,"events":[7]})", "events[0]",
                      "expected an object, got the integer 7");

  expect_decode_error(R"({"msg_type":6})", "event", "missing required field");
  expect_decode_error(R"({"msg_type":6,"event":{"timestamp":1}})",
                      "event.event_type", "missing required field");
  expect_decode_error(R"({"msg_type":6,"event":{"event_type":3,
      "participants":[{"user_id":1},"bob"]}})", "event.participants[1]",
      "expected an object, got the string \"bob\"");
  expect_decode_error(R"({"msg_type":6,"event":{"event_type":2,"user_id":1.25}})",
                      "event.user_id", "expected an integer, got the number 1.25");
  expect_decode_error(R"({"msg_type":6,"event":{"event_type":2,"timestamp":"soon"}})",
                      "event.timestamp", "expected an integer");

  expect_decode_error(R"({"msg_type":7})", "rtms_stream_id", "missing required field");
  expect_decode_error(R"({"msg_type":8,"reason":1})", "state", "missing required field");
  expect_decode_error(R"({"msg_type":9,"state":"stopped"})", "state",
                      "expected an integer, got the string \"stopped\"");
  expect_decode_error(R"({"msg_type":10})", "rtms_session_id", "missing required field");
  expect_decode_error(R"({"msg_type":11,"rtms_session_id":"s"})", "state",
                      "missing required field");
  expect_decode_error(R"({"msg_type":12})", "timestamp", "missing required field");
  expect_decode_error(R"({"msg_type":13,"timestamp":"abc"})", "timestamp",
                      "expected an integer, got the string \"abc\"");
  expect_decode_error(R"({"msg_type":19})", "rtms_stream_id", "missing required field");
  expect_decode_error(R"({"msg_type":20,"timestamp":1})", "state", "missing required field");
  expect_decode_error(R"({"msg_type":21,"rtms_stream_id":null})", "rtms_stream_id",
                      "missing required field");
  expect_decode_error(R"({"msg_type":22,"rtms_stream_id":"s"})", "status_code",
                      "missing required field");
  expect_decode_error(R"({"msg_type":28,"user_id":"abc","subscribe":true})", "user_id",
                      "expected an integer, got the string \"abc\"");
  expect_decode_error(R"({"msg_type":28,"user_id":1})", "subscribe",
                      "missing required field");
  expect_decode_error(R"({"msg_type":29,"status_code":0})", "user_id",
                      "missing required field");

  expect_decode_error(R"({"msg_type":14})", "content", "missing required field");
  expect_decode_error(R"({"msg_type":14,"content":"AAAA"})", "content",
                      "expected an object, got the string \"AAAA\"");
  expect_decode_error(R"({"msg_type":14,"content":{"user_id":0,"data":"AAAA",
      "timestamp":"abc"}})", "content.timestamp",
      "expected an integer, got the string \"abc\"");
  expect_decode_error(R"({"msg_type":15,"content":{"user_id":0,"timestamp":1}})",
                      "content.data", "missing required field");
  expect_decode_error(R"({"msg_type":15,"content":{"data":"AAAA"}})",
                      "content.timestamp", "missing required field");
  expect_decode_error(R"({"msg_type":16,"content":{"data":12,"timestamp":1}})",
                      "content.data", "expected a string, got the integer 12");
  expect_decode_error(R"({"msg_type":17,"content":{"data":"hi","timestamp":1,
      "language":"en"}})", "content.language", "expected an integer");
  expect_decode_error(R"({"msg_type":14,"content":{"data":"AAAA","timestamp":1,
      "length":-5}})", "content.length", "out of range");
  expect_decode_error(R"({"msg_type":14,"content":{"data":"AAAA","timestamp":1,
      "user_name":false}})", "content.user_name", "expected a string, got false");

  // The first error is the one reported.
  expect_decode_error(R"({"msg_type":22,"status_code":"x","timestamp":"y"})",
                      "status_code", "expected an integer");
}
GST_END_TEST;

GST_START_TEST(test_lenient_numbers)
{
  auto m = decode_as<SignalingHandshakeResp>(R"({"msg_type":"2",
      "protocol_version":"1","sequence":"7","status_code":"8",
      "reason":"duplicate signal request"})");
  fail_unless(m.status_code == StatusCode::DuplicateSignalRequest);
  ck_assert_int_eq(m.sequence, 7);
  // 2.0 is an integer written by a float-happy JSON writer.
  auto ka = decode_as<KeepAliveReq>(R"({"msg_type":12.0,"timestamp":1.7e12})");
  ck_assert_int_eq(ka.timestamp, 1700000000000LL);
  auto vs = decode_as<VideoSubscriptionReq>(
      R"({"msg_type":28,"user_id":"16778240","subscribe":"true","timestamp":"5"})");
  ck_assert_int_eq(vs.user_id, 16778240);
  fail_unless(vs.subscribe);
  auto sub = decode_as<EventSubscription>(
      R"({"msg_type":5,"events":[{"event_type":"3","subscribe":1}]})");
  ck_assert_int_eq(sub.events[0].event_type, 3);
  fail_unless(sub.events[0].subscribe);
  // Unknown members are ignored, binary-frame payloads are the same JSON.
  auto ack = decode_as<ClientReadyAck>(
      R"({"msg_type":7,"rtms_stream_id":"s","extra":{"nested":[1,2]}})");
  assert_str(ack.rtms_stream_id, "s");
}
GST_END_TEST;

// ---- encoding ----------------------------------------------------------------

GST_START_TEST(test_encode_exact)
{
  assert_str(encode_message(KeepAliveResp{1727384349000}),
             R"({"msg_type":13,"timestamp":1727384349000})");
  assert_str(encode_message(ClientReadyAck{kStream}),
             R"({"msg_type":7,"rtms_stream_id":"609340fb2a7946909659956c8aa9250c"})");

  SignalingHandshakeReq req;
  req.identity = {Product::Meeting, kUuid};
  req.rtms_stream_id = kStream;
  req.signature = "b432";
  assert_str(encode_message(req),
             R"({"msg_type":1,"protocol_version":1,"sequence":1,)"
             R"("meeting_uuid":"4444AAAiAAAAAiAiAiiAii==",)"
             R"("rtms_stream_id":"609340fb2a7946909659956c8aa9250c",)"
             R"("signature":"b432"})");
  req.buffer_data = false;
  req.identity = {Product::VideoSdk, "sess=="};
  assert_str(encode_message(req),
             R"({"msg_type":1,"protocol_version":1,"sequence":1,)"
             R"("session_id":"sess==","meeting_uuid":"sess==",)"
             R"("rtms_stream_id":"609340fb2a7946909659956c8aa9250c",)"
             R"("signature":"b432","buffer_data":false})");

  DataHandshakeReq data;
  data.identity = {Product::ContactCenter, "eng"};
  data.rtms_stream_id = "s";
  data.signature = "x";
  data.media_type = kMediaAudio;
  assert_str(encode_message(data),
             R"({"msg_type":3,"protocol_version":1,"sequence":0,)"
             R"("engagement_id":"eng","rtms_stream_id":"s","signature":"x",)"
             R"("media_type":1})");
  data.payload_encryption = false;
  data.media_params.audio = AudioParams{};
  data.media_params.audio->codec = Codec::L16;
  data.media_params.audio->sample_rate = SampleRate::SR48K;
  assert_str(encode_message(data),
             R"({"msg_type":3,"protocol_version":1,"sequence":0,)"
             R"("engagement_id":"eng","rtms_stream_id":"s","signature":"x",)"
             R"("media_type":1,"payload_encryption":false,)"
             R"("media_params":{"audio":{"sample_rate":3,"codec":1}}})");

  EventSubscription sub;
  sub.events = {{2, true}, {9, false}};
  assert_str(encode_message(sub),
             R"({"msg_type":5,"events":[{"event_type":2,"subscribe":true},)"
             R"({"event_type":9,"subscribe":false}]})");

  MediaData mixed;
  mixed.data = "AAAA";
  mixed.timestamp = 5;
  assert_str(encode_message(mixed),
             R"({"msg_type":14,"content":{"user_id":0,"data":"AAAA","timestamp":5}})");
  MediaData zcc;
  zcc.channel_id = "ch-1";
  zcc.data = "AAAA";
  zcc.timestamp = 6;
  assert_str(encode_message(zcc),
             R"({"msg_type":14,"content":{"channel_id":"ch-1","data":"AAAA","timestamp":6}})");

  SessionStateUpdate started;
  started.state = SessionState::Started;
  started.timestamp = 7;
  started.rtms_session_id = "s1";
  assert_str(encode_message(started),
             R"({"msg_type":9,"state":2,"timestamp":7,"rtms_session_id":"s1"})");
}
GST_END_TEST;

GST_START_TEST(test_round_trips)
{
  SignalingHandshakeReq sreq;
  sreq.sequence = 42;
  sreq.identity = {Product::Webinar, "web=="};
  sreq.rtms_stream_id = kStream;
  sreq.signature = "abc";
  sreq.buffer_data = true;
  auto sreq2 = round_trip(sreq);
  fail_unless(sreq2.identity.product == Product::Webinar);
  fail_unless(sreq2.buffer_data == true);
  for (Product p : {Product::Meeting, Product::VideoSdk, Product::ContactCenter,
                    Product::Phone}) {
    sreq.identity.product = p;
    fail_unless(round_trip(sreq).identity.product == p);
  }

  SignalingHandshakeResp sresp;
  sresp.sequence = 42;
  sresp.media_urls = {{"audio", "wss://a:443"}, {"all", "wss://b:443"}};
  auto sresp2 = round_trip(sresp);
  ck_assert_uint_eq(sresp2.media_urls.size(), 2);
  // Documented as present on success too, empty (msg 2, 4 and 22).
  fail_unless(encode_message(sresp).find("\"reason\":\"\"") != std::string::npos);
  fail_unless(encode_message(DataHandshakeResp{}).find("\"reason\":\"\"") != std::string::npos);
  fail_unless(encode_message(StreamCloseResp{}).find("\"reason\":\"\"") != std::string::npos);
  sresp.status_code = StatusCode::InvalidSignature;
  sresp.reason = "bad";
  sresp.media_urls.clear();
  fail_unless(round_trip(sresp).status_code == StatusCode::InvalidSignature);

  DataHandshakeReq dreq;
  dreq.identity = {Product::Meeting, kUuid};
  dreq.rtms_stream_id = kStream;
  dreq.signature = "sig";
  dreq.media_type = kMediaAll;
  dreq.payload_encryption = false;
  dreq.media_params = apply_defaults(MediaParams{}, kMediaAll);
  auto dreq2 = round_trip(dreq);
  ck_assert_uint_eq(dreq2.media_params.present_types(), kMediaEveryType);

  DataHandshakeResp dresp;
  dresp.media_params = apply_defaults(MediaParams{}, kMediaAudio | kMediaVideo);
  dresp.payload_encrypted = false;
  auto dresp2 = round_trip(dresp);
  fail_unless(dresp2.media_params.video->fps == 5);

  EventSubscription sub;
  sub.events = {{3, true}, {4, true}, {8, false}};
  ck_assert_uint_eq(round_trip(sub).events.size(), 3);

  EventUpdate join;
  join.event.event_type = 3;
  join.event.timestamp = 100;
  Participant alice{16778240, "", "Alice", true};
  Participant ext{0, "szCyubr_x", "", false};
  join.event.participants = {alice, ext};
  auto join2 = round_trip(join);
  assert_str(join2.event.participants[1].user_key, "szCyubr_x");
  fail_if(join2.event.participants[1].has_user_name);

  EventUpdate speaker;
  speaker.event.event_type = 2;
  speaker.event.has_user = true;
  speaker.event.user = alice;
  fail_unless(round_trip(speaker).event.has_user);

  EventUpdate zcc;
  zcc.event.event_type = 18;
  zcc.event.timestamp = 200;
  zcc.event.zcc_info = {{"channel_id", "ch-1"}, {"display_name", "Agent"}};
  auto zcc2 = round_trip(zcc);
  ck_assert_int_eq(zcc2.event.timestamp, 200);
  assert_str(zcc2.event.zcc_info.at("display_name"), "Agent");
  assert_contains(encode_message(zcc), "\"paticipant_info\"");
  assert_contains(encode_message(zcc), "\"event_ts\":200");

  round_trip(ClientReadyAck{kStream});
  StreamStateUpdate ssu{StreamState::Terminated,
                        StopReason::AuthenticationFailure, 300};
  fail_unless(round_trip(ssu).reason == StopReason::AuthenticationFailure);
  SessionStateUpdate sesu{SessionState::Stopped, StopReason::MeetingEnded, 400,
                          "sess"};
  fail_unless(round_trip(sesu).stop_reason == StopReason::MeetingEnded);
  round_trip(SessionStateReq{"sess"});
  SessionStateResp sesr{"sess", SessionState::Resumed, 500};
  fail_unless(round_trip(sesr).state == SessionState::Resumed);
  ck_assert_int_eq(round_trip(KeepAliveReq{600}).timestamp, 600);
  ck_assert_int_eq(round_trip(KeepAliveResp{600}).timestamp, 600);
  round_trip(StreamStateReq{kStream});
  StreamStateResp str{StreamState::Active, kStream, 1694204592};
  ck_assert_int_eq(round_trip(str).timestamp, 1694204592);
  round_trip(StreamCloseReq{kStream});
  StreamCloseResp scr{kStream, StatusCode::Ok, "", 700};
  ck_assert_int_eq(round_trip(scr).timestamp, 700);
  VideoSubscriptionReq vreq{16778240, false, 800};
  fail_if(round_trip(vreq).subscribe);
  VideoSubscriptionResp vresp{16778240, StatusCode::DuplicateVideoSubscription,
                              "duplicate", 900};
  fail_unless(round_trip(vresp).status_code ==
              StatusCode::DuplicateVideoSubscription);

  for (MessageType t : {MessageType::MediaDataAudio, MessageType::MediaDataVideo,
                        MessageType::MediaDataShare,
                        MessageType::MediaDataTranscript,
                        MessageType::MediaDataChat}) {
    MediaData m;
    m.type = t;
    m.user = alice;
    m.data = t == MessageType::MediaDataTranscript ? "hello there" : "AAECAw==";
    m.has_length = true;
    m.length = 4;
    m.timestamp = 1000;
    if (t == MessageType::MediaDataTranscript) {
      m.has_times = true;
      m.start_time = 990;
      m.end_time = 1990;
      m.has_language = true;
      m.language = 9;
      m.attribute = DataMessageAttribute::Update;
    }
    MediaData back = round_trip(m);
    fail_unless(back.type == t);
    fail_unless(message_type_of(back) == t);
    assert_str(back.data, m.data);
    fail_unless(back.attribute == m.attribute);
  }
  MediaData zaudio;
  zaudio.channel_id = "ch-9";
  zaudio.data = "AAAA";
  assert_str(round_trip(zaudio).channel_id, "ch-9");
}
GST_END_TEST;

GST_START_TEST(test_message_type_of)
{
  fail_unless(message_type_of(SignalingHandshakeReq{}) ==
              MessageType::SignalingHandshakeReq);
  fail_unless(message_type_of(DataHandshakeResp{}) ==
              MessageType::DataHandshakeResp);
  fail_unless(message_type_of(VideoSubscriptionResp{}) ==
              MessageType::VideoSubscriptionResp);
  MediaData share;
  share.type = MessageType::MediaDataShare;
  fail_unless(message_type_of(share) == MessageType::MediaDataShare);
  // msg_type is always the first member, as an integer.
  assert_str(encode_message(share).substr(0, 14), "{\"msg_type\":16");
}
GST_END_TEST;

// Every control character in a string, U+001F included (json-glib 1.6's
// generator writes that one raw, which is not JSON: json_fields.h), comes
// out escaped and reads back the same; found by the messages fuzz target.
GST_START_TEST(test_control_characters_encode_as_json)
{
  std::string text;
  for (int c = 1; c < 0x20; c++) text.push_back(char(c));
  MediaData m;
  m.type = MessageType::MediaDataTranscript;
  m.user.user_name = "name" + text;
  m.user.has_user_name = true;
  m.data = "d" + text + "e";
  m.timestamp = 1;
  std::string json = encode_message(m);
  for (char c : json) fail_if((unsigned char)c < 0x20, "a raw control character in %s", json.c_str());
  fail_unless(json.find("\\u001f") != std::string::npos, "%s", json.c_str());
  auto decoded = decode_message(json);
  fail_unless(decoded.ok(), "%s", json.c_str());
  const MediaData &back = std::get<MediaData>(decoded.value());
  fail_unless(back.data == m.data && back.user.user_name == m.user.user_name);
}
GST_END_TEST;

// ---- chat payload ------------------------------------------------------------

GST_START_TEST(test_chat_payload)
{
  ChatPayload plain = parse_chat_payload("hello everyone");
  fail_if(plain.structured);
  assert_str(plain.text, "hello everyone");
  // Text that merely starts like JSON is still text.
  assert_str(parse_chat_payload("{not json").text, "{not json");
  fail_if(parse_chat_payload("{\"a\":1}").structured);
  fail_if(parse_chat_payload("").structured);
  fail_if(parse_chat_payload("[1,2]").structured);

  ChatPayload p = parse_chat_payload(R"({
      "sender":{"user_id":16778240,"user_name":"Alice"},
      "receiver":{"user_id":"16779264","user_name":"Bob"},
      "chat_session":{"type":2,"id":"chat-session-1"},
      "operation_type":1,"message_id":"msg-1","parent_message_id":"msg-0",
      "content":"hi Bob"})");
  fail_unless(p.structured);
  ck_assert_int_eq(p.sender.user_id, 16778240);
  assert_str(p.sender.user_name, "Alice");
  fail_unless(p.has_receiver);
  ck_assert_int_eq(p.receiver.user_id, 16779264);
  ck_assert_int_eq(p.chat_session_type, int(ChatSessionType::Individual));
  assert_str(p.chat_session_id, "chat-session-1");
  ck_assert_int_eq(p.operation_type, int(ChatOperation::New));
  assert_str(p.message_id, "msg-1");
  assert_str(p.parent_message_id, "msg-0");
  assert_str(p.text, "hi Bob");

  ChatPayload everyone = parse_chat_payload(
      R"({"sender":{"user_id":"szCyubr_x"},"chat_session":{"type":1},
          "operation_type":"3","message_id":12,"text":"edited"})");
  fail_unless(everyone.structured);
  assert_str(everyone.sender.user_key, "szCyubr_x");
  fail_if(everyone.has_receiver);
  ck_assert_int_eq(everyone.operation_type, 3);
  assert_str(everyone.message_id, "12");
  assert_str(everyone.text, "edited");

  // A sender of the wrong shape: shown verbatim rather than dropped.
  std::string odd = R"({"sender":{"user_id":[1]},"content":"x"})";
  ChatPayload o = parse_chat_payload(odd);
  fail_if(o.structured);
  assert_str(o.text, odd);

  // encode -> parse keeps every field.
  std::string enc = encode_chat_payload(p);
  ChatPayload back = parse_chat_payload(enc);
  fail_unless(back.structured);
  assert_str(encode_chat_payload(back), enc);
  assert_str(back.text, "hi Bob");
  assert_str(encode_chat_payload(plain), "hello everyone");

  // Structured chat travels as the data string of msg 18.
  MediaData chat;
  chat.type = MessageType::MediaDataChat;
  chat.data = enc;
  chat.timestamp = 1;
  MediaData chat2 = round_trip(chat);
  fail_unless(parse_chat_payload(chat2.data).structured);
}
GST_END_TEST;

static Suite *
messages_suite(void)
{
  Suite *s = suite_create("rtms-messages");
  TCase *tc = tcase_create("messages");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_decode_signaling_handshake_req);
  tcase_add_test(tc, test_identity_keys);
  tcase_add_test(tc, test_decode_small_requests);
  tcase_add_test(tc, test_decode_signaling_handshake_resp);
  tcase_add_test(tc, test_decode_events);
  tcase_add_test(tc, test_decode_zcc_event);
  tcase_add_test(tc, test_decode_state_messages);
  tcase_add_test(tc, test_decode_data_handshake_req);
  tcase_add_test(tc, test_decode_data_handshake_resp);
  tcase_add_test(tc, test_decode_media);
  tcase_add_test(tc, test_decode_errors_whole_message);
  tcase_add_test(tc, test_decode_errors_fields);
  tcase_add_test(tc, test_lenient_numbers);
  tcase_add_test(tc, test_encode_exact);
  tcase_add_test(tc, test_round_trips);
  tcase_add_test(tc, test_message_type_of);
  tcase_add_test(tc, test_chat_payload);
  tcase_add_test(tc, test_control_characters_encode_as_json);
  return s;
}

GST_CHECK_MAIN(messages);
