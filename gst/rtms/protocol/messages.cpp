#include "messages.h"
#include "media_fast.h"

#include <json-glib/json-glib.h>

#include "base64.h"
#include "json_fields.h"

namespace rtms {

namespace {

using json::ErrorSink;
using json::ObjectReader;

// ---- encoding helpers -------------------------------------------------------

// Thin wrapper so encoders read as a list of fields.
class Writer {
 public:
  Writer() : builder_(adopt(json_builder_new())) {
    json_builder_begin_object(builder_.get());
  }
  JsonBuilder *raw() const { return builder_.get(); }

  void integer(const char *name, int64_t v) {
    json_builder_set_member_name(raw(), name);
    json_builder_add_int_value(raw(), v);
  }
  void boolean(const char *name, bool v) {
    json_builder_set_member_name(raw(), name);
    json_builder_add_boolean_value(raw(), v);
  }
  void string(const char *name, const std::string &v) {
    json_builder_set_member_name(raw(), name);
    json_builder_add_string_value(raw(), v.c_str());
  }
  void string_if_set(const char *name, const std::string &v) {
    if (!v.empty())
      string(name, v);
  }
  void begin_object(const char *name) {
    json_builder_set_member_name(raw(), name);
    json_builder_begin_object(raw());
  }
  void begin_array(const char *name) {
    json_builder_set_member_name(raw(), name);
    json_builder_begin_array(raw());
  }
  void begin_object_element() { json_builder_begin_object(raw()); }
  void end_object() { json_builder_end_object(raw()); }
  void end_array() { json_builder_end_array(raw()); }

  std::string finish() {
    json_builder_end_object(raw());
    return json::to_compact_string(raw());
  }

