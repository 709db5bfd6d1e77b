// Scale-out on Redis, end to end: a private redis-server, two intake
// gateways, three workers, and emulated meetings whose webhooks go to both
// intakes. Every meeting is recorded once and completely (one segment, every
// audio byte the emulator sent), Zoom's retries of rtms_started at the other
// intake start nothing, a stop that arrives before its start wins, and
// nothing is left in Redis but records and keys that expire.
#include <gst/check/gstcheck.h>

#include <algorithm>
#include <cstdlib>

#include <glib/gstdio.h>

#include "cluster_run.h"
#include "recording_checks.h"

static std::string with_stream_id(const std::string &body, const std::string &id) {
  g_autoptr(JsonParser) parser = json_parser_new();
  fail_unless(json_parser_load_from_data(parser, body.c_str(), -1, nullptr));
  JsonObject *payload = json_object_get_object_member(json_node_get_object(json_parser_get_root(parser)), "payload");
  json_object_set_string_member(payload, "rtms_stream_id", id.c_str());
  g_autoptr(JsonGenerator) gen = json_generator_new();
  json_generator_set_root(gen, json_parser_get_root(parser));
  g_autofree gchar *text = json_generator_to_data(gen, nullptr);
  return text;
}

static double sum_metric(std::vector<std::unique_ptr<ClusterGateway>> &gws, const std::string &sample) {
  double sum = 0;
  for (auto &g : gws) sum += g->run.metric(sample);
  return sum;
}

