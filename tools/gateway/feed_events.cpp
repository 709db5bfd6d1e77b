#include "feed_events.h"

#include <algorithm>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "common/gref.h"
#include "protocol/json_fields.h"

namespace gateway {

namespace {

// One JSON object or array, built member by member; text() is one line.
class Json {
 public:
  JsonBuilder *b() { return b_.get(); }
  Json &begin() {
    json_builder_begin_object(b_.get());
    return *this;
  }
  Json &end() {
    json_builder_end_object(b_.get());
    return *this;
  }
  Json &str(const char *name, const std::string &value) {
    json_builder_set_member_name(b_.get(), name);
    json_builder_add_string_value(b_.get(), value.c_str());
    return *this;
  }
  Json &num(const char *name, int64_t value) {
    json_builder_set_member_name(b_.get(), name);
    json_builder_add_int_value(b_.get(), value);
    return *this;
  }
  Json &null(const char *name) {
    json_builder_set_member_name(b_.get(), name);
    json_builder_add_null_value(b_.get());
    return *this;
  }
  Json &person(const char *name, const FeedPerson &p) {
    json_builder_set_member_name(b_.get(), name);
    begin().num("user_id", p.user_id).str("user_name", p.user_name).end();
    return *this;
  }
  std::string text() {
    std::string out = rtms::json::to_compact_string(b_.get());
    return out.empty() ? "{}" : out;
  }