 private:
  GRef<JsonBuilder> builder_;
};

void write_identity(Writer &w, const Identity &id) {
  w.string(identity_key(id.product), id.instance_id);
  // The official Video SDK sample sends the id under both keys and is
  // accepted; the decoder prefers session_id, so this still round-trips.
  if (id.product == Product::VideoSdk)
    w.string("meeting_uuid", id.instance_id);
}

// String ids (ZCC) go back out as strings, numeric ones as numbers.
void write_user_id(Writer &w, const Participant &p) {
  if (!p.user_key.empty())
    w.string("user_id", p.user_key);
  else
    w.integer("user_id", p.user_id);
}

void write_participant_fields(Writer &w, const Participant &p) {
  write_user_id(w, p);
  if (p.has_user_name)
    w.string("user_name", p.user_name);
}

// ---- decoding helpers -------------------------------------------------------

constexpr const char *kIdentityKeys[] = {"meeting_uuid", "webinar_uuid",
                                         "session_id", "engagement_id",
                                         "call_id"};
constexpr Product kIdentityProducts[] = {Product::Meeting, Product::Webinar,
                                         Product::VideoSdk,
                                         Product::ContactCenter,
                                         Product::Phone};

Identity read_identity(const ObjectReader &r) {
  Identity id;
  // Video SDK clients send meeting_uuid and session_id together; session_id
  // is then the id the signature was made over.
  if (r.has("session_id")) {
    id.product = Product::VideoSdk;
    id.instance_id = r.req_string("session_id");
  } else {
    bool found = false;
    for (size_t i = 0; i < G_N_ELEMENTS(kIdentityKeys); i++) {
      if (r.has(kIdentityKeys[i])) {
        id.product = kIdentityProducts[i];
        id.instance_id = r.req_string(kIdentityKeys[i]);
        found = true;
        break;
      }
    }
    if (!found) {
      r.fail("meeting_uuid",
             "missing required field (the instance id: one of meeting_uuid, "
             "webinar_uuid, session_id, engagement_id, call_id)");
      return id;
    }
  }
  if (id.instance_id.empty() && !r.sink()->failed())
    r.fail(identity_key(id.product), "must not be empty");
  return id;
}

// user_id is a number in most examples, a numeric string in some, and an
// opaque string Zoom user id for ZCC; the last is kept in user_key.
void read_user_id(const ObjectReader &r, const char *name, Participant *p) {
  JsonNode *node = r.member(name);
  if (!node)
    return;
  if (JSON_NODE_HOLDS_VALUE(node) &&
      json_node_get_value_type(node) == G_TYPE_STRING) {
    std::string s = json::node_string(node);
    int64_t v = 0;
    if (json::parse_decimal(s, &v))
      p->user_id = v;
    else
      p->user_key = s;
    return;
  }
  if (auto v = r.opt_int(name))
    p->user_id = *v;
}

Participant read_participant(const ObjectReader &r) {
  Participant p;
  read_user_id(r, "user_id", &p);
  if (auto name = r.opt_string("user_name")) {
    p.user_name = *name;
    p.has_user_name = true;
  }
  return p;
}

int64_t read_timestamp(const ObjectReader &r) {
  return r.opt_int("timestamp").value_or(0);
}

int read_int32(const ObjectReader &r, const char *name) {
  return static_cast<int>(r.req_int(name, INT32_MIN, INT32_MAX));
}

int opt_int32(const ObjectReader &r, const char *name, int fallback) {
  return static_cast<int>(
      r.opt_int(name, INT32_MIN, INT32_MAX).value_or(fallback));
}

// ---- per-message decoders ---------------------------------------------------

SignalingHandshakeReq decode_signaling_req(const ObjectReader &r) {
  SignalingHandshakeReq m;
  m.protocol_version = opt_int32(r, "protocol_version", 1);
  m.sequence = r.opt_int("sequence").value_or(m.sequence);
  m.identity = read_identity(r);
  m.rtms_stream_id = r.req_string("rtms_stream_id");
  m.signature = r.req_string("signature");
  m.buffer_data = r.opt_bool("buffer_data");
  return m;
}

SignalingHandshakeResp decode_signaling_resp(const ObjectReader &r) {
  SignalingHandshakeResp m;
  m.protocol_version = opt_int32(r, "protocol_version", 1);
  m.sequence = r.opt_int("sequence").value_or(0);
  m.status_code = static_cast<StatusCode>(read_int32(r, "status_code"));
  m.reason = r.opt_string("reason").value_or("");
  if (auto server = r.opt_object("media_server")) {
    if (auto urls = server->opt_object("server_urls")) {
      JsonObjectIter iter;
      const gchar *key;
      JsonNode *node;
      json_object_iter_init(&iter, urls->object());
      while (json_object_iter_next(&iter, &key, &node)) {
        if (JSON_NODE_HOLDS_NULL(node))
          continue;
        if (auto url = urls->opt_string(key))
          m.media_urls[key] = *url;
      }
    }
  }
  return m;
}

// Both media handshakes carry an optional media_params object.
void read_media_params(const ObjectReader &r, MediaParams *out) {
  auto params = r.opt_object("media_params");
  if (!params) return;
  auto parsed = parse_media_params(params->object(), params->path());
  if (parsed)
    *out = std::move(*parsed);
  else
    r.sink()->fail(parsed.error().field, parsed.error().message);
}

DataHandshakeReq decode_data_req(const ObjectReader &r) {
  DataHandshakeReq m;
  m.protocol_version = opt_int32(r, "protocol_version", 1);
  m.sequence = r.opt_int("sequence").value_or(0);
  m.identity = read_identity(r);
  m.rtms_stream_id = r.req_string("rtms_stream_id");
  m.signature = r.req_string("signature");
  m.media_type = static_cast<uint32_t>(r.req_int("media_type", 0, UINT32_MAX));
  m.payload_encryption = r.opt_bool("payload_encryption");
  read_media_params(r, &m.media_params);
  return m;
}

DataHandshakeResp decode_data_resp(const ObjectReader &r) {
  DataHandshakeResp m;
  m.protocol_version = opt_int32(r, "protocol_version", 1);
  m.sequence = r.opt_int("sequence").value_or(0);
  m.status_code = static_cast<StatusCode>(read_int32(r, "status_code"));
  m.reason = r.opt_string("reason").value_or("");
  m.payload_encrypted = r.opt_bool("payload_encrypted").value_or(false);
  read_media_params(r, &m.media_params);
  return m;
}

EventSubscription decode_subscription(const ObjectReader &r) {
  EventSubscription m;
  JsonArray *events = r.req_array("events");
  if (!events)
    return m;
  guint n = json_array_get_length(events);
  for (guint i = 0; i < n; i++) {
    std::string path = r.field("events") + "[" + std::to_string(i) + "]";
    auto entry = json::node_to_object(json_array_get_element(events, i), path,
                                      r.sink());
    if (!entry)
      break;
    EventSubscription::Entry e;
    e.event_type = read_int32(*entry, "event_type");
    e.subscribe = entry->req_bool("subscribe");
    m.events.push_back(e);
  }
  return m;
}

// ZCC participant objects are kept as text: their fields differ by event and
// only some are documented.
void read_zcc_info(const ObjectReader &info, Event *e) {
  JsonObjectIter iter;
  const gchar *key;
  JsonNode *node;
  json_object_iter_init(&iter, info.object());
  while (json_object_iter_next(&iter, &key, &node)) {
    if (JSON_NODE_HOLDS_VALUE(node) &&
        json_node_get_value_type(node) == G_TYPE_STRING)
      e->zcc_info[json::valid_utf8(key)] = json::node_string(node);
    else if (!JSON_NODE_HOLDS_NULL(node))
      e->zcc_info[json::valid_utf8(key)] = json::valid_utf8(json::node_to_compact_string(node));
  }
}

EventUpdate decode_event_update(const ObjectReader &r) {
  EventUpdate m;
  auto ev = r.req_object("event");
  if (!ev)
    return m;
  Event &e = m.event;
  e.event_type = read_int32(*ev, "event_type");
  // ZCC events carry event_ts instead of timestamp.
  if (ev->has("timestamp"))
    e.timestamp = ev->req_int("timestamp");
  else
    e.timestamp = ev->opt_int("event_ts").value_or(0);
  if (ev->has("user_id")) {
    e.has_user = true;
    e.user = read_participant(*ev);
  }
  if (JsonArray *list = ev->opt_array("participants")) {
    guint n = json_array_get_length(list);
    for (guint i = 0; i < n; i++) {
      std::string path = ev->field("participants") + "[" + std::to_string(i) + "]";
      auto p = json::node_to_object(json_array_get_element(list, i), path,
                                    r.sink());
      if (!p)
        break;
      e.participants.push_back(read_participant(*p));
    }
  }
  // [ZCC-S] spells it paticipant_info; accept the corrected spelling too.
  for (const char *key : {"paticipant_info", "participant_info"}) {
    if (auto info = ev->opt_object(key)) {
      read_zcc_info(*info, &e);
      break;
    }
  }
  return m;
}

StreamStateUpdate decode_stream_state_update(const ObjectReader &r) {
  StreamStateUpdate m;
  m.state = static_cast<StreamState>(read_int32(r, "state"));
  m.reason = static_cast<StopReason>(opt_int32(r, "reason", 0));
  m.timestamp = read_timestamp(r);
  return m;
}

SessionStateUpdate decode_session_state_update(const ObjectReader &r) {
  SessionStateUpdate m;
  m.state = static_cast<SessionState>(read_int32(r, "state"));
  // The [DOC] example says stop_reason, its field table says reason.
  const char *key = r.has("stop_reason") ? "stop_reason" : "reason";
  m.stop_reason = static_cast<StopReason>(opt_int32(r, key, 0));
  m.timestamp = read_timestamp(r);
  m.rtms_session_id = r.opt_string("rtms_session_id").value_or("");
  return m;
}

MediaData decode_media(const ObjectReader &r, MessageType type) {
  MediaData m;
  m.type = type;
  auto c = r.req_object("content");
  if (!c)
    return m;
  m.user = read_participant(*c);
  m.channel_id = c->opt_text("channel_id").value_or("");
  m.data = c->req_string("data");
  bool binary = type == MessageType::MediaDataAudio ||
                type == MessageType::MediaDataVideo ||
                type == MessageType::MediaDataShare;
  if (binary) {
    // Erase in place: video payloads are large and rarely carry a prefix.
    size_t prefix = m.data.size() - strip_data_url_prefix(m.data).size();
    if (prefix)
      m.data.erase(0, prefix);
  }
  if (auto length = c->opt_int("length", 0)) {
    m.has_length = true;
    m.length = *length;
  }
  m.timestamp = c->req_int("timestamp");
  auto start = c->opt_int("start_time");
  auto end = c->opt_int("end_time");
  if (start || end) {
    m.has_times = true;
    m.start_time = start.value_or(0);
    m.end_time = end.value_or(0);
  }
  if (auto lang = c->opt_int("language", INT32_MIN, INT32_MAX)) {
    m.has_language = true;
    m.language = static_cast<int>(*lang);
  }
  m.attribute = static_cast<DataMessageAttribute>(opt_int32(*c, "attribute", 0));
  return m;
}

Message decode_body(const ObjectReader &r, MessageType type) {
  switch (type) {
    case MessageType::SignalingHandshakeReq:
      return decode_signaling_req(r);
    case MessageType::SignalingHandshakeResp:
      return decode_signaling_resp(r);
    case MessageType::DataHandshakeReq:
      return decode_data_req(r);
    case MessageType::DataHandshakeResp:
      return decode_data_resp(r);
    case MessageType::EventSubscription:
      return decode_subscription(r);
    case MessageType::EventUpdate:
      return decode_event_update(r);
    case MessageType::ClientReadyAck:
      return ClientReadyAck{r.req_string("rtms_stream_id")};
    case MessageType::StreamStateUpdate:
      return decode_stream_state_update(r);
    case MessageType::SessionStateUpdate:
      return decode_session_state_update(r);
    case MessageType::SessionStateReq:
      return SessionStateReq{r.req_string("rtms_session_id")};
    case MessageType::SessionStateResp: {
      SessionStateResp m;
      m.state = static_cast<SessionState>(read_int32(r, "state"));
      m.rtms_session_id = r.opt_string("rtms_session_id").value_or("");
      m.timestamp = read_timestamp(r);
      return m;
    }
    case MessageType::KeepAliveReq:
      return KeepAliveReq{r.req_int("timestamp")};
    case MessageType::KeepAliveResp:
      return KeepAliveResp{r.req_int("timestamp")};
    case MessageType::StreamStateReq:
      return StreamStateReq{r.req_string("rtms_stream_id")};
    case MessageType::StreamStateResp: {
      StreamStateResp m;
      m.state = static_cast<StreamState>(read_int32(r, "state"));
      m.rtms_stream_id = r.opt_string("rtms_stream_id").value_or("");
      m.timestamp = read_timestamp(r);
      return m;
    }
    case MessageType::StreamCloseReq:
      return StreamCloseReq{r.req_string("rtms_stream_id")};
    case MessageType::StreamCloseResp: {
      StreamCloseResp m;
      m.status_code = static_cast<StatusCode>(read_int32(r, "status_code"));
      m.rtms_stream_id = r.opt_string("rtms_stream_id").value_or("");
      m.reason = r.opt_string("reason").value_or("");
      m.timestamp = read_timestamp(r);
      return m;
    }
    case MessageType::VideoSubscriptionReq: {
      VideoSubscriptionReq m;
      m.user_id = r.req_int("user_id");
      m.subscribe = r.req_bool("subscribe");
      m.timestamp = read_timestamp(r);
      return m;
    }
    case MessageType::VideoSubscriptionResp: {
      VideoSubscriptionResp m;
      m.user_id = r.req_int("user_id");
      m.status_code = static_cast<StatusCode>(read_int32(r, "status_code"));
      m.reason = r.opt_string("reason").value_or("");
      m.timestamp = read_timestamp(r);
      return m;
    }
    default:
      return decode_media(r, type);
  }
}

// ---- per-message encoders ---------------------------------------------------

struct Encoder {
  Writer &w;

