#include "webhook.h"

#include <json-glib/json-glib.h>

#include "json_fields.h"

namespace rtms {

namespace {

using json::ErrorSink;
using json::ObjectReader;

struct PrefixProduct {
  std::string_view prefix;
  Product product;
};
// contactcenter. and phone. appear only in the JS/Python libraries, but cost
// nothing to accept.
constexpr PrefixProduct kPrefixes[] = {
    {"meeting.", Product::Meeting},
    {"webinar.", Product::Webinar},
    {"session.", Product::VideoSdk},
    {"contact_center.voice_", Product::ContactCenter},
    {"contact_center.", Product::ContactCenter},
    {"contactcenter.", Product::ContactCenter},
    {"phone.", Product::Phone},
};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

WebhookKind kind_of(std::string_view event) {
  if (event == "endpoint.url_validation")
    return WebhookKind::UrlValidation;
  if (event == "rtms.concurrency_near_limit")
    return WebhookKind::ConcurrencyNearLimit;
  if (event == "rtms.concurrency_limited")
    return WebhookKind::ConcurrencyLimited;
  if (event == "rtms.start_failed")
    return WebhookKind::StartFailed;
  if (ends_with(event, "rtms_started"))
    return WebhookKind::RtmsStarted;
  if (ends_with(event, "rtms_stopped"))
    return WebhookKind::RtmsStopped;
  if (ends_with(event, "rtms_interrupted"))
    return WebhookKind::RtmsInterrupted;
  return WebhookKind::Unknown;
}

bool product_of_event(std::string_view event, Product *out) {
  for (const auto &p : kPrefixes) {
    if (starts_with(event, p.prefix)) {
      *out = p.product;
      return true;
    }
  }
  return false;
}

// session_id first: a Video SDK payload may also carry a meeting_uuid.
constexpr const char *kIdKeys[] = {"session_id", "meeting_uuid",
                                   "webinar_uuid", "engagement_id", "call_id"};
constexpr Product kIdProducts[] = {Product::VideoSdk, Product::Meeting,
                                   Product::Webinar, Product::ContactCenter,
                                   Product::Phone};

// Field lookup over payload.object (when present) and then payload, so both
// nestings read the same way.
struct PayloadFields {
  std::optional<ObjectReader> inner;
  ObjectReader outer;

