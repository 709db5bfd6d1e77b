// Webhook parsing and verification (protocol/webhook.h, signature.h).
//
// Input: a webhook body as it arrives over HTTP. An input that starts with
// "#headers\n" carries two more lines first, the x-zm-signature and the
// x-zm-request-timestamp values, then the body.
//  * parse_webhook never crashes; what it accepts re-encodes (encode_webhook)
//    to a body that parses again to the same encoding.
//  * verify_webhook accepts the body under the signature we compute for it,
//    refuses it with one character of the signature changed, and accepts
//    fuzzed headers only when they are exactly that signature and a decimal
//    timestamp within the window.
//  * url_validation_response is JSON that json-glib parses back to the token.
#include <json-glib/json-glib.h>

#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "protocol/signature.h"
#include "protocol/webhook.h"

namespace {

constexpr std::string_view kSecret = "fuzz-webhook-secret";
constexpr int64_t kNow = 1700000000;

bool take_line(std::string_view *rest, std::string_view *line) {
  size_t nl = rest->find('\n');
  if (nl == std::string_view::npos) return false;
  *line = rest->substr(0, nl);
  rest->remove_prefix(nl + 1);
  return true;
}

void check_url_validation(const std::string &plain) {
  const std::string answer = rtms::url_validation_response(plain, kSecret);
  JsonParser *parser = json_parser_new();
  GError *error = nullptr;
  bool parsed = json_parser_load_from_data(parser, answer.data(), gssize(answer.size()), &error);
  std::string why = error ? error->message : "";
  g_clear_error(&error);
  std::string back;
  if (parsed) {
    JsonNode *root = json_parser_get_root(parser);
    if (root && JSON_NODE_HOLDS_OBJECT(root)) {
      const char *v = json_object_get_string_member_with_default(json_node_get_object(root), "plainToken", "");
      back = v ? v : "";
    }
  }
  g_object_unref(parser);
  FUZZ_CHECK(parsed, "url_validation_response is not JSON: " + why + "\n" + fuzz::printable(answer));
  FUZZ_CHECK(back == plain, "plainToken does not survive url_validation_response: " + fuzz::printable(plain));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view input(reinterpret_cast<const char *>(data), size);
  std::string_view sig_header, ts_header;
  bool has_headers = false;
  if (input.substr(0, 9) == "#headers\n") {
    std::string_view rest = input.substr(9);
    if (take_line(&rest, &sig_header) && take_line(&rest, &ts_header)) {
      has_headers = true;
      input = rest;
    }
  }
  const std::string_view body = input;

  // Verification over the raw bytes.
  const std::string ts = std::to_string(kNow - 5);
  const std::string good = rtms::webhook_signature(kSecret, ts, body);
  FUZZ_CHECK(rtms::verify_webhook(kSecret, good, ts, body, kNow) == rtms::WebhookCheck::Ok,
             "the body's own signature is refused");
  std::string bad = good;
  bad[bad.size() - 1 - body.size() % 60] ^= 1;
  FUZZ_CHECK(rtms::verify_webhook(kSecret, bad, ts, body, kNow) == rtms::WebhookCheck::BadSignature,
             "a changed signature is not refused");
  if (has_headers) {
    auto check = rtms::verify_webhook(kSecret, sig_header, ts_header, body, kNow);
    (void)rtms::to_string(check);
    if (check == rtms::WebhookCheck::Ok) {
      FUZZ_CHECK(sig_header == rtms::webhook_signature(kSecret, ts_header, body),
                 "accepted a signature header that is not the body's signature");
      bool digits = !ts_header.empty();
      for (char c : ts_header) digits = digits && c >= '0' && c <= '9';
      FUZZ_CHECK(digits, "accepted a timestamp header that is not decimal: " + fuzz::printable(ts_header));
    }
  }

  // Parsing.
  auto parsed = rtms::parse_webhook(body);
  if (!parsed.ok()) {
    FUZZ_CHECK(!parsed.error().message.empty(), "an error without a message");
    return 0;
  }
  (void)rtms::to_string(parsed->kind);
  for (const auto &url : parsed->server_urls) FUZZ_CHECK(!url.empty(), "an empty server URL");
  if (parsed->kind == rtms::WebhookKind::UrlValidation) check_url_validation(parsed->plain_token);

  const std::string encoded = rtms::encode_webhook(*parsed);
  FUZZ_CHECK(g_utf8_validate(encoded.data(), gssize(encoded.size()), nullptr),
             "parse_webhook returned text that is not UTF-8\nencoded: " + fuzz::printable(encoded) +
                 "\ninput: " + fuzz::printable(body));
  auto again = rtms::parse_webhook(encoded);
  FUZZ_CHECK(again.ok(), "encode_webhook's output does not parse: " + again.error().describe() +
                             "\nencoded: " + fuzz::printable(encoded) + "\ninput: " + fuzz::printable(body));
  FUZZ_CHECK(rtms::encode_webhook(*again) == encoded,
             "re-encoding changed\nencoded: " + fuzz::printable(encoded) + "\nagain: " +
                 fuzz::printable(rtms::encode_webhook(*again)));
  return 0;
}
