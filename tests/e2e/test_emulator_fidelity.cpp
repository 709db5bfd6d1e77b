// End to end: the emulator behaves as Zoom documents it where that matters
// to a client (docs/protocol.md: connection flow, webhook events, keep-alives,
// failover and reconnection). A raw client of our own
// (libsoup WebSocket, protocol layer for the messages) drives the emulator
// step by step, so each behaviour is seen on the wire:
// - no WebSocket extension is negotiated unless asked for;
// - successful handshake and close answers carry an empty `reason`;
// - losing signaling interrupts media too, posts a signed
//   meeting.rtms_interrupted, and the stream goes on once the client is back,
//   with every audio byte delivered;
// - unanswered signaling keep-alives interrupt the connection (a violation in
//   the manifest) and the stream waits for the reconnection;
// - rtmssrc's split sockets find the screen-share URL under either key;
// - rtms_started carries the account fields Zoom added in 2026.
#include <libsoup/soup.h>

#include <glib/gstdio.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "e2e_common.h"
#include "protocol/messages.h"
#include "protocol/signature.h"
#include "protocol/webhook.h"

namespace {

// Generous bounds: the machine may be loaded.
constexpr int kWaitMs = 20000;

// ---- a WebSocket client on the test thread's own main context ------------

struct Loop {
  GMainContext *context = g_main_context_new();
  GSource *ticker = nullptr;
  Loop() {
    g_main_context_push_thread_default(context);
    // Wakes the loop up regularly so that waits can look at the clock.
    ticker = g_timeout_source_new(20);
    g_source_set_callback(ticker, [](gpointer) -> gboolean { return G_SOURCE_CONTINUE; }, nullptr, nullptr);
    g_source_attach(ticker, context);
  }
  ~Loop() {
    g_source_destroy(ticker);
    g_source_unref(ticker);
    while (g_main_context_iteration(context, FALSE)) {}
    g_main_context_pop_thread_default(context);
    g_main_context_unref(context);
  }
  // Runs the loop until done() or timeout_ms; returns done().
  bool run_until(const std::function<bool()> &done, int timeout_ms = kWaitMs) {
    gint64 deadline = g_get_monotonic_time() + gint64(timeout_ms) * 1000;
    while (!done()) {
      if (g_get_monotonic_time() > deadline) return false;
      g_main_context_iteration(context, TRUE);
    }
    return true;
  }
};

struct Client {
  SoupSession *session = nullptr;
  SoupWebsocketConnection *ws = nullptr;
  std::string label;
  std::deque<std::string> inbox;  // every message but keep-alives and media data
  std::string audio;              // decoded audio payloads, in arrival order
  bool answer_keepalives = true;
  int keepalives = 0;
  bool closed = false;
  int close_code = 0;

