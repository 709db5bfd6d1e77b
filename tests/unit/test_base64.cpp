#include "check_helpers.h"
#include "protocol/base64.h"

#include <cstring>
#include <random>
#include <vector>

using namespace rtms;

// Decodes into a buffer sized by base64_max_decoded_size, as the element does.
static std::string decode_ok(std::string_view in)
{
  std::vector<uint8_t> out(base64_max_decoded_size(in.size()) + 1);
  auto r = base64_decode_into(in, out.data(), out.size() - 1);
  if (!r.ok())
    ck_abort_msg("decode of '%.*s' failed: %s", int(in.size()), in.data(),
                 r.error().describe().c_str());
  fail_unless(*r <= base64_max_decoded_size(in.size()));
  return std::string(reinterpret_cast<char *>(out.data()), *r);
}

static std::string decode_err(std::string_view in)
{
  uint8_t out[64];
  auto r = base64_decode_into(in, out, sizeof out);
  if (r.ok())
    ck_abort_msg("decode of '%.*s' unexpectedly succeeded", int(in.size()),
                 in.data());
  return r.error().message;
}

GST_START_TEST(test_decode_basic)
{
  // RFC 4648 section 10 vectors.
  assert_str(decode_ok(""), "");
  assert_str(decode_ok("Zg=="), "f");
  assert_str(decode_ok("Zm8="), "fo");
  assert_str(decode_ok("Zm9v"), "foo");
  assert_str(decode_ok("Zm9vYg=="), "foob");
  assert_str(decode_ok("Zm9vYmE="), "fooba");
  assert_str(decode_ok("Zm9vYmFy"), "foobar");
  assert_str(decode_ok("aGVsbG8="), "hello");

  std::string bin = decode_ok("AP/+EA==");
  ck_assert_uint_eq(bin.size(), 4);
  const uint8_t expected[] = {0x00, 0xff, 0xfe, 0x10};
  fail_unless(std::memcmp(bin.data(), expected, 4) == 0);
}
GST_END_TEST;

GST_START_TEST(test_decode_padding_optional)
{
  assert_str(decode_ok("Zg"), "f");
  assert_str(decode_ok("Zm8"), "fo");
  assert_str(decode_ok("aGVsbG8"), "hello");
  assert_str(decode_ok("aGk"), "hi");
}
GST_END_TEST;

GST_START_TEST(test_decode_whitespace)
{
  assert_str(decode_ok("  aGVs\r\nbG8=\n"), "hello");
  assert_str(decode_ok("Zm9v\tYmFy"), "foobar");
  assert_str(decode_ok("Zg= =\n"), "f");
  assert_str(decode_ok(" \n "), "");
}
GST_END_TEST;

GST_START_TEST(test_decode_errors)
{
  assert_str(decode_err("Zm9v*mFy"), "invalid base64 character 0x2a at offset 4");
  assert_contains(decode_err("aGVsbG8-"), "0x2d at offset 7");  // base64url
  assert_contains(decode_err("aGVs_G8="), "0x5f at offset 4");
  assert_contains(decode_err("Zm9v\x80"), "0x80 at offset 4");
  assert_contains(decode_err("Z"), "truncated");
  assert_contains(decode_err("Zm9vY"), "truncated");
  assert_contains(decode_err("Zg=a"), "data after padding");
  assert_contains(decode_err("Zg==Zg=="), "0x5a at offset 4");
  assert_contains(decode_err("=Zg="), "misplaced padding");
  assert_contains(decode_err("Zg==="), "misplaced padding");
  assert_contains(decode_err("Zg="), "incomplete base64 padding");
  assert_contains(decode_err("data:image/png;base64,Zg=="), "offset 4");
}
GST_END_TEST;

GST_START_TEST(test_decode_capacity)
{
  uint8_t out[3];
  auto r = base64_decode_into("Zm9vYmFy", out, sizeof out);
  fail_if(r.ok());
  assert_contains(r.error().message, "too small");
  auto tail = base64_decode_into("Zm9vYg==", out, sizeof out);
  fail_if(tail.ok(), "the final partial quantum must be bounds-checked too");
  auto fits = base64_decode_into("Zm9v", out, sizeof out);
  fail_unless(fits.ok());
  ck_assert_uint_eq(*fits, 3);
  fail_unless(std::memcmp(out, "foo", 3) == 0);
  auto empty = base64_decode_into("", nullptr, 0);
  fail_unless(empty.ok());
  ck_assert_uint_eq(*empty, 0);
}
GST_END_TEST;

