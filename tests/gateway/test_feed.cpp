// The live feed (docs/gateway.md, "Live feed") of the real gateway, fed by
// the real emulator over real sockets:
//   * a consumer connected from the start gets every transcript line, chat,
//     join, leave, speaker change and share of the script once, in order,
//     with the manifest's fields, between a `state` streaming and a `state`
//     ended, and the connection then closes; a late consumer gets the roster
//     first, matching what had happened, then the same events; the example
//     consumer (examples/feed_consumer.py) prints every line; the token is
//     required (401 without it, in a header or the query) and never logged;
//     the recording is whole;
//   * a consumer that never reads is dropped (logged with its address,
//     counted) while the other consumer gets every chat line and the
//     recording lasts the whole meeting; a consumer over the limit gets 503.
#include <gst/check/gstcheck.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "emulator_run.h"
#include "gateway_run.h"
#include "protocol/webhook.h"
#include "recording_checks.h"
#include "sse_client.h"

namespace {

const char *const kToken = "feed-test-token-7Qk2pZ";

// What one event says, read from its JSON.
struct Ev {
  std::string id, type, text, state, reason, user_name, to_user_name, language_name;
  gint64 user_id = 0, start_ms = 0, end_ms = 0, timestamp_ms = 0, language = 0, to_user_id = -1, bytes = 0;
  std::vector<std::pair<gint64, std::string>> participants;
  gint64 speaker = 0, sharer = 0;  // roster: 0 when null
};

gint64 int_member(JsonObject *o, const char *name, gint64 fallback = 0) {
  return json_object_has_member(o, name) ? json_object_get_int_member(o, name) : fallback;
}
std::string str_member(JsonObject *o, const char *name) {
  return json_object_has_member(o, name) ? json_object_get_string_member(o, name) : "";
}

Ev decode(const SseEvent &e) {
  Ev ev;
  ev.id = e.id;
  ev.type = e.type;
  g_autoptr(JsonParser) parser = json_parser_new();
  fail_unless(json_parser_load_from_data(parser, e.data.c_str(), -1, nullptr), "event %s is not JSON: %s",
              e.type.c_str(), e.data.c_str());
  JsonObject *o = json_node_get_object(json_parser_get_root(parser));
  fail_unless(o != nullptr, "event %s is not a JSON object: %s", e.type.c_str(), e.data.c_str());
  ev.user_id = int_member(o, "user_id");
  ev.user_name = str_member(o, "user_name");
  ev.text = str_member(o, "text");
  ev.state = str_member(o, "state");
  ev.reason = str_member(o, "reason");
  ev.start_ms = int_member(o, "start_ms");
  ev.end_ms = int_member(o, "end_ms");
  ev.timestamp_ms = int_member(o, "timestamp_ms");
  ev.language = int_member(o, "language", -1);
  ev.language_name = str_member(o, "language_name");
  ev.to_user_id = int_member(o, "to_user_id", -1);
  ev.to_user_name = str_member(o, "to_user_name");
  ev.bytes = int_member(o, "bytes", -1);
  if (e.type == "roster") {
    for (const char *field : {"stream_id", "meeting", "state", "participants", "active_speaker", "sharing"})
      fail_unless(json_object_has_member(o, field), "roster without %s: %s", field, e.data.c_str());
    JsonArray *people = json_object_get_array_member(o, "participants");
    for (guint i = 0; i < json_array_get_length(people); i++) {
      JsonObject *p = json_array_get_object_element(people, i);
      ev.participants.emplace_back(int_member(p, "user_id"), str_member(p, "user_name"));
    }
    if (!json_object_get_null_member(o, "active_speaker"))
      ev.speaker = int_member(json_object_get_object_member(o, "active_speaker"), "user_id");
    if (!json_object_get_null_member(o, "sharing"))
      ev.sharer = int_member(json_object_get_object_member(o, "sharing"), "user_id");
  }
  return ev;
}

std::vector<Ev> decode_all(const std::vector<SseEvent> &events) {
  std::vector<Ev> out;
  for (const auto &e : events) out.push_back(decode(e));
  return out;
}

bool has_type(const std::vector<SseEvent> &events, const char *type, size_t count = 1) {
  size_t n = 0;
  for (const auto &e : events) n += e.type == type;
  return n >= count;
}

bool ended(const std::vector<SseEvent> &events) {
  return !events.empty() && events.back().type == "state" && events.back().data.find("\"ended\"") != std::string::npos;
}

std::string stream_id_of(const std::string &webhook) {
  rtms::Result<rtms::Webhook> parsed = rtms::parse_webhook(webhook);
  fail_unless(parsed.ok(), "the emulator's webhook does not parse");
  return parsed->rtms_stream_id;
}

// Connects as soon as the stream exists (404 until the gateway has
// started it).
std::unique_ptr<SseClient> connect_feed(GatewayRun &gw, const std::string &path, const std::string &headers) {
  for (int attempt = 0; attempt < 500; attempt++) {
    auto client = std::make_unique<SseClient>();
    fail_unless(client->open(gw.port(), path, headers), "cannot connect to the gateway");
    int status = client->status(5000);
    if (status == 200) return client;
    fail_unless(status == 404, "the feed answered %d:\n%s", status, client->head().c_str());
    g_usleep(10000);
  }
  ck_abort_msg("the stream's feed never appeared");
  return nullptr;
}

std::string temp_dir() {
  g_autofree char *dir = g_dir_make_tmp("rtms-feed-XXXXXX", nullptr);
  fail_unless(dir != nullptr);
  return dir;
}

// The non-text events the script produced, from the manifest's
// events_sent, as the feed says them: "type user_id user_name".
std::vector<std::string> expected_events(JsonObject *manifest) {
  std::vector<std::string> out;
  std::map<gint64, std::string> names;
  std::pair<gint64, std::string> sharer{0, ""};
  JsonArray *sent = json_object_get_array_member(manifest, "events_sent");
  for (guint i = 0; i < json_array_get_length(sent); i++) {
    JsonObject *e = json_array_get_object_element(sent, i);
    gint64 type = json_object_get_int_member(e, "event_type");
    if (type == 3 || type == 4) {
      JsonArray *people = json_object_get_array_member(e, "participants");
      for (guint j = 0; j < json_array_get_length(people); j++) {
        JsonObject *p = json_array_get_object_element(people, j);
        gint64 id = int_member(p, "user_id");
        if (json_object_has_member(p, "user_name")) names[id] = str_member(p, "user_name");
        out.push_back(std::string(type == 3 ? "participant_join " : "participant_leave ") + std::to_string(id) + " " +
                      names[id]);
      }
    } else if (type == 2) {
      out.push_back("active_speaker " + std::to_string(int_member(e, "user_id")) + " " + str_member(e, "user_name"));
    } else if (type == 5) {
      sharer = {int_member(e, "user_id"), str_member(e, "user_name")};
      out.push_back("sharing started " + std::to_string(sharer.first) + " " + sharer.second);
    } else if (type == 6) {
      out.push_back("sharing stopped " + std::to_string(sharer.first) + " " + sharer.second);
    }
  }
  return out;
}

std::vector<std::string> observed_events(const std::vector<Ev> &events) {
  std::vector<std::string> out;
  for (const Ev &e : events) {
    std::string who = std::to_string(e.user_id) + " " + e.user_name;
    if (e.type == "participant_join" || e.type == "participant_leave" || e.type == "active_speaker")
      out.push_back(e.type + " " + who);
    else if (e.type == "sharing")
      out.push_back("sharing " + e.state + " " + who);
  }
  return out;
}

std::string joined(const std::vector<std::string> &lines) {
  std::string out;
  for (const auto &l : lines) out += "  " + l + "\n";
  return out;
}

// Every transcript line and chat message of the manifest, once, in order,
// with its fields.
void check_text_events(const std::vector<Ev> &events, JsonObject *manifest) {
  std::vector<std::string> expected, observed;
  JsonArray *lines = json_object_get_array_member(manifest, "transcript");
  for (guint i = 0; i < json_array_get_length(lines); i++) {
    JsonObject *l = json_array_get_object_element(lines, i);
    expected.push_back(std::to_string(int_member(l, "user_id")) + "|" + str_member(l, "user_name") + "|" +
                       str_member(l, "text") + "|" + std::to_string(int_member(l, "language")) + "|" +
                       std::to_string(int_member(l, "start_time")) + "|" + std::to_string(int_member(l, "end_time")));
  }
  for (const Ev &e : events)
    if (e.type == "transcript")
      observed.push_back(std::to_string(e.user_id) + "|" + e.user_name + "|" + e.text + "|" +
                         std::to_string(e.language) + "|" + std::to_string(e.start_ms) + "|" +
                         std::to_string(e.end_ms));
  fail_unless(expected == observed, "transcript lines: expected\n%sgot\n%s", joined(expected).c_str(),
              joined(observed).c_str());

  expected.clear();
  observed.clear();
  JsonArray *chats = json_object_get_array_member(manifest, "chat");
  for (guint i = 0; i < json_array_get_length(chats); i++) {
    JsonObject *c = json_array_get_object_element(chats, i);
    gint64 to = json_object_get_null_member(c, "to") ? -1 : int_member(c, "to");
    expected.push_back(std::to_string(int_member(c, "user_id")) + "|" + str_member(c, "user_name") + "|" +
                       str_member(c, "text") + "|" + std::to_string(int_member(c, "timestamp")) + "|" +
                       std::to_string(to));
  }
  for (const Ev &e : events)
    if (e.type == "chat")
      observed.push_back(std::to_string(e.user_id) + "|" + e.user_name + "|" + e.text + "|" +
                         std::to_string(e.timestamp_ms) + "|" + std::to_string(e.to_user_id));
  fail_unless(expected == observed, "chat: expected\n%sgot\n%s", joined(expected).c_str(), joined(observed).c_str());
}

std::string read_file(const std::string &path) {
  gchar *raw = nullptr;
  gsize size = 0;
  if (!g_file_get_contents(path.c_str(), &raw, &size, nullptr)) return "";
  std::string text(raw, size);
  g_free(raw);
  return text;
}

}  // namespace