  explicit Client(std::string name) : label(std::move(name)) {
    session = soup_session_new();
  }
  ~Client() {
    if (ws) {
      g_signal_handlers_disconnect_by_data(ws, this);
      if (soup_websocket_connection_get_state(ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close(ws, SOUP_WEBSOCKET_CLOSE_NORMAL, nullptr);
      g_object_unref(ws);
    }
    g_object_unref(session);
  }
  Client(const Client &) = delete;
  Client &operator=(const Client &) = delete;

  void connect(Loop &loop, const std::string &url) {
    g_autoptr(SoupMessage) msg = soup_message_new("GET", url.c_str());
    fail_unless(msg != nullptr, "bad URL %s", url.c_str());
    struct Pending {
      bool done = false;
      SoupWebsocketConnection *ws = nullptr;
      std::string error;
    } pending;
    soup_session_websocket_connect_async(
        session, msg, nullptr, nullptr, G_PRIORITY_DEFAULT, nullptr,
        [](GObject *source, GAsyncResult *result, gpointer data) {
          auto *p = static_cast<Pending *>(data);
          g_autoptr(GError) error = nullptr;
          p->ws = soup_session_websocket_connect_finish(SOUP_SESSION(source), result, &error);
          if (error) p->error = error->message;
          p->done = true;
        },
        &pending);
    fail_unless(loop.run_until([&] { return pending.done; }), "%s: connect timed out", label.c_str());
    fail_unless(pending.ws != nullptr, "%s: cannot connect: %s", label.c_str(), pending.error.c_str());
    ws = pending.ws;
    g_signal_connect(ws, "message", G_CALLBACK(on_message), this);
    g_signal_connect(ws, "closed", G_CALLBACK(on_closed), this);
  }

  void send(const rtms::Message &message) {
    std::string text = rtms::encode_message(message);
    soup_websocket_connection_send_text(ws, text.c_str());
  }

  static void on_message(SoupWebsocketConnection *, gint, GBytes *bytes, gpointer data) {
    auto *self = static_cast<Client *>(data);
    gsize size = 0;
    const char *raw = static_cast<const char *>(g_bytes_get_data(bytes, &size));
    std::string text(raw ? raw : "", size);
    rtms::Result<rtms::Message> decoded = rtms::decode_message(text);
    if (decoded.ok()) {
      if (const auto *ka = std::get_if<rtms::KeepAliveReq>(&decoded.value())) {
        self->keepalives++;
        if (self->answer_keepalives) self->send(rtms::KeepAliveResp{ka->timestamp});
        return;
      }
      if (const auto *media = std::get_if<rtms::MediaData>(&decoded.value())) {
        if (media->type == rtms::MessageType::MediaDataAudio) {
          gsize len = 0;
          g_autofree guchar *payload = g_base64_decode(media->data.c_str(), &len);
          self->audio.append(reinterpret_cast<const char *>(payload), len);
          return;
        }
      }
    }
    self->inbox.push_back(std::move(text));
  }

  static void on_closed(SoupWebsocketConnection *ws, gpointer data) {
    auto *self = static_cast<Client *>(data);
    self->closed = true;
    self->close_code = soup_websocket_connection_get_close_code(ws);
  }

  // The first message of this msg_type (taken out of the inbox), or "".
  std::string take(Loop &loop, int msg_type, int timeout_ms = kWaitMs) {
    std::string found;
    std::string key = "\"msg_type\":" + std::to_string(msg_type);
    loop.run_until(
        [&] {
          for (auto it = inbox.begin(); it != inbox.end(); ++it) {
            std::string compact = *it;
            compact.erase(std::remove(compact.begin(), compact.end(), ' '), compact.end());
            if (compact.find(key + ",") != std::string::npos || compact.find(key + "}") != std::string::npos) {
              found = *it;
              inbox.erase(it);
              return true;
            }
          }
          return closed;
        },
        timeout_ms);
    return found;
  }
};

std::string string_member(const std::string &json, const char *name, bool *present) {
  g_autoptr(JsonParser) parser = json_parser_new();
  *present = false;
  if (!json_parser_load_from_data(parser, json.c_str(), -1, nullptr)) return "";
  JsonNode *root = json_parser_get_root(parser);
  if (!root || !JSON_NODE_HOLDS_OBJECT(root)) return "";
  JsonObject *object = json_node_get_object(root);
  JsonNode *member = json_object_get_member(object, name);
  if (!member || !JSON_NODE_HOLDS_VALUE(member) || json_node_get_value_type(member) != G_TYPE_STRING) return "";
  *present = true;
  return json_node_get_string(member);
}

template <typename T>
T decode_as(const std::string &json) {
  rtms::Result<rtms::Message> decoded = rtms::decode_message(json);
  fail_unless(decoded.ok(), "cannot decode %s", json.c_str());
  const T *typed = std::get_if<T>(&decoded.value());
  fail_unless(typed != nullptr, "unexpected message %s", json.c_str());
  return *typed;
}

// The stream the emulator announced, and the credentials to join it.
struct Stream {
  std::string meeting_uuid;
  std::string rtms_stream_id;
  std::string signature;

  explicit Stream(const EmulatorRun &emulator) {
    rtms::Result<rtms::Webhook> hook = rtms::parse_webhook(emulator.webhook_json);
    fail_unless(hook.ok());
    meeting_uuid = hook->identity.instance_id;
    rtms_stream_id = hook->rtms_stream_id;
    signature = rtms::handshake_signature(E2E_CLIENT_ID, meeting_uuid, rtms_stream_id, E2E_CLIENT_SECRET);
  }
  rtms::SignalingHandshakeReq signaling_handshake() const {
    rtms::SignalingHandshakeReq req;
    req.identity.instance_id = meeting_uuid;
    req.rtms_stream_id = rtms_stream_id;
    req.signature = signature;
    return req;
  }
  rtms::DataHandshakeReq audio_handshake() const {
    rtms::DataHandshakeReq req;
    req.identity.instance_id = meeting_uuid;
    req.rtms_stream_id = rtms_stream_id;
    req.signature = signature;
    req.media_type = rtms::kMediaAudio;
    req.media_params.audio = rtms::AudioParams{};
    return req;
  }
};

// Signaling handshake; returns the media URL for audio.
std::string join_signaling(Loop &loop, Client &signaling, const EmulatorRun &emulator, const Stream &stream) {
  signaling.connect(loop, emulator.signaling_url);
  signaling.send(stream.signaling_handshake());
  std::string text = signaling.take(loop, 2);
  fail_if(text.empty(), "no SIGNALING_HAND_SHAKE_RESP");
  auto resp = decode_as<rtms::SignalingHandshakeResp>(text);
  fail_unless(resp.status_code == rtms::StatusCode::Ok, "%s", text.c_str());
  auto url = resp.media_urls.find("audio");
  fail_unless(url != resp.media_urls.end(), "%s", text.c_str());
  return url->second;
}

void join_media(Loop &loop, Client &media, Client &signaling, const std::string &url, const Stream &stream) {
  media.connect(loop, url);
  media.send(stream.audio_handshake());
  std::string text = media.take(loop, 4);
  fail_if(text.empty(), "no DATA_HAND_SHAKE_RESP");
  fail_unless(decode_as<rtms::DataHandshakeResp>(text).status_code == rtms::StatusCode::Ok, "%s", text.c_str());
  signaling.send(rtms::ClientReadyAck{stream.rtms_stream_id});
}

// A meeting long enough for an interruption and a reconnection in its
// middle on a loaded machine: one participant talking all along.
struct ScriptFile {
  std::string path;
  explicit ScriptFile(int duration_ms) {
    g_autoptr(GError) error = nullptr;
    g_autofree gchar *name = nullptr;
    int fd = g_file_open_tmp("rtms-fidelity-XXXXXX.json", &name, &error);
    fail_unless(fd >= 0);
    close(fd);
    path = name;
    std::string text = "{\"duration_ms\":" + std::to_string(duration_ms) +
                       ",\"participants\":[{\"user_id\":16778240,\"user_name\":\"Alice\",\"talk\":[[0," +
                       std::to_string(duration_ms) + "]]}]}";
    fail_unless(g_file_set_contents(path.c_str(), text.c_str(), -1, nullptr));
  }
  ~ScriptFile() { g_remove(path.c_str()); }
};

std::string sha256_hex(const std::string &bytes) {
  g_autofree gchar *hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
                                                      reinterpret_cast<const guchar *>(bytes.data()), bytes.size());
  return hex;
}

// ---- a webhook receiver on its own thread ----------------------------------

struct Receiver {
  struct Post {
    std::string body, signature, timestamp;
  };
  GMainContext *context = g_main_context_new();
  GMainLoop *loop = g_main_loop_new(context, FALSE);
  SoupServer *server = nullptr;
  GThread *thread = nullptr;
  std::string url;
  std::mutex lock;
  std::vector<Post> posts;

