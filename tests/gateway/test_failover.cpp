// End to end: a second rtms_started for the running stream with other
// servers is a server failover: the gateway hands it to the running rtmssrc,
// which moves the stream; no second pipeline, no error, files complete.
#include <gst/check/gstcheck.h>

#include "emulator_run.h"
#include "gateway_run.h"
#include "recording_checks.h"

GST_START_TEST(second_rtms_started_moves_the_stream) {
  GatewayRun gw;
  gw.start();
  EmulatorRun old_server;
  old_server.start({"--script", meeting_script("default.json"), "--reconnect-grace", "500"});
  EmulatorRun new_server;
  new_server.start({"--script", meeting_script("short.json")});
  fail_unless_equals_int(gw.post_signed(old_server.webhook_json).status, 200);
  fail_unless(gw.wait_metric("rtms_gateway_streams_started_total", 1, 5000), "the stream did not start");
  g_usleep(1000 * 1000);
  fail_unless_equals_int(gw.post_signed(new_server.webhook_json).status, 200);
  fail_unless(gw.wait_metric("rtms_gateway_stream_events_total{action=\"failover\"}", 1, 2000));

  JsonObject *manifest = new_server.finish();
  fail_unless_equals_int64(json_int_path(manifest, "client.signaling_handshakes"), 1);
  fail_unless(gw.wait_metric("rtms_gateway_active_streams", 0, 10000), "the stream did not end");
  fail_unless_equals_int(gw.metric("rtms_gateway_streams_started_total"), 1);
  fail_unless_equals_int(gw.metric("rtms_gateway_pipeline_errors_total"), 0);
  fail_unless(!files_under(gw.out_dir, ".wav").empty());
  for (const auto &f : files_under(gw.out_dir, ".wav")) {
    std::string why;
    fail_unless(GST_CLOCK_TIME_IS_VALID(audio_duration(f, &why)), "%s: %s", f.c_str(), why.c_str());
  }
}
GST_END_TEST;

static Suite *failover_suite() {
  Suite *s = suite_create("gateway-failover");
  TCase *tc = tcase_create("failover");
  tcase_set_timeout(tc, 90);
  tcase_add_test(tc, second_rtms_started_moves_the_stream);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(failover);
