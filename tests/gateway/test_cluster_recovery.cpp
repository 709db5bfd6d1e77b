// Scale-out on Redis, recovery (docs/gateway.md, "Scale-out on Redis"):
//  - Redis killed and started again from its append-only file mid-run:
//    webhooks meanwhile are answered 503, intake and workers reconnect, no
//    stream is lost, taken over or run twice;
//  - SIGTERM of a worker mid-meeting (drain): it stops its streams cleanly,
//    releases their leases, and another worker takes each over at once, in
//    a new segment, the gap written down as a hand-over.
// Timing is never asserted: every wait is generous, every check is about
// what happened.
#include <algorithm>
#include <csignal>
#include <fstream>
#include <iterator>

#include "cluster_run.h"

#include <gst/check/gstcheck.h>
#include <glib/gstdio.h>

namespace {

struct Dir {
  std::string path;
  Dir() {
    g_autofree char *tmp = g_dir_make_tmp("rtms-cluster-XXXXXX", nullptr);
    path = tmp;
    g_mkdir((path + "/recordings").c_str(), 0755);
  }
  ~Dir() { remove_tree(path); }
  std::string out() const { return path + "/recordings"; }
};


}  // namespace

GST_START_TEST(redis_restarted_from_its_aof) {
  Dir dir;
  RedisRun redis;
  redis.start();
  auto intake = start_intake(redis, "intake", dir.path);
  std::vector<std::unique_ptr<ClusterGateway>> workers;
  for (int i = 1; i <= 2; i++)
    workers.push_back(start_worker(redis, "worker-" + std::to_string(i), dir.out(), dir.path, 2, 8000));
  EmulatorRun a, late;
  std::string script = write_long_script(dir.path, "R", "f0000000000000000000000000000000", 12000);
  a.start({"--script", script, "--streams", "2", "--webhook-url", intake->run.url, "--webhook-secret",
           GW_WEBHOOK_SECRET, "--webhook-out", dir.path + "/r.jsonl"});
  std::vector<std::string> ids = stream_ids_of(read_lines(dir.path + "/r.jsonl"));
  fail_unless(wait_owned(intake->run, ids, 20000), "not claimed");
  // A third meeting whose rtms_started arrives while Redis is down.
  std::string script_late = write_long_script(dir.path, "L", "f1000000000000000000000000000000", 8000);
  late.start({"--script", script_late, "--webhook-out", dir.path + "/l.jsonl", "--wait-client", "60000"});
  std::string late_body = read_lines(dir.path + "/l.jsonl")[0];

  g_usleep(1000000);
  redis.kill_now();
  g_usleep(1500000);
  HttpAnswer refused = intake->run.post_signed(late_body);
  fail_unless_equals_int(refused.status, 503);  // Zoom retries it
  fail_unless_equals_int(intake->run.get("/readyz").status, 503);
  redis.restart();
  HttpAnswer stored;
  for (int i = 0; i < 100; i++) {  // Zoom's retry, until the intake is back
    stored = intake->run.post_signed(late_body);
    if (stored.status == 200) break;
    g_usleep(200000);
  }
  fail_unless_equals_int(stored.status, 200);
  std::string late_id = stream_ids_of({late_body})[0];
  ids.push_back(late_id);

  std::vector<JsonObject *> streams = manifest_streams(a.finish());
  streams.push_back(late.finish());
  for (auto &w : workers) fail_unless(w->run.wait_metric("rtms_gateway_cluster_owned_streams", 0, 30000));
  for (auto &w : workers) {
    fail_unless_equals_int(w->run.metric("rtms_gateway_cluster_takeovers_total"), 0);
    fail_unless_equals_int(w->run.metric("rtms_gateway_cluster_fencing_rejections_total"), 0);
    fail_unless_equals_int(w->run.metric("rtms_gateway_cluster_leases_unprovable_total"), 0);
    fail_unless_equals_int(w->run.metric("rtms_gateway_pipeline_errors_total"), 0);
  }
  double reconnects = 0, claims = 0;
  for (auto &w : workers) {
    reconnects += w->run.metric("rtms_gateway_cluster_redis_reconnects_total");
    claims += w->run.metric("rtms_gateway_cluster_claims_total");
  }
  fail_unless(reconnects >= 1, "no worker noticed the restart");
  fail_unless_equals_int(claims, 3);
  fail_unless(intake->run.metric("rtms_gateway_cluster_unavailable_total") >= 1);
  for (JsonObject *s : streams) {
    std::string id = json_object_get_string_member(s, "rtms_stream_id");
    std::vector<std::string> segments = segments_of(stream_folder(dir.out(), id));
    fail_unless_equals_int(segments.size(), 1);
    fail_unless(wav_data_bytes(segments[0] + "/mixed.wav") >= manifest_audio_bytes(s), "stream %s incomplete",
                id.c_str());
    fail_unless_equals_int(json_int_path(s, "client.signaling_handshakes"), 1);
    std::string violations = manifest_violations(s);
    fail_unless(violations.empty(), "%s", violations.c_str());
    fail_unless_equals_int(json_int_path(s, "stop_reason"), 6);
  }
  for (auto &w : workers) fail_unless_equals_int(w->run.terminate(20000), 0);
  fail_unless_equals_int(intake->run.terminate(20000), 0);
}
GST_END_TEST;

