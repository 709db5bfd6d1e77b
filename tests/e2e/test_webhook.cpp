// End to end: the emulator POSTs meeting.rtms_started and
// meeting.rtms_stopped webhooks that verify with the webhook secret token
// (x-zm-signature over the raw body, fresh x-zm-request-timestamp), and the
// started one drives rtmssrc.
#include <libsoup/soup.h>

#include <mutex>
#include <vector>

#include "e2e_common.h"
#include "protocol/signature.h"
#include "protocol/webhook.h"

struct Received {
  std::string body;
  std::string signature;
  std::string timestamp;
};

struct Receiver {
  GMainContext *context = nullptr;
  GMainLoop *loop = nullptr;
  GThread *thread = nullptr;
  SoupServer *server = nullptr;
  std::string url;
  std::mutex lock;
  std::vector<Received> received;

  static void handle(SoupServer *, SoupServerMessage *msg, const char *, GHashTable *,
                     gpointer data) {
    auto *self = static_cast<Receiver *>(data);
    SoupMessageBody *body = soup_server_message_get_request_body(msg);
    SoupMessageHeaders *headers = soup_server_message_get_request_headers(msg);
    GBytes *bytes = soup_message_body_flatten(body);
    gsize size = 0;
    const char *raw = static_cast<const char *>(g_bytes_get_data(bytes, &size));
    Received r;
    r.body.assign(raw ? raw : "", size);
    const char *sig = soup_message_headers_get_one(headers, "x-zm-signature");
    const char *ts = soup_message_headers_get_one(headers, "x-zm-request-timestamp");
    r.signature = sig ? sig : "";
    r.timestamp = ts ? ts : "";
    g_bytes_unref(bytes);
    {
      std::lock_guard<std::mutex> guard(self->lock);
      self->received.push_back(r);
    }
    soup_server_message_set_status(msg, 200, nullptr);
  }

  Receiver() {
    context = g_main_context_new();
    g_main_context_push_thread_default(context);
    server = soup_server_new(nullptr, nullptr);
    soup_server_add_handler(server, "/webhook", handle, this, nullptr);
    GError *error = nullptr;
    fail_unless(soup_server_listen_local(server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
    GSList *uris = soup_server_get_uris(server);
    url = "http://127.0.0.1:" + std::to_string(g_uri_get_port(static_cast<GUri *>(uris->data))) +
          "/webhook";
    g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
    g_main_context_pop_thread_default(context);
    loop = g_main_loop_new(context, FALSE);
    thread = g_thread_new("webhook-receiver", [](gpointer d) -> gpointer {
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
};

GST_START_TEST(signed_webhooks) {
  Receiver receiver;
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json"), "--webhook-url", receiver.url,
                  "--webhook-secret", "test-secret-token"});
  // Wait for the rtms_started POST, then stream from what it said.
  std::string started;
  for (int i = 0; i < 100 && started.empty(); i++) {
    {
      std::lock_guard<std::mutex> guard(receiver.lock);
      if (!receiver.received.empty()) started = receiver.received[0].body;
    }
    g_usleep(50000);
  }
  fail_if(started.empty(), "no webhook arrived");
  Capture capture("");
  g_object_set(capture.src, "webhook-payload", started.c_str(), "client-id", E2E_CLIENT_ID,
               "client-secret", E2E_CLIENT_SECRET, nullptr);
  fail_unless(capture.run(60 * GST_SECOND));
  fail_if(capture.error != nullptr, "%s", capture.error_text().c_str());
  JsonObject *manifest = emulator.finish();
  fail_unless(check_audio_matches_manifest(capture, manifest, false) >= 2);

  std::lock_guard<std::mutex> guard(receiver.lock);
  fail_unless_equals_int(receiver.received.size(), 2);
  const char *expect[] = {"meeting.rtms_started", "meeting.rtms_stopped"};
  for (size_t i = 0; i < 2; i++) {
    const Received &r = receiver.received[i];
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;
    fail_unless(rtms::verify_webhook("test-secret-token", r.signature, r.timestamp, r.body, now) ==
                    rtms::WebhookCheck::Ok,
                "webhook %zu does not verify", i);
    fail_unless(rtms::verify_webhook("another-token", r.signature, r.timestamp, r.body, now) ==
                rtms::WebhookCheck::BadSignature);
    rtms::Result<rtms::Webhook> hook = rtms::parse_webhook(r.body);
    fail_unless(hook.ok(), "%s", hook.ok() ? "" : hook.error().describe().c_str());
    fail_unless_equals_string(hook->event.c_str(), expect[i]);
  }
  rtms::Result<rtms::Webhook> stopped = rtms::parse_webhook(receiver.received[1].body);
  fail_unless(stopped->has_stop_reason);
  fail_unless_equals_int(int(stopped->stop_reason), 6);
}
GST_END_TEST;

static Suite *webhook_suite() {
  Suite *s = suite_create("emulator-webhook-e2e");
  TCase *tc = tcase_create("webhook");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, signed_webhooks);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(webhook);