  void operator()(const SignalingHandshakeReq &m) {
    w.integer("protocol_version", m.protocol_version);
    w.integer("sequence", m.sequence);
    write_identity(w, m.identity);
    w.string("rtms_stream_id", m.rtms_stream_id);
    w.string("signature", m.signature);
    if (m.buffer_data)
      w.boolean("buffer_data", *m.buffer_data);
  }
  void operator()(const SignalingHandshakeResp &m) {
    w.integer("protocol_version", m.protocol_version);
    w.integer("sequence", m.sequence);
    w.integer("status_code", int(m.status_code));
    // Documented as always present, empty on success.
    w.string("reason", m.reason);
    if (!m.media_urls.empty()) {
      w.begin_object("media_server");
      w.begin_object("server_urls");
      for (const auto &[key, url] : m.media_urls)
        w.string(key.c_str(), url);
      w.end_object();
      w.end_object();
    }
  }
  void operator()(const DataHandshakeReq &m) {
    w.integer("protocol_version", m.protocol_version);
    w.integer("sequence", m.sequence);
    write_identity(w, m.identity);
    w.string("rtms_stream_id", m.rtms_stream_id);
    w.string("signature", m.signature);
    w.integer("media_type", m.media_type);
    if (m.payload_encryption)
      w.boolean("payload_encryption", *m.payload_encryption);
    media_params(m.media_params);
  }
  void operator()(const DataHandshakeResp &m) {
    w.integer("protocol_version", m.protocol_version);
    w.integer("sequence", m.sequence);
    w.integer("status_code", int(m.status_code));
    w.string("reason", m.reason);  // empty on success
    w.boolean("payload_encrypted", m.payload_encrypted);
    media_params(m.media_params);
  }
  void operator()(const EventSubscription &m) {
    w.begin_array("events");
    for (const auto &e : m.events) {
      w.begin_object_element();
      w.integer("event_type", e.event_type);
      w.boolean("subscribe", e.subscribe);
      w.end_object();
    }
    w.end_array();
  }
  void operator()(const EventUpdate &m) {
    const Event &e = m.event;
    w.begin_object("event");
    w.integer("event_type", e.event_type);
    // A ZCC event goes out the way Contact Center sends it: event_ts and the
    // misspelt paticipant_info.
    bool zcc = !e.zcc_info.empty();
    w.integer(zcc ? "event_ts" : "timestamp", e.timestamp);
    if (e.has_user)
      write_participant_fields(w, e.user);
    if (!e.participants.empty()) {
      w.begin_array("participants");
      for (const auto &p : e.participants) {
        w.begin_object_element();
        write_participant_fields(w, p);
        w.end_object();
      }
      w.end_array();
    }
    if (zcc) {
      w.begin_object("paticipant_info");
      for (const auto &[key, value] : e.zcc_info)
        w.string(key.c_str(), value);
      w.end_object();
    }
    w.end_object();
  }
  void operator()(const ClientReadyAck &m) {
    w.string("rtms_stream_id", m.rtms_stream_id);
  }
  void operator()(const StreamStateUpdate &m) {
    w.integer("state", int(m.state));
    w.integer("reason", int(m.reason));
    w.integer("timestamp", m.timestamp);
  }
  void operator()(const SessionStateUpdate &m) {
    w.integer("state", int(m.state));
    if (m.stop_reason != StopReason::Undefined)
      w.integer("stop_reason", int(m.stop_reason));
    w.integer("timestamp", m.timestamp);
    w.string_if_set("rtms_session_id", m.rtms_session_id);
  }
  void operator()(const SessionStateReq &m) {
    w.string("rtms_session_id", m.rtms_session_id);
  }
  void operator()(const SessionStateResp &m) {
    w.string_if_set("rtms_session_id", m.rtms_session_id);
    w.integer("state", int(m.state));
    w.integer("timestamp", m.timestamp);
  }
  void operator()(const KeepAliveReq &m) { w.integer("timestamp", m.timestamp); }
  void operator()(const KeepAliveResp &m) {
    w.integer("timestamp", m.timestamp);
  }
  void operator()(const MediaData &m) {
    w.begin_object("content");
    // ZCC audio names the speaker by channel only.
    if (m.channel_id.empty() || m.user.user_id != 0 || !m.user.user_key.empty())
      write_user_id(w, m.user);
    if (m.user.has_user_name)
      w.string("user_name", m.user.user_name);
    w.string_if_set("channel_id", m.channel_id);
    w.string("data", m.data);
    if (m.has_length)
      w.integer("length", m.length);
    w.integer("timestamp", m.timestamp);
    if (m.has_times) {
      w.integer("start_time", m.start_time);
      w.integer("end_time", m.end_time);
    }
    if (m.has_language)
      w.integer("language", m.language);
    if (m.attribute != DataMessageAttribute::None)
      w.integer("attribute", int(m.attribute));
    w.end_object();
  }
  void operator()(const StreamStateReq &m) {
    w.string("rtms_stream_id", m.rtms_stream_id);
  }
  void operator()(const StreamStateResp &m) {
    w.integer("state", int(m.state));
    w.string_if_set("rtms_stream_id", m.rtms_stream_id);
    w.integer("timestamp", m.timestamp);
  }
  void operator()(const StreamCloseReq &m) {
    w.string("rtms_stream_id", m.rtms_stream_id);
  }
  void operator()(const StreamCloseResp &m) {
    w.string_if_set("rtms_stream_id", m.rtms_stream_id);
    w.integer("status_code", int(m.status_code));
    w.string("reason", m.reason);  // empty on success
    w.integer("timestamp", m.timestamp);
  }
  void operator()(const VideoSubscriptionReq &m) {
    w.integer("user_id", m.user_id);
    w.boolean("subscribe", m.subscribe);
    w.integer("timestamp", m.timestamp);
  }
  void operator()(const VideoSubscriptionResp &m) {
    w.integer("user_id", m.user_id);
    w.integer("status_code", int(m.status_code));
    w.string_if_set("reason", m.reason);
    w.integer("timestamp", m.timestamp);
  }

