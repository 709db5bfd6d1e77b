// The scale-out's pure parts (tools/gateway/cluster_records.*): Redis URLs,
// idempotency keys, records, lease decisions, backoff, gap lines.
#include <gst/check/gstcheck.h>
#include <json-glib/json-glib.h>

#include "cluster_records.h"

using namespace gateway::cluster;

GST_START_TEST(redis_urls) {
  RedisUrl u;
  std::string error;
  fail_unless(parse_redis_url("redis://10.0.0.5:6380/2", &u, &error), "%s", error.c_str());
  fail_unless(u.host == "10.0.0.5" && u.port == 6380 && u.db == 2);
  fail_unless(parse_redis_url("redis://", &u, &error));
  fail_unless(u.host == "127.0.0.1" && u.port == 6379 && u.db == 0);
  fail_unless(parse_redis_url("redis://[::1]:7000", &u, &error));
  fail_unless(u.host == "::1" && u.port == 7000);
  fail_unless(u.display() == "[::1]:7000/0");
  fail_unless(parse_redis_url("redis://redis.internal", &u, &error) && u.host == "redis.internal");
  // A password on the command line is refused, and not repeated.
  fail_if(parse_redis_url("redis://:hunter2@host:6379/0", &u, &error));
  fail_unless(error.find("hunter2") == std::string::npos && error.find("password-file") != std::string::npos);
  fail_if(parse_redis_url("rediss://host", &u, &error));
  fail_if(parse_redis_url("http://host", &u, &error));
  fail_if(parse_redis_url("redis://host:0", &u, &error));
  fail_if(parse_redis_url("redis://host:99999", &u, &error));
  fail_if(parse_redis_url("redis://host:6379/x", &u, &error));
  fail_if(parse_redis_url("redis://[::1", &u, &error));
}
GST_END_TEST;

GST_START_TEST(idempotency) {
  fail_unless(record_kind("rtms_started") == "start");
  fail_unless(record_kind("rtms_stopped") == "stop");
  fail_unless(record_kind("rtms_interrupted") == "interrupted");
  fail_unless(record_kind("url_validation").empty());
  std::vector<std::string> a = {"wss://a.zoom.us/s"}, b = {"wss://b.zoom.us/s"};
  // A retry (same servers) has the same key; a failover (other servers) another.
  fail_unless(idempotency_key("S1", "start", a) == idempotency_key("S1", "start", a));
  fail_if(idempotency_key("S1", "start", a) == idempotency_key("S1", "start", b));
  fail_if(idempotency_key("S1", "start", a) == idempotency_key("S2", "start", a));
  // A stop is one per stream, whatever it carries.
  fail_unless(idempotency_key("S1", "stop", a) == idempotency_key("S1", "stop", b));
  fail_if(idempotency_key("S1", "stop", a) == idempotency_key("S1", "start", a));
  fail_unless(digest_hex("").size() == 16);
  fail_unless(servers_digest({"a", "b"}) != servers_digest({"ab"}));
  Keys k;
  fail_unless(k.lease("S1") == "rtms:lease:S1" && k.state("S1") == "rtms:stream:S1" && k.events() == "rtms:events");
}
GST_END_TEST;

