// End to end: warnings and errors are typed. ssl-strict=false is loud (a
// bus WARNING per connection it let through, and a log line); what the
// server gets wrong is a warning with its own domain and code and details
// naming the kind and the socket; errors carry the socket and the TLS cause.
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "e2e_common.h"

namespace {

struct Warning {
  GQuark domain = 0;
  int code = 0;
  std::string text;
  std::string kind, socket, host;
  gint64 user_id = -1;
};

// Collects every WARNING with its details as it is posted (Capture keeps
// only the texts).
struct WarningTap {
  std::mutex lock;
  std::vector<Warning> warnings;

  explicit WarningTap(Capture &capture) {
    GstBus *bus = gst_element_get_bus(capture.pipeline);
    gst_bus_enable_sync_message_emission(bus);
    g_signal_connect(bus, "sync-message::warning", G_CALLBACK(on_warning), this);
    gst_object_unref(bus);
  }

  static void on_warning(GstBus *, GstMessage *message, gpointer data) {
    auto *self = static_cast<WarningTap *>(data);
    GError *err = nullptr;
    gst_message_parse_warning(message, &err, nullptr);
    const GstStructure *details = nullptr;
    gst_message_parse_warning_details(message, &details);
    Warning w;
    if (err) {
      w.domain = err->domain;
      w.code = err->code;
      w.text = err->message;
    }
    g_clear_error(&err);
    if (details) {
      const char *s;
      if ((s = gst_structure_get_string(details, "rtms-warning-kind"))) w.kind = s;
      if ((s = gst_structure_get_string(details, "rtms-socket"))) w.socket = s;
      if ((s = gst_structure_get_string(details, "rtms-host"))) w.host = s;
      gst_structure_get_int64(details, "rtms-user-id", &w.user_id);
    }
    std::lock_guard<std::mutex> guard(self->lock);
    self->warnings.push_back(w);
  }

  std::vector<Warning> of_kind(const char *kind) {
    std::lock_guard<std::mutex> guard(lock);
    std::vector<Warning> found;
    for (const auto &w : warnings)
      if (w.kind == kind) found.push_back(w);
    return found;
  }

  std::string all() {
    std::lock_guard<std::mutex> guard(lock);
    std::string text;
    for (const auto &w : warnings) text += "\n  [" + w.kind + " " + w.socket + "] " + w.text;
    return text;
  }
};

// rtmstls WARNING lines.
std::mutex tls_lines_lock;
std::vector<std::string> tls_lines;

void collect_tls(GstDebugCategory *category, GstDebugLevel level, const gchar *, const gchar *,
                 gint, GObject *, GstDebugMessage *message, gpointer) {
  if (level != GST_LEVEL_WARNING || strcmp(gst_debug_category_get_name(category), "rtmstls") != 0)
    return;
  const gchar *text = gst_debug_message_get(message);
  std::lock_guard<std::mutex> guard(tls_lines_lock);
  tls_lines.push_back(text ? text : "");
}

}  // namespace

