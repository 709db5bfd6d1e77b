#include "event_frames.h"

#include <algorithm>
#include <cmath>

#include <json-glib/json-glib.h>

#include "log.h"
#include "protocol/untrusted_text.h"

namespace gateway {

namespace {

// Frames and token answers are small flat objects; these bounds are far
// above them and far below what costs anything.
rtms::JsonLimits small_json_limits() {
  rtms::JsonLimits limits;
  limits.max_depth = 8;
  limits.max_values = 1000;
  return limits;
}

// The root object of text, or nullptr with *error set. The parser stays
// alive in *parser (it owns the nodes).
JsonObject *parse_object(std::string_view text, JsonParser **parser, std::string *error) {
  std::string bounds = rtms::json_check_limits(text, small_json_limits());
  if (!bounds.empty()) {
    *error = bounds;
    return nullptr;
  }
  *parser = json_parser_new();
  GError *raw_error = nullptr;
  if (!json_parser_load_from_data(*parser, text.data(), gssize(text.size()), &raw_error)) {
    *error = std::string("not JSON: ") + (raw_error ? raw_error->message : "?");
    if (raw_error) g_error_free(raw_error);
    return nullptr;
  }
  JsonNode *root = json_parser_get_root(*parser);
  if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
    *error = "not a JSON object";
    return nullptr;
  }
  return json_node_get_object(root);
}

// A member that must be a string when present.
bool string_member(JsonObject *object, const char *name, std::string *out, std::string *error) {
  JsonNode *node = json_object_get_member(object, name);
  if (!node) return true;
  if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING) {
    *error = std::string("\"") + name + "\" is not a string";
    return false;
  }
  *out = json_node_get_string(node);
  return true;
}

}  // namespace

bool parse_event_frame(std::string_view text, size_t max_content_bytes, EventFrame *frame,
                       std::string *error) {
  g_autoptr(JsonParser) parser = nullptr;
  JsonObject *object = parse_object(text, &parser, error);
  if (!object) return false;
  if (!json_object_has_member(object, "module")) {
    *error = "no \"module\" member";
    return false;
  }
  if (!string_member(object, "module", &frame->module, error)) return false;
  if (JsonNode *success = json_object_get_member(object, "success")) {
    if (!JSON_NODE_HOLDS_VALUE(success) || json_node_get_value_type(success) != G_TYPE_BOOLEAN) {
      *error = "\"success\" is not a boolean";
      return false;
    }
    frame->success = json_node_get_boolean(success);
  }
  if (frame->module == "build_connection") {
    frame->kind = EventFrame::Kind::BuildConnection;
  } else if (frame->module == "heartbeat") {
    frame->kind = EventFrame::Kind::Heartbeat;
  } else if (frame->module == "message") {
    frame->kind = EventFrame::Kind::Message;
    JsonNode *content = json_object_get_member(object, "content");
    if (!content) {
      *error = "message without \"content\"";
      return false;
    }
    if (!string_member(object, "content", &frame->content, error)) return false;
    if (frame->content.size() > max_content_bytes) {
      *error = "content of " + std::to_string(frame->content.size()) +
               " bytes is over the limit of " + std::to_string(max_content_bytes) + " (--max-body)";
      return false;
    }
  } else {
    frame->kind = EventFrame::Kind::Other;
  }
  return true;
}

const char *heartbeat_frame() { return "{\"module\":\"heartbeat\"}"; }

bool parse_token_answer(std::string_view body, AccessToken *token, std::string *error) {
  g_autoptr(JsonParser) parser = nullptr;
  JsonObject *object = parse_object(body, &parser, error);
  if (!object) return false;
  if (!string_member(object, "access_token", &token->token, error)) return false;
  if (token->token.empty()) {
    *error = "no \"access_token\"";
    return false;
  }
  // The token goes into a URL's query: refuse what would need escaping
  // rather than trust an escaper with it.
  for (char c : token->token) {
    if (!g_ascii_isalnum(c) && c != '-' && c != '_' && c != '.' && c != '~') {
      *error = "\"access_token\" holds a character a token never has";
      return false;
    }
  }
  JsonNode *expires = json_object_get_member(object, "expires_in");
  if (!expires || !JSON_NODE_HOLDS_VALUE(expires) ||
      json_node_get_value_type(expires) != G_TYPE_INT64) {
    *error = "\"expires_in\" is missing or not an integer";
    return false;
  }
  token->expires_in_s = json_node_get_int(expires);
  if (token->expires_in_s < 1 || token->expires_in_s > 366 * 86400) {
    *error = "\"expires_in\" of " + std::to_string(token->expires_in_s) + " s is out of range";
    return false;
  }
  return true;
}

std::string describe_token_error(std::string_view body) {
  std::string error;
  g_autoptr(JsonParser) parser = nullptr;
  JsonObject *object = parse_object(body, &parser, &error);
  if (!object) return {};
  std::string code, reason;
  if (!string_member(object, "error", &code, &error) ||
      !string_member(object, "reason", &reason, &error))
    return {};
  if (code.empty() && reason.empty()) return {};
  return tools::log_safe(code + (code.empty() || reason.empty() ? "" : ": ") + reason, 200);
}

std::string token_request_query(const std::string &account_id) {
  if (account_id.empty()) return "grant_type=client_credentials";
  g_autofree gchar *escaped = g_uri_escape_string(account_id.c_str(), nullptr, FALSE);
  return std::string("grant_type=account_credentials&account_id=") + escaped;
}

int64_t token_refresh_after_s(int64_t expires_in_s) {
  int64_t after = expires_in_s * 4 / 5;
  if (expires_in_s >= 300) after = std::min(after, expires_in_s - 60);
  return std::max<int64_t>(after, 1);
}

int64_t backoff_delay_ms(int attempt, int64_t base_ms, int64_t max_ms, double random01) {
  int64_t delay = base_ms;
  for (int i = 0; i < attempt && delay < max_ms; i++) delay *= 2;
  delay = std::min(delay, max_ms);
  double jitter = std::clamp(random01, 0.0, 1.0);
  return delay / 2 + int64_t(std::floor(double(delay - delay / 2) * jitter));
}

bool RateLimit::allow(int64_t now_us) {
  if (last_us_ >= 0 && now_us > last_us_)
    tokens_ = std::min(burst_, tokens_ + double(now_us - last_us_) * rate_ / 1e6);
  last_us_ = std::max(last_us_, now_us);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

std::string redact(std::string text, const std::string &secret) {
  if (secret.empty()) return text;
  static const std::string kMark = "<redacted>";
  for (size_t at = text.find(secret); at != std::string::npos;
       at = text.find(secret, at + kMark.size()))
    text.replace(at, secret.size(), kMark);
  return text;
}

}  // namespace gateway
