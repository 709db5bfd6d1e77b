// End to end, events over Zoom's event WebSocket instead of webhooks
// (--intake websocket): the real gateway gets its access token from the
// emulator's token endpoint and holds the emulator's event WebSocket, both
// over TLS on loopback, and records what the events start. The emulator
// drops the socket, lets tokens expire or revokes them, or refuses the
// credentials, on command.
#include <gst/check/gstcheck.h>
#include <glib/gstdio.h>

#include "emulator_run.h"
#include "gateway_run.h"
#include "recording_checks.h"

namespace {

// A meeting long enough for a drop and a reconnect in its middle: Alice
// talks all along, Bob from 1 s to 1 s before the end.
std::string script_of(const std::string &dir, int seconds) {
  std::string path = dir + "/meeting.json";
  std::string ms = std::to_string(seconds * 1000), bob_end = std::to_string(seconds * 1000 - 1000);
  std::string text =
      "{\"duration_ms\": " + ms +
      ", \"participants\": ["
      "{\"user_id\": 16778240, \"user_name\": \"Alice\", \"tone_hz\": 440, \"talk\": [[0, " +
      ms +
      "]]},"
      "{\"user_id\": 16779264, \"user_name\": \"Bob\", \"tone_hz\": 660, \"join_ms\": 200,"
      " \"talk\": [[1000, " +
      bob_end + "]]}]}";
  fail_unless(g_file_set_contents(path.c_str(), text.c_str(), -1, nullptr));
  return path;
}

// The emulator's endpoints, as its ready line announces them next to the
// signaling URL: same host and port.
struct ZoomEndpoints {
  std::string token_url, event_url;
};

ZoomEndpoints endpoints_of(const EmulatorRun &emulator) {
  std::string base = emulator.signaling_url.substr(0, emulator.signaling_url.rfind('/'));
  fail_unless(g_str_has_prefix(base.c_str(), "wss://"), "the emulator is not on wss://: %s",
              base.c_str());
  return {"https://" + base.substr(6) + "/oauth/token",
          base + "/ws?subscriptionId=emulator-subscription-id"};
}

void start_gateway(GatewayRun &gw, const EmulatorRun &emulator,
                   std::vector<std::string> more = {}) {
  ZoomEndpoints zoom = endpoints_of(emulator);
  std::vector<std::string> args = {
      "--intake",      "websocket",      "--oauth-url",          zoom.token_url,
      "--event-url",   zoom.event_url,   "--event-ca-file",      emulator.ca_file,
      "--ssl-ca-file", emulator.ca_file, "--heartbeat-interval", "1"};
  args.insert(args.end(), more.begin(), more.end());
  gw.start(args);
}

// The gateway started, and the meeting's stream with it.
void start_recording(GatewayRun &gw, const EmulatorRun &emulator) {
  start_gateway(gw, emulator);
  fail_unless(gw.wait_metric("rtms_gateway_streams_started_total", 1, 10000),
              "the stream did not start");
}

// The emulator's summary of its event socket (the done line).
gint64 emulator_count(const EmulatorRun &emulator, const char *name) {
  g_autoptr(JsonParser) parser = json_parser_new();
  fail_unless(json_parser_load_from_data(parser, emulator.done_line.c_str(), -1, nullptr),
              "done line: %s", emulator.done_line.c_str());
  JsonObject *done = json_node_get_object(json_parser_get_root(parser));
  fail_unless(json_object_has_member(done, "event_socket"), "no event_socket in %s",
              emulator.done_line.c_str());
  return json_object_get_int_member(json_object_get_object_member(done, "event_socket"), name);
}

#define EVENTS_ACCEPTED(kind) \
  "rtms_gateway_event_socket_events_total{result=\"accepted\",reason=\"" kind "\"}"

// The meeting ran to its end through the event socket: started once,
// rtms_stopped received, every file complete.
JsonObject *check_recorded(GatewayRun &gw, EmulatorRun &emulator, GstClockTime min_length) {
  JsonObject *manifest = emulator.finish();
  fail_unless(gw.wait_metric("rtms_gateway_active_streams", 0, 10000), "the stream did not end");
  fail_unless(gw.wait_metric(EVENTS_ACCEPTED("rtms_stopped"), 1, 5000),
              "rtms_stopped did not arrive");
  fail_unless_equals_int(gw.metric(EVENTS_ACCEPTED("rtms_started")), 1);
  fail_unless_equals_int(gw.metric("rtms_gateway_streams_started_total"), 1);
  fail_unless_equals_int(gw.metric("rtms_gateway_pipeline_errors_total"), 0);
  fail_unless_equals_int(check_wav_per_participant(gw, manifest, min_length, 30 * GST_SECOND), 2);
  check_wav_content(stream_folders(gw).at(0), manifest);
  return manifest;
}

}  // namespace

