// Expected MACs were computed with the openssl command line, e.g.
//   printf 'client,uuid,stream' | openssl dgst -sha256 -hmac secret
// and pasted in, so these tests do not trust our own HMAC code.
#include "check_helpers.h"
#include "protocol/signature.h"

#include <json-glib/json-glib.h>

using namespace rtms;

static const char kMeetingUuid[] = "4444AAAiAAAAAiAiAiiAii==";
static const char kStreamId[] = "609340fb2a7946909659956c8aa9250c";

// printf 'abcClientId,4444AAAiAAAAAiAiAiiAii==,609340fb2a7946909659956c8aa9250c'
//   | openssl dgst -sha256 -hmac 's3cr3t'
static const char kDocSignature[] =
    "b432ad1b2ad7af30c62f370bc4f6a2a162264104f50f5c98ff64e8ec560ff58b";
// ... -binary | base64
static const char kDocSignatureB64[] =
    "tDKtGyrXrzDGLzcLxPaioWImQQT1D1yY/2To7FYP9Ys=";

// The doc's example meeting.rtms_started body, compact, as sent.
static const char kBody[] =
    "{\"event\":\"meeting.rtms_started\",\"event_ts\":1626230691572,"
    "\"payload\":{\"meeting_uuid\":\"4444AAAiAAAAAiAiAiiAii==\","
    "\"operator_id\":\"30R7kT7bTIKSNUFEuH_Qlg\","
    "\"rtms_stream_id\":\"609340fb2a7946909659956c8aa9250c\","
    "\"server_urls\":\"wss://127.0.0.1:443\"}}";
// printf 'v0:1626230691:%s' "$BODY" | openssl dgst -sha256 -hmac whsecret
static const char kBodySignature[] =
    "v0=9c1390097e38921b5df3bd6d02de584d101ee1cedcfd9eaa78ef2391bc201487";

