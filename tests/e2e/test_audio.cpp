// End to end: rtmssrc against the real emulator over real sockets (ws and
// wss), per-participant and mixed audio, unified and split media sockets.
#include <csignal>
#include <set>

#include "e2e_common.h"

struct AudioCase {
  bool tls = false;
  const char *src_properties = "";
  bool mixed = false;
  guint media_sockets = 1;
  std::vector<std::string> emulator_args = {};
};

static void run_case(const AudioCase &c) {
  EmulatorRun emulator;
  std::vector<std::string> args = {"--script", meeting_script("short.json"),
                                   "--keepalive-interval", "300", "--keepalive-when-busy"};
  if (c.tls) args.push_back("--tls");
  args.insert(args.end(), c.emulator_args.begin(), c.emulator_args.end());
  emulator.start(args);
  if (c.tls) fail_unless(!emulator.ca_file.empty(), "wss emulator gave no CA file");
  fail_unless(g_str_has_prefix(emulator.signaling_url.c_str(), c.tls ? "wss://" : "ws://"));

  Capture capture(c.src_properties);
  configure_src(capture, emulator);
  JsonObject *manifest = run_to_end(capture, emulator);

  guint participants = check_audio_matches_manifest(capture, manifest, c.mixed);
  fail_unless(participants >= (c.mixed ? 1u : 2u), "only %u participant(s) checked", participants);
  fail_unless_equals_int(capture.pads.size(), participants);

  // One group for every pad, distinct stream ids.
  guint group = 0;
  std::set<std::string> ids;
  for (auto &kv : capture.pads) {
    if (group == 0) group = kv.second->group_id;
    fail_unless_equals_int(kv.second->group_id, group);
    ids.insert(kv.second->stream_id);
  }
  fail_unless_equals_int(ids.size(), capture.pads.size());
  fail_unless(capture.collections >= 1, "no stream collection posted");

  // Keep-alives on every socket answered with the right timestamp.
  gint64 sent = json_int_path(manifest, "keepalives.signaling.sent");
  gint64 answered = json_int_path(manifest, "keepalives.signaling.answered");
  fail_unless(sent >= 2, "the emulator sent %" G_GINT64_FORMAT " signaling keep-alives", sent);
  fail_unless(answered >= sent - 1, "%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " answered",
              answered, sent);
  gint64 media_sent = json_int_path(manifest, "keepalives.media.sent");
  gint64 media_answered = json_int_path(manifest, "keepalives.media.answered");
  fail_unless(media_sent >= 2);
  fail_unless(media_answered >= media_sent - gint64(c.media_sockets));

  fail_unless_equals_int64(json_int_path(manifest, "client.ready_acks"), c.media_sockets);
  fail_unless_equals_int64(json_int_path(manifest, "client.signaling_handshakes"), 1);
  fail_unless(capture.has_element_message("rtms-stream-stopped"));
  // The end arrives on signaling just before the server closes media: the
  // closing media socket must not be taken for lost media.
  fail_if(capture.has_warning({"reconnecting"}), "a reconnect at the end of the stream");
  fail_unless(capture.has_element_message("rtms-participant-join"));

  // The stats property counts what went through.
  GstStructure *stats = nullptr;
  g_object_get(capture.src, "stats", &stats, nullptr);
  fail_unless(stats != nullptr);
  guint64 buffers = 0, bytes = 0, sent_bytes = 0, sent_packets = 0;
  guint pads = 0;
  fail_unless(gst_structure_get_uint64(stats, "audio-buffers", &buffers));
  fail_unless(gst_structure_get_uint64(stats, "audio-bytes", &bytes));
  fail_unless(gst_structure_get_uint(stats, "audio-pads", &pads));
  gst_structure_free(stats);
  JsonObject *audio = json_object_path(manifest, "audio");
  GList *members = json_object_get_members(audio);
  for (GList *l = members; l; l = l->next) {
    JsonObject *o = json_object_get_object_member(audio, static_cast<const char *>(l->data));
    sent_bytes += json_object_get_int_member(o, "bytes");
    sent_packets += json_object_get_int_member(o, "packets");
  }
  g_list_free(members);
  fail_unless_equals_uint64(buffers, sent_packets);
  fail_unless_equals_uint64(bytes, sent_bytes);
  fail_unless_equals_int(pads, capture.pads.size());
}

