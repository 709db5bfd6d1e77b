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
#include <cstdlib>
#include <cstring>
#include <csignal>
#include <fstream>
#include <iterator>

#include "cluster_run.h"

#include <gst/check/gstcheck.h>
#include <glib/gstdio.h>

namespace {

std::unique_ptr<ClusterGateway> start_role_with_password(const RedisRun &redis, const std::string &dir,
                                                         const std::string &file) {
  auto gw = std::make_unique<ClusterGateway>();
  gw->run.log_file = dir + "/good.log";
  gw->run.start({"--role", "intake", "--redis", redis.url(), "--redis-password-file", file});
  return gw;
}

}  // namespace

GST_START_TEST(redis_restarted_from_its_aof) {
  Cluster cluster(2, 2, 8000);
  auto &[dir, redis, intake, workers] = cluster;
  EmulatorRun a, late;
  std::vector<std::string> ids = cluster.play(a, "R", "f0000000000000000000000000000000", 12000, 2);
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
  Cluster cluster(2, 2, 10000);
  auto &[dir, redis, intake, workers] = cluster;
  EmulatorRun emulator;
  std::vector<std::string> ids = cluster.play(emulator, "T", "90000000000000000000000000000000", 12000, 2);
  ClusterGateway &drained = cluster.owner(ids[0]);
  ClusterGateway &other = cluster.other_than(drained);
  std::string leaving = drained.name;
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

GST_START_TEST(redis_password_never_logged) {
  ClusterDir dir;
  RedisRun redis;
  redis.password = "s3cret-Redis-pw-4711";
  redis.start();
  std::string wrong = dir.path + "/wrong", right = dir.path + "/right";
  g_file_set_contents(wrong.c_str(), "not-the-password-0815\n", -1, nullptr);
  g_file_set_contents(right.c_str(), "s3cret-Redis-pw-4711\n", -1, nullptr);
  {
    ClusterGateway bad;
    bad.run.log_file = dir.path + "/bad.log";
    bad.run.start({"--role", "intake", "--redis", redis.url(), "--redis-password-file", wrong});
    HttpAnswer ready = bad.run.get("/readyz");
    fail_unless_equals_int(ready.status, 503);
    fail_unless_equals_int(bad.run.post_signed("{\"event\":\"meeting.rtms_stopped\",\"payload\":{\"rtms_stream_id\":"
                                               "\"x\",\"meeting_uuid\":\"m\"}}").status, 503);
    fail_unless_equals_int(bad.run.terminate(20000), 0);
  }
  // A password on the command line is refused (every user can read it), and not echoed.
  {
    const char *binary = g_getenv("RTMS_GATEWAY");
    std::string url = "redis://:s3cret-Redis-pw-4711@127.0.0.1:" + std::to_string(redis.port);
    const char *argv[] = {binary, "--role", "intake", "--redis", url.c_str(), nullptr};
    g_autoptr(GSubprocess) p = g_subprocess_newv(argv, G_SUBPROCESS_FLAGS_STDERR_PIPE, nullptr);
    g_autofree char *err = nullptr;
    fail_unless(g_subprocess_communicate_utf8(p, nullptr, nullptr, nullptr, &err, nullptr));
    fail_unless(g_subprocess_get_if_exited(p) && g_subprocess_get_exit_status(p) == 1);
    fail_unless(strstr(err, "password") != nullptr && strstr(err, "s3cret") == nullptr, "%s", err);
  }
  auto good = start_role_with_password(redis, dir.path, right);
  fail_unless_equals_int(good->run.get("/readyz").status, 200);
  fail_unless_equals_int(good->run.terminate(20000), 0);
  for (const char *log : {"bad.log", "good.log"}) {
    g_autofree char *text = nullptr;
    fail_unless(g_file_get_contents((dir.path + "/" + log).c_str(), &text, nullptr, nullptr));
    fail_unless(strstr(text, "s3cret") == nullptr && strstr(text, "0815") == nullptr, "%s logs a password", log);
    if (std::string(log) == "bad.log") fail_unless(strstr(text, "AUTH") != nullptr, "%s", text);
  }
}
GST_END_TEST;

// Redis away for longer than the lease: the workers cannot prove their
// leases and stop their streams (own segments, finished); once Redis is
// back the streams, still running at Zoom, are adopted again in new
// segments and run to their end.
GST_START_TEST(redis_away_past_the_lease) {
  Cluster cluster(2, 2, 2000);
  auto &[dir, redis, intake, workers] = cluster;
  EmulatorRun emulator;
  std::vector<std::string> ids = cluster.play(emulator, "X", "60000000000000000000000000000000", 15000, 2);
  g_usleep(1000000);
  redis.kill_now();
  // Every worker stops what it can no longer prove.
  double unprovable = 0;
  for (int i = 0; i < 300 && unprovable < 2; i++) {
    unprovable = 0;
    for (auto &w : workers) unprovable += w->run.metric("rtms_gateway_cluster_leases_unprovable_total");
    if (unprovable < 2) g_usleep(100000);
  }
  fail_unless_equals_int(unprovable, 2);
  for (auto &w : workers) fail_unless(w->run.wait_metric("rtms_gateway_active_streams", 0, 20000));
  redis.restart();
  fail_unless(wait_owned(intake->run, ids, 30000), "not adopted again");
  std::vector<JsonObject *> streams = manifest_streams(emulator.finish());
  for (auto &w : workers) fail_unless(w->run.wait_metric("rtms_gateway_cluster_owned_streams", 0, 30000));
  for (JsonObject *s : streams) {
    std::string id = json_object_get_string_member(s, "rtms_stream_id");
    std::vector<std::string> segments = segments_of(stream_folder(dir.out(), id));
    // Before Redis went, and after it came back. A new owner may come back
    // faster than the old connection is gone (its teardown is still closing
    // it): then Zoom refuses it (DUPLICATE_SIGNAL_REQUEST) and it is tried
    // again a moment later, in one more segment.
    fail_unless(segments.size() >= 2, "%zu segments", segments.size());
    std::sort(segments.begin(), segments.end(), [](const std::string &a, const std::string &b) {
      return std::atoi(a.c_str() + a.rfind('-') + 1) < std::atoi(b.c_str() + b.rfind('-') + 1);
    });
    fail_unless(wav_data_bytes(segments.front() + "/mixed.wav") > 0, "%s", segments.front().c_str());
    fail_unless(wav_data_bytes(segments.back() + "/mixed.wav") > 0, "%s", segments.back().c_str());
    fail_unless_equals_int(json_int_path(s, "stop_reason"), 6);
    fail_unless_equals_int(json_int_path(s, "client.signaling_handshakes"), 2);
    std::string violations = manifest_violations(s);
    for (size_t at = violations.find("; "); !violations.empty(); at = violations.find("; ")) {
      std::string one = violations.substr(0, at);
      fail_unless(one.compare(0, 12, "signaling 8 ") == 0, "%s", one.c_str());
      violations.erase(0, at + 2);
    }
  }
  for (auto &w : workers) fail_unless_equals_int(w->run.terminate(20000), 0);
}
GST_END_TEST;

static Suite *cluster_recovery_suite() {
  Suite *s = suite_create("gateway-cluster-recovery");
  TCase *tc = tcase_create("recovery");
  tcase_set_timeout(tc, 110);
  tcase_add_test(tc, redis_restarted_from_its_aof);
  tcase_add_test(tc, sigterm_hands_streams_over);
  tcase_add_test(tc, redis_away_past_the_lease);
  tcase_add_test(tc, redis_password_never_logged);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(cluster_recovery);
