// The webhook endpoint on its own: every kind of bad request is refused with
// the right status and starts nothing; url_validation is answered as Zoom
// expects; /healthz and /metrics answer.
#include <gst/check/gstcheck.h>
#include <json-glib/json-glib.h>

#include "gateway_run.h"
#include "protocol/signature.h"

// A well-formed rtms_started for a server that does not exist: if any of
// the bad requests below got through, a stream would start (and fail).
static const char *kStarted =
    "{\"event\":\"meeting.rtms_started\",\"event_ts\":1700000000000,\"payload\":{"
    "\"meeting_uuid\":\"IntakeMeeting==\",\"rtms_stream_id\":\"intake0000000000\","
    "\"server_urls\":\"ws://127.0.0.1:9/signaling\"}}";

GST_START_TEST(bad_requests_are_refused_and_start_nothing) {
  GatewayRun gw;
  gw.start({"--max-body", "4096"});
  std::string ts = std::to_string(g_get_real_time() / G_USEC_PER_SEC);
  std::string good_sig = rtms::webhook_signature(GW_WEBHOOK_SECRET, ts, kStarted);

  fail_unless_equals_int(gw.post(kStarted, {}).status, 401);
  fail_unless_equals_int(gw.post(kStarted, {{"x-zm-request-timestamp", ts}}).status, 401);
  fail_unless_equals_int(gw.post(kStarted, {{"x-zm-signature", good_sig}}).status, 401);
  fail_unless_equals_int(gw.post_signed(kStarted, 0, "another-secret").status, 401);
  // The signature covers the raw body: one changed byte and it is wrong.
  std::string tampered = kStarted;
  tampered[tampered.find("9/")] = '8';
  fail_unless_equals_int(gw.post(tampered, {{"x-zm-request-timestamp", ts}, {"x-zm-signature", good_sig}}).status, 401);
  fail_unless_equals_int(gw.post_signed(kStarted, -301).status, 401);
  fail_unless_equals_int(gw.post_signed(kStarted, +400).status, 401);
  fail_unless_equals_int(gw.post(kStarted, {{"x-zm-request-timestamp", "yesterday"}, {"x-zm-signature", good_sig}}).status, 401);
  fail_unless_equals_int(gw.post_signed("{\"event\": \"meeting.rtms_started\", ").status, 400);
  fail_unless_equals_int(gw.post_signed("{\"event\":\"meeting.rtms_started\",\"payload\":{}}").status, 400);
  std::string huge = "{\"event\":\"meeting.rtms_started\",\"pad\":\"" + std::string(8000, 'x') + "\"}";
  fail_unless_equals_int(gw.post_signed(huge).status, 413);
  fail_unless_equals_int(gw.get("/webhook").status, 405);

  fail_unless_equals_int(gw.metric("rtms_gateway_webhooks_total{result=\"rejected\",reason=\"missing_signature\"}"), 2);
  fail_unless_equals_int(gw.metric("rtms_gateway_webhooks_total{result=\"rejected\",reason=\"missing_timestamp\"}"), 1);
  fail_unless_equals_int(gw.metric("rtms_gateway_webhooks_total{result=\"rejected\",reason=\"bad_signature\"}"), 2);
  fail_unless_equals_int(gw.metric("rtms_gateway_webhooks_total{result=\"rejected\",reason=\"stale_timestamp\"}"), 2);
  fail_unless_equals_int(gw.metric("rtms_gateway_webhooks_total{result=\"rejected\",reason=\"malformed_timestamp\"}"), 1);
  fail_unless_equals_int(gw.metric("rtms_gateway_webhooks_total{result=\"rejected\",reason=\"malformed\"}"), 2);
  fail_unless_equals_int(gw.metric("rtms_gateway_webhooks_total{result=\"rejected\",reason=\"too_large\"}"), 1);
  fail_unless_equals_int(gw.metric("rtms_gateway_webhooks_total{result=\"rejected\",reason=\"method\"}"), 1);
  fail_unless_equals_int(gw.metric("rtms_gateway_streams_started_total"), 0);
  fail_unless_equals_int(gw.metric("rtms_gateway_active_streams"), 0);
  fail_unless(gw.output_empty(), "a rejected webhook made a stream folder");
  // Still serving after all that.
  fail_unless_equals_int(gw.get("/healthz").status, 200);
}
GST_END_TEST;

