#include "emulator_app.h"

#include <cstdio>

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "protocol/webhook.h"
#include "json_text.h"
#include "log.h"

namespace emulator {
namespace {

// How long the final rtms_stopped webhook may take before we exit anyway.
constexpr guint kStoppedWebhookWaitMs = 10000;

std::string absolute(const std::string &path) {
  if (g_path_is_absolute(path.c_str())) return path;
  g_autofree gchar *cwd = g_get_current_dir();
  g_autofree gchar *joined = g_build_filename(cwd, path.c_str(), nullptr);
  return joined;
}

void print_line(const std::string &line) {
  fputs(line.c_str(), stdout);
  fputc('\n', stdout);
  fflush(stdout);
}

}  // namespace

EmulatorApp::EmulatorApp(Options options, MeetingScript script)
    : options_(std::move(options)), script_(std::move(script)),
      manifest_(script_.rtms_stream_id, script_.meeting_uuid), loop_(g_main_loop_new(nullptr, FALSE)) {}

EmulatorApp::~EmulatorApp() {
  for (guint id : signal_sources_)
    if (id != 0) g_source_remove(id);
  // The stream's peers hold WebSockets the server created; drop them first.
  stream_.reset();
  server_.reset();
}

bool EmulatorApp::prepare_directories(std::string *error) {
  bool need_temp = (options_.tls && options_.cert_dir.empty()) || options_.manifest_path.empty();
  if (need_temp) {
    g_autoptr(GError) gerror = nullptr;
    g_autofree gchar *dir = g_dir_make_tmp("rtms-emulator-XXXXXX", &gerror);
    if (dir == nullptr) {
      *error = std::string("cannot create a temporary directory: ") + gerror->message;
      return false;
    }
    temp_dir_ = dir;
  }
  if (options_.manifest_path.empty()) {
    g_autofree gchar *path = g_build_filename(temp_dir_.c_str(), "manifest.json", nullptr);
    options_.manifest_path = path;
  }
  options_.manifest_path = absolute(options_.manifest_path);
  if (options_.tls) {
    if (options_.cert_dir.empty()) options_.cert_dir = temp_dir_;
    options_.cert_dir = absolute(options_.cert_dir);
    if (g_mkdir_with_parents(options_.cert_dir.c_str(), 0700) != 0) {
      *error = "cannot create --cert-dir " + options_.cert_dir + ": " + g_strerror(errno);
      return false;
    }
  }
  return true;
}

std::string EmulatorApp::webhook_body(const char *event, bool stopped, rtms::StopReason reason) const {
  rtms::Webhook hook;
  hook.event = event;
  hook.kind = stopped ? rtms::WebhookKind::RtmsStopped : rtms::WebhookKind::RtmsStarted;
  hook.event_ts = g_get_real_time() / 1000;
  hook.identity.product = rtms::Product::Meeting;
  hook.identity.instance_id = script_.meeting_uuid;
  hook.rtms_stream_id = script_.rtms_stream_id;
  if (stopped) {
    hook.has_stop_reason = true;
    hook.stop_reason = reason;
  } else {
    hook.operator_id = script_.operator_id;
    hook.server_urls.push_back(server_->signaling_url());
  }
  return rtms::encode_webhook(hook);
}

bool EmulatorApp::set_up(std::string *error) {
  if (!prepare_directories(error)) return false;
  if (options_.tls) {
    if (!generate_certificates(options_.cert_dir, options_.host, &certificates_, error)) return false;
    have_tls_ = true;
    log_info("TLS: CA %s, server certificate %s", certificates_.ca_file.c_str(), certificates_.cert_file.c_str());
  }
  server_ = std::make_unique<Server>(
      [this](SoupWebsocketConnection *c) { if (stream_) stream_->accept_signaling(c); },
      [this](SoupWebsocketConnection *c) { if (stream_) stream_->accept_media(c); });
  if (!server_->start(options_.host, options_.port, have_tls_ ? &certificates_ : nullptr, error)) return false;
  stream_ = std::make_unique<RtmsStream>(options_, script_, manifest_, server_->media_url(),
                                         [this](rtms::StopReason reason) { on_stream_ended(reason); });
  if (!options_.webhook_url.empty())
    webhook_ = std::make_unique<WebhookSender>(options_.webhook_url, options_.webhook_secret);
  return true;
}

void EmulatorApp::announce_ready(const std::string &body) {
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "event");
  json_builder_add_string_value(b, "ready");
  json_builder_set_member_name(b, "signaling_url");
  json_builder_add_string_value(b, server_->signaling_url().c_str());
  json_builder_set_member_name(b, "ca_file");
  if (have_tls_) json_builder_add_string_value(b, certificates_.ca_file.c_str());
  else json_builder_add_null_value(b);
  json_builder_set_member_name(b, "webhook");
  JsonNodePtr hook = parse_json_text(body);
  if (hook) json_builder_add_value(b, json_node_copy(hook.get()));
  else json_builder_add_null_value(b);
  json_builder_set_member_name(b, "pid");
  json_builder_add_int_value(b, getpid());
  json_builder_end_object(b);
  print_line(builder_to_text(b));
}