GST_START_TEST(test_hmac_vectors)
{
  assert_str(hmac_sha256_hex("secret", "client,uuid,stream"),
             "342b20cf8388767917531e38563f33ca3b057ade4ff7dd8d0f87b7bff42da2fa");
  // RFC 4231 test case 2.
  assert_str(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // printf '' | openssl dgst -sha256 -hmac key
  assert_str(hmac_sha256_hex("key", ""),
             "5d5d139563c95b5967b9bd9a8c9b233a9dedb45072794cd232dc1b74832607d0");
}
GST_END_TEST;

GST_START_TEST(test_handshake_signature)
{
  assert_str(handshake_signature("client", "uuid", "stream", "secret"),
             "342b20cf8388767917531e38563f33ca3b057ade4ff7dd8d0f87b7bff42da2fa");
  std::string sig =
      handshake_signature("abcClientId", kMeetingUuid, kStreamId, "s3cr3t");
  assert_str(sig, kDocSignature);
  ck_assert_uint_eq(sig.size(), 64);
}
GST_END_TEST;

GST_START_TEST(test_verify_handshake_signature)
{
  fail_unless(verify_handshake_signature(kDocSignature, "abcClientId",
                                         kMeetingUuid, kStreamId, "s3cr3t"));
  std::string upper = kDocSignature;
  for (char &c : upper)
    c = g_ascii_toupper(c);
  fail_unless(verify_handshake_signature(upper, "abcClientId", kMeetingUuid,
                                         kStreamId, "s3cr3t"));
  // The base64 form one ZCC doc example shows.
  fail_unless(verify_handshake_signature(kDocSignatureB64, "abcClientId",
                                         kMeetingUuid, kStreamId, "s3cr3t"));

  fail_if(verify_handshake_signature(kDocSignature, "abcClientId",
                                     kMeetingUuid, kStreamId, "wrong"));
  fail_if(verify_handshake_signature(kDocSignature, "otherClient",
                                     kMeetingUuid, kStreamId, "s3cr3t"));
  fail_if(verify_handshake_signature("", "abcClientId", kMeetingUuid,
                                     kStreamId, "s3cr3t"));
  std::string truncated(kDocSignature, 63);
  fail_if(verify_handshake_signature(truncated, "abcClientId", kMeetingUuid,
                                     kStreamId, "s3cr3t"));
  // Formulas seen in the wild that must not pass (docs/protocol.md#handshake-signature).
  std::string colon = hmac_sha256_hex(
      "s3cr3t", std::string(kMeetingUuid) + ":" + kStreamId + ":abcClientId");
  fail_if(verify_handshake_signature(colon, "abcClientId", kMeetingUuid,
                                     kStreamId, "s3cr3t"));
  std::string no_commas = hmac_sha256_hex(
      "s3cr3t", std::string("abcClientId") + kMeetingUuid + kStreamId);
  fail_if(verify_handshake_signature(no_commas, "abcClientId", kMeetingUuid,
                                     kStreamId, "s3cr3t"));
}
GST_END_TEST;

GST_START_TEST(test_constant_time_equal)
{
  fail_unless(constant_time_equal("", ""));
  fail_unless(constant_time_equal("abc", "abc"));
  fail_if(constant_time_equal("abc", "abd"));
  fail_if(constant_time_equal("abc", "abcd"));
  fail_if(constant_time_equal("abcd", "abc"));
  fail_if(constant_time_equal("", "a"));
  fail_if(constant_time_equal("a", ""));
  fail_unless(constant_time_equal(std::string_view("a\0b", 3),
                                  std::string_view("a\0b", 3)));
  fail_if(constant_time_equal(std::string_view("a\0b", 3),
                              std::string_view("a\0c", 3)));
}
GST_END_TEST;

GST_START_TEST(test_webhook_signature)
{
  assert_str(webhook_signature("whsecret", "1626230691", kBody), kBodySignature);
}
GST_END_TEST;

GST_START_TEST(test_verify_webhook)
{
  const int64_t now = 1626230700;
  fail_unless(verify_webhook("whsecret", kBodySignature, "1626230691", kBody,
                             now) == WebhookCheck::Ok);
  // Edges of the 300 s window, both directions.
  fail_unless(verify_webhook("whsecret", kBodySignature, "1626230691", kBody,
                             1626230691 + 300) == WebhookCheck::Ok);
  fail_unless(verify_webhook("whsecret", kBodySignature, "1626230691", kBody,
                             1626230691 - 300) == WebhookCheck::Ok);
  fail_unless(verify_webhook("whsecret", kBodySignature, "1626230691", kBody,
                             1626230691 + 301) == WebhookCheck::StaleTimestamp);
  fail_unless(verify_webhook("whsecret", kBodySignature, "1626230691", kBody,
                             1626230691 - 301) == WebhookCheck::StaleTimestamp);
  fail_unless(verify_webhook("whsecret", kBodySignature, "1626230691", kBody,
                             1626230691 + 30, 10) ==
              WebhookCheck::StaleTimestamp);

  fail_unless(verify_webhook("other", kBodySignature, "1626230691", kBody,
                             now) == WebhookCheck::BadSignature);
  std::string tampered = kBody;
  tampered[tampered.size() - 3] = '4';
  fail_unless(verify_webhook("whsecret", kBodySignature, "1626230691",
                             tampered, now) == WebhookCheck::BadSignature);
  // The signature covers the timestamp too.
  fail_unless(verify_webhook("whsecret", kBodySignature, "1626230692", kBody,
                             now) == WebhookCheck::BadSignature);
  std::string no_prefix = std::string(kBodySignature).substr(3);
  fail_unless(verify_webhook("whsecret", no_prefix, "1626230691", kBody,
                             now) == WebhookCheck::BadSignature);

  fail_unless(verify_webhook("whsecret", "", "1626230691", kBody, now) ==
              WebhookCheck::MissingSignature);
  fail_unless(verify_webhook("whsecret", kBodySignature, "", kBody, now) ==
              WebhookCheck::MissingTimestamp);
  for (const char *bad : {"abc", "1626230691.5", "-1626230691", " 1626230691",
                          "+1626230691", "99999999999999999999999"}) {
    fail_unless(verify_webhook("whsecret", kBodySignature, bad, kBody, now) ==
                    WebhookCheck::MalformedTimestamp,
                "timestamp '%s'", bad);
  }
  assert_str(to_string(WebhookCheck::Ok), "OK");
  assert_str(to_string(WebhookCheck::StaleTimestamp), "STALE_TIMESTAMP");
  assert_str(to_string(WebhookCheck::BadSignature), "BAD_SIGNATURE");
  assert_str(to_string(WebhookCheck::MalformedTimestamp), "MALFORMED_TIMESTAMP");
}
GST_END_TEST;

GST_START_TEST(test_url_validation_response)
{
  // printf 'qgg8vlvZRS6UYooatFL8Aw' | openssl dgst -sha256 -hmac whsecret
  assert_str(url_validation_response("qgg8vlvZRS6UYooatFL8Aw", "whsecret"),
             "{\"plainToken\":\"qgg8vlvZRS6UYooatFL8Aw\",\"encryptedToken\":"
             "\"ddf88355b0e25119268d211b77198b1a6f8a8c6389e35b8cc44b380fbc76ad52\"}");
  // A token that needs JSON escaping still yields valid JSON.
  std::string odd = url_validation_response("a\"b\\c", "k");
  JsonParser *parser = json_parser_new();
  fail_unless(json_parser_load_from_data(parser, odd.c_str(), -1, nullptr));
  JsonObject *o = json_node_get_object(json_parser_get_root(parser));
  assert_str(json_object_get_string_member(o, "plainToken"), "a\"b\\c");
  g_object_unref(parser);
}
GST_END_TEST;

static Suite *
signature_suite(void)
{
  Suite *s = suite_create("rtms-signature");
  TCase *tc = tcase_create("signature");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_hmac_vectors);
  tcase_add_test(tc, test_handshake_signature);
  tcase_add_test(tc, test_verify_handshake_signature);
  tcase_add_test(tc, test_constant_time_equal);
  tcase_add_test(tc, test_webhook_signature);
  tcase_add_test(tc, test_verify_webhook);
  tcase_add_test(tc, test_url_validation_response);
  return s;
}

GST_CHECK_MAIN(signature);