GST_START_TEST(per_participant_ws) {
  run_case({false, "", false, 1});
}
GST_END_TEST;

GST_START_TEST(per_participant_wss) {
  run_case({true, "", false, 1});
}
GST_END_TEST;

GST_START_TEST(mixed_ws) {
  run_case({false, "audio-mode=mixed", true, 1});
}
GST_END_TEST;

GST_START_TEST(split_sockets_wss) {
  run_case({true, "socket-mode=split", false, 1});
}
GST_END_TEST;

// Audio pushed straight from the network thread: the same bytes, in order.
GST_START_TEST(per_participant_network_thread_wss) {
  run_case({true, "push-mode=network-thread", false, 1});
}
GST_END_TEST;

GST_START_TEST(mixed_network_thread_ws) {
  run_case({false, "push-mode=network-thread audio-mode=mixed", true, 1});
}
GST_END_TEST;

// A network thread that sleeps 5 ms between wake-ups reads what piled up in
// one batch: still every byte, in order.
GST_START_TEST(per_participant_wake_interval_wss) {
  run_case({true, "push-mode=network-thread wake-interval=5000", false, 1});
}
GST_END_TEST;

GST_START_TEST(mixed_dedicated_thread_ws) {
  run_case({false, "dedicated-thread=true audio-mode=mixed", true, 1});
}
GST_END_TEST;

// The emulator's cheaper modes (rtms-bench uses them) send the same
// bytes: its scheduler sleeping from deadline to deadline for 20 ms before
// it reads the sockets, and a socket's messages due together coalesced
// into one TCP segment.
GST_START_TEST(per_participant_emulator_polls_every_20ms_wss) {
  run_case({true, "push-mode=network-thread", false, 1, {"--socket-poll-interval", "20"}});
}
GST_END_TEST;

GST_START_TEST(per_participant_emulator_coalesces_ws) {
  run_case({false, "", false, 1, {"--coalesce"}});
}
GST_END_TEST;

// rtms-bench brackets its window with SIGUSR1 and SIGUSR2; the emulator then
// says on its done line how late its timers ran (part of every latency the
// client measures). Opened at once here, the window lasts to the end.
GST_START_TEST(emulator_reports_how_late_its_timers_ran) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json"), "--tls", "--socket-poll-interval", "10"});
  g_subprocess_send_signal(emulator.process, SIGUSR1);
  Capture capture("push-mode=network-thread");
  configure_src(capture, emulator);
  JsonObject *manifest = run_to_end(capture, emulator);
  fail_unless(check_audio_matches_manifest(capture, manifest, false) >= 2);

  fail_unless(emulator.done.is("done"), "no done line");
  const tools::StatusLine::Lateness &late = emulator.done.lateness;
  gint64 runs = late.runs, p50 = late.p50_us, p99 = late.p99_us, max = late.max_us;
  // Audio ticks every 20 ms for the whole meeting, at least.
  fail_unless(runs >= 100, "%" G_GINT64_FORMAT " timer runs", runs);
  fail_unless(0 <= p50 && p50 <= p99 && p99 <= max, "p50 %" G_GINT64_FORMAT " p99 %" G_GINT64_FORMAT
              " max %" G_GINT64_FORMAT, p50, p99, max);
}
GST_END_TEST;

static Suite *audio_suite() {
  Suite *s = suite_create("rtmssrc-audio-e2e");
  TCase *tc = tcase_create("audio");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, per_participant_ws);
  tcase_add_test(tc, per_participant_wss);
  tcase_add_test(tc, mixed_ws);
  tcase_add_test(tc, split_sockets_wss);
  tcase_add_test(tc, per_participant_network_thread_wss);
  tcase_add_test(tc, mixed_network_thread_ws);
  tcase_add_test(tc, per_participant_wake_interval_wss);
  tcase_add_test(tc, mixed_dedicated_thread_ws);
  tcase_add_test(tc, per_participant_emulator_polls_every_20ms_wss);
  tcase_add_test(tc, per_participant_emulator_coalesces_ws);
  tcase_add_test(tc, emulator_reports_how_late_its_timers_ran);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(audio);