GST_START_TEST(feed_follows_the_meeting) {
  std::string dir = temp_dir();
  std::string token_file = dir + "/token";
  fail_unless(g_file_set_contents(token_file.c_str(), (std::string(kToken) + "\n").c_str(), -1, nullptr));
  // Every debug category at DEBUG: the token is in no line at any level.
  g_setenv("GST_DEBUG", "*:5", TRUE);
  GatewayRun gw;
  gw.log_file = dir + "/gateway.log";
  gw.start({"--pipeline",
            "rtmssrc name=src push-mode=network-thread media=audio+video+deskshare+transcript+chat "
            "queue name=video ! fakesink queue name=deskshare ! fakesink",
            "--per-participant-audio", "--webvtt", "--feed-token-file", token_file});
  g_unsetenv("GST_DEBUG");

  // No token, a wrong one: 401, for the list and for a feed.
  fail_unless_equals_int(gw.get("/streams").status, 401);
  fail_unless_equals_int(gw.get("/streams?token=wrong").status, 401);
  fail_unless_equals_int(gw.get("/streams/0123/events").status, 401);

  // The test posts the webhook itself, so that the first consumer is
  // connected before rtmssrc is.
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short-av.json"), "--webhook-out", dir + "/started.json"});
  std::string stream_id = stream_id_of(emulator.webhook_json);
  std::string path = "/streams/" + stream_id + "/events";
  fail_unless_equals_int(gw.post_signed(emulator.webhook_json).status, 200);
  std::string bearer = std::string("Authorization: Bearer ") + kToken + "\r\n";
  std::unique_ptr<SseClient> first = connect_feed(gw, path, bearer);
  fail_unless(first->head().find("Content-Type: text/event-stream") != std::string::npos, "%s", first->head().c_str());
  fail_unless(first->head().find("Access-Control-Allow-Origin") == std::string::npos, "CORS without --cors-origin");

  // The example consumer, from the start too.
  const char *python = g_getenv("RTMS_PYTHON");
  const char *example = g_getenv("RTMS_FEED_CONSUMER");
  fail_unless(python && *python && example, "RTMS_PYTHON / RTMS_FEED_CONSUMER not set (run through meson test)");
  g_autoptr(GError) error = nullptr;
  g_autoptr(GSubprocess) consumer = g_subprocess_new(
      GSubprocessFlags(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE), &error, python, example,
      gw.base.c_str(), "--stream", stream_id.c_str(), "--token-file", token_file.c_str(), nullptr);
  fail_unless(consumer != nullptr, "cannot run %s: %s", example, error ? error->message : "?");

  // Wrong tokens on the feed itself.
  {
    SseClient wrong;
    fail_unless(wrong.open(gw.port(), path, "Authorization: Bearer nope\r\n"));
    fail_unless_equals_int(wrong.status(), 401);
    SseClient none;
    fail_unless(none.open(gw.port(), path));
    fail_unless_equals_int(none.status(), 401);
    fail_unless(none.head().find("WWW-Authenticate: Bearer") != std::string::npos, "%s", none.head().c_str());
  }
  // The list, with the token in the query.
  HttpAnswer list = gw.get(std::string("/streams?token=") + kToken);
  fail_unless_equals_int(list.status, 200);
  fail_unless(list.body.find("\"stream_id\":\"" + stream_id + "\"") != std::string::npos, "%s", list.body.c_str());
  // Other paths: not the feed's.
  fail_unless_equals_int(gw.get(std::string("/streams/") + stream_id + "/other?token=" + kToken).status, 404);
  fail_unless_equals_int(gw.get(std::string("/streamsX?token=") + kToken).status, 404);
  fail_unless_equals_int(gw.get(std::string("/streams/nosuchstream/events?token=") + kToken).status, 404);

  // A late consumer (token in the query): once the first transcript line
  // is out, the roster first, then the same events as the first consumer.
  fail_unless(first->wait_for([](const auto &e) { return has_type(e, "transcript"); }, 30000),
              "no transcript line reached the first consumer");
  std::unique_ptr<SseClient> late = connect_feed(gw, path + "?token=" + kToken, "");

  JsonObject *manifest = emulator.finish();
  fail_unless(first->wait_for(ended, 20000), "the first consumer did not get the end");
  fail_unless(late->wait_for(ended, 5000), "the late consumer did not get the end");
  fail_unless(first->wait_closed(5000), "the first consumer's connection stayed open after the end");
  fail_unless(late->wait_closed(5000), "the late consumer's connection stayed open after the end");

  std::vector<Ev> all = decode_all(first->events());
  // roster, state streaming, ..., state ended.
  fail_unless(all.size() > 3);
  fail_unless_equals_string(all[0].type.c_str(), "roster");
  fail_unless(all[0].participants.empty(), "the first consumer came late: %zu present", all[0].participants.size());
  fail_unless_equals_string(all[1].type.c_str(), "state");
  fail_unless_equals_string(all[1].state.c_str(), "streaming");
  fail_unless_equals_string(all.back().state.c_str(), "ended");
  fail_unless_equals_string(all.back().reason.c_str(), "MEETING_ENDED");
  // Ids: 1, 2, 3 ... after the roster.
  for (size_t i = 1; i < all.size(); i++)
    fail_unless(all[i].id == std::to_string(i), "event %zu has id %s", i, all[i].id.c_str());
  check_text_events(all, manifest);
  std::vector<std::string> expected = expected_events(manifest), observed = observed_events(all);
  fail_unless(expected == observed, "events: expected\n%sgot\n%s", joined(expected).c_str(), joined(observed).c_str());
  size_t health = 0;
  gint64 bytes = 0;
  for (const Ev &e : all) {
    if (e.type != "health") continue;
    health++;
    fail_unless(e.bytes >= bytes, "health bytes went down");
    bytes = e.bytes;
  }
  fail_unless(health >= 2, "%zu health events in a 4 s meeting", health);
  fail_unless(bytes > 0);

  // The late consumer: the roster as of the event it names, then the rest.
  std::vector<Ev> late_events = decode_all(late->events());
  fail_unless(late_events.size() > 2);
  fail_unless_equals_string(late_events[0].type.c_str(), "roster");
  size_t upto = std::stoul(late_events[0].id);
  fail_unless(upto >= 1 && upto < all.size(), "roster id %zu", upto);
  std::map<gint64, std::string> present;
  gint64 speaker = 0, sharer = 0;
  for (size_t i = 1; i <= upto; i++) {
    const Ev &e = all[i];
    if (e.type == "participant_join") present[e.user_id] = e.user_name;
    if (e.type == "participant_leave") present.erase(e.user_id);
    if (e.type == "active_speaker") speaker = e.user_id;
    if (e.type == "sharing") sharer = e.state == "started" ? e.user_id : 0;
  }
  fail_unless(!present.empty(), "nobody was present when the late consumer came");
  std::map<gint64, std::string> roster(late_events[0].participants.begin(), late_events[0].participants.end());
  fail_unless(roster == present, "the late roster has %zu participants, %zu were present", roster.size(),
              present.size());
  fail_unless_equals_int64(late_events[0].speaker, speaker);
  fail_unless_equals_int64(late_events[0].sharer, sharer);
  std::vector<SseEvent> first_raw = first->events(), late_raw = late->events();
  fail_unless_equals_int(late_raw.size() - 1, first_raw.size() - 1 - upto);
  for (size_t i = 1; i < late_raw.size(); i++) {
    const SseEvent &a = first_raw[upto + i], &b = late_raw[i];
    fail_unless(a.id == b.id && a.type == b.type && a.data == b.data, "late event %zu differs: %s %s / %s %s", i,
                a.type.c_str(), a.data.c_str(), b.type.c_str(), b.data.c_str());
  }

  // The example printed every line with its speaker, and the end.
  fail_unless(g_subprocess_wait(consumer, nullptr, nullptr));
  g_autoptr(GInputStream) out = g_subprocess_get_stdout_pipe(consumer);
  g_object_ref(out);
  std::string printed;
  char buffer[4096];
  gssize n;
  while ((n = g_input_stream_read(out, buffer, sizeof buffer, nullptr, nullptr)) > 0) printed.append(buffer, size_t(n));
  fail_unless(g_subprocess_get_if_exited(consumer) && g_subprocess_get_exit_status(consumer) == 0,
              "feed_consumer.py failed:\n%s", printed.c_str());
  for (const Ev &e : all) {
    if (e.type != "transcript") continue;
    std::string line = "] " + e.user_name + ": " + e.text + "\n";
    fail_unless(printed.find(line) != std::string::npos, "feed_consumer.py did not print '%s':\n%s", line.c_str(),
                printed.c_str());
  }
  fail_unless(printed.find("state: ended (MEETING_ENDED)") != std::string::npos, "%s", printed.c_str());
  fail_unless(printed.find("+ Carol joined") != std::string::npos, "%s", printed.c_str());

  // The recording beside the feed is whole.
  fail_unless(gw.wait_metric("rtms_gateway_active_streams", 0, 10000), "the stream did not end");
  fail_unless_equals_int(gw.metric("rtms_gateway_pipeline_errors_total"), 0);
  fail_unless_equals_int(check_wav_per_participant(gw, manifest, 2 * GST_SECOND, 20 * GST_SECOND), 3);
  check_vtt_matches_manifest(stream_folders(gw).at(0), manifest);
  fail_unless(gw.wait_metric("rtms_gateway_feed_consumers", 0, 5000));
  fail_unless(gw.metric("rtms_gateway_feed_consumers_total") >= 3);
  fail_unless(gw.metric("rtms_gateway_feed_refused_total{reason=\"unauthorized\"}") >= 5);
  fail_unless(gw.metric("rtms_gateway_feed_events_sent_total") >= double(all.size() - 1));
  fail_unless_equals_int(gw.metric("rtms_gateway_feed_consumers_dropped_total"), 0);
  fail_unless_equals_int(gw.terminate(10000), 0);

  std::string log = read_file(gw.log_file);
  fail_unless(log.find("refused with 401") != std::string::npos, "the refusals are not logged");
  fail_unless(log.find(kToken) == std::string::npos, "the token is in the gateway's log");
  remove_tree(dir);
}
GST_END_TEST;