GST_START_TEST(every_meeting_once_across_two_intakes) {
  // 30 meetings (the size; 3 workers x 11); RTMS_CLUSTER_MEETINGS=N for another.
  const char *env = g_getenv("RTMS_CLUSTER_MEETINGS");
  const int per_emulator = env ? std::max(1, std::atoi(env) / 2) : 15;
  const int meetings = 2 * per_emulator;
  g_autofree char *tmp = g_dir_make_tmp("rtms-cluster-XXXXXX", nullptr);
  std::string dir = tmp, out = dir + "/recordings";
  g_mkdir(out.c_str(), 0755);
  RedisRun redis;
  redis.start();
  std::vector<std::unique_ptr<ClusterGateway>> intakes, workers;
  intakes.push_back(start_intake(redis, "intake-1", dir));
  intakes.push_back(start_intake(redis, "intake-2", dir));
  int capacity = (meetings + 2) / 3 + 1;
  for (int i = 1; i <= 3; i++)
    workers.push_back(start_worker(redis, "worker-" + std::to_string(i), out, dir, capacity, 5000));

  EmulatorRun a, b;
  std::string script_a = write_long_script(dir, "A", "a0000000000000000000000000000000", 4000);
  std::string script_b = write_long_script(dir, "B", "b0000000000000000000000000000000", 4000);
  a.start({"--script", script_a, "--streams", std::to_string(per_emulator), "--webhook-url", intakes[0]->run.url,
           "--webhook-secret", GW_WEBHOOK_SECRET, "--webhook-out", dir + "/a.jsonl"});
  b.start({"--script", script_b, "--streams", std::to_string(per_emulator), "--webhook-url", intakes[1]->run.url,
           "--webhook-secret", GW_WEBHOOK_SECRET, "--webhook-out", dir + "/b.jsonl"});
  std::vector<std::string> bodies_a = read_lines(dir + "/a.jsonl"), bodies_b = read_lines(dir + "/b.jsonl");
  fail_unless_equals_int(bodies_a.size(), per_emulator);
  fail_unless_equals_int(bodies_b.size(), per_emulator);
  // Zoom retries each rtms_started; the retry reaches the other intake.
  for (const auto &body : bodies_a) fail_unless_equals_int(intakes[1]->run.post_signed(body).status, 200);
  for (const auto &body : bodies_b) fail_unless_equals_int(intakes[0]->run.post_signed(body).status, 200);
  // A stop before its start (two intakes, out of order): the stop wins.
  std::string early = with_stream_id(bodies_a[0], "c0000000000000000000000000000000");
  fail_unless_equals_int(intakes[0]->run.post_signed(stopped_webhook_for(early)).status, 200);
  fail_unless_equals_int(intakes[1]->run.post_signed(early).status, 200);
  fail_unless_equals_int(intakes[0]->run.post_signed(early).status, 200);  // and its retry

  std::vector<JsonObject *> streams = manifest_streams(a.finish());
  for (JsonObject *s : manifest_streams(b.finish())) streams.push_back(s);
  fail_unless_equals_int(streams.size(), meetings);
  for (auto &w : workers)
    fail_unless(w->run.wait_metric("rtms_gateway_cluster_owned_streams", 0, 30000), "%s still owns streams",
                w->name.c_str());

  fail_unless_equals_int(sum_metric(intakes, "rtms_gateway_cluster_records_total{outcome=\"start\"}"), meetings);
  fail_unless_equals_int(sum_metric(intakes, "rtms_gateway_cluster_records_total{outcome=\"duplicate\"}"),
                         meetings + 1);
  fail_unless_equals_int(sum_metric(intakes, "rtms_gateway_cluster_records_total{outcome=\"stop\"}"), meetings + 1);
  fail_unless_equals_int(sum_metric(intakes, "rtms_gateway_cluster_records_total{outcome=\"start_after_stop\"}"), 1);
  fail_unless_equals_int(sum_metric(workers, "rtms_gateway_cluster_claims_total"), meetings);
  fail_unless_equals_int(sum_metric(workers, "rtms_gateway_cluster_takeovers_total"), 0);
  fail_unless_equals_int(sum_metric(workers, "rtms_gateway_cluster_fencing_rejections_total"), 0);
  fail_unless_equals_int(sum_metric(workers, "rtms_gateway_pipeline_errors_total"), 0);
  for (auto &w : workers)
    fail_unless(w->run.metric("rtms_gateway_cluster_claims_total") <= capacity, "%s claimed over its capacity",
                w->name.c_str());

  gint64 sent = 0;
  for (JsonObject *s : streams) {
    std::string id = json_object_get_string_member(s, "rtms_stream_id");
    std::string folder = stream_folder(out, id);
    fail_if(folder.empty(), "stream %s was not recorded", id.c_str());
    std::vector<std::string> segments = segments_of(folder);
    fail_unless_equals_int(segments.size(), 1);
    fail_unless(g_str_has_suffix(segments[0].c_str(), "/segment-1"), "%s", segments[0].c_str());
    gint64 bytes = manifest_audio_bytes(s);
    fail_unless(bytes > 0);
    sent += bytes;
    fail_unless(wav_data_bytes(segments[0] + "/mixed.wav") >= bytes, "stream %s: %" G_GINT64_FORMAT
                " bytes recorded of %" G_GINT64_FORMAT, id.c_str(), wav_data_bytes(segments[0] + "/mixed.wav"), bytes);
    fail_unless_equals_int(json_int_path(s, "client.signaling_handshakes"), 1);
    std::string violations = manifest_violations(s);
    fail_unless(violations.empty(), "%s", violations.c_str());
    fail_unless_equals_int(json_int_path(s, "stop_reason"), 6);
  }
  // Every byte the emulators sent went through exactly one worker.
  fail_unless_equals_int64(gint64(sum_metric(workers, "rtms_gateway_media_bytes_total{media=\"audio\"}")), sent);
  fail_unless(stream_folder(out, "c0000000000000000000000000000000").empty(), "the stop did not win");

  // Nothing grows without bound: no lease or running stream left, ended
  // streams' state and the idempotency keys expire.
  fail_unless_equals_int(redis.command({"SCARD", "rtms:active"}).integer, 0);
  fail_unless_equals_int(redis.command({"KEYS", "rtms:lease:*"}).elements.size(), 0);
  for (const auto &key : redis.command({"KEYS", "rtms:stream:*"}).strings())
    fail_unless(redis.command({"TTL", key}).integer > 0, "%s does not expire", key.c_str());
  std::vector<std::string> dedupe = redis.command({"KEYS", "rtms:dedupe:*"}).strings();
  fail_unless_equals_int(dedupe.size(), 2 * meetings + 2);
  for (const auto &key : dedupe) fail_unless(redis.command({"TTL", key}).integer > 0, "%s does not expire", key.c_str());
  fail_unless_equals_int(redis.command({"XLEN", "rtms:events"}).integer, 2 * meetings + 2);  // starts, stops, the early stop and the start it beat
  fail_unless(intakes[0]->run.metric("rtms_gateway_cluster_events_pending") == 0);

  for (auto &w : workers) fail_unless_equals_int(w->run.terminate(20000), 0);
  for (auto &i : intakes) fail_unless_equals_int(i->run.terminate(20000), 0);
  remove_tree(dir);
}
GST_END_TEST;