int EmulatorApp::run() {
  std::string error;
  if (!set_up(&error)) {
    log_error("%s", error.c_str());
    return kExitFailure;
  }
  std::string started = webhook_body("meeting.rtms_started", false, rtms::StopReason::Undefined);
  if (!options_.webhook_out.empty()) {
    g_autoptr(GError) gerror = nullptr;
    if (!g_file_set_contents(options_.webhook_out.c_str(), started.c_str(), static_cast<gssize>(started.size()),
                             &gerror)) {
      log_error("cannot write --webhook-out: %s", gerror->message);
      return kExitFailure;
    }
  }
  log_info("listening: %s (media %s), stream %s, %zu participants, %" G_GINT64_FORMAT " ms",
           server_->signaling_url().c_str(), server_->media_url().c_str(), script_.rtms_stream_id.c_str(),
           script_.participants.size(), script_.duration_ms);
  announce_ready(started);
  if (webhook_) webhook_->post(started, [](bool) {});

  wait_client_timer_.once(static_cast<guint>(options_.wait_client_ms), [this] {
    if (stream_->signaling_ever_established()) return;
    log_error("no client completed a signaling handshake within %d ms", options_.wait_client_ms);
    finish(kExitNoClient);
  });
  auto on_signal = [](gpointer self) -> gboolean {
    static_cast<EmulatorApp *>(self)->on_signal();
    return G_SOURCE_CONTINUE;
  };
  signal_sources_[0] = g_unix_signal_add(SIGINT, on_signal, this);
  signal_sources_[1] = g_unix_signal_add(SIGTERM, on_signal, this);

  g_main_loop_run(loop_.get());
  return exit_code_;
}

void EmulatorApp::on_signal() {
  if (signalled_) {
    // A second signal means "now": skip the orderly close.
    log_warning("second signal: exiting at once");
    finish(kExitOk);
    return;
  }
  signalled_ = true;
  log_info("signal received: ending the stream");
  stream_->end(rtms::StopReason::ExitSignal);
}

void EmulatorApp::on_stream_ended(rtms::StopReason reason) {
  wait_client_timer_.cancel();
  // After a signal the caller wants us gone quickly; no webhook round trip.
  if (!webhook_ || signalled_) {
    finish(kExitOk);
    return;
  }
  webhook_timeout_timer_.once(kStoppedWebhookWaitMs, [this] {
    log_warning("giving up on the rtms_stopped webhook");
    finish(kExitOk);
  });
  webhook_->post(webhook_body("meeting.rtms_stopped", true, reason), [this](bool) { finish(kExitOk); });
}

void EmulatorApp::finish(int exit_code) {
  if (finishing_) return;
  finishing_ = true;
  webhook_timeout_timer_.cancel();
  exit_code_ = exit_code;
  std::string error;
  if (manifest_.write(options_.manifest_path, &error)) {
    log_info("manifest written to %s", options_.manifest_path.c_str());
    if (exit_code == kExitOk) {
      g_autoptr(JsonBuilder) b = json_builder_new();
      json_builder_begin_object(b);
      json_builder_set_member_name(b, "event");
      json_builder_add_string_value(b, "done");
      json_builder_set_member_name(b, "manifest");
      json_builder_add_string_value(b, options_.manifest_path.c_str());
      json_builder_end_object(b);
      print_line(builder_to_text(b));
    }
  } else {
    log_error("cannot write the manifest %s: %s", options_.manifest_path.c_str(), error.c_str());
    if (exit_code == kExitOk) exit_code_ = kExitFailure;
  }
  g_main_loop_quit(loop_.get());
}

}  // namespace emulator