GST_START_TEST(test_max_decoded_size)
{
  ck_assert_uint_eq(base64_max_decoded_size(0), 0);
  ck_assert_uint_eq(base64_max_decoded_size(4), 3);
  ck_assert_uint_eq(base64_max_decoded_size(8), 6);
  fail_unless(base64_max_decoded_size(2) >= 1);
  fail_unless(base64_max_decoded_size(3) >= 2);
  // 20 ms of 16 kHz mono L16 is 640 bytes = 856 base64 characters.
  fail_unless(base64_max_decoded_size(856) >= 640);
}
GST_END_TEST;

GST_START_TEST(test_encode)
{
  auto enc = [](const char *s) {
    return base64_encode(reinterpret_cast<const uint8_t *>(s), std::strlen(s));
  };
  assert_str(enc(""), "");
  assert_str(enc("f"), "Zg==");
  assert_str(enc("fo"), "Zm8=");
  assert_str(enc("foo"), "Zm9v");
  assert_str(enc("foob"), "Zm9vYg==");
  assert_str(enc("fooba"), "Zm9vYmE=");
  assert_str(enc("foobar"), "Zm9vYmFy");
  const uint8_t bin[] = {0x00, 0xff, 0xfe, 0x10};
  assert_str(base64_encode(bin, sizeof bin), "AP/+EA==");

  // Every byte value survives a round trip.
  std::vector<uint8_t> all(256);
  for (int i = 0; i < 256; i++)
    all[i] = uint8_t(i);
  std::string text = base64_encode(all.data(), all.size());
  std::string back = decode_ok(text);
  ck_assert_uint_eq(back.size(), 256);
  fail_unless(std::memcmp(back.data(), all.data(), 256) == 0);
}
GST_END_TEST;

GST_START_TEST(test_strip_data_url)
{
  assert_str(strip_data_url_prefix("data:image/jpeg;base64,/9j/4AAQ"), "/9j/4AAQ");
  assert_str(strip_data_url_prefix("data:audio/L16;rate=16000;base64,AAAA"), "AAAA");
  assert_str(strip_data_url_prefix("/9j/4AAQ"), "/9j/4AAQ");
  assert_str(strip_data_url_prefix("data:text/plain,hello"), "data:text/plain,hello");
  assert_str(strip_data_url_prefix(""), "");
}
GST_END_TEST;

// Long payloads take the four-characters-at-a-time path until anything else
// turns up: round trips of every length, with line breaks and padding in
// the middle of the run, and errors found deep inside still name their offset.
GST_START_TEST(test_decode_long_payloads)
{
  std::vector<uint8_t> bytes(700);
  for (size_t i = 0; i < bytes.size(); i++)
    bytes[i] = uint8_t(i * 37 + 11);
  for (size_t n = 0; n <= bytes.size(); n += 7) {
    std::string text = base64_encode(bytes.data(), n);
    assert_str(decode_ok(text), std::string(bytes.begin(), bytes.begin() + n));
    if (text.size() > 100) {
      std::string wrapped = text;
      wrapped.insert(76, "\r\n");
      wrapped.insert(41, " ");
      assert_str(decode_ok(wrapped), std::string(bytes.begin(), bytes.begin() + n));
    }
  }
  std::string long_text = base64_encode(bytes.data(), 600);  // 800 characters
  std::string bad = long_text;
  bad[521] = '*';
  std::vector<uint8_t> out(600);
  auto r = base64_decode_into(bad, out.data(), out.size());
  fail_if(r.ok());
  assert_contains(r.error().message, "0x2a at offset 521");
  auto glued = base64_decode_into(base64_encode(bytes.data(), 301) + long_text, out.data(),
                                  out.size());
  fail_if(glued.ok());
  assert_contains(glued.error().message, "data after padding");
  auto short_out = base64_decode_into(long_text, out.data(), 599);
  fail_if(short_out.ok());
  assert_contains(short_out.error().message, "too small");
}
GST_END_TEST;

// The vector kernels decode only clean blocks and leave everything else to
// the scalar code: whatever the input and the room given, every kernel must
// give what the scalar decoder gives (the same bytes, the same error
// message), and write nothing past the room it was given.
static const Base64Kernel kKernels[] = {Base64Kernel::Auto, Base64Kernel::Ssse3,
                                        Base64Kernel::Avx2};

