#include "emulator_app.h"

#include <cstdio>

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "protocol/webhook.h"
#include "json_text.h"
#include "log.h"
#include "scheduler.h"
#include "stream_identity.h"

namespace emulator {
namespace {

// How long the final rtms_stopped webhook may take before we exit anyway.
constexpr guint kStoppedWebhookWaitMs = 10000;
// The account and meeting number of the rtms_started body (no script field:
// one emulated account, one meeting).
constexpr const char *kAccountId = "EmuAccount0000000001";
constexpr const char *kMeetingId = "81234567890";

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
    : options_(std::move(options)), script_(std::move(script)), loop_(g_main_loop_new(nullptr, FALSE)) {
  for (int i = 0; i < options_.streams; ++i) {
    auto slot = std::make_unique<Slot>();
    slot->script = script_for_stream(script_, i);
    slot->manifest = std::make_unique<Manifest>(slot->script.rtms_stream_id, slot->script.meeting_uuid);
    slot_by_stream_id_[slot->script.rtms_stream_id] = slot.get();
    slots_.push_back(std::move(slot));
  }
}

EmulatorApp::~EmulatorApp() {
  for (guint id : signal_sources_)
    if (id != 0) g_source_remove(id);
  // The streams' peers and the router hold WebSockets the server created;
  // drop them first. The manifests refer to the encoded media: media last.
  router_.reset();
  events_.reset();
  for (auto &slot : slots_) slot->stream.reset();
  server_.reset();
  slots_.clear();
  media_.reset();
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

std::string EmulatorApp::webhook_body(const Slot &slot, const char *event, bool stopped,
                                      rtms::StopReason reason) const {
  rtms::Webhook hook;
  hook.event = event;
  hook.kind = stopped ? rtms::WebhookKind::RtmsStopped : rtms::WebhookKind::RtmsStarted;
  hook.event_ts = g_get_real_time() / 1000;
  hook.identity.product = rtms::Product::Meeting;
  hook.identity.instance_id = slot.script.meeting_uuid;
  hook.rtms_stream_id = slot.script.rtms_stream_id;
  if (stopped) {
    hook.has_stop_reason = true;
    hook.stop_reason = reason;
  } else {
    hook.operator_id = slot.script.operator_id;
    hook.server_urls.push_back(server_->signaling_url());
    // Fixed values of the fields Zoom added to rtms_started in 2026, so
    // that clients (and the gateway's templates) can be tried with them.
    hook.account_id = kAccountId;
    hook.meeting_id = kMeetingId;
    hook.is_original_host = true;
  }
  return rtms::encode_webhook(hook);
}

std::string EmulatorApp::interrupted_body(const Slot &slot) const {
  // {meeting_uuid, rtms_stream_id}; the event name follows the product
  // (meeting., webinar., session., contact_center.voice_).
  rtms::Webhook hook;
  hook.kind = rtms::WebhookKind::RtmsInterrupted;
  hook.event_ts = g_get_real_time() / 1000;
  hook.identity.product = rtms::Product::Meeting;
  hook.identity.instance_id = slot.script.meeting_uuid;
  hook.rtms_stream_id = slot.script.rtms_stream_id;
  return rtms::encode_webhook(hook);
}

RtmsStream *EmulatorApp::stream_named(const std::string &rtms_stream_id) const {
  auto it = slot_by_stream_id_.find(rtms_stream_id);
  return it != slot_by_stream_id_.end() ? it->second->stream.get() : nullptr;
}

bool EmulatorApp::set_up(std::string *error) {
  if (!prepare_directories(error)) return false;
  if (options_.tls) {
    if (!generate_certificates(options_.cert_dir, options_.host, &certificates_, error)) return false;
    have_tls_ = true;
    tools::log_info("TLS: CA %s, server certificate %s", certificates_.ca_file.c_str(),
                    certificates_.cert_file.c_str());
  }
  media_ = std::make_unique<MediaCache>(script_);
  if (multi()) {
    // Every stream shares /signaling and /media: the handshake says which
    // stream a socket is for.
    router_ = std::make_unique<ConnectionRouter>(
        script_.binary_frames, [this](const std::string &id) { return stream_named(id); });
    server_ = std::make_unique<Server>([this](SoupWebsocketConnection *c) { router_->accept(c, true); },
                                       [this](SoupWebsocketConnection *c) { router_->accept(c, false); });
  } else {
    server_ = std::make_unique<Server>(
        [this](SoupWebsocketConnection *c) { if (slots_[0]->stream) slots_[0]->stream->accept_signaling(c); },
        [this](SoupWebsocketConnection *c) { if (slots_[0]->stream) slots_[0]->stream->accept_media(c); });
  }
  if (!server_->start(options_.host, options_.port, have_tls_ ? &certificates_ : nullptr,
                      options_.websocket_extensions, error))
    return false;
  if (options_.event_socket) {
    EventServiceConfig config;
    config.client_id = options_.client_id;
    config.client_secret = options_.client_secret;
    config.subscription_id = options_.subscription_id;
    config.token_ttl_s = options_.token_ttl_s;
    config.drop_at_ms = options_.event_socket_drops_ms;
    config.revoke_tokens_on_drop = options_.revoke_tokens_on_drop;
    config.mute_heartbeats_at_ms = options_.mute_heartbeats_at_ms;
    config.bad_frames = options_.event_socket_bad_frames;
    events_ = std::make_unique<EventService>(std::move(config));
    events_->attach(server_->soup_server());
    // The meeting starts for whoever listens: rtms_started once the first
    // event socket is open (Zoom would not deliver it before either).
    events_->set_on_first_connection([this] {
      for (auto &slot : slots_) send_event(slot.get(), slot->started_body, "rtms_started", nullptr);
    });
  }
  for (auto &owned : slots_) {
    Slot *slot = owned.get();
    auto on_ended = [this, slot](rtms::StopReason reason) { on_stream_ended(slot, reason); };
    slot->stream = std::make_unique<RtmsStream>(options_, slot->script, *slot->manifest, *media_,
                                                server_->media_url(), std::move(on_ended));
    slot->started_body = webhook_body(*slot, "meeting.rtms_started", false, rtms::StopReason::Undefined);
    if (!options_.webhook_url.empty())
      slot->webhook = std::make_unique<WebhookSender>(options_.webhook_url, options_.webhook_secret,
                                                      options_.webhook_ca_file);
    if (delivers_events(*slot)) {
      slot->stream->set_on_interrupted([this, slot] {
        if (!signalled_) send_event(slot, interrupted_body(*slot), "rtms_interrupted", nullptr);
      });
    }
  }
  return true;
}

void EmulatorApp::send_event(Slot *slot, std::string body, const char *label,
                             std::function<void(bool)> done) {
  if (slot->webhook) {
    if (!done) done = [](bool) {};
    slot->webhook->post(std::move(body), std::move(done));
    return;
  }
  if (!events_) return;
  bool sent = events_->deliver(body, label);
  if (!done) return;
  if (!sent) {
    done(false);
    return;
  }
  // A frame queued on a socket needs the loop a little longer to leave.
  auto timer = std::make_unique<Timer>();
  timer->once(300, [done, sent] { done(sent); });
  flush_timers_.push_back(std::move(timer));
}

bool EmulatorApp::write_webhook_out(std::string *error) const {
  // One body, or one line per stream.
  std::string text;
  for (const auto &slot : slots_) text += slot->started_body + (multi() ? "\n" : "");
  g_autoptr(GError) gerror = nullptr;
  if (!g_file_set_contents(options_.webhook_out.c_str(), text.c_str(), static_cast<gssize>(text.size()), &gerror)) {
    *error = std::string("cannot write --webhook-out: ") + gerror->message;
    return false;
  }
  return true;
}

void EmulatorApp::announce_ready() {
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "event");
  json_builder_add_string_value(b, "ready");
  json_builder_set_member_name(b, "signaling_url");
  json_builder_add_string_value(b, server_->signaling_url().c_str());
  json_builder_set_member_name(b, "ca_file");
  if (have_tls_) json_builder_add_string_value(b, certificates_.ca_file.c_str());
  else json_builder_add_null_value(b);
  if (events_) {
    json_builder_set_member_name(b, "token_url");
    json_builder_add_string_value(b, server_->http_url(EventService::kTokenPath).c_str());
    json_builder_set_member_name(b, "event_url");
    g_autofree gchar *id = g_uri_escape_string(options_.subscription_id.c_str(), nullptr, FALSE);
    std::string event_url = server_->signaling_url();
    event_url = event_url.substr(0, event_url.rfind('/')) + EventService::kSocketPath +
                "?subscriptionId=" + id;
    json_builder_add_string_value(b, event_url.c_str());
  }
  auto add_webhook = [&b](const std::string &body) {
    json_builder_set_member_name(b, "webhook");
    rtms::GRef<JsonNode> hook = parse_json_text(body);
    if (hook) json_builder_add_value(b, json_node_copy(hook.get()));
    else json_builder_add_null_value(b);
  };
  // The first stream's webhook stays where one-stream readers look for it.
  add_webhook(slots_[0]->started_body);
  json_builder_set_member_name(b, "pid");
  json_builder_add_int_value(b, getpid());
  if (multi()) {
    json_builder_set_member_name(b, "streams");
    json_builder_begin_array(b);
    for (const auto &slot : slots_) {
      json_builder_begin_object(b);
      json_builder_set_member_name(b, "rtms_stream_id");
      json_builder_add_string_value(b, slot->script.rtms_stream_id.c_str());
      json_builder_set_member_name(b, "meeting_uuid");
      json_builder_add_string_value(b, slot->script.meeting_uuid.c_str());
      add_webhook(slot->started_body);
      json_builder_end_object(b);
    }
    json_builder_end_array(b);
  }
  json_builder_end_object(b);
  print_line(builder_to_text(b));
}

int EmulatorApp::run() {
  std::string error;
  if (!set_up(&error) || (!options_.webhook_out.empty() && !write_webhook_out(&error))) {
    tools::log_error("%s", error.c_str());
    return kExitFailure;
  }
  if (multi())
    tools::log_info("listening: %s (media %s), %zu streams from %s, %zu participants, %" G_GINT64_FORMAT " ms",
                    server_->signaling_url().c_str(), server_->media_url().c_str(), slots_.size(),
                    script_.rtms_stream_id.c_str(), script_.participants.size(), script_.duration_ms);
  else
    tools::log_info("listening: %s (media %s), stream %s, %zu participants, %" G_GINT64_FORMAT " ms",
                    server_->signaling_url().c_str(), server_->media_url().c_str(), script_.rtms_stream_id.c_str(),
                    script_.participants.size(), script_.duration_ms);
  // Before the ready line: whoever reads it may signal at once (SIGUSR1's
  // default action would end the process).
  auto on_signal = [](gpointer self) -> gboolean {
    static_cast<EmulatorApp *>(self)->on_signal();
    return G_SOURCE_CONTINUE;
  };
  signal_sources_[0] = g_unix_signal_add(SIGINT, on_signal, this);
  signal_sources_[1] = g_unix_signal_add(SIGTERM, on_signal, this);
  // A benchmark brackets its measuring window with these, so that how late
  // the timers ran is reported for that window only (the done line).
  signal_sources_[2] = g_unix_signal_add(SIGUSR1, [](gpointer) -> gboolean {
    Scheduler::instance().start_lateness_window();
    return G_SOURCE_CONTINUE;
  }, nullptr);
  signal_sources_[3] = g_unix_signal_add(SIGUSR2, [](gpointer) -> gboolean {
    Scheduler::instance().stop_lateness_window();
    return G_SOURCE_CONTINUE;
  }, nullptr);

  announce_ready();
  for (auto &slot : slots_)
    if (slot->webhook) slot->webhook->post(slot->started_body, [](bool) {});

  wait_client_timer_.once(static_cast<guint>(options_.wait_client_ms), [this] {
    size_t missing = 0;
    for (const auto &slot : slots_) missing += slot->stream->signaling_ever_established() ? 0 : 1;
    if (missing == 0) return;
    if (multi())
      tools::log_error("%zu of %zu streams had no client complete a signaling handshake within %d ms", missing,
                       slots_.size(), options_.wait_client_ms);
    else
      tools::log_error("no client completed a signaling handshake within %d ms", options_.wait_client_ms);
    finish(kExitNoClient);
  });
  g_main_loop_run(loop_.get());
  return exit_code_;
}

void EmulatorApp::on_signal() {
  if (signalled_) {
    // A second signal means "now": skip the orderly close.
    tools::log_warning("second signal: exiting at once");
    finish(kExitOk);
    return;
  }
  signalled_ = true;
  tools::log_info("signal received: ending the stream%s", multi() ? "s" : "");
  for (auto &slot : slots_) slot->stream->end(rtms::StopReason::ExitSignal);
}

void EmulatorApp::on_stream_ended(Slot *slot, rtms::StopReason reason) {
  slot->ended = true;
  // After a signal the caller wants us gone quickly; no webhook round trip.
  if (delivers_events(*slot) && !signalled_) {
    if (events_ && options_.event_socket_gone_before_stop) events_->go_away();
    slot->stopped_webhook_pending = true;
    send_event(slot, webhook_body(*slot, "meeting.rtms_stopped", true, reason), "rtms_stopped",
               [this, slot](bool) {
                 slot->stopped_webhook_pending = false;
                 finish_when_all_ended();
               });
  }
  finish_when_all_ended();
}

void EmulatorApp::finish_when_all_ended() {
  bool waiting_for_webhooks = false;
  for (const auto &slot : slots_) {
    if (!slot->ended) return;
    waiting_for_webhooks = waiting_for_webhooks || slot->stopped_webhook_pending;
  }
  wait_client_timer_.cancel();
  if (!waiting_for_webhooks) {
    finish(kExitOk);
    return;
  }
  if (!webhook_timeout_timer_.pending())
    webhook_timeout_timer_.once(kStoppedWebhookWaitMs, [this] {
      tools::log_warning("giving up on the rtms_stopped webhook");
      finish(kExitOk);
    });
}

bool EmulatorApp::write_manifest(std::string *error) const {
  if (!multi()) return slots_[0]->manifest->write(options_.manifest_path, error);
  // One section per stream, in stream order, each exactly the one-stream
  // manifest of that stream.
  std::string text = "{\n  \"streams\" : [\n";
  for (size_t i = 0; i < slots_.size(); ++i) text += (i ? ",\n" : "") + slots_[i]->manifest->to_json();
  text += "\n  ]\n}\n";
  g_autoptr(GError) gerror = nullptr;
  if (!g_file_set_contents(options_.manifest_path.c_str(), text.c_str(), static_cast<gssize>(text.size()), &gerror)) {
    *error = gerror->message;
    return false;
  }
  return true;
}

void EmulatorApp::finish(int exit_code) {
  if (finishing_) return;
  finishing_ = true;
  webhook_timeout_timer_.cancel();
  exit_code_ = exit_code;
  std::string error;
  if (write_manifest(&error)) {
    tools::log_info("manifest written to %s", options_.manifest_path.c_str());
    if (exit_code == kExitOk) {
      g_autoptr(JsonBuilder) b = json_builder_new();
      json_builder_begin_object(b);
      json_builder_set_member_name(b, "event");
      json_builder_add_string_value(b, "done");
      json_builder_set_member_name(b, "manifest");
      json_builder_add_string_value(b, options_.manifest_path.c_str());
      if (const tools::LatencyHistogram *late = Scheduler::instance().lateness()) {
        json_builder_set_member_name(b, "timer_lateness_us");
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "runs");
        json_builder_add_int_value(b, static_cast<gint64>(late->count()));
        json_builder_set_member_name(b, "p50");
        json_builder_add_int_value(b, late->quantile(0.5));
        json_builder_set_member_name(b, "p99");
        json_builder_add_int_value(b, late->quantile(0.99));
        json_builder_set_member_name(b, "max");
        json_builder_add_int_value(b, late->max());
        json_builder_end_object(b);
      }
      if (events_) {
        json_builder_set_member_name(b, "event_socket");
        events_->add_summary(b);
      }
      json_builder_end_object(b);
      print_line(builder_to_text(b));
    }
  } else {
    tools::log_error("cannot write the manifest %s: %s", options_.manifest_path.c_str(), error.c_str());
    if (exit_code == kExitOk) exit_code_ = kExitFailure;
  }
  g_main_loop_quit(loop_.get());
}

}  // namespace emulator
