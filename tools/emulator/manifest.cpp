#include "manifest.h"

#include "json_text.h"

namespace emulator {
namespace {

void add_int(JsonBuilder *b, const char *name, int64_t value) {
  json_builder_set_member_name(b, name);
  json_builder_add_int_value(b, value);
}

void add_string(JsonBuilder *b, const char *name, const std::string &value) {
  json_builder_set_member_name(b, name);
  json_builder_add_string_value(b, value.c_str());
}

// A copy, because reading a GChecksum's digest closes it for updates.
void add_digest(JsonBuilder *b, const char *name, GChecksum *checksum) {
  auto copy = rtms::adopt(g_checksum_copy(checksum));
  json_builder_set_member_name(b, name);
  json_builder_add_string_value(b, g_checksum_get_string(copy.get()));
}

}  // namespace

std::string Manifest::AudioTally::digest() const {
  if (sha256) {
    // A copy, because reading a GChecksum's digest closes it for updates.
    auto copy = rtms::adopt(g_checksum_copy(sha256.get()));
    return g_checksum_get_string(copy.get());
  }
  if (prefix_of != nullptr) return prefix_of->prefix_sha256(static_cast<size_t>(packets));
  auto empty = rtms::adopt(g_checksum_new(G_CHECKSUM_SHA256));
  return g_checksum_get_string(empty.get());
}

Manifest::Manifest(std::string rtms_stream_id, std::string meeting_uuid)
    : rtms_stream_id_(std::move(rtms_stream_id)), meeting_uuid_(std::move(meeting_uuid)) {}

void Manifest::add_media_handshake(uint32_t media_type, int status_code,
                                   const rtms::MediaParams *effective, const std::string &path) {
  media_handshakes_.push_back({media_type, status_code, effective != nullptr,
                               effective ? *effective : rtms::MediaParams{}, path});
}

void Manifest::add_event_subscription(std::vector<int> event_types) {
  event_subscriptions_.push_back(std::move(event_types));
}

void Manifest::add_audio(int64_t user_id, const std::string &user_name, const PayloadSequence &sequence,
                         size_t index, int64_t timestamp) {
  AudioTally &tally = audio_[user_id];
  const Payload &payload = sequence.payload(index);
  if (tally.packets == 0) {
    tally.user_name = user_name;
    tally.first_ts = timestamp;
  }
  const bool continues_prefix = !tally.sha256 && (tally.packets == 0 || tally.prefix_of == &sequence) &&
                                index == static_cast<size_t>(tally.packets);
  if (continues_prefix) {
    tally.prefix_of = &sequence;
  } else {
    if (!tally.sha256) {
      tally.sha256 = rtms::adopt(g_checksum_new(G_CHECKSUM_SHA256));
      for (int64_t i = 0; tally.prefix_of != nullptr && i < tally.packets; ++i) {
        const Payload &earlier = tally.prefix_of->payload(static_cast<size_t>(i));
        g_checksum_update(tally.sha256.get(), earlier.data(), static_cast<gssize>(earlier.size()));
      }
      tally.prefix_of = nullptr;
    }
    g_checksum_update(tally.sha256.get(), payload.data(), static_cast<gssize>(payload.size()));
  }
  const size_t size = payload.size();
  tally.packets++;
  tally.bytes += static_cast<int64_t>(size);
  tally.last_ts = timestamp;
}

void Manifest::add_video(bool deskshare, int64_t user_id, const std::string &user_name, const uint8_t *data,
                         size_t size, int64_t timestamp, bool keyframe) {
  VideoTally &tally = (deskshare ? deskshare_ : video_)[user_id];
  if (!tally.sha256) {
    tally.sha256 = rtms::adopt(g_checksum_new(G_CHECKSUM_SHA256));
    tally.user_name = user_name;
    tally.first_ts = timestamp;
  }
  g_checksum_update(tally.sha256.get(), data, static_cast<gssize>(size));
  tally.frames++;
  tally.bytes += static_cast<int64_t>(size);
  tally.last_ts = timestamp;
  if (keyframe) tally.keyframes++;
}

void Manifest::add_transcript(int64_t user_id, const std::string &user_name, int64_t start_time,
                              int64_t end_time, int language, const std::string &text) {
  transcript_.push_back({user_id, user_name, start_time, end_time, language, text});
}

void Manifest::add_chat(int64_t user_id, const std::string &user_name, int64_t timestamp,
                        const std::string &text, bool structured, int64_t to) {
  chat_.push_back({user_id, user_name, timestamp, text, structured, to});
}

void Manifest::add_video_subscription(int64_t user_id, bool subscribe, int status_code) {
  video_subscriptions_.push_back({user_id, subscribe, status_code});
}

void Manifest::add_event(rtms::GRef<JsonNode> event) { events_.push_back(std::move(event)); }

void Manifest::add_violation(const char *socket, int status_code, std::string what) {
  violations_.push_back({socket, status_code, std::move(what)});
}

size_t Manifest::add_injection(const char *kind, const char *socket, int64_t at_ms) {
  injections_.push_back({kind, socket, at_ms, false});
  return injections_.size() - 1;
}

void Manifest::add_close(const char *socket, int code, bool by_server) {
  closes_.push_back({socket, code, by_server});
}

std::string Manifest::to_json() const {
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "rtms_stream_id");
  json_builder_add_string_value(b, rtms_stream_id_.c_str());
  json_builder_set_member_name(b, "meeting_uuid");
  json_builder_add_string_value(b, meeting_uuid_.c_str());