// A meeting that chats a lot (300 messages of 2 KB in 6 s), so a consumer
// that does not read fills its queue quickly.
static std::string chatty_script(const std::string &dir) {
  std::string chat;
  for (int i = 0; i < 300; i++) {
    std::string text = "message " + std::to_string(i) + " " + std::string(2000, char('a' + i % 26));
    chat += std::string(i ? "," : "") + "{\"at_ms\":" + std::to_string(1500 + i * 20) + ",\"from\":" +
            (i % 2 ? "16779264" : "16778240") + ",\"text\":\"" + text + "\"}";
  }
  std::string script =
      "{\"duration_ms\":8000,\"participants\":["
      "{\"user_id\":16778240,\"user_name\":\"Alice\",\"tone_hz\":440,\"talk\":[[0,8000]]},"
      "{\"user_id\":16779264,\"user_name\":\"Bob\",\"tone_hz\":660,\"talk\":[[1000,7000]]}],"
      "\"chat\":[" + chat + "]}";
  std::string path = dir + "/chatty.json";
  fail_unless(g_file_set_contents(path.c_str(), script.c_str(), -1, nullptr));
  return path;
}

GST_START_TEST(a_consumer_that_does_not_read_is_dropped) {
  std::string dir = temp_dir();
  GatewayRun gw;
  gw.log_file = dir + "/gateway.log";
  gw.start({"--pipeline",
            "rtmssrc name=src push-mode=network-thread media=audio+chat audio-mode=mixed "
            "src.audio_0 ! queue ! audiorate ! audioconvert ! wavenc ! filesink location=\"{out}/mixed.wav\"",
            "--feed-queue-bytes", "16384", "--feed-max-consumers", "2", "--cors-origin", "https://page.example"});
  EmulatorRun emulator;
  emulator.start({"--script", chatty_script(dir), "--webhook-out", dir + "/started.json"});
  std::string stream_id = stream_id_of(emulator.webhook_json);
  std::string path = "/streams/" + stream_id + "/events";
  fail_unless_equals_int(gw.post_signed(emulator.webhook_json).status, 200);
  std::unique_ptr<SseClient> reader = connect_feed(gw, path, "");
  // CORS for the page's origin, on the feed and on the list.
  fail_unless(reader->head().find("Access-Control-Allow-Origin: https://page.example\r\n") != std::string::npos, "%s",
              reader->head().c_str());
  {
    SseClient list;
    fail_unless(list.open(gw.port(), "/streams"));
    fail_unless_equals_int(list.status(), 200);
    fail_unless(list.head().find("Access-Control-Allow-Origin: https://page.example\r\n") != std::string::npos, "%s",
                list.head().c_str());
  }
  SseClient stalled;
  fail_unless(stalled.open(gw.port(), path, "", false));
  // Two consumers of this stream at most: a third is refused while both are there.
  fail_unless(gw.wait_metric("rtms_gateway_feed_consumers", 2, 5000));
  SseClient third;
  fail_unless(third.open(gw.port(), path));
  fail_unless_equals_int(third.status(), 503);
  fail_unless_equals_int(gw.metric("rtms_gateway_feed_refused_total{reason=\"limit\"}"), 1);

  // The one that does not read is dropped, and its connection closed.
  fail_unless(gw.wait_metric("rtms_gateway_feed_consumers_dropped_total", 1, 30000), "the stalled consumer was kept");
  fail_unless(stalled.drain_until_closed(10000), "the stalled consumer's connection stayed open");
  JsonObject *manifest = emulator.finish();
  fail_unless(reader->wait_for(ended, 20000), "the reading consumer did not get the end");
  fail_unless(reader->wait_closed(5000));

  // The other consumer got every message, in order.
  std::vector<Ev> all = decode_all(reader->events());
  fail_unless_equals_int(json_array_get_length(json_object_get_array_member(manifest, "chat")), 300);
  check_text_events(all, manifest);
  // The recording went on: the meeting's whole length.
  fail_unless(gw.wait_metric("rtms_gateway_active_streams", 0, 10000), "the stream did not end");
  fail_unless_equals_int(gw.metric("rtms_gateway_pipeline_errors_total"), 0);
  std::vector<std::string> wavs = files_under(gw.out_dir, "mixed.wav");
  fail_unless_equals_int(wavs.size(), 1);
  std::string why;
  GstClockTime length = audio_duration(wavs[0], &why);
  fail_unless(GST_CLOCK_TIME_IS_VALID(length), "%s: %s", wavs[0].c_str(), why.c_str());
  fail_unless(length >= 7 * GST_SECOND && length <= 30 * GST_SECOND, "mixed.wav lasts %" GST_TIME_FORMAT,
              GST_TIME_ARGS(length));
  fail_unless_equals_int(gw.terminate(10000), 0);

  // Logged with its address.
  std::string log = read_file(gw.log_file);
  std::string address = "consumer 127.0.0.1:" + std::to_string(stalled.local_port()) + " of stream " + stream_id +
                        " dropped: it does not read";
  fail_unless(log.find(address) != std::string::npos, "no '%s' in the log:\n%s", address.c_str(), log.c_str());
  remove_tree(dir);
}
GST_END_TEST;

