// The RTMS server host allow-list: patterns, URL hosts, plaintext.
#include "check_helpers.h"
#include "protocol/host_allowlist.h"

using namespace rtms;

static HostAllowlist make(std::initializer_list<const char *> patterns) {
  HostAllowlist list;
  for (const char *p : patterns) {
    std::string error;
    fail_unless(list.add(p, &error), "pattern %s refused: %s", p, error.c_str());
  }
  return list;
}

GST_START_TEST(test_wildcard_matches_below_the_domain_only) {
  HostAllowlist list = make({"*.zoom.us"});
  fail_unless(list.allows("rtms.zoom.us"));
  fail_unless(list.allows("sjc-rtms-01.sjc.zoom.us"));
  fail_unless(list.allows("RTMS.Zoom.US"));
  fail_unless(list.allows("rtms.zoom.us."));
  fail_if(list.allows("zoom.us"));
  fail_if(list.allows("evilzoom.us"));
  fail_if(list.allows("rtms.zoom.us.evil.com"));
  fail_if(list.allows("zoom.us.evil.com"));
  fail_if(list.allows(""));
  fail_if(list.allows("."));
  fail_if(list.allows("rtms..zoom.us"));
  fail_if(list.allows("rtms%2ezoom.us"));
  fail_if(list.allows("evil.com\n.zoom.us"));
}
GST_END_TEST;

GST_START_TEST(test_exact_names_and_ip_literals) {
  HostAllowlist list = make({"127.0.0.1", "[::1]", "Media.Example.com"});
  fail_unless(list.allows("127.0.0.1"));
  fail_unless(list.allows("::1"));
  fail_unless(list.allows("[::1]"));
  fail_unless(list.allows("media.example.com"));
  fail_if(list.allows("x.media.example.com"));
  fail_if(list.allows("127.0.0.2"));
  fail_if(list.allows("127.1"));       // another spelling of 127.0.0.1: fails closed
  fail_if(list.allows("0x7f000001"));
  fail_if(list.allows("::2"));
  HostAllowlist v6 = make({"::1"});
  fail_unless(v6.allows("[::1]"));
}
GST_END_TEST;

GST_START_TEST(test_bad_patterns_are_refused) {
  HostAllowlist list;
  std::string error;
  for (const char *bad : {"", "*.", "*.us", "*zoom.us", "a.*.zoom.us", "zoom.us/path", "user@zoom.us",
                          "zoom us", "*.[::1]", "[zoom.us]", "..", "a..b"}) {
    error.clear();
    fail_if(list.add(bad, &error), "pattern '%s' accepted", bad);
    fail_if(error.empty());
  }
  fail_unless(list.empty());
  fail_unless(list.add("*", &error));
  fail_unless(list.allows("anything.example"));
  fail_if(list.allows("not a host"));
}
GST_END_TEST;

GST_START_TEST(test_default_is_zoom_us) {
  HostAllowlist list;
  for (const std::string &p : default_rtms_host_patterns()) fail_unless(list.add(p, nullptr));
  fail_unless(list.allows("rtms.zoom.us"));
  fail_if(list.allows("127.0.0.1"));
  fail_if(list.allows("example.com"));
}
GST_END_TEST;

GST_START_TEST(test_parse_ws_url) {
  WsUrl u;
  std::string error;
  fail_unless(parse_ws_url("wss://rtms.zoom.us:443/signaling?x=1", &u, &error), "%s", error.c_str());
  fail_unless(u.secure);
  assert_str(u.host, "rtms.zoom.us");
  fail_unless_equals_int(u.port, 443);
  fail_unless(parse_ws_url("WS://127.0.0.1:9/", &u, &error));
  fail_if(u.secure);
  assert_str(u.host, "127.0.0.1");
  fail_unless_equals_int(u.port, 9);
  fail_unless(parse_ws_url("wss://[::1]:8443", &u, &error));
  assert_str(u.host, "::1");
  fail_unless_equals_int(u.port, 8443);
  fail_unless(parse_ws_url("wss://Rtms.Zoom.us", &u, &error));
  assert_str(u.host, "rtms.zoom.us");
  fail_unless_equals_int(u.port, 443);
  for (const char *bad : {"https://rtms.zoom.us", "wss://", "wss://:443", "wss://evil.com@rtms.zoom.us/",
                          "wss://evil.com\\@rtms.zoom.us", "wss://rtms.zoom.us:0", "wss://rtms.zoom.us:99999",
                          "wss://rtms.zoom.us:44a", "wss://rtms.zoom.us:", "wss://[::1", "wss://[::1]x",
                          "wss://rtms%2ezoom.us", "wss://a b.zoom.us", "rtms.zoom.us"}) {
    error.clear();
    fail_if(parse_ws_url(bad, &u, &error), "'%s' parsed", bad);
    fail_if(error.empty());
  }
}
GST_END_TEST;

GST_START_TEST(test_check_server_url) {
  HostAllowlist list = make({"*.zoom.us", "127.0.0.1"});
  std::string why;
  fail_unless(check_server_url(list, false, "wss://rtms.zoom.us", &why) == ServerUrlCheck::Allowed);
  fail_unless(check_server_url(list, false, "wss://127.0.0.1:8443/s", &why) == ServerUrlCheck::Allowed);
  fail_unless(check_server_url(list, false, "ws://127.0.0.1:8080/s", &why) == ServerUrlCheck::Plaintext);
  assert_contains(why, "plaintext ws://");
  fail_unless(check_server_url(list, true, "ws://127.0.0.1:8080/s", &why) == ServerUrlCheck::Allowed);
  fail_unless(check_server_url(list, true, "wss://attacker.example:443", &why) == ServerUrlCheck::HostNotAllowed);
  assert_contains(why, "attacker.example");
  assert_contains(why, "matches no allowed host pattern");
  fail_unless(check_server_url(list, true, "http://rtms.zoom.us", &why) == ServerUrlCheck::Malformed);
  assert_str(to_string(ServerUrlCheck::HostNotAllowed), "server_not_allowed");
  assert_str(to_string(ServerUrlCheck::Plaintext), "plaintext_not_allowed");
}
GST_END_TEST;

static Suite *host_allowlist_suite() {
  Suite *s = suite_create("host_allowlist");
  TCase *tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_wildcard_matches_below_the_domain_only);
  tcase_add_test(tc, test_exact_names_and_ip_literals);
  tcase_add_test(tc, test_bad_patterns_are_refused);
  tcase_add_test(tc, test_default_is_zoom_us);
  tcase_add_test(tc, test_parse_ws_url);
  tcase_add_test(tc, test_check_server_url);
  return s;
}

GST_CHECK_MAIN(host_allowlist);
