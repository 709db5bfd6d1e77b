// Scale-out on Redis under failure (docs/gateway.md, "Scale-out on Redis"):
//  - kill -9 of a worker mid-meeting: each of its streams is taken over by
//    another worker, goes on in a new segment, the gap is written down, and
//    no stream ever had two receivers (the emulator's duplicate-connection
//    check, the fencing counter);
//  - SIGSTOP of a worker past its lease, then SIGCONT: it finds it can no
//    longer prove its lease, stops that stream cleanly in its own segment,
//    and the stream goes on in another worker's;
// (Redis restarted and SIGTERM's hand-over: test_cluster_recovery.cpp.)
// Timing is never asserted: every wait is generous, every check is about
// what happened.
#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "cluster_run.h"

#include <gst/check/gstcheck.h>
#include <glib/gstdio.h>

namespace {

double cluster_metric(ClusterGateway &g, const char *name) { return g.run.metric(name); }

}  // namespace

GST_START_TEST(kill_9_worker_streams_taken_over) {
  Cluster cluster(3, 2, 3000);
  auto &[dir, redis, intake, workers] = cluster;
  EmulatorRun emulator;
  std::vector<std::string> ids = cluster.play(emulator, "K", "d0000000000000000000000000000000", 15000, 3);
  // The owner of the first stream dies mid-meeting, without a word.
  std::string victim = cluster.owner(ids[0]).name;
  std::vector<std::string> victims;
  for (const auto &id : ids)
    if (owner_of(intake->run, id) == victim) victims.push_back(id);
  auto it = std::find_if(workers.begin(), workers.end(), [&](auto &w) { return w->name == victim; });
  g_usleep(1500000);  // some media in its first segment
  g_subprocess_force_exit((*it)->run.process);
  g_subprocess_wait((*it)->run.process, nullptr, nullptr);
  workers.erase(it);

  std::vector<JsonObject *> streams = manifest_streams(emulator.finish());
  for (auto &w : workers)
    fail_unless(w->run.wait_metric("rtms_gateway_cluster_owned_streams", 0, 30000), "%s still owns streams",
                w->name.c_str());
  double takeovers = 0;
  for (auto &w : workers) {
    takeovers += cluster_metric(*w, "rtms_gateway_cluster_takeovers_total");
    fail_unless_equals_int(cluster_metric(*w, "rtms_gateway_cluster_fencing_rejections_total"), 0);
  }
  fail_unless_equals_int(takeovers, victims.size());
  for (JsonObject *s : streams) {
    std::string id = json_object_get_string_member(s, "rtms_stream_id");
    bool taken_over = std::find(victims.begin(), victims.end(), id) != victims.end();
    std::string folder = stream_folder(dir.out(), id);
    std::vector<std::string> segments = segments_of(folder);
    // Never two receivers at once: the emulator refuses a second signaling
    // connection (DUPLICATE_SIGNAL_REQUEST, a violation) and the fence grew
    // once per owner.
    std::string violations = manifest_violations(s);
    fail_unless(violations.empty(), "%s", violations.c_str());
    fail_unless_equals_int(json_int_path(s, "stop_reason"), 6);  // the meeting ended, not the wait for a receiver
    std::string fence = redis.command({"HGET", "rtms:stream:" + id, "fence"}).str;
    if (!taken_over) {
      fail_unless_equals_int(segments.size(), 1);
      fail_unless_equals_int(json_int_path(s, "client.signaling_handshakes"), 1);
      fail_unless_equals_string(fence.c_str(), "1");
      continue;
    }
    fail_unless_equals_int(segments.size(), 2);
    fail_unless_equals_int(json_int_path(s, "client.signaling_handshakes"), 2);
    fail_unless_equals_string(fence.c_str(), "2");
    fail_unless(g_str_has_suffix(segments[1].c_str(), "/segment-2"));
    // What the killed process had not written yet (filesink's 64 KiB buffer,
    // its queues) is lost with it: segment-1 may even be empty.
    gint64 before = wav_data_bytes(segments[0] + "/mixed.wav");
    gint64 after = wav_data_bytes(segments[1] + "/mixed.wav");
    fail_unless(after > 0, "nothing after the takeover");
    // The gap, written down next to the files.
    std::vector<std::string> gaps = read_lines(folder + "/gaps.jsonl");
    fail_unless_equals_int(gaps.size(), 1);
    g_autoptr(JsonParser) parser = json_parser_new();
    fail_unless(json_parser_load_from_data(parser, gaps[0].c_str(), -1, nullptr));
    JsonObject *gap = json_node_get_object(json_parser_get_root(parser));
    fail_unless_equals_string(json_object_get_string_member(gap, "from_owner"), victim.c_str());
    fail_unless_equals_string(json_object_get_string_member(gap, "reason"), "lease_expired");
    fail_unless_equals_int(json_object_get_int_member(gap, "to_fence"), 2);
    // No longer than the detection (the 3 s lease, the 1 s adopt scan) plus a
    // reconnect, with a loaded machine's slack (10 s): inside RTMS' 60 s window.
    fail_unless(json_object_get_int_member(gap, "gap_ms") < 3000 + 1000 + 10000, "%s", gaps[0].c_str());
    std::printf("stream %s taken over: %s; audio bytes: %" G_GINT64_FORMAT " in segment-1, %" G_GINT64_FORMAT
                " in segment-2, %" G_GINT64_FORMAT " sent\n",
                id.c_str(), gaps[0].c_str(), before, after, manifest_audio_bytes(s));
  }
  for (auto &w : workers) fail_unless_equals_int(w->run.terminate(20000), 0);
}
GST_END_TEST;