// A server failover (a second rtms_started with other servers) stored by
// one intake reaches the stream's owner, which moves the running stream.
GST_START_TEST(server_failover_reaches_the_owner) {
  g_autofree char *tmp = g_dir_make_tmp("rtms-cluster-XXXXXX", nullptr);
  std::string dir = tmp, out = dir + "/recordings";
  g_mkdir(out.c_str(), 0755);
  RedisRun redis;
  redis.start();
  std::vector<std::unique_ptr<ClusterGateway>> intakes, workers;
  intakes.push_back(start_intake(redis, "intake-1", dir));
  intakes.push_back(start_intake(redis, "intake-2", dir));
  for (int i = 1; i <= 2; i++) workers.push_back(start_worker(redis, "worker-" + std::to_string(i), out, dir, 2, 5000));
  EmulatorRun old_server, new_server;
  old_server.start({"--script", meeting_script("default.json"), "--reconnect-grace", "500"});
  new_server.start({"--script", meeting_script("short.json")});
  fail_unless_equals_int(intakes[0]->run.post_signed(old_server.webhook_json).status, 200);
  std::string id = stream_ids_of({old_server.webhook_json})[0];
  fail_unless(wait_owned(intakes[0]->run, {id}, 20000), "not claimed");
  g_usleep(1000 * 1000);
  fail_unless_equals_int(intakes[1]->run.post_signed(new_server.webhook_json).status, 200);
  fail_unless_equals_int(intakes[1]->run.metric("rtms_gateway_cluster_records_total{outcome=\"failover\"}"), 1);
  JsonObject *manifest = new_server.finish();
  fail_unless_equals_int64(json_int_path(manifest, "client.signaling_handshakes"), 1);
  for (auto &w : workers) fail_unless(w->run.wait_metric("rtms_gateway_cluster_owned_streams", 0, 20000));
  fail_unless_equals_int(sum_metric(workers, "rtms_gateway_cluster_claims_total"), 1);
  fail_unless_equals_int(sum_metric(workers, "rtms_gateway_pipeline_errors_total"), 0);
  std::vector<std::string> segments = segments_of(stream_folder(out, id));
  fail_unless_equals_int(segments.size(), 1);
  fail_unless(wav_data_bytes(segments[0] + "/mixed.wav") > 0);
  for (auto &w : workers) fail_unless_equals_int(w->run.terminate(20000), 0);
  remove_tree(dir);
}
GST_END_TEST;

static Suite *cluster_record_suite() {
  Suite *s = suite_create("gateway-cluster-record");
  TCase *tc = tcase_create("cluster");
  tcase_set_timeout(tc, 110);
  tcase_add_test(tc, every_meeting_once_across_two_intakes);
  tcase_add_test(tc, server_failover_reaches_the_owner);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(cluster_record);
