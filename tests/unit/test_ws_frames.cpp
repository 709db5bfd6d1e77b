// The WebSocket wire format as our client reads and writes it.
#include "check_helpers.h"
#include "protocol/ws_frames.h"

#include <glib.h>

#include <string>
#include <vector>

using namespace rtms;

namespace {

// A frame as a server sends it: unmasked.
std::string server_frame(uint8_t first_byte, const std::string &payload) {
  std::string f;
  f.push_back(char(first_byte));
  size_t n = payload.size();
  if (n < 126) {
    f.push_back(char(n));
  } else if (n <= 0xFFFF) {
    f.push_back(char(126));
    f.push_back(char(n >> 8));
    f.push_back(char(n));
  } else {
    f.push_back(char(127));
    for (int s = 56; s >= 0; s -= 8) f.push_back(char(uint64_t(n) >> s));
  }
  return f + payload;
}

struct Read {
  WsFrameReader::Status status;
  WsOpcode opcode;
  std::string payload;
  uint16_t close_code;
  std::string error;
};

// Feeds bytes in pieces of `step` and collects everything the reader gives.
std::vector<Read> read_all(const std::string &bytes, size_t step, size_t max_size = 1 << 20) {
  WsFrameReader reader(max_size);
  std::vector<Read> out;
  for (size_t at = 0; at < bytes.size(); at += step) {
    reader.feed(bytes.data() + at, std::min(step, bytes.size() - at));
    WsFrameReader::Item item;
    for (;;) {
      auto st = reader.next(&item);
      if (st == WsFrameReader::Status::NeedMore) break;
      out.push_back({st, item.opcode, std::string(item.payload), item.close_code, item.error});
      if (st == WsFrameReader::Status::Error) return out;
    }
  }
  return out;
}

}  // namespace