GST_START_TEST(meeting_recorded_over_the_event_socket) {
  EmulatorRun emulator;
  emulator.start({"--tls", "--event-socket", "--script", meeting_script("short.json")});
  GatewayRun gw;
  start_gateway(gw, emulator);
  fail_unless(gw.wait_metric("rtms_gateway_event_socket_connected", 1, 10000),
              "the event socket did not connect");
  HttpAnswer ready = gw.get("/readyz");
  fail_unless_equals_int(ready.status, 200);
  fail_unless(ready.body.find("connected") != std::string::npos, "/readyz says %s",
              ready.body.c_str());
  // short.json lasts 3 s; heartbeats go every second and are answered.
  check_recorded(gw, emulator, 2 * GST_SECOND);
  fail_unless(emulator_count(emulator, "heartbeats") >= 1, "no heartbeat reached the emulator");
  fail_unless_equals_int(emulator_count(emulator, "events_lost"), 0);
  fail_unless_equals_int(gw.metric("rtms_gateway_event_socket_heartbeat_timeouts_total"), 0);
  fail_unless_equals_int(gw.metric("rtms_gateway_event_socket_tokens_total{result=\"ok\"}"), 1);
  // Nothing posted to the webhook path is taken in this mode.
  fail_unless_equals_int(gw.post_signed(emulator.webhook_json).status, 404);
  fail_unless_equals_int(gw.metric("rtms_gateway_streams_started_total"), 1);
  fail_unless_equals_int(gw.terminate(5000), 0);
}
GST_END_TEST;

GST_START_TEST(bad_frames_are_skipped_and_the_meeting_recorded) {
  EmulatorRun emulator;
  emulator.start({"--tls", "--event-socket", "--script", meeting_script("short.json"),
                  "--event-socket-bad-frames"});
  GatewayRun gw;
  start_gateway(gw, emulator);
  check_recorded(gw, emulator, 2 * GST_SECOND);
  // Each bad frame named and skipped; the connection kept.
  const char *skipped = "rtms_gateway_event_socket_frames_skipped_total{reason=\"";
  fail_unless_equals_int(gw.metric(std::string(skipped) + "malformed\"}"), 2);  // not JSON, deep
  fail_unless_equals_int(gw.metric(std::string(skipped) + "binary\"}"), 1);
  fail_unless_equals_int(gw.metric(std::string(skipped) + "too_large\"}"), 1);
  fail_unless_equals_int(gw.metric(std::string(skipped) + "unknown_module\"}"), 1);
  const char *rejected = "rtms_gateway_event_socket_events_total{result=\"rejected\",reason=\"";
  fail_unless_equals_int(gw.metric(std::string(rejected) + "malformed\"}"), 1);
  fail_unless_equals_int(gw.metric(std::string(rejected) + "url_validation\"}"), 1);
  fail_unless_equals_int(gw.metric("rtms_gateway_event_socket_connects_total"), 1);
  fail_unless_equals_int(gw.terminate(5000), 0);
}
GST_END_TEST;

