// The gateway under hostile HTTP clients (docs/gateway.md, "Hardening"):
// keep-alive health checks that close after the answer, under a low file
// descriptor limit; slowloris; idle connections beyond the limit; a burst of
// connections. Every count here is small and every wait bounded; the
// numbers under the full attacks are in the docs, not asserted.
#include <gst/check/gstcheck.h>

#include <cstdlib>

#include <sys/resource.h>

#include "gateway_run.h"
#include "http_attack.h"

// libsoup 3.2.3 left every such connection in CLOSE-WAIT: with 64
// descriptors the 58th health check went unanswered, and every one after.
GST_START_TEST(keepalive_churn_under_low_fd_limit) {
  GatewayRun gw;
  gw.allow_loopback_servers = false;  // only options any version knows: this test also runs against old builds
  gw.fd_limit = 64;
  gw.start({"--max-streams", "1"});
  attack::ChurnResult churn = attack::keepalive_churn(gw.port(), "/healthz", 300, 5000, 3);
  fail_unless(churn.failed == 0, "%d of 300 health checks unanswered, the first was number %d", churn.failed,
              churn.first_failure);
  // Nothing left behind: only the connection asking.
  fail_unless(gw.wait_metric("rtms_gateway_http_connections", 1, 5000), "connections left open: %g",
              gw.metric("rtms_gateway_http_connections"));
  fail_unless_equals_int(attack::get_status(gw.port(), "/healthz", 5000), 200);
  fail_unless_equals_int(gw.terminate(5000), 0);
}
GST_END_TEST;

// More idle connections than the gateway may keep: the oldest waiting ones
// are closed to make room, and requests keep being answered.
GST_START_TEST(idle_connections_beyond_the_limit) {
  GatewayRun gw;
  gw.fd_limit = 64;
  gw.start({"--max-streams", "1", "--header-timeout", "30"});
  int limit = int(gw.metric("rtms_gateway_http_connections_limit"));
  fail_unless(limit >= 4 && limit < 40, "limit %d under 64 descriptors", limit);
  attack::IdleConnections idle;
  fail_unless_equals_int(idle.open(gw.port(), 100), 100);
  // Each waits behind the idle ones still in the backlog (made room for a
  // few at a time): generous bounds.
  for (int i = 0; i < 20; i++) fail_unless_equals_int(attack::get_status(gw.port(), "/healthz", 20000), 200);
  fail_unless(gw.metric("rtms_gateway_http_connections") <= limit + 1);
  fail_unless(gw.metric("rtms_gateway_http_connections_closed_total{reason=\"evicted\"}") >= 100 - limit);
  fail_unless(idle.closed_by_server() >= 100 - limit, "only %d idle connections closed", idle.closed_by_server());
  idle.close_all();
  fail_unless_equals_int(attack::get_status(gw.port(), "/healthz", 5000), 200);
  fail_unless_equals_int(gw.terminate(5000), 0);
}
GST_END_TEST;

// The descriptors run out under the gateway (here: its limit lowered after
// start, as streams would use them up): accept() fails, the gateway closes
// waiting connections and accepts again; libsoup's listener stopped for good.
GST_START_TEST(listener_recovers_when_descriptors_run_out) {
  GatewayRun gw;
  gw.allow_loopback_servers = false;  // runs against old builds too
  gw.start();
  pid_t pid = pid_t(std::atoi(g_subprocess_get_identifier(gw.process)));
  struct rlimit low = {40, 40};
  fail_unless(prlimit(pid, RLIMIT_NOFILE, &low, nullptr) == 0, "prlimit: %s", g_strerror(errno));
  attack::IdleConnections idle;
  fail_unless_equals_int(idle.open(gw.port(), 100), 100);
  for (int i = 0; i < 5; i++) fail_unless_equals_int(attack::get_status(gw.port(), "/healthz", 20000), 200);
  fail_unless(gw.metric("rtms_gateway_http_accept_errors_total") > 0);
  fail_unless(gw.metric("rtms_gateway_http_connections_closed_total{reason=\"evicted\"}") > 0);
  idle.close_all();
  fail_unless_equals_int(attack::get_status(gw.port(), "/healthz", 5000), 200);
  fail_unless_equals_int(gw.terminate(5000), 0);
}
GST_END_TEST;

// Headers that never end are cut off after --header-timeout; meanwhile the
// gateway answers.
GST_START_TEST(slowloris_is_cut_off) {
  GatewayRun gw;
  gw.start({"--header-timeout", "2", "--max-connections", "64"});
  attack::SlowlorisResult slow = attack::slowloris(gw.port(), 100, 300, 8000);
  fail_unless_equals_int(slow.opened, 100);
  fail_unless_equals_int(slow.closed_by_server, 100);
  fail_unless(gw.metric("rtms_gateway_http_connections_closed_total{reason=\"header_timeout\"}") +
                  gw.metric("rtms_gateway_http_connections_closed_total{reason=\"evicted\"}") >= 100);
  fail_unless_equals_int(attack::get_status(gw.port(), "/healthz", 5000), 200);
  fail_unless(gw.wait_metric("rtms_gateway_http_connections", 1, 5000));
  fail_unless_equals_int(gw.terminate(5000), 0);
}
GST_END_TEST;

// A body that never ends is cut off after --body-timeout.
GST_START_TEST(slow_body_is_cut_off) {
  GatewayRun gw;
  gw.start({"--body-timeout", "1"});
  std::string answer = gw.raw_exchange(
      "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"event\":", 10000);
  // Closed without an answer (or with libsoup's error answer), not held.
  fail_if(g_str_has_prefix(answer.c_str(), "HTTP/1.1 200"), "answered '%s'", answer.c_str());
  fail_unless_equals_int(gw.metric("rtms_gateway_http_connections_closed_total{reason=\"body_timeout\"}"), 1);
  fail_unless_equals_int(attack::get_status(gw.port(), "/healthz", 5000), 200);
}
GST_END_TEST;

// Many clients at once: each is answered (200, or 503 when every
// connection the gateway may hold is busy), none is left hanging.
GST_START_TEST(connection_burst) {
  attack::raise_fd_limit();
  GatewayRun gw;
  gw.start();
  attack::BurstResult burst = attack::burst(gw.port(), "/healthz", 400, 20000);
  fail_unless_equals_int(burst.connected, 400);
  fail_unless_equals_int(burst.no_answer, 0);
  fail_unless_equals_int(burst.answered_200 + burst.answered_other, 400);
  fail_unless(burst.answered_200 > 0);
  fail_unless_equals_int(attack::get_status(gw.port(), "/healthz", 5000), 200);
  fail_unless_equals_int(gw.terminate(5000), 0);
}
GST_END_TEST;

static Suite *hardening_suite() {
  Suite *s = suite_create("gateway-hardening");
  TCase *tc = tcase_create("hardening");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, keepalive_churn_under_low_fd_limit);
  tcase_add_test(tc, idle_connections_beyond_the_limit);
  tcase_add_test(tc, listener_recovers_when_descriptors_run_out);
  tcase_add_test(tc, slowloris_is_cut_off);
  tcase_add_test(tc, slow_body_is_cut_off);
  tcase_add_test(tc, connection_burst);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(hardening);