static void expect_kernels_agree(const std::string &in, size_t capacity)
{
  const size_t guard = 64;
  std::vector<uint8_t> expected(capacity + guard, 0xa5);
  auto want = base64_decode_into_with(Base64Kernel::Scalar, in, expected.data(), capacity);
  for (Base64Kernel kernel : kKernels) {
    if (!base64_kernel_available(kernel))
      continue;
    std::vector<uint8_t> got(capacity + guard, 0xa5);
    auto r = base64_decode_into_with(kernel, in, got.data(), capacity);
    if (r.ok() != want.ok())
      ck_abort_msg("kernel %d %s, scalar %s (capacity %zu)\ninput: '%s'", int(kernel),
                   r.ok() ? "decodes" : r.error().message.c_str(),
                   want.ok() ? "decodes" : want.error().message.c_str(), capacity, in.c_str());
    // Plain tests first: check's assertions cost a system call each.
    if (r.ok() && (*r != *want || std::memcmp(got.data(), expected.data(), *r) != 0))
      ck_abort_msg("kernel %d decodes '%s' differently", int(kernel), in.c_str());
    if (!r.ok() && r.error().message != want.error().message)
      ck_abort_msg("kernel %d: '%s', scalar: '%s'\ninput: '%s'", int(kernel),
                   r.error().message.c_str(), want.error().message.c_str(), in.c_str());
    for (size_t k = capacity; k < got.size(); k++)
      if (got[k] != 0xa5)
        ck_abort_msg("kernel %d wrote past the room given (%zu bytes, input '%s')", int(kernel),
                     capacity, in.c_str());
  }
}

static const char kAlphabetChars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

GST_START_TEST(test_kernels_agree_every_length)
{
  std::mt19937 rng(20240917);
  for (size_t n = 0; n <= 200; n++) {
    for (int round = 0; round < 4; round++) {
      // Any run of alphabet characters (padding optional), including the
      // lengths that leave one character over.
      std::string text(n, 'A');
      for (char &c : text)
        c = kAlphabetChars[rng() % 64];
      size_t room = base64_max_decoded_size(n);
      expect_kernels_agree(text, room);
      expect_kernels_agree(text, room + 40);
      if (room)
        expect_kernels_agree(text, rng() % room);
      // And proper encodings of random bytes, padded.
      std::vector<uint8_t> bytes(n);
      for (auto &b : bytes)
        b = uint8_t(rng());
      std::string encoded = base64_encode(bytes.data(), n);
      expect_kernels_agree(encoded, base64_max_decoded_size(encoded.size()));
      expect_kernels_agree(encoded, n);
    }
  }
}
GST_END_TEST;

GST_START_TEST(test_kernels_agree_on_mutations)
{
  std::mt19937 rng(77);
  const char specials[] = {'=', ' ', '\n', '\r', '\t', '-', '_', '*', '\0', '.', '"', '\\'};
  for (int round = 0; round < 20000; round++) {
    size_t n = rng() % 300;
    std::vector<uint8_t> bytes(n);
    for (auto &b : bytes)
      b = uint8_t(rng());
    std::string text = base64_encode(bytes.data(), n);
    int edits = 1 + int(rng() % 3);
    for (int e = 0; e < edits && !text.empty(); e++) {
      size_t at = rng() % text.size();
      switch (rng() % 5) {
        case 0:  // any byte value at all
          text[at] = char(rng() % 256);
          break;
        case 1:
          text[at] = specials[rng() % sizeof specials];
          break;
        case 2:
          text.insert(at, 1, specials[rng() % sizeof specials]);
          break;
        case 3:
          text.erase(at, 1);
          break;
        default:  // the neighbours of the alphabet's ranges
          text[at] = "@[`{/:+,9AZaz0"[rng() % 14];
          break;
      }
    }
    size_t room = base64_max_decoded_size(text.size());
    expect_kernels_agree(text, room);
    expect_kernels_agree(text, room ? rng() % (room + 1) : 0);
  }
  // Every byte value at every position of a 64-character block.
  std::string clean = base64_encode(std::vector<uint8_t>(48, 0x5c).data(), 48);
  for (size_t at = 0; at < clean.size(); at++) {
    for (int c = 0; c < 256; c++) {
      std::string text = clean;
      text[at] = char(c);
      expect_kernels_agree(text, 48);
    }
  }
}
GST_END_TEST;

static Suite *
base64_suite(void)
{
  Suite *s = suite_create("rtms-base64");
  TCase *tc = tcase_create("base64");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_decode_basic);
  tcase_add_test(tc, test_decode_padding_optional);
  tcase_add_test(tc, test_decode_whitespace);
  tcase_add_test(tc, test_decode_errors);
  tcase_add_test(tc, test_decode_capacity);
  tcase_add_test(tc, test_decode_long_payloads);
  tcase_add_test(tc, test_max_decoded_size);
  tcase_add_test(tc, test_encode);
  tcase_add_test(tc, test_strip_data_url);
  tcase_add_test(tc, test_kernels_agree_every_length);
  tcase_add_test(tc, test_kernels_agree_on_mutations);
  return s;
}

GST_CHECK_MAIN(base64);