GST_START_TEST(expired_token_is_renewed_and_a_revoked_one_replaced) {
  g_autofree char *tmp = g_dir_make_tmp("rtms-gw-ws-XXXXXX", nullptr);
  std::string dir = tmp;
  EmulatorRun emulator;
  // Tokens live 5 s and the gateway renews them after 4 s: the first has
  // expired when the socket is dropped at 5.5 s, and the drop revokes the
  // renewed one too, so the reconnect (0.5 to 1 s later, before the next
  // renewal) is refused with 401 until the gateway has fetched another.
  emulator.start({"--tls", "--event-socket", "--script", script_of(dir, 10), "--token-ttl", "5",
                  "--event-socket-drop", "5500", "--revoke-tokens-on-drop"});
  GatewayRun gw;
  start_recording(gw, emulator);
  fail_unless(gw.wait_metric_at_least("rtms_gateway_event_socket_connects_total", 2, 15000),
              "no reconnect");
  fail_unless(gw.metric("rtms_gateway_event_socket_drops_total{reason=\"token_refused\"}") >= 1,
              "the revoked token was not refused");
  // The first, one renewed before it expired, one after the refusal.
  fail_unless(gw.metric("rtms_gateway_event_socket_tokens_total{result=\"ok\"}") >= 3);
  check_recorded(gw, emulator, 7 * GST_SECOND);
  fail_unless(emulator_count(emulator, "handshakes_refused") >= 1);
  fail_unless(emulator_count(emulator, "tokens_issued") >= 3);
  fail_unless_equals_int(gw.terminate(5000), 0);
  remove_tree(dir);
}
GST_END_TEST;

GST_START_TEST(dropped_event_socket_reconnects_without_losing_the_stream) {
  g_autofree char *tmp = g_dir_make_tmp("rtms-gw-ws-XXXXXX", nullptr);
  std::string dir = tmp;
  EmulatorRun emulator;
  emulator.start(
      {"--tls", "--event-socket", "--script", script_of(dir, 6), "--event-socket-drop", "1500"});
  GatewayRun gw;
  start_recording(gw, emulator);
  fail_unless(gw.wait_metric("rtms_gateway_event_socket_drops_total{reason=\"closed\"}", 1, 10000),
              "the drop was not seen");
  fail_unless(gw.wait_metric("rtms_gateway_event_socket_connected", 1, 5000), "no reconnect");
  fail_unless(gw.metric("rtms_gateway_event_socket_reconnects_total") >= 1);
  // The stream went on meanwhile: the whole meeting is in the files.
  fail_unless_equals_int(gw.metric("rtms_gateway_active_streams"), 1);
  check_recorded(gw, emulator, 4 * GST_SECOND);
  fail_unless_equals_int(emulator_count(emulator, "connections"), 2);
  fail_unless_equals_int(gw.metric("rtms_gateway_event_socket_tokens_total{result=\"ok\"}"), 1);
  fail_unless_equals_int(gw.terminate(5000), 0);
  remove_tree(dir);
}
GST_END_TEST;

GST_START_TEST(lost_rtms_stopped_still_ends_the_recording) {
  EmulatorRun emulator;
  // The event socket is gone when the meeting ends: rtms_stopped is lost.
  emulator.start({"--tls", "--event-socket", "--script", meeting_script("short.json"),
                  "--event-socket-gone-before-stop"});
  GatewayRun gw;
  start_recording(gw, emulator);
  JsonObject *manifest = emulator.finish();
  fail_unless_equals_int(emulator_count(emulator, "events_lost"), 1);
  // Ended by the stream's end on the signaling socket: EOS, files finalized.
  fail_unless(gw.wait_metric("rtms_gateway_active_streams", 0, 10000), "the stream did not end");
  fail_unless_equals_int(gw.metric(EVENTS_ACCEPTED("rtms_stopped")), 0);
  fail_unless_equals_int(gw.metric("rtms_gateway_pipeline_errors_total"), 0);
  fail_unless_equals_int(check_wav_per_participant(gw, manifest, 2 * GST_SECOND, 30 * GST_SECOND),
                         2);
  check_wav_content(stream_folders(gw).at(0), manifest);
  fail_unless_equals_int(gw.terminate(5000), 0);
}
GST_END_TEST;