  void media_params(const MediaParams &p) {
    if (!p.present_types())
      return;
    w.begin_object("media_params");
    build_media_params(w.raw(), p);
    w.end_object();
  }
};

struct TypeOf {
  MessageType operator()(const SignalingHandshakeReq &) const {
    return MessageType::SignalingHandshakeReq;
  }
  MessageType operator()(const SignalingHandshakeResp &) const {
    return MessageType::SignalingHandshakeResp;
  }
  MessageType operator()(const DataHandshakeReq &) const {
    return MessageType::DataHandshakeReq;
  }
  MessageType operator()(const DataHandshakeResp &) const {
    return MessageType::DataHandshakeResp;
  }
  MessageType operator()(const EventSubscription &) const {
    return MessageType::EventSubscription;
  }
  MessageType operator()(const EventUpdate &) const {
    return MessageType::EventUpdate;
  }
  MessageType operator()(const ClientReadyAck &) const {
    return MessageType::ClientReadyAck;
  }
  MessageType operator()(const StreamStateUpdate &) const {
    return MessageType::StreamStateUpdate;
  }
  MessageType operator()(const SessionStateUpdate &) const {
    return MessageType::SessionStateUpdate;
  }
  MessageType operator()(const SessionStateReq &) const {
    return MessageType::SessionStateReq;
  }
  MessageType operator()(const SessionStateResp &) const {
    return MessageType::SessionStateResp;
  }
  MessageType operator()(const KeepAliveReq &) const {
    return MessageType::KeepAliveReq;
  }
  MessageType operator()(const KeepAliveResp &) const {
    return MessageType::KeepAliveResp;
  }
  MessageType operator()(const MediaData &m) const { return m.type; }
  MessageType operator()(const StreamStateReq &) const {
    return MessageType::StreamStateReq;
  }
  MessageType operator()(const StreamStateResp &) const {
    return MessageType::StreamStateResp;
  }
  MessageType operator()(const StreamCloseReq &) const {
    return MessageType::StreamCloseReq;
  }
  MessageType operator()(const StreamCloseResp &) const {
    return MessageType::StreamCloseResp;
  }
  MessageType operator()(const VideoSubscriptionReq &) const {
    return MessageType::VideoSubscriptionReq;
  }
  MessageType operator()(const VideoSubscriptionResp &) const {
    return MessageType::VideoSubscriptionResp;
  }
};

}  // namespace

const char *identity_key(Product product) {
  switch (product) {
    case Product::Meeting:
      return "meeting_uuid";
    case Product::Webinar:
      return "webinar_uuid";
    case Product::VideoSdk:
      return "session_id";
    case Product::ContactCenter:
      return "engagement_id";
    case Product::Phone:
      return "call_id";
  }
  return "meeting_uuid";
}

Result<Message> decode_message(std::string_view text) {
  if (std::optional<MediaData> media = decode_media_fast(text))
    return Message(std::move(*media));
  return decode_message_general(text);
}

Result<Message> decode_message_general(std::string_view text) {
  GRef<JsonParser> parser;
  auto root = json::parse_object(text, &parser);
  if (!root)
    return root.error();
  ErrorSink sink;
  ObjectReader r(*root, "", &sink);
  if (!r.has("msg_type"))
    return Result<Message>::fail("msg_type", "missing required field");
  int type = read_int32(r, "msg_type");
  if (sink.failed())
    return *sink.error;
  if (type >= int(MessageType::MetaDataAudio) &&
      type <= int(MessageType::MetaDataChat))
    return Result<Message>::fail(
        "msg_type", "reserved message type " + std::to_string(type) + " (" +
                        to_string(static_cast<MessageType>(type)) +
                        ") has no documented payload");
  bool known = (type >= int(MessageType::SignalingHandshakeReq) &&
                type <= int(MessageType::StreamCloseResp)) ||
               type == int(MessageType::VideoSubscriptionReq) ||
               type == int(MessageType::VideoSubscriptionResp);
  if (!known)
    return Result<Message>::fail("msg_type", "unknown message type " +
                                                 std::to_string(type));
  Message message = decode_body(r, static_cast<MessageType>(type));
  if (sink.failed())
    return *sink.error;
  return message;
}

std::string encode_message(const Message &message) {
  Writer w;
  w.integer("msg_type", int(message_type_of(message)));
  std::visit(Encoder{w}, message);
  return w.finish();
}

MessageType message_type_of(const Message &message) {
  return std::visit(TypeOf{}, message);
}

// ---- chat --------------------------------------------------------------------

ChatPayload parse_chat_payload(std::string_view data) {
  ChatPayload out;
  out.text = std::string(data);
  // Only text that looks like an object is worth a parse; plain chat lines
  // are the common case.
  size_t first = data.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || data[first] != '{')
    return out;
  GRef<JsonParser> parser;
  auto root = json::parse_object(data, &parser);
  if (!root)
    return out;
  ErrorSink sink;
  ObjectReader r(*root, "", &sink);
  auto sender = r.opt_object("sender");
  if (!sender || sink.failed())
    return out;