// A media socket dropped by the server: `state` reconnecting, then
// streaming again, and health counts the reconnect. Then SIGTERM in the
// middle of the meeting: the consumer gets `state` ended ("stopped") and
// the connection closes; the gateway exits 0.
GST_START_TEST(reconnection_and_shutdown) {
  GatewayRun gw;
  gw.start({"--pipeline",
            "rtmssrc name=src push-mode=network-thread reconnect-delay=300 media=audio+transcript audio-mode=mixed "
            "src.audio_0 ! queue ! fakesink"});
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("default.json"), "--inject", "drop@1000:media", "--webhook-url", gw.url,
                  "--webhook-secret", GW_WEBHOOK_SECRET});
  fail_unless(gw.wait_metric("rtms_gateway_active_streams", 1, 5000), "the stream did not start");
  std::string path = "/streams/" + stream_id_of(emulator.webhook_json) + "/events";
  std::unique_ptr<SseClient> consumer = connect_feed(gw, path, "");
  auto reconnected = [](const std::vector<SseEvent> &events) {
    bool lost = false;
    for (const auto &e : events) {
      if (e.type != "state") continue;
      if (e.data.find("\"reconnecting\"") != std::string::npos) lost = true;
      if (lost && e.data.find("\"reconnected (") != std::string::npos) return true;
    }
    return false;
  };
  fail_unless(consumer->wait_for(reconnected, 20000), "no reconnecting / reconnected state:\n%s",
              consumer->body().c_str());
  auto counted = [](const std::vector<SseEvent> &events) {
    return !events.empty() && events.back().type == "health" &&
           events.back().data.find("\"reconnects\":1") != std::string::npos;
  };
  fail_unless(consumer->wait_for(counted, 5000), "health does not count the reconnect:\n%s", consumer->body().c_str());

  fail_unless_equals_int(gw.terminate(20000), 0);
  fail_unless(consumer->wait_for(ended, 1000), "no end before the gateway exited:\n%s", consumer->body().c_str());
  fail_unless(consumer->events().back().data.find("\"reason\":\"stopped\"") != std::string::npos, "%s",
              consumer->events().back().data.c_str());
  fail_unless(consumer->wait_closed(2000));
}
GST_END_TEST;

static Suite *feed_suite() {
  Suite *s = suite_create("gateway-feed");
  TCase *tc = tcase_create("feed");
  tcase_set_timeout(tc, 100);
  tcase_add_test(tc, feed_follows_the_meeting);
  tcase_add_test(tc, a_consumer_that_does_not_read_is_dropped);
  tcase_add_test(tc, reconnection_and_shutdown);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(feed);