GST_START_TEST(unanswered_heartbeats_replace_the_connection) {
  EmulatorRun emulator;
  // short.json lasts 3 s; the socket goes quiet 0.3 s after it connected.
  emulator.start({"--tls", "--event-socket", "--script", meeting_script("short.json"),
                  "--mute-heartbeats", "300"});
  GatewayRun gw;
  start_gateway(gw, emulator, {"--heartbeat-timeout", "1"});
  fail_unless(gw.wait_metric("rtms_gateway_event_socket_drops_total{reason=\"heartbeat_timeout\"}",
                             1, 10000),
              "the silent connection was not taken for dead");
  fail_unless(gw.wait_metric_at_least("rtms_gateway_event_socket_connects_total", 2, 10000),
              "no new connection");
  fail_unless(gw.metric("rtms_gateway_event_socket_heartbeat_timeouts_total") >= 1);
  emulator.finish();
  fail_unless(gw.wait_metric("rtms_gateway_active_streams", 0, 10000), "the stream did not end");
  fail_unless_equals_int(gw.metric("rtms_gateway_streams_started_total"), 1);
  fail_unless(emulator_count(emulator, "heartbeats_ignored") >= 1);
  fail_unless_equals_int(gw.terminate(5000), 0);
}
GST_END_TEST;

GST_START_TEST(bad_credentials_are_a_clear_error) {
  EmulatorRun emulator;
  emulator.start({"--tls", "--event-socket", "--client-secret", "not-the-gateways-secret",
                  "--wait-client", "60000"});
  g_autofree char *tmp = g_dir_make_tmp("rtms-gw-ws-XXXXXX", nullptr);
  std::string dir = tmp;
  GatewayRun gw;
  gw.log_file = dir + "/gateway.log";
  start_gateway(gw, emulator);
  // It keeps trying, with backoff: the first two attempts within ~1.5 s.
  fail_unless(gw.wait_metric_at_least("rtms_gateway_event_socket_tokens_total{result=\"failed\"}",
                                      2, 10000),
              "the token requests did not fail twice");
  fail_unless_equals_int(gw.metric("rtms_gateway_event_socket_connected"), 0);
  fail_unless_equals_int(gw.metric("rtms_gateway_event_socket_tokens_total{result=\"ok\"}"), 0);
  HttpAnswer ready = gw.get("/readyz");
  fail_unless_equals_int(ready.status, 503);
  std::string endpoint = endpoints_of(emulator).token_url;
  std::string expected = "token endpoint " + endpoint + " refused the credentials with HTTP 401";
  fail_unless(ready.body.find(expected) != std::string::npos, "/readyz says %s",
              ready.body.c_str());
  fail_unless_equals_int(gw.get("/healthz").status, 200);
  fail_unless_equals_int(gw.terminate(5000), 0);
  g_autofree char *log = nullptr;
  fail_unless(g_file_get_contents(gw.log_file.c_str(), &log, nullptr, nullptr));
  std::string text = log;
  fail_unless(text.find(expected) != std::string::npos, "the log does not say %s:\n%s",
              expected.c_str(), log);
  fail_unless(text.find("invalid_client") != std::string::npos,
              "Zoom's error code is not in the log");
  fail_unless(text.find("emulator-client-secret") == std::string::npos,
              "the client secret is in the log");
  remove_tree(dir);
}
GST_END_TEST;

static Suite *websocket_suite() {
  Suite *s = suite_create("gateway-websocket");
  TCase *tc = tcase_create("websocket");
  tcase_set_timeout(tc, 90);
  tcase_add_test(tc, meeting_recorded_over_the_event_socket);
  tcase_add_test(tc, bad_frames_are_skipped_and_the_meeting_recorded);
  tcase_add_test(tc, expired_token_is_renewed_and_a_revoked_one_replaced);
  tcase_add_test(tc, dropped_event_socket_reconnects_without_losing_the_stream);
  tcase_add_test(tc, lost_rtms_stopped_still_ends_the_recording);
  tcase_add_test(tc, unanswered_heartbeats_replace_the_connection);
  tcase_add_test(tc, bad_credentials_are_a_clear_error);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(websocket);