  Receiver() {
    g_main_context_push_thread_default(context);
    server = soup_server_new(nullptr, nullptr);
    soup_server_add_handler(
        server, "/hook",
        [](SoupServer *, SoupServerMessage *msg, const char *, GHashTable *, gpointer data) {
          auto *self = static_cast<Receiver *>(data);
          g_autoptr(GBytes) bytes = soup_message_body_flatten(soup_server_message_get_request_body(msg));
          SoupMessageHeaders *headers = soup_server_message_get_request_headers(msg);
          gsize size = 0;
          const char *raw = static_cast<const char *>(g_bytes_get_data(bytes, &size));
          const char *sig = soup_message_headers_get_one(headers, "x-zm-signature");
          const char *ts = soup_message_headers_get_one(headers, "x-zm-request-timestamp");
          {
            std::lock_guard<std::mutex> guard(self->lock);
            self->posts.push_back({std::string(raw ? raw : "", size), sig ? sig : "", ts ? ts : ""});
          }
          soup_server_message_set_status(msg, 200, nullptr);
        },
        this, nullptr);
    g_autoptr(GError) error = nullptr;
    fail_unless(soup_server_listen_local(server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
    GSList *uris = soup_server_get_uris(server);
    url = "http://127.0.0.1:" + std::to_string(g_uri_get_port(static_cast<GUri *>(uris->data))) + "/hook";
    g_slist_free_full(uris, reinterpret_cast<GDestroyNotify>(g_uri_unref));
    g_main_context_pop_thread_default(context);
    thread = g_thread_new("fidelity-receiver", [](gpointer d) -> gpointer {
      auto *self = static_cast<Receiver *>(d);
      g_main_context_push_thread_default(self->context);
      g_main_loop_run(self->loop);
      g_main_context_pop_thread_default(self->context);
      return nullptr;
    }, this);
  }
  ~Receiver() {
    g_main_loop_quit(loop);
    g_thread_join(thread);
    g_object_unref(server);
    g_main_loop_unref(loop);
    g_main_context_unref(context);
  }
  // The first post whose event is `event`, waiting for it.
  bool wait_for(Loop &loop, const std::string &event, Post *out) {
    return loop.run_until([&] {
      std::lock_guard<std::mutex> guard(lock);
      for (const Post &post : posts) {
        rtms::Result<rtms::Webhook> hook = rtms::parse_webhook(post.body);
        if (hook.ok() && hook->event == event) {
          *out = post;
          return true;
        }
      }
      return false;
    });
  }
};

bool has_close(JsonObject *manifest, const char *socket, const char *by, int code) {
  JsonArray *closes = json_object_get_array_member(manifest, "closes");
  for (guint i = 0; i < json_array_get_length(closes); i++) {
    JsonObject *c = json_array_get_object_element(closes, i);
    if (g_strcmp0(json_object_get_string_member(c, "socket"), socket) == 0 &&
        g_strcmp0(json_object_get_string_member(c, "by"), by) == 0 &&
        json_object_get_int_member(c, "code") == code)
      return true;
  }
  return false;
}

const char *mixed_sha256(JsonObject *manifest) {
  JsonObject *track = json_object_path(manifest, "audio.0");
  fail_unless(track != nullptr, "no mixed audio in the manifest");
  return json_object_get_string_member(track, "sha256");
}

}  // namespace

// ---- 1. WebSocket extensions --------------------------------------------------

static bool deflate_negotiated(const std::vector<std::string> &extra_args) {
  EmulatorRun emulator;
  std::vector<std::string> args = {"--script", meeting_script("short.json"), "--wait-client", "60000"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  emulator.start(args);
  Loop loop;
  Client client("signaling");
  // Offer permessage-deflate, as a browser or Node's ws would.
  soup_session_add_feature_by_type(client.session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
  client.connect(loop, emulator.signaling_url);
  bool deflate = false;
  for (GList *l = soup_websocket_connection_get_extensions(client.ws); l != nullptr; l = l->next)
    if (SOUP_IS_WEBSOCKET_EXTENSION_DEFLATE(l->data)) deflate = true;
  return deflate;
}

GST_START_TEST(no_websocket_compression_by_default) {
  fail_if(deflate_negotiated({}), "the emulator negotiated permessage-deflate, which Zoom does not");
}
GST_END_TEST;

GST_START_TEST(websocket_compression_on_request) {
  fail_unless(deflate_negotiated({"--websocket-extensions"}),
              "--websocket-extensions did not negotiate the client's permessage-deflate");
}
GST_END_TEST;

// ---- 4. `reason` on successful answers ------------------------------------------

GST_START_TEST(successful_answers_carry_an_empty_reason) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json")});
  Stream stream(emulator);
  Loop loop;
  Client signaling("signaling"), media("media");
  signaling.connect(loop, emulator.signaling_url);
  signaling.send(stream.signaling_handshake());
  std::string text = signaling.take(loop, 2);
  bool present = false;
  fail_unless(string_member(text, "reason", &present).empty() && present, "msg 2 without reason: %s", text.c_str());
  std::string url = decode_as<rtms::SignalingHandshakeResp>(text).media_urls.at("audio");

  media.connect(loop, url);
  media.send(stream.audio_handshake());
  text = media.take(loop, 4);
  fail_unless(string_member(text, "reason", &present).empty() && present, "msg 4 without reason: %s", text.c_str());
  signaling.send(rtms::ClientReadyAck{stream.rtms_stream_id});

  signaling.send(rtms::StreamCloseReq{stream.rtms_stream_id});
  text = signaling.take(loop, 22);
  fail_unless(string_member(text, "reason", &present).empty() && present, "msg 22 without reason: %s", text.c_str());
  fail_unless(decode_as<rtms::StreamCloseResp>(text).status_code == rtms::StatusCode::Ok);
  JsonObject *manifest = emulator.finish();
  fail_unless_equals_int(json_object_get_int_member(manifest, "stop_reason"), 20);
}
GST_END_TEST;

// ---- 2, 3. Losing signaling -------------------------------------------------------

GST_START_TEST(signaling_loss_interrupts_media_and_the_stream_goes_on) {
  ScriptFile script(10000);
  Receiver receiver;
  EmulatorRun emulator;
  emulator.start({"--script", script.path, "--reconnect-grace", "30000", "--webhook-url", receiver.url,
                  "--webhook-secret", "fidelity-secret"});
  Stream stream(emulator);
  Loop loop;
  auto signaling = std::make_unique<Client>("signaling");
  auto media = std::make_unique<Client>("media");
  std::string url = join_signaling(loop, *signaling, emulator, stream);
  join_media(loop, *media, *signaling, url, stream);
  fail_unless(loop.run_until([&] { return !media->audio.empty(); }), "no audio arrived");

  // The client loses signaling: the emulator interrupts media as well.
  soup_websocket_connection_close(signaling->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "client lost signaling");
  fail_unless(loop.run_until([&] { return media->closed; }),
              "the media socket kept streaming after signaling was lost");
  fail_unless_equals_int(media->close_code, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);

  // ... and posts the signed interrupted webhook.
  Receiver::Post post;
  fail_unless(receiver.wait_for(loop, "meeting.rtms_interrupted", &post), "no meeting.rtms_interrupted");
  fail_unless(rtms::verify_webhook("fidelity-secret", post.signature, post.timestamp, post.body,
                                   g_get_real_time() / G_USEC_PER_SEC) == rtms::WebhookCheck::Ok,
              "the interrupted webhook does not verify");
  rtms::Result<rtms::Webhook> hook = rtms::parse_webhook(post.body);
  fail_unless(hook->kind == rtms::WebhookKind::RtmsInterrupted);
  fail_unless_equals_string(hook->identity.instance_id.c_str(), stream.meeting_uuid.c_str());
  fail_unless_equals_string(hook->rtms_stream_id.c_str(), stream.rtms_stream_id.c_str());

  // The client comes back: the state is sent again, media resumes.
  std::string audio_before = media->audio;
  auto signaling2 = std::make_unique<Client>("signaling#2");
  auto media2 = std::make_unique<Client>("media#2");
  url = join_signaling(loop, *signaling2, emulator, stream);
  std::string state = signaling2->take(loop, 8);
  fail_if(state.empty(), "no STREAM_STATE_UPDATE after the reconnection");
  fail_unless(decode_as<rtms::StreamStateUpdate>(state).state == rtms::StreamState::Active, "%s", state.c_str());
  std::string session = signaling2->take(loop, 9);
  fail_if(session.empty(), "no SESSION_STATE_UPDATE after the reconnection");
  fail_unless(decode_as<rtms::SessionStateUpdate>(session).state == rtms::SessionState::Started, "%s",
              session.c_str());
  join_media(loop, *media2, *signaling2, url, stream);
  fail_unless(loop.run_until([&] { return signaling2->closed && media2->closed; }, 60000), "the stream did not end");

  JsonObject *manifest = emulator.finish();
  fail_unless_equals_int(json_object_get_int_member(manifest, "stop_reason"), 6);
  fail_unless(has_close(manifest, "media", "server", SOUP_WEBSOCKET_CLOSE_GOING_AWAY));
  check_no_violations(manifest);
  // Every byte, once, in order: Zoom buffers audio through the interruption.
  std::string received = sha256_hex(audio_before + media2->audio);
  fail_unless_equals_string(received.c_str(), mixed_sha256(manifest));
  {
    std::lock_guard<std::mutex> guard(receiver.lock);
    int interrupted = 0;
    for (const auto &p : receiver.posts)
      if (p.body.find("rtms_interrupted") != std::string::npos) interrupted++;
    fail_unless_equals_int(interrupted, 1);
  }
}
GST_END_TEST;

// ---- 5. Unanswered signaling keep-alives ---------------------------------------------

static void stop_answering_signaling_keepalives(Loop &loop, Client &signaling, Client &media) {
  fail_unless(loop.run_until([&] { return !media.audio.empty(); }), "no audio arrived");
  signaling.answer_keepalives = false;
  // The first one (ACTIVE) came at the start.
  std::string update;
  rtms::StreamStateUpdate state;
  do {
    update = signaling.take(loop, 8);
    fail_if(update.empty(), "no STREAM_STATE_UPDATE after the unanswered keep-alives");
    state = decode_as<rtms::StreamStateUpdate>(update);
  } while (state.state == rtms::StreamState::Active);
  fail_unless(state.state == rtms::StreamState::Interrupted && state.reason == rtms::StopReason::KeepAliveTimeout,
              "%s", update.c_str());
  fail_unless(loop.run_until([&] { return signaling.closed && media.closed; }),
              "the emulator did not interrupt the connections");
}

static bool has_keepalive_violation(JsonObject *manifest, const char *socket = "signaling") {
  JsonArray *violations = json_object_get_array_member(manifest, "violations");
  for (guint i = 0; i < json_array_get_length(violations); i++) {
    JsonObject *v = json_array_get_object_element(violations, i);
    if (g_strcmp0(json_object_get_string_member(v, "socket"), socket) == 0 &&
        strstr(json_object_get_string_member(v, "what"), "keep-alives") != nullptr)
      return true;
  }
  return false;
}

GST_START_TEST(keepalive_timeout_keeps_the_stream_for_the_window) {
  ScriptFile script(10000);
  EmulatorRun emulator;
  emulator.start({"--script", script.path, "--keepalive-interval", "150", "--keepalive-misses", "2",
                  "--reconnect-grace", "30000"});
  Stream stream(emulator);
  Loop loop;
  auto signaling = std::make_unique<Client>("signaling");
  auto media = std::make_unique<Client>("media");
  std::string url = join_signaling(loop, *signaling, emulator, stream);
  join_media(loop, *media, *signaling, url, stream);
  stop_answering_signaling_keepalives(loop, *signaling, *media);

  // Within the window, the client is back and the meeting plays to its end.
  auto signaling2 = std::make_unique<Client>("signaling#2");
  auto media2 = std::make_unique<Client>("media#2");
  url = join_signaling(loop, *signaling2, emulator, stream);
  join_media(loop, *media2, *signaling2, url, stream);
  fail_unless(loop.run_until([&] { return signaling2->closed && media2->closed; }, 60000), "the stream did not end");
  JsonObject *manifest = emulator.finish();
  fail_unless_equals_int(json_object_get_int_member(manifest, "stop_reason"), 6);
  fail_unless(has_keepalive_violation(manifest), "the keep-alive timeout is not in the manifest's violations");
  std::string received = sha256_hex(media->audio + media2->audio);
  fail_unless_equals_string(received.c_str(), mixed_sha256(manifest));
}
GST_END_TEST;

GST_START_TEST(keepalive_timeout_without_reconnection_ends_with_24) {
  ScriptFile script(30000);
  EmulatorRun emulator;
  emulator.start({"--script", script.path, "--keepalive-interval", "150", "--keepalive-misses", "2",
                  "--reconnect-grace", "1000"});
  Stream stream(emulator);
  Loop loop;
  Client signaling("signaling"), media("media");
  std::string url = join_signaling(loop, signaling, emulator, stream);
  join_media(loop, media, signaling, url, stream);
  stop_answering_signaling_keepalives(loop, signaling, media);
  JsonObject *manifest = emulator.finish();
  fail_unless_equals_int(json_object_get_int_member(manifest, "stop_reason"), 24);
  fail_unless(has_keepalive_violation(manifest));
}
GST_END_TEST;

// ---- 6. Keep-alives only on an idle socket; unanswered media keep-alives ---------------
// Zoom sends keep-alives "every 10 seconds when no data is flowing"; a media
// socket whose keep-alives go unanswered is interrupted and the stream ends
// unless that socket is back within 65 s (rtms-protocol.md 5.2).

GST_START_TEST(keepalives_only_on_an_idle_socket) {
  for (bool when_busy : {false, true}) {
    ScriptFile script(2000);
    EmulatorRun emulator;
    std::vector<std::string> args = {"--script", script.path, "--keepalive-interval", "100"};
    if (when_busy) args.push_back("--keepalive-when-busy");
    emulator.start(args);
    Stream stream(emulator);
    Loop loop;
    Client signaling("signaling"), media("media");
    std::string url = join_signaling(loop, signaling, emulator, stream);
    join_media(loop, media, signaling, url, stream);
    fail_unless(loop.run_until([&] { return signaling.closed && media.closed; }, 60000), "the stream did not end");
    JsonObject *manifest = emulator.finish();
    gint64 media_sent = json_int_path(manifest, "keepalives.media.sent");
    gint64 media_skipped = json_int_path(manifest, "keepalives.media.skipped_busy");
    if (when_busy) {
      fail_unless(media_sent >= 5, "--keepalive-when-busy: %" G_GINT64_FORMAT " media keep-alives", media_sent);
      fail_unless_equals_int64(media_skipped, 0);
      fail_unless(media.keepalives >= 5);
    } else {
      // Audio flows every 20 ms: the media socket is never idle for 100 ms.
      fail_unless_equals_int64(media_sent, 0);
      fail_unless(media_skipped >= 5, "%" G_GINT64_FORMAT " intervals skipped", media_skipped);
      fail_unless_equals_int(media.keepalives, 0);
      // Signaling is idle between its few messages: keep-alives go out there.
      fail_unless(json_int_path(manifest, "keepalives.signaling.sent") >= 5);
    }
    fail_unless_equals_int(json_object_get_int_member(manifest, "stop_reason"), 6);
    check_no_violations(manifest);
  }
}
GST_END_TEST;

// A media socket stops answering keep-alives and is closed by the emulator;
// the client reconnects it within the grace, or not.
static void media_keepalive_timeout(bool reconnect) {
  ScriptFile script(reconnect ? 6000 : 30000);
  EmulatorRun emulator;
  emulator.start({"--script", script.path, "--keepalive-interval", "150", "--keepalive-misses", "2",
                  "--keepalive-when-busy", "--media-reconnect-grace", reconnect ? "30000" : "1000"});
  Stream stream(emulator);
  Loop loop;
  Client signaling("signaling"), media("media"), media2("media#2");
  std::string url = join_signaling(loop, signaling, emulator, stream);
  join_media(loop, media, signaling, url, stream);
  fail_unless(loop.run_until([&] { return !media.audio.empty(); }), "no audio arrived");
  media.answer_keepalives = false;
  fail_unless(loop.run_until([&] { return media.closed; }), "the emulator kept the silent media socket");
  if (reconnect) join_media(loop, media2, signaling, url, stream);
  // Signaling stays up until the stream ends: at the meeting's end, or once
  // the grace has passed without the media socket.
  fail_unless(loop.run_until([&] { return signaling.closed; }, 60000), "the stream did not end");
  JsonObject *manifest = emulator.finish();
  fail_unless_equals_int(json_object_get_int_member(manifest, "stop_reason"), reconnect ? 6 : 24);
  fail_unless(has_keepalive_violation(manifest, "media"));
  if (reconnect) fail_unless(!media2.audio.empty(), "no audio on the re-established media socket");
}

GST_START_TEST(media_keepalive_timeout_ends_the_stream_after_its_grace) {
  media_keepalive_timeout(false);
}
GST_END_TEST;

GST_START_TEST(media_keepalive_timeout_then_reconnection_keeps_the_stream) {
  media_keepalive_timeout(true);
}
GST_END_TEST;

// ---- 7. The screen-share URL key ----------------------------------------------------
// The docs name it deskshare, Zoom's own client library looks for
// sharescreen. With --per-key-media-urls every key names its own path, so
// the manifest shows which URL rtmssrc's split-socket mode picked (without
// it, a missing key would fall back to `all`, which names the same path).

static void share_over_split_sockets(const char *key) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short-av.json"), "--share-url-key", key, "--per-key-media-urls"});
  Capture capture("socket-mode=split media=audio+deskshare deskshare-codec=png deskshare-fps=1 "
                  "deskshare-resolution=sd");
  configure_src(capture, emulator);
  JsonObject *manifest = run_to_end(capture, emulator);
  std::string expected = std::string("/media/") + key;
  bool share_path = false, audio_path = false;
  JsonArray *handshakes = json_object_get_array_member(json_object_get_object_member(manifest, "client"),
                                                       "media_handshakes");
  for (guint i = 0; i < json_array_get_length(handshakes); i++) {
    JsonObject *h = json_array_get_object_element(handshakes, i);
    const char *path = json_object_get_string_member(h, "path");
    gint64 type = json_object_get_int_member(h, "media_type");
    if (type == rtms::kMediaDeskshare) {
      fail_unless_equals_string(path, expected.c_str());
      share_path = true;
    } else if (type == rtms::kMediaAudio) {
      fail_unless_equals_string(path, "/media/audio");
      audio_path = true;
    }
  }
  fail_unless(share_path && audio_path, "no split deskshare and audio handshakes");
  // Every byte of the share arrived.
  auto pad = capture.pads.find("deskshare_0");
  fail_unless(pad != capture.pads.end(), "no deskshare pad");
  JsonObject *sent = json_object_get_object_member(manifest, "deskshare");
  fail_unless_equals_int(json_object_get_size(sent), 1);
  GList *members = json_object_get_members(sent);
  const char *sharer = static_cast<const char *>(members->data);
  g_list_free(members);
  fail_unless_equals_string(g_checksum_get_string(pad->second->sha256),
                            json_object_get_string_member(json_object_get_object_member(sent, sharer), "sha256"));
}

GST_START_TEST(split_sockets_take_the_sharescreen_url) {
  share_over_split_sockets("sharescreen");
}
GST_END_TEST;

GST_START_TEST(split_sockets_take_the_deskshare_url) {
  share_over_split_sockets("deskshare");
}
GST_END_TEST;

// ---- 8. The newer rtms_started fields ------------------------------------------------

GST_START_TEST(rtms_started_carries_the_account_fields) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json"), "--wait-client", "60000"});
  rtms::Result<rtms::Webhook> hook = rtms::parse_webhook(emulator.webhook_json);
  fail_unless(hook.ok());
  fail_unless_equals_string(hook->account_id.c_str(), "EmuAccount0000000001");
  fail_unless_equals_string(hook->meeting_id.c_str(), "81234567890");
  fail_unless(hook->webinar_id.empty());
  fail_unless(hook->is_original_host.has_value() && *hook->is_original_host);
}
GST_END_TEST;

// ---- 6. Reproducible H.264 -----------------------------------------------------------
// docs/emulator.md promises that two runs of the same script send the same
// bytes: x264 must not depend on thread timing.

static std::map<std::string, std::string> video_digests() {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short-av.json")});
  Capture capture("media=video+deskshare video-codec=h264 video-fps=15 video-resolution=sd "
                  "deskshare-codec=h264 deskshare-fps=5 deskshare-resolution=sd");
  configure_src(capture, emulator);
  JsonObject *manifest = run_to_end(capture, emulator);
  std::map<std::string, std::string> digests;
  for (const char *section : {"video", "deskshare"}) {
    JsonObject *tracks = json_object_get_object_member(manifest, section);
    GList *members = json_object_get_members(tracks);
    for (GList *l = members; l != nullptr; l = l->next) {
      const char *user = static_cast<const char *>(l->data);
      digests[std::string(section) + "." + user] =
          json_object_get_string_member(json_object_get_object_member(tracks, user), "sha256");
    }
    g_list_free(members);
  }
  return digests;
}

GST_START_TEST(h264_is_the_same_in_two_runs) {
  std::map<std::string, std::string> run1 = video_digests();
  std::map<std::string, std::string> run2 = video_digests();
  fail_unless(run1.size() >= 2, "too little video to compare (%zu tracks)", run1.size());
  fail_unless_equals_int(run1.size(), run2.size());
  for (const auto &[track, digest] : run1) {
    auto other = run2.find(track);
    fail_unless(other != run2.end(), "%s only in the first run", track.c_str());
    fail_unless(digest == other->second, "%s differs between two runs of the same script", track.c_str());
  }
}
GST_END_TEST;

static Suite *emulator_fidelity_suite() {
  Suite *s = suite_create("emulator-fidelity-e2e");
  TCase *tc = tcase_create("fidelity");
  tcase_set_timeout(tc, 180);
  tcase_add_test(tc, no_websocket_compression_by_default);
  tcase_add_test(tc, websocket_compression_on_request);
  tcase_add_test(tc, successful_answers_carry_an_empty_reason);
  tcase_add_test(tc, signaling_loss_interrupts_media_and_the_stream_goes_on);
  tcase_add_test(tc, keepalive_timeout_keeps_the_stream_for_the_window);
  tcase_add_test(tc, keepalive_timeout_without_reconnection_ends_with_24);
  tcase_add_test(tc, keepalives_only_on_an_idle_socket);
  tcase_add_test(tc, media_keepalive_timeout_ends_the_stream_after_its_grace);
  tcase_add_test(tc, media_keepalive_timeout_then_reconnection_keeps_the_stream);
  tcase_add_test(tc, split_sockets_take_the_sharescreen_url);
  tcase_add_test(tc, split_sockets_take_the_deskshare_url);
  tcase_add_test(tc, rtms_started_carries_the_account_fields);
  tcase_add_test(tc, h264_is_the_same_in_two_runs);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(emulator_fidelity);