GST_START_TEST(paused_worker_is_fenced) {
  Cluster cluster(2, 1, 6000);
  auto &[dir, redis, intake, workers] = cluster;
  EmulatorRun emulator;
  // Keep-alives every second (also while media flow), two misses: the
  // emulator lets go of a paused receiver's connection after about 3 s.
  std::string id = cluster.play(emulator, "P", "e0000000000000000000000000000000", 24000, 1,
                                {"--keepalive-interval", "1000", "--keepalive-misses", "2", "--keepalive-when-busy"})[0];
  ClusterGateway &paused = cluster.owner(id);
  ClusterGateway &other = cluster.other_than(paused);
  g_usleep(1500000);
  g_subprocess_send_signal(paused.run.process, SIGSTOP);
  // Past its lease: the other worker takes the stream.
  bool moved = false;
  for (int i = 0; i < 300 && !moved; i++) {
    moved = owner_of(intake->run, id) == other.name;
    if (!moved) g_usleep(100000);
  }
  g_subprocess_send_signal(paused.run.process, SIGCONT);
  fail_unless(moved, "the stream was not taken over from the paused worker");
  // Woken up, it cannot prove its lease any more: it stops its pipeline
  // (or, had it renewed first, the renewal is refused: fenced).
  bool noticed = false;
  for (int i = 0; i < 200 && !noticed; i++) {
    noticed = paused.run.metric("rtms_gateway_cluster_leases_unprovable_total") +
                  paused.run.metric("rtms_gateway_cluster_fencing_rejections_total") >= 1;
    if (!noticed) g_usleep(100000);
  }
  fail_unless(noticed, "the paused worker did not notice it lost the stream");
  fail_unless(paused.run.wait_metric("rtms_gateway_cluster_owned_streams", 0, 20000));
  fail_unless(paused.run.wait_metric("rtms_gateway_active_streams", 0, 20000), "its pipeline kept running");
  fail_unless_equals_int(paused.run.metric("rtms_gateway_cluster_releases_total{reason=\"ended\"}"), 0);

  JsonObject *manifest = emulator.finish();
  fail_unless(other.run.wait_metric("rtms_gateway_cluster_owned_streams", 0, 30000));
  fail_unless_equals_int(json_int_path(manifest, "stop_reason"), 6);
  fail_unless_equals_int(json_int_path(manifest, "client.signaling_handshakes"), 2);
  // The emulator's only complaint is the paused receiver's silence, never a
  // second receiver (8 DUPLICATE_SIGNAL_REQUEST).
  std::string violations = manifest_violations(manifest);
  fail_unless(violations.find(" 8 ") == std::string::npos, "%s", violations.c_str());
  std::string folder = stream_folder(dir.out(), id);
  std::vector<std::string> segments = segments_of(folder);
  fail_unless_equals_int(segments.size(), 2);
  // Stopped cleanly: its own segment is a finished WAV file (header sizes
  // written at EOS); the new owner's has the rest.
  std::ifstream wav(segments[0] + "/mixed.wav", std::ios::binary);
  std::string head((std::istreambuf_iterator<char>(wav)), std::istreambuf_iterator<char>());
  fail_unless(head.size() > 44 && head.compare(0, 4, "RIFF") == 0);
  guint32 riff = guint8(head[4]) | guint8(head[5]) << 8 | guint8(head[6]) << 16 | guint32(guint8(head[7])) << 24;
  fail_unless_equals_int(riff, head.size() - 8);
  fail_unless(wav_data_bytes(segments[1] + "/mixed.wav") > 0);
  std::string fence = redis.command({"HGET", "rtms:stream:" + id, "fence"}).str;
  fail_unless(fence == "2", "fence %s", fence.c_str());
  std::vector<std::string> gaps = read_lines(folder + "/gaps.jsonl");
  fail_unless_equals_int(gaps.size(), 1);
  std::printf("paused worker fenced; gap: %s\n", gaps[0].c_str());
  fail_unless_equals_int(paused.run.terminate(20000), 0);
  fail_unless_equals_int(other.run.terminate(20000), 0);
}
GST_END_TEST;