 private:
  rtms::GRef<JsonBuilder> b_ = rtms::adopt(json_builder_new());
};

std::string person_json(const FeedPerson &p) {
  Json j;
  j.begin().num("user_id", p.user_id).str("user_name", p.user_name).end();
  return j.text();
}

// Text from the element is UTF-8 already; anything else would make
// json-glib write invalid JSON, so it is made valid first.
std::string utf8(const std::string &text) {
  if (g_utf8_validate(text.data(), gssize(text.size()), nullptr)) return text;
  g_autofree gchar *valid = g_utf8_make_valid(text.data(), gssize(text.size()));
  return valid;
}

}  // namespace

FeedState::FeedState(std::string stream_id, std::string meeting)
    : stream_id_(std::move(stream_id)), meeting_(std::move(meeting)) {}

std::string FeedState::name_of(int64_t user_id) const {
  for (const FeedPerson &p : present_)
    if (p.user_id == user_id) return p.user_name;
  if (speaker_ && speaker_->user_id == user_id) return speaker_->user_name;
  if (sharer_ && sharer_->user_id == user_id) return sharer_->user_name;
  return "";
}

std::string FeedState::name_for(int64_t user_id, const char *given) const {
  return given && *given ? utf8(given) : name_of(user_id);
}

std::string FeedState::join(int64_t user_id, const char *user_name) {
  FeedPerson p{user_id, name_for(user_id, user_name)};
  auto found = std::find_if(present_.begin(), present_.end(),
                            [&](const FeedPerson &q) { return q.user_id == user_id; });
  if (found != present_.end())
    found->user_name = p.user_name;  // joined again (another device): still one entry
  else
    present_.push_back(p);
  return person_json(p);
}

std::string FeedState::leave(int64_t user_id, const char *user_name) {
  FeedPerson p{user_id, name_for(user_id, user_name)};
  present_.erase(std::remove_if(present_.begin(), present_.end(),
                                [&](const FeedPerson &q) { return q.user_id == user_id; }),
                 present_.end());
  return person_json(p);
}

std::string FeedState::active_speaker(int64_t user_id, const char *user_name) {
  speaker_ = FeedPerson{user_id, name_for(user_id, user_name)};
  return person_json(*speaker_);
}

std::string FeedState::sharing(bool started, int64_t user_id, const char *user_name) {
  // A stop that names nobody ends the current share.
  FeedPerson p = !started && user_id == 0 && sharer_ ? *sharer_ : FeedPerson{user_id, name_for(user_id, user_name)};
  if (started)
    sharer_ = p;
  else
    sharer_.reset();
  Json j;
  j.begin().str("state", started ? "started" : "stopped").num("user_id", p.user_id).str("user_name", p.user_name).end();
  return j.text();
}

std::string FeedState::set_state(const std::string &state, const std::string &reason) {
  if (state == state_ && reason == reason_) return "";
  state_ = state;
  reason_ = utf8(reason);
  Json j;
  j.begin().str("state", state_).str("reason", reason_).end();
  return j.text();
}

std::string FeedState::roster() const {
  Json j;
  j.begin().str("stream_id", utf8(stream_id_)).str("meeting", utf8(meeting_)).str("state", state_);
  json_builder_set_member_name(j.b(), "participants");
  json_builder_begin_array(j.b());
  for (const FeedPerson &p : present_) j.begin().num("user_id", p.user_id).str("user_name", p.user_name).end();
  json_builder_end_array(j.b());
  if (speaker_)
    j.person("active_speaker", *speaker_);
  else
    j.null("active_speaker");
  if (sharer_)
    j.person("sharing", *sharer_);
  else
    j.null("sharing");
  j.end();
  return j.text();
}

std::string transcript_json(const TranscriptLine &line) {
  Json j;
  j.begin()
      .num("user_id", line.user_id)
      .str("user_name", utf8(line.user_name))
      .str("text", utf8(line.text))
      .num("language", line.language)
      .str("language_name", utf8(line.language_name))
      .num("start_ms", line.start_ms)
      .num("end_ms", line.end_ms)
      .end();
  return j.text();
}

std::string chat_json(const ChatLine &line) {
  Json j;
  j.begin()
      .num("user_id", line.user_id)
      .str("user_name", utf8(line.user_name))
      .str("text", utf8(line.text))
      .num("timestamp_ms", line.timestamp_ms);
  if (line.private_message) j.num("to_user_id", line.to_user_id).str("to_user_name", utf8(line.to_user_name));
  j.end();
  return j.text();
}

std::string health_json(const FeedHealth &health) {
  Json j;
  j.begin()
      .num("reconnects", int64_t(health.reconnects))
      .num("bytes", int64_t(health.bytes))
      .num("buffers", int64_t(health.buffers))
      .num("uptime_ms", health.uptime_ms)
      .end();
  return j.text();
}

std::string streams_json(const std::vector<StreamSummary> &streams) {
  Json j;
  json_builder_begin_array(j.b());
  for (const StreamSummary &s : streams)
    j.begin()
        .str("stream_id", utf8(s.stream_id))
        .str("meeting", utf8(s.meeting))
        .str("state", s.state)
        .str("started_at", s.started_at)
        .num("participants", int64_t(s.participants))
        .end();
  json_builder_end_array(j.b());
  return j.text();
}

std::string iso8601_utc(int64_t unix_us) {
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(unix_us / G_USEC_PER_SEC);
  if (!t) return "";
  g_autofree gchar *seconds = g_date_time_format(t, "%Y-%m-%dT%H:%M:%S");
  char ms[8];
  g_snprintf(ms, sizeof ms, ".%03dZ", int((unix_us / 1000) % 1000));
  return std::string(seconds) + ms;
}

std::string sse_event(uint64_t id, std::string_view type, std::string_view data) {
  std::string out = "id: " + std::to_string(id) + "\nevent: ";
  out.append(type);
  out += "\ndata: ";
  for (char c : data)
    if (c != '\n' && c != '\r') out += c;
  out += "\n\n";
  return out;
}

std::string sse_comment(std::string_view text) {
  std::string out = ": ";
  for (char c : text)
    if (c != '\n' && c != '\r') out += c;
  out += "\n\n";
  return out;
}

bool feed_events_path(std::string_view path, std::string *stream_id) {
  constexpr std::string_view prefix = "/streams/", suffix = "/events";
  if (path.size() <= prefix.size() + suffix.size() || path.substr(0, prefix.size()) != prefix ||
      path.substr(path.size() - suffix.size()) != suffix)
    return false;
  std::string raw(path.substr(prefix.size(), path.size() - prefix.size() - suffix.size()));
  if (raw.find('/') != std::string::npos) return false;
  g_autofree gchar *decoded = g_uri_unescape_string(raw.c_str(), "/");
  if (!decoded || !*decoded) return false;
  *stream_id = decoded;
  return true;
}

namespace {

bool same_constant_time(const std::string &a, std::string_view b) {
  // The length is not secret; the bytes are compared without an early exit.
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); i++) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

bool feed_token_ok(const std::string &expected, const char *authorization, const char *query_token) {
  if (expected.empty()) return true;
  bool ok = false;
  if (authorization) {
    std::string_view value(authorization);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (value.size() > 7 && g_ascii_strncasecmp(value.data(), "Bearer ", 7) == 0) {
      value.remove_prefix(7);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
      ok |= same_constant_time(expected, value);
    }
  }
  if (query_token) ok |= same_constant_time(expected, query_token);
  return ok;
}

}  // namespace gateway
