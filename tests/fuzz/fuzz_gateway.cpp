// The gateway's pure request check and template filling, compiled from
// tools/gateway/webhook_check.cpp and pipeline_template.cpp.
//
// Input: a body. One that starts with "#headers\n" carries the
// x-zm-signature and x-zm-request-timestamp lines first, as in fuzz_webhook;
// otherwise the body is signed correctly, so the check gets past the
// signature to the parser.
//  * check_webhook: a status the gateway can answer with, a reason label,
//    a webhook exactly when accepted, a detail that never holds the secret
//    or the signature, a JSON answer only for url_validation.
//  * file_safe: only [A-Za-z0-9._-], never empty, never a leading dot.
//  * expand_placeholders: text without a known {name} comes back unchanged;
//    file-safe values put in never bring a quote, a slash or a blank.
//  * valid_rtmp_url: accepted URLs have no quote, backslash or blank.
#include <map>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "pipeline_template.h"
#include "protocol/signature.h"
#include "webhook_check.h"

namespace {

constexpr std::string_view kSecret = "fuzz-gateway-secret";
constexpr int64_t kNow = 1700000000;

bool take_line(std::string_view *rest, std::string_view *line) {
  size_t nl = rest->find('\n');
  if (nl == std::string_view::npos) return false;
  *line = rest->substr(0, nl);
  rest->remove_prefix(nl + 1);
  return true;
}

void check_file_safe(const std::string &value) {
  const std::string safe = gateway::file_safe(value);
  FUZZ_CHECK(!safe.empty() && safe[0] != '.', "file_safe: " + fuzz::printable(safe));
  for (char c : safe)
    FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                   c == '_' || c == '-',
               "file_safe let through: " + fuzz::printable(safe));
  FUZZ_CHECK(safe.size() == value.size() || (value.empty() && safe == "_"), "file_safe changed the length");
}

void check_templates(const std::string &text, const std::string &value) {
  check_file_safe(value);
  check_file_safe(text);
  // No known placeholder: unchanged.
  FUZZ_CHECK(gateway::expand_placeholders(text, {}) == text, "expand_placeholders changed text with no values");
  const std::map<std::string, std::string> values = {
      {"stream_id", gateway::file_safe(value)}, {"meeting", gateway::file_safe(text)},
      {"start_time", "20260101-000000"}, {"out", "/tmp/out"}};
  for (const char *name : {"record", "mixed", "rtmp"}) {
    gateway::PipelineTemplate t;
    FUZZ_CHECK(gateway::shipped_template(name, &t), std::string("no shipped template ") + name);
    const std::string filled = gateway::expand_placeholders(t.launch, values);
    // What the shipped template had, plus only file-safe characters.
    size_t quotes_before = 0, quotes_after = 0;
    for (char c : t.launch) quotes_before += c == '"';
    for (char c : filled) quotes_after += c == '"';
    FUZZ_CHECK(quotes_before == quotes_after, "a value added a quote to the " + std::string(name) + " template");
  }
  const std::string mixed = gateway::expand_placeholders(text, values);
  (void)mixed;
  std::string why;
  if (gateway::valid_rtmp_url(text, &why)) {
    for (char c : text)
      FUZZ_CHECK(c != '"' && c != '\\' && c != ' ' && c != '\t' && c != '\n' && c != '\r',
                 "valid_rtmp_url accepted " + fuzz::printable(text));
  } else {
    FUZZ_CHECK(!why.empty(), "valid_rtmp_url refused without a reason");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view input(reinterpret_cast<const char *>(data), size);
  std::string_view sig_header, ts_header;
  std::string signature;
  const std::string ts = std::to_string(kNow + 7);
  if (input.substr(0, 9) == "#headers\n") {
    std::string_view rest = input.substr(9);
    if (!take_line(&rest, &sig_header) || !take_line(&rest, &ts_header)) return -1;
    input = rest;
  } else {
    signature = rtms::webhook_signature(kSecret, ts, input);
    sig_header = signature;
    ts_header = ts;
  }
  const std::string_view body = input;

  gateway::CheckLimits limits;
  limits.max_body_bytes = 64 * 1024;
  gateway::Verdict v = gateway::check_webhook(kSecret, sig_header, ts_header, body, kNow, limits);
  FUZZ_CHECK(v.status == 200 || v.status == 400 || v.status == 401 || v.status == 413,
             "unexpected status " + std::to_string(v.status));
  FUZZ_CHECK(!v.reason.empty(), "a verdict without a reason");
  FUZZ_CHECK(v.accepted() == v.webhook.has_value(), "a webhook without acceptance, or the reverse");
  // (Unless the body itself holds them: parse errors may quote it.)
  if (body.find(kSecret) == std::string_view::npos)
    FUZZ_CHECK(v.detail.find(kSecret) == std::string::npos, "the detail holds the secret");
  if (sig_header.size() >= 20 && sig_header.substr(0, 3) == "v0=" && body.find(sig_header) == std::string_view::npos)
    FUZZ_CHECK(v.detail.find(sig_header) == std::string::npos, "the detail holds the signature");
  if (!v.response_body.empty())
    FUZZ_CHECK(v.webhook && v.webhook->kind == rtms::WebhookKind::UrlValidation,
               "a response body for something other than url_validation");
  if (v.webhook) {
    FUZZ_CHECK(std::string(gateway::event_label(v.webhook->kind)) == v.reason, "reason is not the event label");
    check_templates(v.webhook->rtms_stream_id, v.webhook->identity.instance_id);
  }
  // The template functions on the raw input as well.
  const size_t half = body.size() / 2;
  check_templates(std::string(body.substr(0, half)), std::string(body.substr(half)));
  return 0;
}