  ChatPayload p;
  p.structured = true;
  p.sender = read_participant(*sender);
  if (auto receiver = r.opt_object("receiver")) {
    p.has_receiver = true;
    p.receiver = read_participant(*receiver);
  }
  if (auto session = r.opt_object("chat_session")) {
    p.chat_session_type = opt_int32(*session, "type", 0);
    p.chat_session_id = session->opt_text("id").value_or("");
  }
  p.operation_type = opt_int32(r, "operation_type", 0);
  p.message_id = r.opt_text("message_id").value_or("");
  p.parent_message_id = r.opt_text("parent_message_id").value_or("");
  // No source names the text member of the structured form; these are the
  // names Zoom uses for message text elsewhere.
  for (const char *key : {"content", "text", "message"}) {
    if (auto text = r.opt_string(key)) {
      p.text = *text;
      break;
    }
  }
  // A structured-looking object with badly typed members is still a chat
  // line: show it verbatim rather than lose it.
  if (sink.failed())
    return out;
  return p;
}

std::string encode_chat_payload(const ChatPayload &payload) {
  if (!payload.structured)
    return payload.text;
  Writer w;
  w.begin_object("sender");
  write_participant_fields(w, payload.sender);
  w.end_object();
  if (payload.has_receiver) {
    w.begin_object("receiver");
    write_participant_fields(w, payload.receiver);
    w.end_object();
  }
  if (payload.chat_session_type != 0 || !payload.chat_session_id.empty()) {
    w.begin_object("chat_session");
    w.integer("type", payload.chat_session_type);
    w.string_if_set("id", payload.chat_session_id);
    w.end_object();
  }
  if (payload.operation_type != 0)
    w.integer("operation_type", payload.operation_type);
  w.string_if_set("message_id", payload.message_id);
  w.string_if_set("parent_message_id", payload.parent_message_id);
  w.string("content", payload.text);
  return w.finish();
}

}  // namespace rtms
