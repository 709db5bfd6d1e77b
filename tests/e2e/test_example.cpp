// End to end: the record-participants example, a real application embedding
// rtmssrc, records every participant of an emulated meeting to a playable
// WAV file named after them.
#include <glib/gstdio.h>
#include <gst/pbutils/pbutils.h>

#include "e2e_common.h"

GST_START_TEST(records_every_participant) {
  const char *example = g_getenv("RTMS_EXAMPLE_RECORD");
  fail_unless(example != nullptr, "RTMS_EXAMPLE_RECORD is not set");
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json"), "--tls"});
  std::string webhook = emulator.dir + "/rtms_started.json";
  fail_unless(g_file_set_contents(webhook.c_str(), emulator.webhook_json.c_str(), -1, nullptr));
  std::string out_dir = emulator.dir + "/recordings";

  GSubprocessLauncher *launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_setenv(launcher, "ZM_RTMS_CLIENT", E2E_CLIENT_ID, TRUE);
  g_subprocess_launcher_setenv(launcher, "ZM_RTMS_SECRET", E2E_CLIENT_SECRET, TRUE);
  GError *error = nullptr;
  GSubprocess *proc = g_subprocess_launcher_spawn(launcher, &error, example, webhook.c_str(),
                                                  out_dir.c_str(), emulator.ca_file.c_str(),
                                                  nullptr);
  fail_unless(proc != nullptr, "%s", error ? error->message : "?");
  fail_unless(g_subprocess_wait_check(proc, nullptr, &error), "the example failed: %s",
              error ? error->message : "?");
  g_object_unref(proc);
  g_object_unref(launcher);
  JsonObject *manifest = emulator.finish();
  check_no_violations(manifest);

  GstDiscoverer *discoverer = gst_discoverer_new(10 * GST_SECOND, nullptr);
  guint files = 0;
  for (const char *name : {"Alice", "Bob"}) {
    GDir *dir = g_dir_open(out_dir.c_str(), 0, nullptr);
    fail_unless(dir != nullptr);
    std::string found;
    while (const char *f = g_dir_read_name(dir))
      if (g_str_has_suffix(f, (std::string("-") + name + ".wav").c_str())) found = f;
    g_dir_close(dir);
    fail_if(found.empty(), "no recording for %s", name);
    std::string path = out_dir + "/" + found;
    gchar *uri = gst_filename_to_uri(path.c_str(), nullptr);
    GstDiscovererInfo *info = gst_discoverer_discover_uri(discoverer, uri, &error);
    fail_unless(info != nullptr, "%s", error ? error->message : "?");
    GstClockTime duration = gst_discoverer_info_get_duration(info);
    // Each file runs from the start of the meeting to the participant's last
    // words (Alice speaks until 3.0 s, Bob until 2.4 s).
    fail_unless(duration > 2 * GST_SECOND && duration < 4 * GST_SECOND,
                "%s: duration %" GST_TIME_FORMAT, name, GST_TIME_ARGS(duration));
    gst_discoverer_info_unref(info);
    g_free(uri);
    g_remove(path.c_str());
    files++;
  }
  g_rmdir(out_dir.c_str());
  g_remove(webhook.c_str());
  g_object_unref(discoverer);
  fail_unless_equals_int(files, 2);
}
GST_END_TEST;

static Suite *example_suite() {
  Suite *s = suite_create("record-participants-e2e");
  TCase *tc = tcase_create("example");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, records_every_participant);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(example);
