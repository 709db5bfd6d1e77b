// The session layer's logging hook (session/log.h) on its own: levels gate
// before anything is evaluated, lines carry their tag, long lines arrive
// whole, URLs lose their query. tests/e2e/test_logging.cpp checks the same
// hook end to end, through the plugin's GStreamer categories.
#include <gst/check/gstcheck.h>

#include <string>
#include <vector>

#include "session/log.h"

namespace {

struct Line {
  rtms::log::Category category;
  rtms::log::Level level;
  void *object;
  std::string text;
};
std::vector<Line> lines;

void sink(rtms::log::Category category, rtms::log::Level level, void *object, const char *,
          const char *, int, const char *message, void *user_data) {
  fail_unless(user_data == &lines);
  lines.push_back({category, level, object, message});
}

int evaluated = 0;
int side_effect() { return ++evaluated; }

void reset() {
  lines.clear();
  evaluated = 0;
  rtms::log::set_sink(sink, &lines);
  for (int c = 0; c < rtms::log::kCategories; c++)
    rtms::log::set_level(rtms::log::Category(c), rtms::log::Level::None);
}

}  // namespace

GST_START_TEST(levels_gate_before_evaluation) {
  reset();
  rtms::log::set_level(rtms::log::Category::Session, rtms::log::Level::Info);
  RTMS_LOG(Session, Debug, nullptr, "debug %d", side_effect());
  RTMS_LOG(WebSocket, Error, nullptr, "other category %d", side_effect());
  fail_unless_equals_int(evaluated, 0);
  fail_unless(lines.empty());
  RTMS_LOG(Session, Info, nullptr, "info %d", side_effect());
  RTMS_LOG(Session, Error, nullptr, "error %d", side_effect());
  fail_unless_equals_int(evaluated, 2);
  fail_unless_equals_int(int(lines.size()), 2);
  fail_unless_equals_string(lines[0].text.c_str(), "info 1");
  fail_unless(lines[1].level == rtms::log::Level::Error);
  // Without a sink nothing is written, whatever the level.
  rtms::log::set_sink(nullptr, nullptr);
  RTMS_LOG(Session, Error, nullptr, "nowhere");
  fail_unless_equals_int(int(lines.size()), 2);
}
GST_END_TEST;

GST_START_TEST(context_tags_and_long_lines) {
  reset();
  rtms::log::set_level(rtms::log::Category::Tls, rtms::log::Level::Trace);
  int object = 0;
  rtms::log::Context context{&object, "stream-1"};
  RTMS_LOG(Tls, Trace, &context, "short %s", "line");
  std::string big(5000, 'x');
  big += "END";
  RTMS_LOG(Tls, Warning, &context, "long %s", big.c_str());
  rtms::log::Context untagged{nullptr, ""};
  RTMS_LOG(Tls, Info, &untagged, "%s", big.c_str());
  fail_unless_equals_int(int(lines.size()), 3);
  fail_unless_equals_string(lines[0].text.c_str(), "[stream-1] short line");
  fail_unless(lines[0].object == &object);
  fail_unless(lines[0].category == rtms::log::Category::Tls);
  // (gst-check's string macros keep the pointers: no temporaries in them.)
  std::string expected = "[stream-1] long " + big;
  fail_unless_equals_string(lines[1].text.c_str(), expected.c_str());
  fail_unless_equals_string(lines[2].text.c_str(), big.c_str());
  fail_unless(lines[2].object == nullptr);
  // A line exactly at the stack buffer's edge.
  lines.clear();
  std::string edge(512 - 11, 'y');  // "[stream-1] " is 11 bytes
  RTMS_LOG(Tls, Info, &context, "%s", edge.c_str());
  RTMS_LOG(Tls, Info, &context, "%s", (edge + "z").c_str());
  std::string at_edge = "[stream-1] " + edge, over_edge = at_edge + "z";
  fail_unless_equals_string(lines[0].text.c_str(), at_edge.c_str());
  fail_unless_equals_string(lines[1].text.c_str(), over_edge.c_str());
}
GST_END_TEST;

static int refreshed = 0;

GST_START_TEST(refresh_calls_the_hook) {
  reset();
  rtms::log::refresh_levels();  // no hook yet: nothing
  rtms::log::set_refresh(
      [](void *data) {
        refreshed++;
        fail_unless(data == &refreshed);
        rtms::log::set_level(rtms::log::Category::Network, rtms::log::Level::Log);
      },
      &refreshed);
  rtms::log::refresh_levels();
  fail_unless_equals_int(refreshed, 1);
  fail_unless(rtms::log::enabled(rtms::log::Category::Network, rtms::log::Level::Log));
  fail_if(rtms::log::enabled(rtms::log::Category::Network, rtms::log::Level::Trace));
  rtms::log::set_refresh(nullptr, nullptr);
}
GST_END_TEST;

static void expect_url(const char *url, const char *shown) {
  std::string got = rtms::log::log_url(url);
  fail_unless_equals_string(got.c_str(), shown);
}

GST_START_TEST(urls_lose_query_and_user_info) {
  expect_url("wss://rtms.zoom.us/signaling?token=abc&sig=def", "wss://rtms.zoom.us/signaling");
  expect_url("wss://user:pass@host.example:8443/a/b#frag", "wss://host.example:8443/a/b");
  expect_url("ws://[::1]:9000", "ws://[::1]:9000/");
  expect_url("ws://127.0.0.1:80/x?", "ws://127.0.0.1:80/x");
  std::string bad = rtms::log::log_url("not a url ?secret=1");
  fail_unless(bad.find("secret") == std::string::npos, "%s", bad.c_str());
}
GST_END_TEST;

static Suite *session_log_suite() {
  Suite *s = suite_create("session-log");
  TCase *tc = tcase_create("log");
  tcase_add_test(tc, levels_gate_before_evaluation);
  tcase_add_test(tc, context_tags_and_long_lines);
  tcase_add_test(tc, refresh_calls_the_hook);
  tcase_add_test(tc, urls_lose_query_and_user_info);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(session_log);