  const ObjectReader &holder(const char *name) const {
    if (inner && inner->has(name))
      return *inner;
    return outer;
  }
  bool has(const char *name) const { return holder(name).has(name); }
};

const char *event_suffix(WebhookKind kind) {
  switch (kind) {
    case WebhookKind::RtmsStarted:
      return "rtms_started";
    case WebhookKind::RtmsStopped:
      return "rtms_stopped";
    case WebhookKind::RtmsInterrupted:
      return "rtms_interrupted";
    default:
      return nullptr;
  }
}

std::string default_event_name(const Webhook &w) {
  switch (w.kind) {
    case WebhookKind::UrlValidation:
      return "endpoint.url_validation";
    case WebhookKind::ConcurrencyNearLimit:
      return "rtms.concurrency_near_limit";
    case WebhookKind::ConcurrencyLimited:
      return "rtms.concurrency_limited";
    case WebhookKind::StartFailed:
      return "rtms.start_failed";
    default:
      break;
  }
  const char *suffix = event_suffix(w.kind);
  if (!suffix)
    return std::string();
  switch (w.identity.product) {
    case Product::Meeting:
      return std::string("meeting.") + suffix;
    case Product::Webinar:
      return std::string("webinar.") + suffix;
    case Product::VideoSdk:
      return std::string("session.") + suffix;
    case Product::ContactCenter:
      return std::string("contact_center.voice_") + suffix;
    case Product::Phone:
      return std::string("phone.") + suffix;
  }
  return std::string();
}

void read_server_urls(const ObjectReader &r, Webhook *w) {
  JsonNode *node = r.member("server_urls");
  if (!node)
    return;
  if (JSON_NODE_HOLDS_ARRAY(node)) {
    // Not what Zoom sends, but an array is an unambiguous way to say the same.
    JsonArray *array = json_node_get_array(node);
    for (guint i = 0; i < json_array_get_length(array); i++) {
      JsonNode *el = json_array_get_element(array, i);
      if (!JSON_NODE_HOLDS_VALUE(el) ||
          json_node_get_value_type(el) != G_TYPE_STRING) {
        r.sink()->fail(r.field("server_urls") + "[" + std::to_string(i) + "]",
                       "expected a string, got " + json::describe_node(el));
        return;
      }
      // Repaired like every other string (a lone surrogate escape decodes to
      // invalid UTF-8; tests/fuzz/repro/webhook-server-urls-array-lone-surrogate).
      for (auto &url : split_server_urls(json::node_string(el)))
        w->server_urls.push_back(std::move(url));
    }
    return;
  }
  if (auto s = r.opt_string("server_urls"))
    w->server_urls = split_server_urls(*s);
}

// A field whose type no source documents: a string or an integer as text,
// otherwise nothing (never an error: the stream must still start).
std::string tolerant_text(const ObjectReader &r, const char *name) {
  JsonNode *node = r.member(name);
  if (!node || !JSON_NODE_HOLDS_VALUE(node))
    return std::string();
  GType type = json_node_get_value_type(node);
  if (type == G_TYPE_STRING)
    return json::node_string(node);  // repaired to valid UTF-8
  if (type == G_TYPE_INT64)
    return std::to_string(json_node_get_int(node));
  return std::string();
}

}  // namespace

const char *to_string(WebhookKind kind) {
  switch (kind) {
    case WebhookKind::Unknown:
      return "UNKNOWN";
    case WebhookKind::UrlValidation:
      return "URL_VALIDATION";
    case WebhookKind::RtmsStarted:
      return "RTMS_STARTED";
    case WebhookKind::RtmsStopped:
      return "RTMS_STOPPED";
    case WebhookKind::RtmsInterrupted:
      return "RTMS_INTERRUPTED";
    case WebhookKind::ConcurrencyNearLimit:
      return "CONCURRENCY_NEAR_LIMIT";
    case WebhookKind::ConcurrencyLimited:
      return "CONCURRENCY_LIMITED";
    case WebhookKind::StartFailed:
      return "START_FAILED";
  }
  return "UNKNOWN";
}

std::vector<std::string> split_server_urls(std::string_view urls) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= urls.size()) {
    size_t comma = urls.find(',', start);
    if (comma == std::string_view::npos)
      comma = urls.size();
    std::string_view part = urls.substr(start, comma - start);
    size_t b = part.find_first_not_of(" \t\r\n");
    if (b != std::string_view::npos) {
      size_t e = part.find_last_not_of(" \t\r\n");
      out.emplace_back(part.substr(b, e - b + 1));
    }
    start = comma + 1;
  }
  return out;
}

