// End to end: rtms_started's newer fields (account_id, meeting_id,
// webinar_id, is_original_host) reach a template through its placeholders;
// a field the webhook lacks leaves its placeholder empty.
#include <gst/check/gstcheck.h>

#include "emulator_run.h"
#include "gateway_run.h"
#include "recording_checks.h"

GST_START_TEST(webhook_fields_fill_the_template) {
  GatewayRun gw;
  // A template that writes silence, for as long as the stream runs, to a
  // file named after the fields.
  gw.start({"--pipeline",
            "rtmssrc name=src audiotestsrc is-live=true wave=silence samplesperbuffer=4000 ! "
            "filesink location={out}/ids_{account_id}_{meeting_id}_{is_original_host}_{webinar_id}.raw"});
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json"), "--webhook-url", gw.url, "--webhook-secret",
                  GW_WEBHOOK_SECRET});
  fail_unless(gw.wait_metric("rtms_gateway_streams_started_total", 1, 5000), "the stream did not start");
  emulator.finish();
  fail_unless(gw.wait_metric("rtms_gateway_active_streams", 0, 15000), "the stream did not end");
  std::vector<std::string> folders = stream_folders(gw);
  fail_unless_equals_int(folders.size(), 1);
  // The emulator's meeting: an account id, a numeric meeting id, sent by its
  // original host, and no webinar id.
  std::string expected = folders[0] + "/ids_EmuAccount0000000001_81234567890_true_.raw";
  fail_unless(g_file_test(expected.c_str(), G_FILE_TEST_EXISTS), "no %s", expected.c_str());
  fail_unless_equals_int(gw.terminate(5000), 0);
}
GST_END_TEST;

static Suite *placeholders_suite() {
  Suite *s = suite_create("gateway-placeholders");
  TCase *tc = tcase_create("placeholders");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, webhook_fields_fill_the_template);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(placeholders);
