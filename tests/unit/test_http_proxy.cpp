// HTTP proxies for the RTMS WebSockets: proxy URLs, no_proxy, the
// environment, the CONNECT request and the proxy's answer.
#include <map>

#include "check_helpers.h"
#include "protocol/http_proxy.h"
#include "protocol/ws_frames.h"

using namespace rtms;

GST_START_TEST(test_parse_proxy_urls) {
  auto p = parse_http_proxy("http://proxy.corp:3128");
  fail_unless(p.ok());
  assert_str(p->host, "proxy.corp");
  fail_unless(p->port == 3128);
  fail_if(p->has_credentials);
  assert_str(p->shown(), "http://proxy.corp:3128");

  p = parse_http_proxy("  http://alice:s%40cret%3A1@10.0.0.1:8080/  ");
  fail_unless(p.ok(), "%s", p.ok() ? "" : p.error().describe().c_str());
  assert_str(p->user, "alice");
  assert_str(p->password, "s@cret:1");
  fail_unless(p->has_credentials);
  // Credentials are never part of what is shown.
  assert_str(p->shown(), "http://10.0.0.1:8080");

  p = parse_http_proxy("HTTP://[::1]:3128");
  fail_unless(p.ok());
  assert_str(p->host, "::1");
  assert_str(p->shown(), "http://[::1]:3128");

  // No scheme: an HTTP proxy, as curl reads it; no port: 80.
  p = parse_http_proxy("proxy.corp");
  fail_unless(p.ok());
  fail_unless(p->port == 80);
  p = parse_http_proxy("bob@proxy.corp:1");
  fail_unless(p.ok());
  fail_unless(p->has_credentials);
  assert_str(p->password, "");
}
GST_END_TEST;

GST_START_TEST(test_bad_proxy_urls_say_why_without_credentials) {
  struct Case {
    const char *url;
    const char *why;
  } cases[] = {
      {"", "empty"},
      {"https://proxy:443", "https:// proxies"},
      {"socks5://proxy:1080", "SOCKS"},
      {"ftp://proxy", "unsupported scheme"},
      {"http://proxy:99999", "not a valid URL"},
      {"http://proxy:3128/path", "no path"},
      {"http://proxy:3128/?q=1", "no path"},
      {"http://:3128", "no host"},
      {"http://us%0aer:pw@proxy:1", "control characters"},
      {"http://user:secret-password@proxy:3128 x", "not a valid URL"},
  };
  for (const Case &c : cases) {
    auto p = parse_http_proxy(c.url);
    fail_if(p.ok(), "%s accepted", c.url);
    assert_contains(p.error().describe(), c.why);
    fail_if(p.error().describe().find("secret-password") != std::string::npos);
  }
  fail_if(parse_http_proxy(std::string(kMaxProxyUrl + 1, 'a')).ok());
  fail_if(parse_http_proxy(std::string("http://pro\0xy:1", 15)).ok());
}
GST_END_TEST;

GST_START_TEST(test_url_without_credentials) {
  assert_str(proxy_url_without_credentials("http://alice:pw@proxy:3128"), "http://proxy:3128");
  assert_str(proxy_url_without_credentials("http://a:p@ss@proxy:3128/"), "http://proxy:3128/");
  assert_str(proxy_url_without_credentials("bob@proxy:1"), "proxy:1");
  assert_str(proxy_url_without_credentials("http://proxy:3128"), "http://proxy:3128");
  assert_str(proxy_url_without_credentials(""), "");
}
GST_END_TEST;

GST_START_TEST(test_no_proxy) {
  fail_unless(no_proxy_matches("*", "rtms.zoom.us"));
  fail_unless(no_proxy_matches("zoom.us", "rtms.zoom.us"));
  fail_unless(no_proxy_matches(".zoom.us", "rtms.zoom.us"));
  fail_unless(no_proxy_matches("zoom.us", "zoom.us"));
  fail_unless(no_proxy_matches("example.com, ZOOM.US", "Rtms.Zoom.Us."));
  fail_unless(no_proxy_matches("localhost 127.0.0.1", "127.0.0.1"));
  fail_unless(no_proxy_matches("zoom.us:443", "rtms.zoom.us"));
  fail_unless(no_proxy_matches("[::1]:8443,other", "::1"));
  fail_unless(no_proxy_matches("::1", "::1"));
  fail_if(no_proxy_matches("zoom.us", "evilzoom.us"));
  fail_if(no_proxy_matches("rtms.zoom.us", "zoom.us"));
  fail_if(no_proxy_matches("127.0.0.1", "127.0.0.10"));
  fail_if(no_proxy_matches("0.0.1", "127.0.0.1"));
  fail_if(no_proxy_matches("", "rtms.zoom.us"));
  fail_if(no_proxy_matches(" , ,", "rtms.zoom.us"));
  fail_if(no_proxy_matches(".", "rtms.zoom.us"));
  fail_if(no_proxy_matches("zoom.us", ""));
}
GST_END_TEST;