Result<Webhook> parse_webhook(std::string_view text) {
  GRef<JsonParser> parser;
  auto root = json::parse_object(text, &parser);
  if (!root)
    return root.error();
  ErrorSink sink;
  ObjectReader body(*root, "", &sink);
  Webhook w;

  std::optional<ObjectReader> payload;
  if (body.has("event")) {
    w.event = body.req_string("event");
    w.event_ts = body.opt_int("event_ts").value_or(0);
    payload = body.req_object("payload");
  } else if (body.has("payload")) {
    payload = body.req_object("payload");
  } else {
    payload = body;  // only the payload was handed over, as SDK join() takes
  }
  if (sink.failed())
    return *sink.error;
  if (!payload)
    return Result<Webhook>::fail("payload", "missing required field");

  PayloadFields f{std::nullopt, *payload};
  if (JsonNode *node = payload->member("object");
      node && JSON_NODE_HOLDS_OBJECT(node))
    f.inner = payload->opt_object("object");

  if (!w.event.empty()) {
    w.kind = kind_of(w.event);
  } else if (f.has("plainToken")) {
    w.kind = WebhookKind::UrlValidation;
  } else if (f.has("server_urls")) {
    // A bare payload with URLs is what a stream start hands to join().
    w.kind = WebhookKind::RtmsStarted;
  } else if (f.has("stop_reason")) {
    w.kind = WebhookKind::RtmsStopped;
  }

  if (w.kind == WebhookKind::UrlValidation) {
    w.plain_token = f.holder("plainToken").req_string("plainToken");
    if (sink.failed())
      return *sink.error;
    return w;
  }

  // rtms.concurrency_limited names the instance inside id_field.
  std::optional<ObjectReader> id_holder;
  if (f.has("id_field"))
    id_holder = f.holder("id_field").opt_object("id_field");
  bool have_product = product_of_event(w.event, &w.identity.product);
  bool found_id = false;
  auto try_key = [&](const char *key) {
    const ObjectReader &r = id_holder ? *id_holder : f.holder(key);
    if (!r.has(key))
      return false;
    w.identity.instance_id = r.opt_text(key).value_or("");
    return true;
  };
  if (have_product)
    found_id = try_key(identity_key(w.identity.product));
  for (size_t i = 0; !found_id && i < G_N_ELEMENTS(kIdKeys); i++) {
    if (try_key(kIdKeys[i])) {
      found_id = true;
      if (!have_product)
        w.identity.product = kIdProducts[i];
    }
  }

  w.session_key = f.holder("session_key").opt_text("session_key").value_or("");
  w.operator_id = f.holder("operator_id").opt_text("operator_id").value_or("");
  w.rtms_stream_id =
      f.holder("rtms_stream_id").opt_string("rtms_stream_id").value_or("");
  read_server_urls(f.holder("server_urls"), &w);
  w.account_id = tolerant_text(f.holder("account_id"), "account_id");
  w.meeting_id = tolerant_text(f.holder("meeting_id"), "meeting_id");
  w.webinar_id = tolerant_text(f.holder("webinar_id"), "webinar_id");
  if (JsonNode *node = f.holder("is_original_host").member("is_original_host");
      node && JSON_NODE_HOLDS_VALUE(node) &&
      json_node_get_value_type(node) == G_TYPE_BOOLEAN)
    w.is_original_host = json_node_get_boolean(node) != FALSE;
  if (auto reason = f.holder("stop_reason")
                        .opt_int("stop_reason", INT32_MIN, INT32_MAX)) {
    w.has_stop_reason = true;
    w.stop_reason = static_cast<StopReason>(*reason);
  }
  if (sink.failed())
    return *sink.error;

  if (w.kind == WebhookKind::RtmsStarted) {
    const ObjectReader &where = f.inner ? *f.inner : f.outer;
    if (w.rtms_stream_id.empty())
      return Result<Webhook>::fail(where.field("rtms_stream_id"),
                                   "missing required field");
    if (!found_id || w.identity.instance_id.empty())
      return Result<Webhook>::fail(
          where.field(identity_key(w.identity.product)),
          "missing required field (the instance id)");
    if (!f.has("server_urls"))
      return Result<Webhook>::fail(where.field("server_urls"),
                                   "missing required field");
    if (w.server_urls.empty())
      return Result<Webhook>::fail(where.field("server_urls"),
                                   "holds no URL");
  }
  return w;
}

std::string encode_webhook(const Webhook &w) {
  auto builder = adopt(json_builder_new());
  JsonBuilder *b = builder.get();
  auto str = [b](const char *name, const std::string &v) {
    json_builder_set_member_name(b, name);
    json_builder_add_string_value(b, v.c_str());
  };
  json_builder_begin_object(b);
  std::string event = w.event.empty() ? default_event_name(w) : w.event;
  str("event", event);
  json_builder_set_member_name(b, "event_ts");
  json_builder_add_int_value(b, w.event_ts);
  json_builder_set_member_name(b, "payload");
  json_builder_begin_object(b);
  if (w.kind == WebhookKind::UrlValidation) {
    str("plainToken", w.plain_token);
  } else {
    // An empty id is written when only its key says the product (as it
    // came: "session_id": ""), so that reading this back gives the same.
    if (!w.identity.instance_id.empty() || w.identity.product != Product::Meeting)
      str(identity_key(w.identity.product), w.identity.instance_id);
    if (w.identity.product == Product::VideoSdk && !w.session_key.empty())
      str("session_key", w.session_key);
    if (!w.operator_id.empty())
      str("operator_id", w.operator_id);
    if (!w.rtms_stream_id.empty())
      str("rtms_stream_id", w.rtms_stream_id);
    if (!w.server_urls.empty()) {
      std::string joined;
      for (const auto &url : w.server_urls) {
        if (!joined.empty())
          joined.push_back(',');
        joined += url;
      }
      str("server_urls", joined);
    }
    if (w.has_stop_reason) {
      json_builder_set_member_name(b, "stop_reason");
      json_builder_add_int_value(b, int(w.stop_reason));
    }
    if (!w.account_id.empty())
      str("account_id", w.account_id);
    if (!w.meeting_id.empty())
      str("meeting_id", w.meeting_id);
    if (!w.webinar_id.empty())
      str("webinar_id", w.webinar_id);
    if (w.is_original_host) {
      json_builder_set_member_name(b, "is_original_host");
      json_builder_add_boolean_value(b, *w.is_original_host);
    }
  }
  json_builder_end_object(b);
  json_builder_end_object(b);
  return json::to_compact_string(b);
}

}  // namespace rtms