GST_START_TEST(test_accept_value_rfc_example)
{
  // RFC 6455 section 1.3.
  assert_str(ws_accept_value("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}
GST_END_TEST;

GST_START_TEST(test_upgrade_request)
{
  std::string req = ws_upgrade_request("rtms.zoom.us:8443", "/signaling?x=1", "KEY==", "ua/1");
  fail_unless(req.rfind("GET /signaling?x=1 HTTP/1.1\r\n", 0) == 0, "%s", req.c_str());
  assert_contains(req, "\r\nHost: rtms.zoom.us:8443\r\n");
  assert_contains(req, "\r\nUpgrade: websocket\r\n");
  assert_contains(req, "\r\nConnection: Upgrade\r\n");
  assert_contains(req, "\r\nSec-WebSocket-Key: KEY==\r\n");
  assert_contains(req, "\r\nSec-WebSocket-Version: 13\r\n");
  fail_unless(req.size() > 4 && req.compare(req.size() - 4, 4, "\r\n\r\n") == 0);
  fail_unless(ws_upgrade_request("h", "", "k", "").rfind("GET / HTTP/1.1", 0) == 0);
}
GST_END_TEST;

GST_START_TEST(test_upgrade_response)
{
  const std::string key = "dGhlIHNhbXBsZSBub25jZQ==";
  std::string good = "HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\n"
                     "Connection: keep-alive, Upgrade\r\n"
                     "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
  ck_assert_uint_eq(ws_response_head_length(good + "\x81\x00"), good.size());
  ck_assert_uint_eq(ws_response_head_length("HTTP/1.1 101 Switching\r\n"), 0);
  assert_str(ws_check_upgrade_response(good, key), "");
  assert_contains(ws_check_upgrade_response("HTTP/1.1 403 Forbidden\r\n\r\n", key),
                  "HTTP 403 Forbidden instead of switching to WebSocket");
  assert_contains(ws_check_upgrade_response("SSH-2.0-OpenSSH\r\n\r\n", key),
                  "did not answer with HTTP");
  std::string no_upgrade = "HTTP/1.1 101 OK\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
  assert_contains(ws_check_upgrade_response(no_upgrade, key), "Upgrade: websocket");
  std::string wrong_accept = "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                             "Sec-WebSocket-Accept: AAAA\r\n\r\n";
  assert_contains(ws_check_upgrade_response(wrong_accept, key), "does not match");
}
GST_END_TEST;

// Undoes a client frame's masking: what a server reads.
static std::string unmask_client_frame(const std::string &frame, size_t *payload_length) {
  fail_unless(frame.size() >= 6 && (uint8_t(frame[1]) & 0x80), "client frames must be masked");
  uint64_t n = uint8_t(frame[1]) & 0x7F;
  size_t at = 2;
  if (n == 126) {
    n = (uint64_t(uint8_t(frame[2])) << 8) | uint8_t(frame[3]);
    at = 4;
  } else if (n == 127) {
    n = 0;
    for (int i = 0; i < 8; ++i) n = (n << 8) | uint8_t(frame[2 + i]);
    at = 10;
  }
  const std::string key = frame.substr(at, 4);
  std::string payload = frame.substr(at + 4);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = char(payload[i] ^ key[i & 3]);
  *payload_length = size_t(n);
  return payload;
}

GST_START_TEST(test_masked_frames_we_send)
{
  for (size_t n : {size_t(0), size_t(1), size_t(125), size_t(126), size_t(65535), size_t(65536),
                   size_t(70000)}) {
    std::string payload(n, '\0');
    for (size_t i = 0; i < n; ++i) payload[i] = char('a' + i % 26);
    std::string frame = ws_encode_frame(WsOpcode::Text, payload, 0x12345678u);
    ck_assert_uint_eq(uint8_t(frame[0]), 0x81);
    if (n >= 8) fail_unless(frame.find(payload.substr(0, 4)) == std::string::npos, "length %zu: not masked", n);
    size_t length = 0;
    fail_unless(unmask_client_frame(frame, &length) == payload, "length %zu", n);
    ck_assert_uint_eq(length, n);
  }
}
GST_END_TEST;

GST_START_TEST(test_messages_split_anywhere)
{
  std::string stream = server_frame(0x81, "{\"msg_type\":14}") +
                       server_frame(0x82, std::string(300, 'x')) +
                       server_frame(0x89, "ping!") + server_frame(0x81, "");
  for (size_t step = 1; step <= stream.size(); ++step) {
    auto reads = read_all(stream, step);
    ck_assert_uint_eq(reads.size(), 4);
    assert_str(reads[0].payload, "{\"msg_type\":14}");
    fail_unless(reads[1].opcode == WsOpcode::Binary && reads[1].payload.size() == 300);
    fail_unless(reads[2].status == WsFrameReader::Status::Control &&
                reads[2].opcode == WsOpcode::Ping && reads[2].payload == "ping!");
    fail_unless(reads[3].status == WsFrameReader::Status::Message && reads[3].payload.empty());
  }
}
GST_END_TEST;

GST_START_TEST(test_fragmented_message)
{
  // Text in three fragments with a ping between them.
  std::string stream = server_frame(0x01, "{\"a\":") + server_frame(0x89, "") +
                       server_frame(0x00, "12") + server_frame(0x80, "3}");
  auto reads = read_all(stream, 3);
  ck_assert_uint_eq(reads.size(), 2);
  fail_unless(reads[0].opcode == WsOpcode::Ping);
  fail_unless(reads[1].status == WsFrameReader::Status::Message &&
              reads[1].opcode == WsOpcode::Text);
  assert_str(reads[1].payload, "{\"a\":123}");
}
GST_END_TEST;

static void expect_error(const std::string &bytes, uint16_t code, const char *words,
                         size_t max_size = 1 << 20) {
  auto reads = read_all(bytes, bytes.size(), max_size);
  fail_unless(!reads.empty() && reads.back().status == WsFrameReader::Status::Error,
              "no error for %s", words);
  ck_assert_uint_eq(reads.back().close_code, code);
  assert_contains(reads.back().error, words);
}

GST_START_TEST(test_bad_frames)
{
  expect_error(server_frame(0xC1, "x"), kWsCloseProtocolError, "reserved bits");
  expect_error(server_frame(0x83, "x"), kWsCloseProtocolError, "unknown opcode 3");
  expect_error(server_frame(0x09, ""), kWsCloseProtocolError, "control frame");
  expect_error(server_frame(0x89, std::string(126, 'p')), kWsCloseProtocolError, "control frame");
  expect_error(server_frame(0x80, "x"), kWsCloseProtocolError, "continuation frame");
  expect_error(server_frame(0x01, "a") + server_frame(0x81, "b"), kWsCloseProtocolError,
               "new message inside a fragmented one");
  // Over the limit: refused from the header, before the payload arrives.
  expect_error(server_frame(0x81, std::string(1000, 'z')).substr(0, 4), kWsCloseTooBig,
               "larger than the limit of 999 bytes", 999);
  // Fragments that add up to more than the limit.
  expect_error(server_frame(0x01, std::string(600, 'a')) + server_frame(0x80, std::string(600, 'b')),
               kWsCloseTooBig, "limit of 1000", 1000);
  // A 64-bit length no machine could hold.
  expect_error(std::string("\x81\x7f\xff\xff\xff\xff\xff\xff\xff\xff", 10), kWsCloseTooBig,
               "larger than the limit");
}
GST_END_TEST;

// RFC 6455 rules a client enforces on what the server sends (the reader's
// header comment lists them; each fails the connection).
GST_START_TEST(test_rfc6455_client_rules)
{
  // 5.1: a masked frame from the server.
  std::string masked = ws_encode_frame(WsOpcode::Text, "{\"msg_type\":12}", 0x01020304u);
  expect_error(masked, kWsCloseProtocolError, "masked frame");
  // 8.1: text that is not UTF-8, whole or fragmented (the split falls
  // inside a two-byte sequence, which is fine until the message ends).
  expect_error(server_frame(0x81, "caf\xE9"), kWsCloseInvalidData, "not valid UTF-8");
  expect_error(server_frame(0x81, "\xED\xA0\x80"), kWsCloseInvalidData, "not valid UTF-8");  // a surrogate
  auto split = read_all(server_frame(0x01, "caf\xC3") + server_frame(0x80, "\xA9"), 1);
  ck_assert_uint_eq(split.size(), 1);
  fail_unless(split[0].status == WsFrameReader::Status::Message);
  assert_str(split[0].payload, "caf\xC3\xA9");
  expect_error(server_frame(0x01, "caf\xC3") + server_frame(0x80, "!"), kWsCloseInvalidData, "not valid UTF-8");
  // Binary frames carry any bytes.
  auto binary = read_all(server_frame(0x82, "\xFF\xFE"), 1);
  fail_unless(binary.size() == 1 && binary[0].status == WsFrameReader::Status::Message);
  // 5.5.1 and 7.4: close frames.
  expect_error(server_frame(0x88, "\x03"), kWsCloseProtocolError, "1-byte body");
  expect_error(server_frame(0x88, std::string("\x03\xED", 2)), kWsCloseProtocolError, "invalid code 1005");
  expect_error(server_frame(0x88, std::string("\x03\xE6", 2)), kWsCloseProtocolError, "invalid code 998");
  expect_error(server_frame(0x88, std::string("\x13\x88", 2)), kWsCloseProtocolError, "invalid code 5000");
  expect_error(server_frame(0x88, std::string("\x03\xE8\xFF", 3)), kWsCloseInvalidData, "not valid UTF-8");
  for (const char *body : {"", "\x03\xE8", "\x03\xE8" "bye", "\x03\xF3", "\x0F\xA0going \xC3\xA9"}) {
    auto reads = read_all(server_frame(0x88, body), 1);
    fail_unless(reads.size() == 1 && reads[0].status == WsFrameReader::Status::Control &&
                    reads[0].opcode == WsOpcode::Close,
                "close body '%s' refused: %s", body, reads.empty() ? "" : reads[0].error.c_str());
  }
  std::string error;
  ck_assert_uint_eq(ws_check_close_payload(std::string("\x03\xE8", 2), &error), 0);
  ck_assert_uint_eq(ws_check_close_payload("\x03", &error), kWsCloseProtocolError);
  // After an error the reader gives nothing more, even for good frames.
  WsFrameReader reader(1024);
  std::string bytes = masked + server_frame(0x81, "{}");
  reader.feed(bytes.data(), bytes.size());
  WsFrameReader::Item item;
  fail_unless(reader.next(&item) == WsFrameReader::Status::Error);
  fail_unless(reader.next(&item) == WsFrameReader::Status::NeedMore);
}
GST_END_TEST;

// A limit near SIZE_MAX must not let header + length wrap around, and
// feeding nothing (with no pointer) is fine.
GST_START_TEST(test_no_overflow_near_size_max)
{
  for (size_t limit : {SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 9, SIZE_MAX / 2 + 1}) {
    WsFrameReader reader(limit);
    reader.feed(nullptr, 0);
    WsFrameReader::Item item;
    fail_unless(reader.next(&item) == WsFrameReader::Status::NeedMore);
    // Lengths whose sum with the 10-byte header wraps around.
    for (uint64_t len : {uint64_t(SIZE_MAX), uint64_t(SIZE_MAX) - 5, uint64_t(SIZE_MAX) - 9}) {
      WsFrameReader r(limit);
      std::string header("\x82\x7f", 2);
      for (int shift = 56; shift >= 0; shift -= 8) header.push_back(char(len >> shift));
      header += "tail";
      r.feed(header.data(), header.size());
      auto st = r.next(&item);
      // Either waiting for the payload or refused as too big; never a message.
      fail_unless(st == WsFrameReader::Status::NeedMore || st == WsFrameReader::Status::Error,
                  "length %" G_GUINT64_FORMAT " with limit %zu gave a message", len, limit);
      r.feed(nullptr, 0);
    }
  }
}
GST_END_TEST;

GST_START_TEST(test_close_payload)
{
  std::string p = ws_close_payload(1000, "bye");
  ck_assert_uint_eq(p.size(), 5);
  ck_assert_uint_eq(uint8_t(p[0]), 0x03);
  ck_assert_uint_eq(uint8_t(p[1]), 0xE8);
  // A long reason is cut to fit 125 bytes without splitting a character.
  std::string reason;
  for (int i = 0; i < 100; ++i) reason += "\xC3\xA9";  // é
  std::string cut = ws_close_payload(1002, reason);
  fail_unless(cut.size() <= 125);
  fail_unless(g_utf8_validate(cut.data() + 2, gssize(cut.size() - 2), nullptr));
}
GST_END_TEST;

GST_START_TEST(test_random_bytes_never_crash)
{
  GRand *rand = g_rand_new_with_seed(20261123);
  for (int round = 0; round < 2000; ++round) {
    std::string bytes(size_t(g_rand_int_range(rand, 0, 300)), '\0');
    for (auto &c : bytes) c = char(g_rand_int_range(rand, 0, 256));
    // Mostly valid headers now and then, to get past the first checks.
    if (!bytes.empty() && round % 2) bytes[0] = char(0x80 | (bytes[0] & 0x0F));
    read_all(bytes, size_t(g_rand_int_range(rand, 1, 40)), 4096);
  }
  g_rand_free(rand);
}
GST_END_TEST;

static Suite *ws_frames_suite(void) {
  Suite *s = suite_create("rtms-ws-frames");
  TCase *tc = tcase_create("ws-frames");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_accept_value_rfc_example);
  tcase_add_test(tc, test_upgrade_request);
  tcase_add_test(tc, test_upgrade_response);
  tcase_add_test(tc, test_masked_frames_we_send);
  tcase_add_test(tc, test_rfc6455_client_rules);
  tcase_add_test(tc, test_no_overflow_near_size_max);
  tcase_add_test(tc, test_messages_split_anywhere);
  tcase_add_test(tc, test_fragmented_message);
  tcase_add_test(tc, test_bad_frames);
  tcase_add_test(tc, test_close_payload);
  tcase_add_test(tc, test_random_bytes_never_crash);
  return s;
}

GST_CHECK_MAIN(ws_frames);