// A body that is too big is refused as soon as that is known, without
// reading the rest: a declared Content-Length at once (the client has sent
// only the headers), a chunked body once past --max-body (it never ends).
GST_START_TEST(oversized_bodies_are_refused_unread) {
  GatewayRun gw;
  gw.start({"--max-body", "4096"});
  std::string head = "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
  gint64 before = g_get_monotonic_time();
  std::string declared = gw.raw_exchange(head + "Content-Length: 100000000\r\n\r\n{\"event\":", 5000);
  fail_unless(g_str_has_prefix(declared.c_str(), "HTTP/1.1 413 "), "declared 100 MB: answered '%s'", declared.c_str());
  fail_unless(declared.find("too_large") != std::string::npos);

  std::string chunk(1000, 'x');
  std::string chunked = head + "Transfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 6; i++) chunked += "3e8\r\n" + chunk + "\r\n";  // 6000 bytes, no last chunk
  std::string endless = gw.raw_exchange(chunked, 5000);
  fail_unless(g_str_has_prefix(endless.c_str(), "HTTP/1.1 413 "), "endless chunked body: answered '%s'", endless.c_str());
  // Not only on the webhook path.
  std::string elsewhere = gw.raw_exchange("POST /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000000\r\n\r\n", 5000);
  fail_unless(g_str_has_prefix(elsewhere.c_str(), "HTTP/1.1 413 "), "100 MB to /metrics: answered '%s'", elsewhere.c_str());
  // Both answers came at once, not after a timeout.
  fail_unless(g_get_monotonic_time() - before < 4 * G_USEC_PER_SEC);

  // A chunked body within the limit is read and checked like any other.
  const char *body = "{\"event\":\"endpoint.url_validation\",\"event_ts\":1700000000000,"
                     "\"payload\":{\"plainToken\":\"chunky\"}}";
  std::string ts = std::to_string(g_get_real_time() / G_USEC_PER_SEC);
  std::string sig = rtms::webhook_signature(GW_WEBHOOK_SECRET, ts, body);
  std::string half = std::string(body).substr(0, 20), rest = std::string(body).substr(20);
  char sizes[64];
  g_snprintf(sizes, sizeof sizes, "%zx", half.size());
  std::string small = head + "x-zm-request-timestamp: " + ts + "\r\nx-zm-signature: " + sig +
                      "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + sizes + "\r\n" + half + "\r\n";
  g_snprintf(sizes, sizeof sizes, "%zx", rest.size());
  small += std::string(sizes) + "\r\n" + rest + "\r\n0\r\n\r\n";
  std::string validated = gw.raw_exchange(small, 5000);
  fail_unless(g_str_has_prefix(validated.c_str(), "HTTP/1.1 200 "), "small chunked body: answered '%s'", validated.c_str());
  fail_unless(validated.find("chunky") != std::string::npos);

  fail_unless_equals_int(gw.metric("rtms_gateway_webhooks_total{result=\"rejected\",reason=\"too_large\"}"), 2);
  fail_unless_equals_int(gw.metric("rtms_gateway_webhooks_total{result=\"accepted\",reason=\"url_validation\"}"), 1);
  fail_unless_equals_int(gw.get("/healthz").status, 200);
  fail_unless_equals_int(gw.terminate(5000), 0);
}
GST_END_TEST;

GST_START_TEST(url_validation_is_answered) {
  GatewayRun gw;
  gw.start();
  const char *body = "{\"event\":\"endpoint.url_validation\",\"event_ts\":1700000000000,"
                     "\"payload\":{\"plainToken\":\"qgg8vlvZRS6UYooatFL8Aw\"}}";
  HttpAnswer answer = gw.post_signed(body);
  fail_unless_equals_int(answer.status, 200);
  g_autoptr(JsonParser) parser = json_parser_new();
  fail_unless(json_parser_load_from_data(parser, answer.body.c_str(), -1, nullptr), "%s", answer.body.c_str());
  JsonObject *o = json_node_get_object(json_parser_get_root(parser));
  fail_unless_equals_string(json_object_get_string_member(o, "plainToken"), "qgg8vlvZRS6UYooatFL8Aw");
  // HMAC-SHA256 written out here rather than taken from the gateway's code.
  std::string expected = rtms::hmac_sha256_hex(GW_WEBHOOK_SECRET, "qgg8vlvZRS6UYooatFL8Aw");
  fail_unless_equals_string(json_object_get_string_member(o, "encryptedToken"), expected.c_str());
  // Unsigned validation requests are refused like any other.
  fail_unless_equals_int(gw.post(body, {}).status, 401);
  fail_unless_equals_int(gw.metric("rtms_gateway_webhooks_total{result=\"accepted\",reason=\"url_validation\"}"), 1);
}
GST_END_TEST;

GST_START_TEST(health_and_metrics) {
  GatewayRun gw;
  gw.start();
  HttpAnswer health = gw.get("/healthz");
  fail_unless_equals_int(health.status, 200);
  fail_unless_equals_string(health.body.c_str(), "ok");
  HttpAnswer metrics = gw.get("/metrics");
  fail_unless_equals_int(metrics.status, 200);
  for (const char *name : {"# TYPE rtms_gateway_active_streams gauge", "# TYPE rtms_gateway_webhooks_total counter",
                           "rtms_gateway_streams_started_total 0", "rtms_gateway_pipeline_errors_total 0"})
    fail_unless(metrics.body.find(name) != std::string::npos, "no '%s' in /metrics", name);
  fail_unless_equals_int(gw.terminate(5000), 0);
}
GST_END_TEST;

GST_START_TEST(pipeline_error_ends_that_stream_only) {
  GatewayRun gw;
  gw.start();
  // Nothing listens on port 9: rtmssrc fails to connect, an element error.
  fail_unless_equals_int(gw.post_signed(kStarted).status, 200);
  fail_unless(gw.wait_metric("rtms_gateway_pipeline_errors_total", 1, 10000), "no pipeline error");
  fail_unless(gw.wait_metric("rtms_gateway_active_streams", 0, 5000));
  fail_unless_equals_int(gw.metric("rtms_gateway_streams_started_total"), 1);
  fail_unless_equals_int(gw.get("/healthz").status, 200);
  fail_unless_equals_int(gw.terminate(5000), 0);
}
GST_END_TEST;

static Suite *intake_suite() {
  Suite *s = suite_create("gateway-intake");
  TCase *tc = tcase_create("intake");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, bad_requests_are_refused_and_start_nothing);
  tcase_add_test(tc, oversized_bodies_are_refused_unread);
  tcase_add_test(tc, url_validation_is_answered);
  tcase_add_test(tc, health_and_metrics);
  tcase_add_test(tc, pipeline_error_ends_that_stream_only);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(intake);
