// The live feed's pure parts (docs/gateway.md, "Live feed"): what one stream
// looks like to a feed consumer (who is present, who speaks, who shares, the
// stream's state), the JSON of every event, the Server-Sent Events framing,
// the feed's paths and its token check. No I/O, no GStreamer: live_feed.*
// feeds it from the element and writes what it returns.
//
// Field names are a contract with consumers (the browser page, programs):
// fields may be added, never renamed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gateway {

struct FeedPerson {
  int64_t user_id = 0;
  std::string user_name;
};

// The roster and state of one stream. Each change returns the `data` JSON
// (one line) of the event that tells it.
class FeedState {
 public:
  FeedState(std::string stream_id, std::string meeting);

  // participant_join / participant_leave: {"user_id","user_name"}. A name
  // the element did not give is taken from the roster ("" when unknown).
  std::string join(int64_t user_id, const char *user_name);
  std::string leave(int64_t user_id, const char *user_name);
  // active_speaker: {"user_id","user_name"}.
  std::string active_speaker(int64_t user_id, const char *user_name);
  // sharing: {"state":"started"|"stopped","user_id","user_name"}.
  std::string sharing(bool started, int64_t user_id, const char *user_name);
  // state: {"state","reason"}; empty when neither changed.
  std::string set_state(const std::string &state, const std::string &reason);

  // roster: {"stream_id","meeting","state","participants":[...],
  // "active_speaker":{...}|null,"sharing":{...}|null}.
  std::string roster() const;

  const std::string &state() const { return state_; }
  size_t participants() const { return present_.size(); }
  // The roster's name for a user ("" when unknown).
  std::string name_of(int64_t user_id) const;

 private:
  std::string name_for(int64_t user_id, const char *given) const;

  std::string stream_id_, meeting_;
  std::string state_ = "connecting", reason_ = "waiting for the RTMS server";
  std::vector<FeedPerson> present_;  // in the order they joined
  std::optional<FeedPerson> speaker_, sharer_;
};

// transcript: {"user_id","user_name","text","language","language_name",
// "start_ms","end_ms"}; times are the server's (ms since the epoch),
// language the RTMS language number (-1 unknown).
struct TranscriptLine {
  int64_t user_id = 0;
  std::string user_name, text, language_name;
  int language = -1;
  int64_t start_ms = 0, end_ms = 0;
};
std::string transcript_json(const TranscriptLine &line);

// chat: {"user_id","user_name","text","timestamp_ms"} and, for a message to
// one person, "to_user_id" and "to_user_name".
struct ChatLine {
  int64_t user_id = 0;
  std::string user_name, text;
  int64_t timestamp_ms = 0;
  bool private_message = false;
  int64_t to_user_id = 0;
  std::string to_user_name;
};
std::string chat_json(const ChatLine &line);

// health: {"reconnects","bytes","buffers","uptime_ms"}.
struct FeedHealth {
  uint64_t reconnects = 0, bytes = 0, buffers = 0;
  int64_t uptime_ms = 0;
};
std::string health_json(const FeedHealth &health);

// GET /streams: [{"stream_id","meeting","state","started_at","participants"}].
struct StreamSummary {
  std::string stream_id, meeting, state;
  std::string started_at;  // ISO 8601, UTC
  size_t participants = 0;
};
std::string streams_json(const std::vector<StreamSummary> &streams);
// ISO 8601 UTC with milliseconds, e.g. 2026-12-06T10:54:59.123Z.
std::string iso8601_utc(int64_t unix_us);

// One Server-Sent Event: "id: N\nevent: TYPE\ndata: JSON\n\n". data must be
// one line (the JSON above always is); anything after a line break in it
// would be cut off by the framing, so line breaks are dropped.
std::string sse_event(uint64_t id, std::string_view type, std::string_view data);
// A comment line (": text\n\n"), which consumers ignore: the keep-alive.
std::string sse_comment(std::string_view text);

// /streams/{stream_id}/events: the stream id (percent-decoded, not empty,
// no '/'); false for any other path.
bool feed_events_path(std::string_view path, std::string *stream_id);

// Whether a request carries the token: "Authorization: Bearer <token>" or
// the query parameter token=<token> (either may be null). Compared in
// constant time. An empty expected token accepts everything.
bool feed_token_ok(const std::string &expected, const char *authorization, const char *query_token);

}  // namespace gateway