  json_builder_set_member_name(b, "client");
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "signaling_handshakes");
  json_builder_add_int_value(b, signaling_handshakes_);
  json_builder_set_member_name(b, "media_handshakes");
  json_builder_begin_array(b);
  for (const auto &h : media_handshakes_) {
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "media_type");
    json_builder_add_int_value(b, h.media_type);
    json_builder_set_member_name(b, "status_code");
    json_builder_add_int_value(b, h.status_code);
    json_builder_set_member_name(b, "path");
    json_builder_add_string_value(b, h.path.c_str());
    json_builder_set_member_name(b, "effective");
    json_builder_begin_object(b);
    if (h.has_effective) rtms::build_media_params(b, h.effective);
    json_builder_end_object(b);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  json_builder_set_member_name(b, "ready_acks");
  json_builder_add_int_value(b, ready_acks_);
  json_builder_set_member_name(b, "event_subscriptions");
  json_builder_begin_array(b);
  for (const auto &list : event_subscriptions_) {
    json_builder_begin_array(b);
    for (int type : list) json_builder_add_int_value(b, type);
    json_builder_end_array(b);
  }
  json_builder_end_array(b);
  json_builder_set_member_name(b, "stream_close_req");
  json_builder_add_boolean_value(b, stream_close_req_);
  json_builder_end_object(b);

  json_builder_set_member_name(b, "keepalives");
  json_builder_begin_object(b);
  for (const auto &[name, count] : {std::pair<const char *, const KeepAliveCount &>{"signaling", signaling_keepalives_},
                                    std::pair<const char *, const KeepAliveCount &>{"media", media_keepalives_}}) {
    json_builder_set_member_name(b, name);
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "sent");
    json_builder_add_int_value(b, count.sent);
    json_builder_set_member_name(b, "answered");
    json_builder_add_int_value(b, count.answered);
    json_builder_set_member_name(b, "skipped_busy");
    json_builder_add_int_value(b, count.skipped_busy);
    json_builder_end_object(b);
  }
  json_builder_end_object(b);

  json_builder_set_member_name(b, "audio");
  json_builder_begin_object(b);
  for (const auto &[user_id, tally] : audio_) {
    json_builder_set_member_name(b, std::to_string(user_id).c_str());
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "user_name");
    json_builder_add_string_value(b, tally.user_name.c_str());
    json_builder_set_member_name(b, "packets");
    json_builder_add_int_value(b, tally.packets);
    json_builder_set_member_name(b, "bytes");
    json_builder_add_int_value(b, tally.bytes);
    json_builder_set_member_name(b, "first_ts");
    json_builder_add_int_value(b, tally.first_ts);
    json_builder_set_member_name(b, "last_ts");
    json_builder_add_int_value(b, tally.last_ts);
    json_builder_set_member_name(b, "sha256");
    json_builder_add_string_value(b, tally.digest().c_str());
    json_builder_end_object(b);
  }
  json_builder_end_object(b);

  for (const auto &[key, tallies] : {std::pair<const char *, const std::map<int64_t, VideoTally> &>{"video", video_},
                                     std::pair<const char *, const std::map<int64_t, VideoTally> &>{"deskshare", deskshare_}}) {
    json_builder_set_member_name(b, key);
    json_builder_begin_object(b);
    for (const auto &[user_id, tally] : tallies) {
      json_builder_set_member_name(b, std::to_string(user_id).c_str());
      json_builder_begin_object(b);
      add_string(b, "user_name", tally.user_name);
      add_int(b, "frames", tally.frames);
      add_int(b, "bytes", tally.bytes);
      add_int(b, "first_ts", tally.first_ts);
      add_int(b, "last_ts", tally.last_ts);
      add_digest(b, "sha256", tally.sha256.get());
      add_int(b, "keyframes", tally.keyframes);
      json_builder_end_object(b);
    }
    json_builder_end_object(b);
  }

  json_builder_set_member_name(b, "transcript");
  json_builder_begin_array(b);
  for (const auto &t : transcript_) {
    json_builder_begin_object(b);
    add_int(b, "user_id", t.user_id);
    add_string(b, "user_name", t.user_name);
    add_int(b, "start_time", t.start_time);
    add_int(b, "end_time", t.end_time);
    add_int(b, "language", t.language);
    add_string(b, "text", t.text);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);

  json_builder_set_member_name(b, "chat");
  json_builder_begin_array(b);
  for (const auto &c : chat_) {
    json_builder_begin_object(b);
    add_int(b, "user_id", c.user_id);
    add_string(b, "user_name", c.user_name);
    add_int(b, "timestamp", c.timestamp);
    add_string(b, "text", c.text);
    json_builder_set_member_name(b, "structured");
    json_builder_add_boolean_value(b, c.structured);
    json_builder_set_member_name(b, "to");
    if (c.to != 0) json_builder_add_int_value(b, c.to);
    else json_builder_add_null_value(b);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);

  json_builder_set_member_name(b, "video_subscriptions");
  json_builder_begin_array(b);
  for (const auto &v : video_subscriptions_) {
    json_builder_begin_object(b);
    add_int(b, "user_id", v.user_id);
    json_builder_set_member_name(b, "subscribe");
    json_builder_add_boolean_value(b, v.subscribe);
    add_int(b, "status_code", v.status_code);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);

  json_builder_set_member_name(b, "events_sent");
  json_builder_begin_array(b);
  for (const auto &event : events_) json_builder_add_value(b, json_node_copy(event.get()));
  json_builder_end_array(b);

  json_builder_set_member_name(b, "violations");
  json_builder_begin_array(b);
  for (const auto &v : violations_) {
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "socket");
    json_builder_add_string_value(b, v.socket.c_str());
    json_builder_set_member_name(b, "status_code");
    json_builder_add_int_value(b, v.status_code);
    json_builder_set_member_name(b, "what");
    json_builder_add_string_value(b, v.what.c_str());
    json_builder_end_object(b);
  }
  json_builder_end_array(b);

  json_builder_set_member_name(b, "injected");
  json_builder_begin_array(b);
  for (const auto &i : injections_) {
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "kind");
    json_builder_add_string_value(b, i.kind.c_str());
    json_builder_set_member_name(b, "socket");
    json_builder_add_string_value(b, i.socket.c_str());
    json_builder_set_member_name(b, "at_ms");
    json_builder_add_int_value(b, i.at_ms);
    json_builder_set_member_name(b, "sent");
    json_builder_add_boolean_value(b, i.sent);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);

  json_builder_set_member_name(b, "closes");
  json_builder_begin_array(b);
  for (const auto &c : closes_) {
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "socket");
    json_builder_add_string_value(b, c.socket.c_str());
    json_builder_set_member_name(b, "code");
    json_builder_add_int_value(b, c.code);
    json_builder_set_member_name(b, "by");
    json_builder_add_string_value(b, c.by_server ? "server" : "client");
    json_builder_end_object(b);
  }
  json_builder_end_array(b);

  json_builder_set_member_name(b, "stop_reason");
  json_builder_add_int_value(b, stop_reason_);
  json_builder_end_object(b);
  return builder_to_text(b, true);
}

bool Manifest::write(const std::string &path, std::string *error) const {
  std::string text = to_json() + "\n";
  g_autoptr(GError) gerror = nullptr;
  if (!g_file_set_contents(path.c_str(), text.c_str(), static_cast<gssize>(text.size()), &gerror)) {
    *error = gerror->message;
    return false;
  }
  return true;
}

}  // namespace emulator