// A worker gone without closing its sockets (its machine lost: here paused,
// so the kernel sends no FIN): Zoom still holds its signaling connection
// when the lease expires, and refuses the new owner's handshake with
// DUPLICATE_SIGNAL_REQUEST. The stream is left for the next adopt scan
// (release "retry") until Zoom lets go, then runs on.
GST_START_TEST(takeover_retries_while_zoom_holds_the_old_connection) {
  Cluster cluster(2, 1, 1000);
  auto &[dir, redis, intake, workers] = cluster;
  EmulatorRun emulator;
  // The emulator lets go of a silent receiver after 4 missed keep-alives
  // 2 s apart (8 s or more); the lease runs out after 1 s.
  std::string id = cluster.play(emulator, "H", "70000000000000000000000000000000", 20000, 1,
                                {"--keepalive-interval", "2000", "--keepalive-misses", "4", "--keepalive-when-busy"})[0];
  ClusterGateway &gone = cluster.owner(id);
  ClusterGateway &other = cluster.other_than(gone);
  g_usleep(1000000);
  g_subprocess_send_signal(gone.run.process, SIGSTOP);
  // The other worker gets the stream running at last.
  fail_unless(other.run.wait_metric("rtms_gateway_active_streams", 1, 30000));
  bool settled = false;
  for (int i = 0; i < 300 && !settled; i++) {
    settled = other.run.metric("rtms_gateway_cluster_releases_total{reason=\"retry\"}") >= 1 &&
              other.run.metric("rtms_gateway_active_streams") == 1 && owner_of(intake->run, id) == other.name;
    if (!settled) g_usleep(100000);
  }
  fail_unless(settled, "the stream was not retried until it ran");
  g_subprocess_send_signal(gone.run.process, SIGCONT);
  JsonObject *manifest = emulator.finish();
  fail_unless(other.run.wait_metric("rtms_gateway_cluster_owned_streams", 0, 30000));
  fail_unless_equals_int(json_int_path(manifest, "stop_reason"), 6);  // the meeting ran to its end
  std::string violations = manifest_violations(manifest);
  fail_unless(violations.find("signaling 8 ") != std::string::npos, "no refused duplicate: %s", violations.c_str());
  std::vector<std::string> segments = segments_of(stream_folder(dir.out(), id));
  fail_unless(segments.size() >= 3, "%zu segments", segments.size());
  std::sort(segments.begin(), segments.end(), [](const std::string &a, const std::string &b) {
    return std::atoi(a.c_str() + a.rfind('-') + 1) < std::atoi(b.c_str() + b.rfind('-') + 1);
  });
  // The stream ran on in one of the new owner's segments (a retry that
  // raced the meeting's end may leave a last one empty).
  std::string sizes;
  gint64 after = 0;
  for (size_t i = 0; i < segments.size(); i++) {
    gint64 bytes = wav_data_bytes(segments[i] + "/mixed.wav");
    sizes += segments[i].substr(segments[i].rfind('/') + 1) + ": " + std::to_string(bytes) + " ";
    if (i > 0) after += bytes;
  }
  fail_unless(after > 0, "nothing recorded after the takeover: %s", sizes.c_str());
  std::printf("taken over after %zu attempts (%s) %s\n", segments.size() - 1, violations.c_str(), sizes.c_str());
  fail_unless_equals_int(other.run.terminate(20000), 0);
}
GST_END_TEST;

static Suite *cluster_failures_suite() {
  Suite *s = suite_create("gateway-cluster-failures");
  TCase *tc = tcase_create("failures");
  tcase_set_timeout(tc, 110);
  tcase_add_test(tc, kill_9_worker_streams_taken_over);
  tcase_add_test(tc, paused_worker_is_fenced);
  tcase_add_test(tc, takeover_retries_while_zoom_holds_the_old_connection);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(cluster_failures);