GST_START_TEST(records) {
  EventRecord r = record_from_fields("1700000000000-0", {{"type", "start"}, {"stream", "S1"}, {"body", "{}"},
                                                         {"at", "1700000000000"}, {"intake", "i1"}});
  fail_unless(r.id == "1700000000000-0" && r.type == "start" && r.stream == "S1" && r.body == "{}");
  fail_unless(r.at_ms == 1700000000000LL && r.intake == "i1");
  EventRecord empty = record_from_fields("1-0", {});
  fail_unless(empty.type.empty() && empty.at_ms == 0);
  fail_unless(lease_token("w1", 7) == "w1#7");
  fail_unless(segment_name(3) == "segment-3");
  std::vector<std::string> flat = {"S1", "2", "{body}", "w1", "1", "1000", "0", "", "5000",
                                   "S2", "1", "{b2}", "", "0", "0", "0", "", "6000"};
  std::vector<Acquired> got = parse_adopted(flat);
  fail_unless_equals_int(got.size(), 2);
  fail_unless(got[0].stream_id == "S1" && got[0].fence == 2 && got[0].body == "{body}" && got[0].takeover());
  fail_unless(got[1].stream_id == "S2" && !got[1].takeover());
  Gap g = got[0].gap("w2", 4000);
  fail_unless(g.reason == "lease_expired" && g.start_ms == 1000 && g.end_ms == 4000 && g.from_fence == 1 &&
              g.to_fence == 2);
  got[0].released_at = 2500;
  got[0].release_reason = "drain";
  g = got[0].gap("w2", 4000);
  fail_unless(g.reason == "released_drain" && g.start_ms == 2500);
  // The line is JSON, ids escaped.
  g.stream_id = "evil\"\n";
  std::string line = gap_line(g);
  fail_unless(line.find('\n') == std::string::npos);
  g_autoptr(JsonParser) parser = json_parser_new();
  fail_unless(json_parser_load_from_data(parser, line.c_str(), -1, nullptr));
  JsonObject *o = json_node_get_object(json_parser_get_root(parser));
  fail_unless_equals_string(json_object_get_string_member(o, "stream"), "evil\"\n");
  fail_unless_equals_int(json_object_get_int_member(o, "gap_ms"), 1500);
}
GST_END_TEST;

GST_START_TEST(lease_decisions) {
  LeaseTiming t = LeaseTiming::from_ttl(10000);
  fail_unless(t.renew_every_ms == 3333 && t.margin_ms == 1000);
  fail_unless(check_lease(t, 1000, 1000) == LeaseCheck::Held);
  fail_unless(check_lease(t, 4332, 1000) == LeaseCheck::Held);
  fail_unless(check_lease(t, 4333, 1000) == LeaseCheck::RenewDue);
  fail_unless(check_lease(t, 9999, 1000) == LeaseCheck::RenewDue);
  // From ttl - margin after the last good renewal was sent, the worker no
  // longer writes: the lease may be gone (a pause, a partition).
  fail_unless(check_lease(t, 10000, 1000) == LeaseCheck::Unprovable);
  fail_unless(check_lease(t, 60000, 1000) == LeaseCheck::Unprovable);
  fail_if(renewal_late(t, 4400, 1000));
  fail_unless(renewal_late(t, 6001, 1000));
  LeaseTiming small = LeaseTiming::from_ttl(1000);
  fail_unless(small.renew_every_ms == 333 && small.margin_ms == 200);
}
GST_END_TEST;

GST_START_TEST(backoff) {
  fail_unless_equals_int(backoff_ms(0, 1000, 30000, 0.0), 500);
  fail_unless_equals_int(backoff_ms(0, 1000, 30000, 1.0), 1000);
  fail_unless_equals_int(backoff_ms(1, 1000, 30000, 0.0), 1000);
  fail_unless_equals_int(backoff_ms(3, 1000, 30000, 1.0), 8000);
  fail_unless_equals_int(backoff_ms(10, 1000, 30000, 1.0), 30000);
  fail_unless_equals_int(backoff_ms(1000, 1000, 30000, 0.5), 22500);
  fail_unless_equals_int(backoff_ms(2, 1000, 30000, 7.0), 4000);  // clamped
  // A failed takeover's wait before the next try, by fencing token.
  fail_unless_equals_int(retry_delay_ms(2), 1000);
  fail_unless_equals_int(retry_delay_ms(3), 2000);
  fail_unless_equals_int(retry_delay_ms(5), 8000);
  fail_unless_equals_int(retry_delay_ms(6), 10000);
  fail_unless_equals_int(retry_delay_ms(20), 10000);
}
GST_END_TEST;

static Suite *cluster_units_suite() {
  Suite *s = suite_create("gateway-cluster-units");
  TCase *tc = tcase_create("units");
  tcase_add_test(tc, redis_urls);
  tcase_add_test(tc, idempotency);
  tcase_add_test(tc, records);
  tcase_add_test(tc, lease_decisions);
  tcase_add_test(tc, backoff);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(cluster_units);