static EnvLookup env(std::map<std::string, std::string> vars) {
  return [vars](const char *name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

GST_START_TEST(test_environment_as_curl_reads_it) {
  auto c = proxy_from_environment(true, "rtms.zoom.us", env({{"https_proxy", "http://a:1"}}));
  assert_str(c.url, "http://a:1");
  assert_str(c.variable, "https_proxy");
  c = proxy_from_environment(true, "rtms.zoom.us", env({{"HTTPS_PROXY", "http://b:1"}}));
  assert_str(c.variable, "HTTPS_PROXY");
  // wss does not use http_proxy; ws does not use https_proxy.
  c = proxy_from_environment(true, "rtms.zoom.us", env({{"http_proxy", "http://c:1"}}));
  assert_str(c.url, "");
  c = proxy_from_environment(false, "rtms.zoom.us", env({{"https_proxy", "http://c:1"}}));
  assert_str(c.url, "");
  c = proxy_from_environment(false, "rtms.zoom.us", env({{"http_proxy", "http://d:1"}}));
  assert_str(c.variable, "http_proxy");
  // Upper-case HTTP_PROXY is never read (a CGI request can set it).
  c = proxy_from_environment(false, "rtms.zoom.us", env({{"HTTP_PROXY", "http://e:1"}}));
  assert_str(c.url, "");
  c = proxy_from_environment(false, "rtms.zoom.us",
                             env({{"HTTP_PROXY", "http://e:1"}, {"ALL_PROXY", "http://f:1"}}));
  assert_str(c.variable, "ALL_PROXY");
  // Lower case first; an empty value counts as unset.
  c = proxy_from_environment(true, "rtms.zoom.us",
                             env({{"https_proxy", ""}, {"HTTPS_PROXY", "http://g:1"}}));
  assert_str(c.variable, "HTTPS_PROXY");
  // no_proxy wins.
  c = proxy_from_environment(true, "rtms.zoom.us",
                             env({{"https_proxy", "http://a:1"}, {"NO_PROXY", "zoom.us"}}));
  assert_str(c.url, "");
  c = proxy_from_environment(true, "rtms.zoom.us",
                             env({{"https_proxy", "http://a:1"}, {"no_proxy", "example.com"}}));
  assert_str(c.url, "http://a:1");
}
GST_END_TEST;

GST_START_TEST(test_connect_request) {
  auto p = parse_http_proxy("http://proxy:3128");
  assert_str(http_connect_request(*p, "rtms.zoom.us", 443, "gst-rtms/0.1"),
             "CONNECT rtms.zoom.us:443 HTTP/1.1\r\nHost: rtms.zoom.us:443\r\n"
             "User-Agent: gst-rtms/0.1\r\n\r\n");
  p = parse_http_proxy("http://Aladdin:open%20sesame@proxy:3128");
  std::string req = http_connect_request(*p, "::1", 8443, "ua");
  assert_contains(req, "CONNECT [::1]:8443 HTTP/1.1\r\n");
  // RFC 7617's example pair.
  assert_contains(req, "\r\nProxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n");
  // Nothing from a server URL can add a line.
  assert_str(http_connect_request(*p, "rtms.zoom.us\r\nX-Evil: 1", 443, "ua"), "");
  assert_str(http_connect_request(*p, "rtms.zoom.us", 0, "ua"), "");
  assert_str(http_connect_request(*p, "", 443, "ua"), "");
}
GST_END_TEST;

GST_START_TEST(test_connect_answers) {
  auto a = parse_connect_answer("HTTP/1.1 200 Connection established\r\n\r\n");
  fail_unless(a.ok() && a->ok());
  a = parse_connect_answer("HTTP/1.0 200\r\n\r\n");
  fail_unless(a.ok() && a->ok());
  a = parse_connect_answer("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n");
  fail_unless(a.ok());
  fail_if(a->ok());
  assert_str(a->describe(), "HTTP 407 Proxy Authentication Required");
  a = parse_connect_answer("HTTP/1.1 403 \x1b[31mForbidden\r\n\r\n");
  fail_unless(a.ok());
  assert_str(a->describe(), "HTTP 403 ?[31mForbidden");
  fail_if(parse_connect_answer("SSH-2.0-OpenSSH\r\n\r\n").ok());
  fail_if(parse_connect_answer("HTTP/1.1 2000 OK\r\n\r\n").ok());
  fail_if(parse_connect_answer("HTTP/1.1 20 OK\r\n\r\n").ok());
  fail_if(parse_connect_answer("HTTP/1.1 099 OK\r\n\r\n").ok());
  fail_if(parse_connect_answer("").ok());
  // The head ends where ws_response_head_length says; what follows is the
  // server's (here the TLS handshake's first bytes).
  std::string wire = "HTTP/1.1 200 OK\r\n\r\n\x16\x03\x01";
  size_t n = ws_response_head_length(wire);
  fail_unless(n == 19);
  fail_unless(parse_connect_answer(wire.substr(0, n))->ok());
  std::string long_reason = "HTTP/1.1 502 " + std::string(500, 'x') + "\r\n\r\n";
  fail_unless(parse_connect_answer(long_reason)->reason.size() <= 83);
}
GST_END_TEST;

static Suite *http_proxy_suite() {
  Suite *s = suite_create("http_proxy");
  TCase *tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_parse_proxy_urls);
  tcase_add_test(tc, test_bad_proxy_urls_say_why_without_credentials);
  tcase_add_test(tc, test_url_without_credentials);
  tcase_add_test(tc, test_no_proxy);
  tcase_add_test(tc, test_environment_as_curl_reads_it);
  tcase_add_test(tc, test_connect_request);
  tcase_add_test(tc, test_connect_answers);
  return s;
}

GST_CHECK_MAIN(http_proxy);
