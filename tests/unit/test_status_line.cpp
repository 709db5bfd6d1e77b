// The tools' stdout lines (tools/common/status_line.h): the emulator's and
// the gateway's ready lines and the emulator's done line as they print them,
// and every malformed line refused with a reason rather than half read.
#include <gst/check/gstcheck.h>

#include <string>

#include "status_line.h"

using tools::StatusLine;

static StatusLine parsed(const std::string &line) {
  StatusLine out;
  std::string error;
  fail_unless(tools::parse_status_line(line, &out, &error), "refused %s: %s", line.c_str(), error.c_str());
  return out;
}

static std::string refused(const std::string &line) {
  StatusLine out;
  std::string error;
  fail_if(tools::parse_status_line(line, &out, &error), "accepted %s", line.c_str());
  fail_if(error.empty(), "no reason for refusing %s", line.c_str());
  return error;
}

#define assert_contains(text, part) \
  fail_unless((text).find(part) != std::string::npos, "'%s' does not say '%s'", (text).c_str(), part)

static const char *kHook = R"({"event":"meeting.rtms_started","payload":{"rtms_stream_id":"s1","server_urls":"ws://h"}})";

GST_START_TEST(emulator_ready_line) {
  // As docs/emulator.md shows it (without the line breaks).
  StatusLine r = parsed(std::string(R"({"event":"ready","signaling_url":"ws://127.0.0.1:40521/signaling","ca_file":null,)") +
                        R"("webhook":)" + kHook + R"(,"pid":12345})");
  fail_unless(r.is("ready"));
  fail_unless_equals_string(r.signaling_url.c_str(), "ws://127.0.0.1:40521/signaling");
  fail_unless(r.ca_file.empty() && r.url.empty());
  fail_unless_equals_int(r.pid, 12345);
  fail_unless_equals_int(r.webhooks.size(), 1);
  fail_unless_equals_string(r.webhooks[0].c_str(), kHook);

  r = parsed(std::string(R"({"event":"ready","signaling_url":"wss://x/signaling","ca_file":"/tmp/d/ca.pem","webhook":)") +
             kHook + "}");
  fail_unless_equals_string(r.ca_file.c_str(), "/tmp/d/ca.pem");
  fail_unless_equals_int(r.pid, 0);
}
GST_END_TEST;

GST_START_TEST(emulator_ready_line_with_streams) {
  // --streams N: one webhook per stream, in order; the first stream's also
  // stands at the top for one-stream readers.
  StatusLine r = parsed(R"({"event":"ready","signaling_url":"ws://h/signaling","ca_file":null,"webhook":{"n":1},)"
                        R"("pid":7,"streams":[{"rtms_stream_id":"a","webhook":{"n":1}},)"
                        R"({"rtms_stream_id":"b","webhook":{"n":2}},{"rtms_stream_id":"c","webhook":{"n":3}}]})");
  fail_unless_equals_int(r.webhooks.size(), 3);
  fail_unless_equals_string(r.webhooks[0].c_str(), R"({"n":1})");
  fail_unless_equals_string(r.webhooks[2].c_str(), R"({"n":3})");
}
GST_END_TEST;

GST_START_TEST(gateway_ready_line) {
  StatusLine r = parsed(R"({"event":"ready","url":"http://127.0.0.1:8080/webhook","pid":42})");
  fail_unless(r.is("ready"));
  fail_unless_equals_string(r.url.c_str(), "http://127.0.0.1:8080/webhook");
  fail_unless_equals_int(r.pid, 42);
  fail_unless(r.signaling_url.empty() && r.webhooks.empty());
}
GST_END_TEST;

GST_START_TEST(done_line) {
  StatusLine d = parsed(R"({"event":"done","manifest":"/tmp/m.json"})");
  fail_unless(d.is("done") && !d.is("ready"));
  fail_unless_equals_string(d.manifest.c_str(), "/tmp/m.json");
  fail_unless_equals_int(d.lateness.runs, 0);
  d = parsed(R"({"event":"done","manifest":"/m","timer_lateness_us":{"runs":1500,"p50":40,"p99":900,"max":2100}})");
  fail_unless_equals_int(d.lateness.runs, 1500);
  fail_unless_equals_int(d.lateness.p50_us, 40);
  fail_unless_equals_int(d.lateness.p99_us, 900);
  fail_unless_equals_int(d.lateness.max_us, 2100);
  // Another event is read as such, its fields left alone; unknown members are fine.
  StatusLine other = parsed(R"({"event":"progress","percent":50,"url":5})");
  fail_unless(other.is("progress") && other.url.empty());
  parsed(R"(  {"event":"done","extra":[1,{"x":null}]}  )");
}
GST_END_TEST;

GST_START_TEST(malformed_lines) {
  assert_contains(refused(""), "JSON");
  assert_contains(refused("rtms-emulator 10:00:00.000 INFO: listening"), "JSON");
  assert_contains(refused(R"({"event":"ready","signaling_url":"ws://)"), "JSON");  // cut short
  assert_contains(refused("[1,2]"), "not a JSON object");
  assert_contains(refused("\"ready\""), "not a JSON object");
  assert_contains(refused("{}"), "no \"event\"");
  assert_contains(refused(R"({"event":""})"), "no \"event\"");
  assert_contains(refused(R"({"event":5})"), "\"event\" is not a string");
  assert_contains(refused(R"({"event":null})"), "\"event\" is not a string");
  // A second value after the first, and nesting past the bounds, are
  // refused before json-glib sees them (it leaks or recurses on them).
  assert_contains(refused(R"({"event":"done"} {"event":"ready"})"), "JSON");
  assert_contains(refused(R"({"event":"done"}x)"), "JSON");
  assert_contains(refused(std::string(R"({"event":"done","x":)") + std::string(100, '[') + std::string(100, ']') + "}"),
                  "nested");

  // Ready lines: whose, and what each must hold.
  assert_contains(refused(R"({"event":"ready"})"), "either");
  assert_contains(refused(R"({"event":"ready","url":"http://h/w","signaling_url":"ws://h"})"), "either");
  assert_contains(refused(R"({"event":"ready","url":""})"), "either");
  assert_contains(refused(R"({"event":"ready","url":8080})"), "\"url\" is not a string");
  assert_contains(refused(R"({"event":"ready","url":"http://h/w","pid":"12"})"), "\"pid\" is not an integer");
  assert_contains(refused(R"({"event":"ready","url":"http://h/w","pid":1.5})"), "\"pid\" is not an integer");
  assert_contains(refused(R"({"event":"ready","signaling_url":"ws://h"})"), "no \"webhook\" object");
  assert_contains(refused(R"({"event":"ready","signaling_url":"ws://h","webhook":"{}"})"), "no \"webhook\" object");
  assert_contains(refused(R"({"event":"ready","signaling_url":"ws://h","webhook":null})"), "no \"webhook\" object");
  assert_contains(refused(R"({"event":"ready","signaling_url":"ws://h","webhook":{},"ca_file":1})"),
                  "\"ca_file\" is not a string");
  assert_contains(refused(R"({"event":"ready","signaling_url":"ws://h","webhook":{},"streams":{}})"),
                  "\"streams\" is not an array");
  assert_contains(refused(R"({"event":"ready","signaling_url":"ws://h","webhook":{},"streams":[]})"),
                  "\"streams\" is empty");
  assert_contains(refused(R"({"event":"ready","signaling_url":"ws://h","streams":[{"webhook":{}},7]})"),
                  "stream 1 is not an object");
  assert_contains(refused(R"({"event":"ready","signaling_url":"ws://h","streams":[{"webhook":{}},{"id":"b"}]})"),
                  "stream 1 has no \"webhook\" object");

  // Done lines.
  assert_contains(refused(R"({"event":"done","manifest":["/m"]})"), "\"manifest\" is not a string");
  assert_contains(refused(R"({"event":"done","timer_lateness_us":[]})"), "\"timer_lateness_us\" is not an object");
  assert_contains(refused(R"({"event":"done","timer_lateness_us":{"runs":"1"}})"), "\"runs\" is not an integer");
}
GST_END_TEST;

GST_START_TEST(a_refused_line_leaves_nothing_half_read) {
  StatusLine out = parsed(R"({"event":"ready","url":"http://h/w","pid":3})");
  std::string error;
  fail_if(tools::parse_status_line(R"({"event":"ready","signaling_url":"ws://h","streams":[{"webhook":{}},1]})", &out,
                                   &error));
  // Whatever was read before the fault is there, but the caller has a false
  // and a reason; nothing of the previous line survives.
  fail_unless(out.url.empty() && out.pid == 0);
}
GST_END_TEST;

static Suite *status_line_suite() {
  Suite *s = suite_create("status-line");
  TCase *tc = tcase_create("lines");
  tcase_add_test(tc, emulator_ready_line);
  tcase_add_test(tc, emulator_ready_line_with_streams);
  tcase_add_test(tc, gateway_ready_line);
  tcase_add_test(tc, done_line);
  tcase_add_test(tc, malformed_lines);
  tcase_add_test(tc, a_refused_line_leaves_nothing_half_read);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(status_line);