// Every TLS connection opened without checking the certificate says so on
// the bus, once, naming the host and the socket; and in the rtmstls log.
// A reconnection is a new connection, so it warns again.
GST_START_TEST(strict_off_warns_once_per_connection) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json"), "--tls", "--inject", "drop@500:media",
                  "--reconnect-grace", "5000"});
  gst_debug_add_log_function(collect_tls, nullptr, nullptr);
  gst_debug_set_threshold_from_string("rtmstls:2", FALSE);
  Capture capture("ssl-strict=false reconnect-delay=200");
  WarningTap tap(capture);
  g_object_set(capture.src, "webhook-payload", emulator.webhook_json.c_str(), "client-id",
               E2E_CLIENT_ID, "client-secret", E2E_CLIENT_SECRET, nullptr);
  fail_unless(capture.run(60 * GST_SECOND));
  fail_if(capture.error != nullptr, "%s", capture.error_text().c_str());
  gst_debug_remove_log_function(collect_tls);
  JsonObject *manifest = emulator.finish();
  gint64 signaling = json_int_path(manifest, "client.signaling_handshakes");
  JsonArray *media = json_object_get_array_member(json_object_path(manifest, "client"),
                                                  "media_handshakes");
  fail_unless_equals_int(int(signaling), 1);
  // The dropped media socket came back: two media connections.
  fail_unless_equals_int(int(json_array_get_length(media)), 2);

  std::vector<Warning> unverified = tap.of_kind("tls-unverified");
  fail_unless_equals_int(int(unverified.size()), 3);
  int on_signaling = 0, on_media = 0;
  for (const auto &w : unverified) {
    fail_unless(w.domain == GST_RESOURCE_ERROR && w.code == GST_RESOURCE_ERROR_SETTINGS,
                "%s: %s", g_quark_to_string(w.domain), w.text.c_str());
    fail_unless_equals_string(w.host.c_str(), "127.0.0.1");
    fail_unless(w.text.find("TLS certificate of 127.0.0.1") != std::string::npos, "%s",
                w.text.c_str());
    fail_unless(w.text.find("not verified (ssl-strict=false)") != std::string::npos, "%s",
                w.text.c_str());
    if (w.socket == "signaling") on_signaling++;
    if (w.socket == "media(all)") on_media++;
  }
  fail_unless_equals_int(on_signaling, 1);
  fail_unless_equals_int(on_media, 2);
  // The reconnection's own warning is typed too.
  std::vector<Warning> reconnecting = tap.of_kind("reconnecting");
  fail_unless(!reconnecting.empty(), "%s", tap.all().c_str());
  fail_unless_equals_string(reconnecting.front().socket.c_str(), "media(all)");
  fail_unless(reconnecting.front().domain == GST_RESOURCE_ERROR &&
              reconnecting.front().code == GST_RESOURCE_ERROR_READ);

  std::lock_guard<std::mutex> guard(tls_lines_lock);
  int logged = 0;
  for (const auto &line : tls_lines)
    if (line.find("WITHOUT verifying its certificate") != std::string::npos) logged++;
  fail_unless_equals_int(logged, 3);
}
GST_END_TEST;

// What the server gets wrong: a message that does not decode is
// STREAM/DECODE, of kind "decode", on the socket it came from; a packet
// whose payload is not base64 too, naming the participant.
GST_START_TEST(server_mistakes_are_typed) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json"), "--inject",
                  "malformed-json@300:media", "--inject", "not-an-object@400:signaling",
                  "--inject", "bad-base64@500:media"});
  Capture capture("");
  WarningTap tap(capture);
  configure_src(capture, emulator);
  fail_unless(capture.run(60 * GST_SECOND));
  fail_if(capture.error != nullptr, "%s", capture.error_text().c_str());
  std::vector<Warning> decode = tap.of_kind("decode");
  fail_unless_equals_int(int(decode.size()), 3);
  bool media = false, signaling = false, payload = false;
  for (const auto &w : decode) {
    fail_unless(w.domain == GST_STREAM_ERROR && w.code == GST_STREAM_ERROR_DECODE, "%s",
                w.text.c_str());
    media = media || (w.socket == "media(all)" && w.text.find("does not decode") != std::string::npos);
    signaling = signaling || w.socket == "signaling";
    payload = payload || (w.user_id > 0 && w.text.find("not base64") != std::string::npos);
  }
  fail_unless(media && signaling && payload, "%s", tap.all().c_str());
  fail_unless(tap.of_kind("tls-unverified").empty());
}
GST_END_TEST;

// An untrusted certificate: the error's details name the kind, the socket
// and OpenSSL's verdict.
GST_START_TEST(tls_error_details) {
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short.json"), "--tls", "--wait-client", "5000"});
  Capture capture("");
  g_object_set(capture.src, "webhook-payload", emulator.webhook_json.c_str(), "client-id",
               E2E_CLIENT_ID, "client-secret", E2E_CLIENT_SECRET, nullptr);
  capture.run(10 * GST_SECOND);
  fail_unless(capture.error != nullptr, "an untrusted certificate was accepted");
  const GstStructure *details = capture.error_details();
  fail_unless(details != nullptr);
  fail_unless_equals_string(gst_structure_get_string(details, "rtms-error-kind"), "TLS");
  fail_unless_equals_string(gst_structure_get_string(details, "rtms-socket"), "signaling");
  const char *cause = gst_structure_get_string(details, "rtms-tls-cause");
  fail_unless(cause != nullptr && strstr(cause, "certificate verify failed"), "%s",
              cause ? cause : "(none)");
  GError *err = nullptr;
  gst_message_parse_error(capture.error, &err, nullptr);
  fail_unless(g_error_matches(err, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ));
  g_clear_error(&err);
}
GST_END_TEST;

static Suite *warnings_suite() {
  Suite *s = suite_create("rtmssrc-warnings-e2e");
  TCase *tc = tcase_create("warnings");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, strict_off_warns_once_per_connection);
  tcase_add_test(tc, server_mistakes_are_typed);
  tcase_add_test(tc, tls_error_details);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(warnings);