GST_START_TEST(sigterm_hands_streams_over) {
  Dir dir;
  RedisRun redis;
  redis.start();
  auto intake = start_intake(redis, "intake", dir.path);
  std::vector<std::unique_ptr<ClusterGateway>> workers;
  for (int i = 1; i <= 2; i++)
    workers.push_back(start_worker(redis, "worker-" + std::to_string(i), dir.out(), dir.path, 2, 10000));
  EmulatorRun emulator;
  std::string script = write_long_script(dir.path, "T", "90000000000000000000000000000000", 12000);
  emulator.start({"--script", script, "--streams", "2", "--webhook-url", intake->run.url, "--webhook-secret",
                  GW_WEBHOOK_SECRET, "--webhook-out", dir.path + "/t.jsonl"});
  std::vector<std::string> ids = stream_ids_of(read_lines(dir.path + "/t.jsonl"));
  fail_unless(wait_owned(intake->run, ids, 20000), "not claimed");
  std::string leaving = owner_of(intake->run, ids[0]);
  ClusterGateway &drained = *(workers[0]->name == leaving ? workers[0] : workers[1]);
  ClusterGateway &other = *(workers[0]->name == leaving ? workers[1] : workers[0]);
  std::vector<std::string> moved;
  for (const auto &id : ids)
    if (owner_of(intake->run, id) == leaving) moved.push_back(id);
  g_usleep(1500000);
  fail_unless_equals_int(drained.run.terminate(20000), 0);  // drained: exits once its streams are handed over
  std::vector<JsonObject *> streams = manifest_streams(emulator.finish());
  fail_unless(other.run.wait_metric("rtms_gateway_cluster_owned_streams", 0, 30000));
  fail_unless_equals_int(other.run.metric("rtms_gateway_cluster_takeovers_total"), moved.size());
  for (JsonObject *s : streams) {
    std::string id = json_object_get_string_member(s, "rtms_stream_id");
    bool was_moved = std::find(moved.begin(), moved.end(), id) != moved.end();
    std::string folder = stream_folder(dir.out(), id);
    std::vector<std::string> segments = segments_of(folder);
    std::string violations = manifest_violations(s);
    fail_unless(violations.empty(), "%s", violations.c_str());
    fail_unless_equals_int(json_int_path(s, "stop_reason"), 6);
    fail_unless_equals_int(segments.size(), was_moved ? 2 : 1);
    fail_unless_equals_int(json_int_path(s, "client.signaling_handshakes"), was_moved ? 2 : 1);
    if (!was_moved) continue;
    // Both segments finished files; together they hold every byte sent
    // (Zoom keeps the audio of the hand-over and delivers it).
    gint64 total = 0;
    for (const auto &segment : segments) {
      gint64 bytes = wav_data_bytes(segment + "/mixed.wav");
      fail_unless(bytes > 0, "%s is empty", segment.c_str());
      total += bytes;
    }
    fail_unless(total >= manifest_audio_bytes(s), "stream %s: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " bytes",
                id.c_str(), total, manifest_audio_bytes(s));
    std::vector<std::string> gaps = read_lines(folder + "/gaps.jsonl");
    fail_unless_equals_int(gaps.size(), 1);
    fail_unless(gaps[0].find("\"reason\":\"released_drain\"") != std::string::npos, "%s", gaps[0].c_str());
    std::printf("stream %s handed over: %s\n", id.c_str(), gaps[0].c_str());
  }
  fail_unless_equals_int(other.run.terminate(20000), 0);
}
GST_END_TEST;

static Suite *cluster_recovery_suite() {
  Suite *s = suite_create("gateway-cluster-recovery");
  TCase *tc = tcase_create("recovery");
  tcase_set_timeout(tc, 110);
  tcase_add_test(tc, redis_restarted_from_its_aof);
  tcase_add_test(tc, sigterm_hands_streams_over);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(cluster_recovery);
