#include "gateway_app.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>

#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cluster_view.h"
#include "log.h"
#include "run_on_idle.h"
#include "protocol/host_allowlist.h"
#include "protocol/json_fields.h"

namespace gateway {

namespace {

std::string utc_stamp(int64_t event_ts_ms) {
  g_autoptr(GDateTime) t = event_ts_ms > 0 ? g_date_time_new_from_unix_utc(event_ts_ms / 1000)
                                           : g_date_time_new_now_utc();
  if (!t) return "00000000-000000";
  g_autofree gchar *text = g_date_time_format(t, "%Y%m%d-%H%M%S");
  return text;
}

std::string joined(const std::vector<std::string> &values) {
  std::string out;
  for (const auto &v : values) out += (out.empty() ? "" : ",") + v;
  return out;
}

std::string ready_line(const std::string &url, const std::string &intake) {
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "event");
  json_builder_add_string_value(b, "ready");
  json_builder_set_member_name(b, "url");
  json_builder_add_string_value(b, url.c_str());
  json_builder_set_member_name(b, "intake");
  json_builder_add_string_value(b, intake.c_str());
  json_builder_set_member_name(b, "pid");
  json_builder_add_int_value(b, getpid());
  json_builder_end_object(b);
  return rtms::json::to_compact_string(b);
}

}  // namespace

GatewayApp::GatewayApp(Options options)
    : options_(std::move(options)), registry_(options_.max_streams) {}

GatewayApp::~GatewayApp() = default;

int GatewayApp::run() {
  if (!options_.pipeline.empty()) {
    template_ = PipelineTemplate{};
    template_.name = "custom";
    template_.launch = options_.pipeline;
    template_.per_participant_audio = options_.per_participant_audio;
    template_.webvtt = options_.webvtt;
    template_.needs_rtmp_url = options_.pipeline.find("{rtmp_url}") != std::string::npos;
  } else if (!shipped_template(options_.template_name, &template_)) {
    tools::log_error("unknown --template '%s' (shipped: %s; or give --pipeline)",
                     tools::log_safe(options_.template_name).c_str(), shipped_template_names());
    return 1;
  }
  std::string error;
  if (template_.needs_rtmp_url && options_.rtmp_url.empty()) {
    tools::log_error("template %s pushes to an RTMP server: give --rtmp-url (e.g. rtmp://host/live/{stream_id})",
                     template_.name.c_str());
    return 1;
  }
  if (!options_.rtmp_url.empty() && !valid_rtmp_url(options_.rtmp_url, &error)) {
    tools::log_error("%s", error.c_str());
    return 1;
  }
  template_.rtmp_url = options_.rtmp_url;
  if (!StreamPipeline::validate(template_, &error)) {
    tools::log_error("%s", error.c_str());
    return 1;
  }
  if (g_mkdir_with_parents(options_.output_dir.c_str(), 0755) != 0) {
    tools::log_error("cannot create --output-dir %s: %s", tools::log_safe(options_.output_dir).c_str(),
                     g_strerror(errno));
    return 1;
  }

  for (const std::string &pattern : rtms::default_rtms_host_patterns()) allowlist_.add(pattern, nullptr);
  for (const std::string &pattern : options_.allow_hosts) {
    if (!allowlist_.add(pattern, &error)) {
      tools::log_error("--allow-host: %s", tools::log_safe(error).c_str());
      return 1;
    }
  }
  std::string allowed;
  for (const std::string &pattern : allowlist_.patterns()) allowed += (allowed.empty() ? "" : " ") + pattern;
  if (options_.allow_hosts.end() != std::find(options_.allow_hosts.begin(), options_.allow_hosts.end(), "*"))
    tools::log_warning("--allow-host '*': webhooks may send streams to any server");
  if (options_.allow_plaintext) tools::log_warning("--allow-plaintext: streams may run over unencrypted ws://");

  if (!start_cluster_role(&error)) {
    tools::log_error("%s", error.c_str());
    return 1;
  }
  raise_fd_limit();
  loop_ = rtms::adopt(g_main_loop_new(nullptr, FALSE));
  HttpConfig http_config{options_.host, options_.port, options_.webhook_path, options_.tls_cert_file,
                         options_.tls_key_file, options_.max_body_bytes, ListenerConfig{}};
  http_config.listener.backlog = options_.listen_backlog;
  http_config.listener.max_connections = options_.max_connections;
  http_config.listener.header_timeout_s = options_.header_timeout_s;
  http_config.listener.body_timeout_s = options_.body_timeout_s;
  http_config.listener.max_streams = options_.max_streams;
  FeedConfig feed_config;
  feed_config.max_per_stream = options_.feed_max_consumers;
  feed_config.max_total = options_.feed_max_total;
  feed_config.queue_bytes = size_t(options_.feed_queue_bytes);
  feed_config.token = options_.feed_token;
  feed_config.cors_origin = options_.cors_origin;
  feed_ = std::make_unique<LiveFeed>(std::move(feed_config), [this](SoupServerMessage *msg) {
    return http_ ? http_->hold_open(msg) : nullptr;
  });
  HttpServer::Handlers handlers;
  // /streams and below: the live feed's paths, then WHEP's (/streams/{id}/whep).
  handlers.feed = [this](SoupServerMessage *msg, const char *path) {
    return feed_->handle(msg, path) || (whep_ && whep_->handle(msg, path));
  };
  handlers.check = [this](std::string_view sig, std::string_view ts, std::string_view body) {
    return check(sig, ts, body);
  };
  handlers.done = [this](Verdict &&verdict, std::string_view body) {
    on_verdict(std::move(verdict), std::string(body));
  };
  handlers.metrics = [this] {
    metrics_.set_active_streams(int64_t(registry_.size()));
    // Polled now from every running rtmssrc; ended streams are in metrics_.
    MediaStats running;
    for (StreamPipeline *stream : registry_.all()) running += stream->stats();
    return metrics_.render(running) + feed_->metrics_text() + (events_ ? events_->metrics_text() : std::string()) +
           (whep_ ? whep_->metrics_text() : std::string()) + (intake_ ? intake_->metrics_text() : std::string()) +
           (worker_ ? worker_->metrics_text() : std::string());
  };
  if (intake_ || worker_)
    handlers.cluster_streams = [this] {
      return worker_ ? worker_->streams_json()
                     : cluster::intake_streams_json(intake_->link(), intake_->keys(), options_.worker_id);
    };
  handlers.ready = [this](std::string *why) {
    if (shutting_down_) {
      *why = "shutting down";
      return false;
    }
    if (intake_ && !intake_->link().ensure()) {
      *why = "Redis at " + intake_->link().client().url().display() + " is not reachable: events cannot be stored";
      return false;
    }
    if (worker_) {
      *why = "worker " + options_.worker_id;
      return true;
    }
    if (!events_) {
      *why = "ready: webhooks at " + options_.webhook_path;
      return true;
    }
    *why = events_->state_text();
    return events_->ready();
  };
  http_ = std::make_unique<HttpServer>(std::move(http_config), std::move(handlers));
  if (!http_->listen(&error)) {
    tools::log_error("%s", error.c_str());
    return 1;
  }
  start_whep();
  if (options_.websocket_intake() && !start_event_socket(&error)) {
    tools::log_error("%s", error.c_str());
    return 1;
  }
  sigterm_ = rtms::SourceId(g_unix_signal_add(SIGTERM, on_signal, this));
  sigint_ = rtms::SourceId(g_unix_signal_add(SIGINT, on_signal, this));

  tools::log_info("listening on %s (template %s, output %s, max %d streams)", http_->webhook_url().c_str(),
                  template_.name.c_str(), tools::log_safe(options_.output_dir).c_str(), options_.max_streams);
  tools::log_info("HTTP: at most %d connections (%s), header timeout %d s, body timeout %d s, backlog %d",
                  http_->listener()->limit(), http_->listener()->limit_note().c_str(), options_.header_timeout_s,
                  options_.body_timeout_s, options_.listen_backlog);
  tools::log_info("RTMS servers allowed: %s, %s", tools::log_safe(allowed).c_str(),
                  options_.allow_plaintext ? "ws:// and wss://" : "wss:// only");
  std::printf("%s\n", ready_line(http_->webhook_url(), options_.intake).c_str());
  std::fflush(stdout);

  if (worker_) worker_->start();

  g_main_loop_run(loop_.get());

  worker_.reset();
  intake_.reset();
  events_.reset();
  feed_.reset();  // its consumers' connections, before the listener's
  http_.reset();
  whep_.reset();
  for (StreamPipeline *stream : registry_.all()) registry_.remove(stream->info().stream_id);
  // The teardowns run on GStreamer's threads; let them close the files.
  for (int i = 0; i < 500 && StreamPipeline::pending_teardowns() + webrtc_pending_teardowns() > 0; i++)
    g_usleep(10000);
  tools::log_info("stopped");
  return 0;
}

bool GatewayApp::start_cluster_role(std::string *error) {
  if (!options_.cluster()) return true;
  cluster::RedisUrl url;
  if (!cluster::parse_redis_url(options_.redis_url, &url, error)) return false;
  if (options_.role == "intake") {
    intake_ = std::make_unique<cluster::IntakeRole>(options_);
    intake_->start();
    tools::log_info("role intake (%s): events stored in Redis at %s, answered 503 while it is unreachable",
                    options_.worker_id.c_str(), url.display().c_str());
    return true;
  }
  cluster::WorkerHost host;
  host.start = [this](const std::string &body, const std::string &segment, std::string *folder, std::string *why) {
    return start_cluster_stream(body, segment, folder, why);
  };
  host.stop = [this](const std::string &stream_id) {
    if (StreamPipeline *stream = registry_.find(stream_id)) stream->stop(options_.shutdown_timeout_s);
  };
  host.failover = [this](const std::string &stream_id, const std::string &body) {
    StreamPipeline *stream = registry_.find(stream_id);
    CheckLimits limits{options_.timestamp_window_s, options_.max_body_bytes};
    Verdict v = screen(check_event_body(body, limits));
    if (!stream || !v.accepted() || !v.webhook) return;
    stream->update_webhook(body);
    registry_.set_server_urls(stream_id, v.webhook->server_urls);
  };
  worker_ = std::make_unique<cluster::WorkerRole>(options_, std::move(host));
  return true;
}

bool GatewayApp::start_cluster_stream(const std::string &body, const std::string &segment, std::string *folder,
                                      std::string *error) {
  CheckLimits limits{options_.timestamp_window_s, options_.max_body_bytes};
  Verdict v = screen(check_event_body(body, limits));
  if (!v.accepted() || !v.webhook || v.webhook->kind != rtms::WebhookKind::RtmsStarted) {
    *error = "the stored rtms_started was refused: " + v.reason + ": " + v.detail;
    return false;
  }
  if (registry_.find(v.webhook->rtms_stream_id)) {
    *error = "busy";  // still ending here: another worker (or this one, later) takes it
    return false;
  }
  if (!start_stream(*v.webhook, body, segment, folder)) {
    *error = "the pipeline did not start (see above)";
    return false;
  }
  return true;
}

namespace {

const char *config_token_text(const WebrtcOptions &o, const std::string &feed_token) {
  if (!o.viewer_token.empty()) return "viewer token required";
  return feed_token.empty() ? "no viewer token" : "the feed's token required";
}

}  // namespace

void GatewayApp::start_whep() {
  const WebrtcOptions &o = options_.webrtc;
  WhepConfig config;
  config.cors_origin = options_.cors_origin;  // shared with the live feed
  // One token for the page (the list, the feed and WHEP) unless WHEP has its own.
  config.viewer_token = !o.viewer_token.empty() ? o.viewer_token : options_.feed_token;
  config.max_viewers_per_stream = o.max_viewers;
  config.max_viewers_total = o.max_viewers_total;
  config.webrtc.stun_server = o.stun_server;
  config.webrtc.turn_server = o.turn_server;
  config.webrtc.turn_secret = o.turn_secret;
  config.webrtc.turn_credential_ttl_s = o.turn_credential_ttl_s;
  config.webrtc.relay_only = o.ice_transport_policy == "relay";
  config.webrtc.video_mode = o.video_mode == "encode"        ? VideoMode::Encode
                             : o.video_mode == "passthrough" ? VideoMode::Passthrough
                                                             : VideoMode::Auto;
  config.webrtc.answer_timeout_ms = o.answer_timeout_s * 1000;
  WhepEndpoint::Hooks hooks;
  hooks.find = [this](const std::string &id) -> WebrtcBranch * {
    StreamPipeline *stream = registry_.find(id);
    return stream && !stream->stopping() ? stream->webrtc() : nullptr;
  };
  whep_ = std::make_unique<WhepEndpoint>(std::move(config), std::move(hooks));
  whep_->attach(http_->soup_server());
  std::string base = http_->webhook_url().substr(0, http_->webhook_url().size() - options_.webhook_path.size());
  tools::log_info("page at %s/ ; WHEP at %s/streams/{rtms_stream_id}/whep (%s, at most %d viewers per stream, %d in all%s)",
                  base.c_str(), base.c_str(), config_token_text(o, options_.feed_token), o.max_viewers,
                  o.max_viewers_total, options_.cors_origin.empty() ? "" : ", CORS on");
}

bool GatewayApp::start_event_socket(std::string *error) {
  EventSocketConfig config;
  config.token.url = options_.oauth_url;
  config.token.client_id = options_.client_id;
  config.token.client_secret = options_.client_secret;
  config.token.account_id = options_.account_id;
  config.event_url = options_.event_url;
  config.ca_file = options_.event_ca_file;
  config.heartbeat_interval_s = options_.heartbeat_interval_s;
  config.heartbeat_timeout_s = options_.heartbeat_timeout_s;
  config.max_content_bytes = size_t(options_.max_body_bytes);
  events_ = std::make_unique<EventSocket>(
      std::move(config), [this](const std::string &content) { return on_socket_event(content); });
  if (!events_->start(error)) return false;
  tools::log_info("intake: Zoom's event WebSocket %s (token from %s, %s credentials); webhooks at %s "
           "are refused", events_->url_for_log().c_str(), tools::log_safe(options_.oauth_url).c_str(),
           options_.account_id.empty() ? "client" : "account",
           tools::log_safe(options_.webhook_path).c_str());
  return true;
}

EventSocket::Outcome GatewayApp::on_socket_event(const std::string &content) {
  CheckLimits limits{options_.timestamp_window_s, options_.max_body_bytes};
  Verdict v = screen(check_event_body(content, limits));
  if (intake_) v = intake_->append(std::move(v), content);
  EventSocket::Outcome outcome{v.accepted(), v.reason};
  if (!v.accepted()) {
    tools::log_warning("event from the event socket rejected (%s): %s", tools::log_safe(v.reason).c_str(),
                tools::log_safe(v.detail, 1024).c_str());
    return outcome;
  }
  dispatch(std::move(v), content);
  return outcome;
}

Verdict GatewayApp::check(std::string_view signature, std::string_view timestamp, std::string_view body) {
  if (options_.websocket_intake()) {
    // No webhook secret in this mode: nothing posted here can be verified.
    Verdict off;
    off.status = 404;
    off.reason = "intake_off";
    off.detail = "webhook intake is off (--intake websocket)";
    return off;
  }
  if (worker_) {
    Verdict off;
    off.status = 404;
    off.reason = "intake_off";
    off.detail = "a worker takes no webhooks (--role worker): post them to an intake gateway";
    return off;
  }
  CheckLimits limits{options_.timestamp_window_s, options_.max_body_bytes};
  Verdict v = screen(check_webhook(options_.webhook_secret, signature, timestamp, body,
                                   g_get_real_time() / G_USEC_PER_SEC, limits));
  // --role intake: stored in Redis before the answer (503 if it cannot be).
  if (intake_) return intake_->append(std::move(v), body);
  return v;
}

Verdict GatewayApp::screen(Verdict v) {
  if (v.accepted() && shutting_down_ && v.webhook && v.webhook->kind == rtms::WebhookKind::RtmsStarted) {
    // Zoom retries elsewhere (or later) on a 5xx; a stream started now would
    // be cut short.
    Verdict busy;
    busy.status = 503;
    busy.reason = "shutting_down";
    busy.detail = "rtms_started for stream " + v.webhook->rtms_stream_id + " while shutting down";
    return busy;
  }
  if (v.accepted() && v.webhook && v.webhook->kind == rtms::WebhookKind::RtmsStarted) {
    // Every URL: rtmssrc may try each of them in turn.
    for (const std::string &url : v.webhook->server_urls) {
      std::string why;
      rtms::ServerUrlCheck result = rtms::check_server_url(allowlist_, options_.allow_plaintext, url, &why);
      if (result == rtms::ServerUrlCheck::Allowed) continue;
      if (result == rtms::ServerUrlCheck::HostNotAllowed) why += " (add it with --allow-host)";
      if (result == rtms::ServerUrlCheck::Plaintext) why += " (unless --allow-plaintext)";
      Verdict refused;
      refused.status = 403;
      refused.reason = rtms::to_string(result);
      refused.detail = "rtms_started for stream " + v.webhook->rtms_stream_id + " (meeting " +
                       v.webhook->identity.instance_id + ") refused, nothing started: " + why + " (" + url + ")";
      return refused;
    }
  }
  return v;
}

void GatewayApp::on_verdict(Verdict &&verdict, std::string raw_body) {
  metrics_.webhook(verdict.accepted(), verdict.reason);
  if (!verdict.accepted()) {
    tools::log_warning("webhook rejected with %d (%s): %s", verdict.status, tools::log_safe(verdict.reason).c_str(),
                       tools::log_safe(verdict.detail, 1024).c_str());
    return;
  }
  // The answer is already set; the stream work waits for the loop to send it.
  dispatch(std::move(verdict), std::move(raw_body));
}

void GatewayApp::dispatch(Verdict &&verdict, std::string raw_body) {
  if (intake_ && !cluster::record_kind(event_label(verdict.webhook->kind)).empty()) return;  // stored for the workers
  auto webhook = std::make_shared<rtms::Webhook>(std::move(*verdict.webhook));
  auto body = std::make_shared<std::string>(std::move(raw_body));
  run_on_idle([this, webhook, body] { handle_event(*webhook, *body); });
}

void GatewayApp::handle_event(const rtms::Webhook &w, const std::string &raw_body) {
  std::string event_text = tools::log_safe(w.event.empty() ? std::string(event_label(w.kind)) : w.event);
  const char *event = event_text.c_str();
  std::string stream_text = tools::log_safe(w.rtms_stream_id.empty() ? std::string("-") : w.rtms_stream_id);
  std::string meeting_text =
      tools::log_safe(w.identity.instance_id.empty() ? std::string("-") : w.identity.instance_id);
  switch (w.kind) {
    case rtms::WebhookKind::UrlValidation:
      tools::log_info("answered endpoint.url_validation");
      break;
    case rtms::WebhookKind::RtmsStarted:
      start_stream(w, raw_body);
      break;
    case rtms::WebhookKind::RtmsStopped:
      stop_stream(w);
      break;
    case rtms::WebhookKind::RtmsInterrupted:
      tools::log_warning("%s: stream %s (meeting %s) interrupted; rtmssrc reconnects by itself", event,
                         stream_text.c_str(), meeting_text.c_str());
      break;
    case rtms::WebhookKind::ConcurrencyNearLimit:
    case rtms::WebhookKind::ConcurrencyLimited:
      tools::log_warning("%s: Zoom's RTMS concurrency limit for this account is %s (meeting %s)", event,
                         w.kind == rtms::WebhookKind::ConcurrencyLimited ? "reached: new streams are refused"
                                                                  : "near",
                         meeting_text.c_str());
      break;
    case rtms::WebhookKind::StartFailed:
      tools::log_warning("%s: Zoom could not start a stream (meeting %s, stream %s)", event, meeting_text.c_str(),
                         stream_text.c_str());
      break;
    case rtms::WebhookKind::Unknown:
      tools::log_info("ignored event '%s'", event);
      break;
  }
}

bool GatewayApp::start_stream(const rtms::Webhook &w, const std::string &raw_body, const std::string &segment,
                              std::string *folder) {
  const std::string &id = w.rtms_stream_id;
  // For the log lines only: the ids as sent, escaped.
  std::string id_text = tools::log_safe(id), meeting_text = tools::log_safe(w.identity.instance_id);
  const char *meeting = meeting_text.c_str();
  StartAction action = registry_.decide(id, w.server_urls);
  metrics_.stream_event(to_string(action));
  switch (action) {
    case StartAction::Duplicate:
      tools::log_info("stream %s (meeting %s): rtms_started again with the same servers (a Zoom retry): nothing to do",
                      id_text.c_str(), meeting);
      return false;
    case StartAction::Failover:
      tools::log_info("stream %s (meeting %s): rtms_started with other servers (%s): server failover", id_text.c_str(),
                      meeting,
                      tools::log_safe(joined(w.server_urls), 1024).c_str());
      registry_.find(id)->update_webhook(raw_body);
      registry_.set_server_urls(id, w.server_urls);
      return false;
    case StartAction::LimitReached:
      tools::log_warning("stream %s (meeting %s) NOT started: --max-streams %d reached", id_text.c_str(), meeting,
                         registry_.max_streams());
      return false;
    case StartAction::Start:
      break;
  }
  StreamInfo info;
  info.stream_id = id;
  info.meeting = w.identity.instance_id;
  info.start_time = utc_stamp(w.event_ts);
  info.account_id = w.account_id;
  info.meeting_id = w.meeting_id;
  info.webinar_id = w.webinar_id;
  if (w.is_original_host) info.is_original_host = *w.is_original_host ? "true" : "false";
  info.out_dir = options_.output_dir + "/" + info.start_time + "_" + file_safe(info.meeting) + "_" + file_safe(id);
  if (folder) *folder = info.out_dir;
  if (!segment.empty()) {
    // One folder per owner of the stream (cluster worker): never another's files.
    std::string path = info.out_dir + "/" + segment;
    for (int n = 2; g_file_test(path.c_str(), G_FILE_TEST_EXISTS); n++)
      path = info.out_dir + "/" + segment + "." + std::to_string(n);
    info.out_dir = path;
  }
  if (g_mkdir_with_parents(info.out_dir.c_str(), 0755) != 0) {
    tools::log_error("stream %s (meeting %s): cannot create %s: %s", id_text.c_str(), meeting,
                     tools::log_safe(info.out_dir).c_str(),
                     g_strerror(errno));
    metrics_.pipeline_error();
    return false;
  }
  std::string error;
  std::unique_ptr<StreamPipeline> pipeline = StreamPipeline::build(template_, info, &error);
  if (!pipeline) {
    tools::log_error("stream %s (meeting %s): %s", id_text.c_str(), meeting, tools::log_safe(error, 1024).c_str());
    metrics_.pipeline_error();
    return false;
  }
  std::string stream_id = id;
  auto on_end = [this, stream_id](StreamPipeline::End end) { on_stream_end(stream_id, end); };
  StreamPipeline::ServerPolicy policy;
  policy.ssl_ca_file = options_.ssl_ca_file;
  for (const std::string &pattern : allowlist_.patterns())
    policy.allowed_hosts += (policy.allowed_hosts.empty() ? "" : " ") + pattern;
  policy.allow_plaintext = options_.allow_plaintext;
  feed_->attach(*pipeline);
  // A worker's stream may go on in another worker: stopping it must not end it at Zoom.
  policy.close_stream = !worker_;
  if (!pipeline->play(raw_body, policy, on_end, &error)) {
    feed_->stream_ended(id, "error");
    tools::log_error("stream %s (meeting %s): %s", id_text.c_str(), meeting, tools::log_safe(error, 1024).c_str());
    metrics_.pipeline_error();
    return false;
  }
  registry_.add(id, w.server_urls, std::move(pipeline));
  metrics_.stream_started();
  tools::log_info("stream %s (meeting %s) started -> %s (%zu running)", id_text.c_str(), meeting,
                  tools::log_safe(info.out_dir).c_str(),
                  registry_.size());
  return true;
}

void GatewayApp::stop_stream(const rtms::Webhook &w) {
  StreamPipeline *stream = registry_.find(w.rtms_stream_id);
  std::string reason = w.has_stop_reason ? rtms::to_string(w.stop_reason) : "no stop_reason";
  if (!stream) {
    metrics_.stream_event("unknown_stream");
    tools::log_info("rtms_stopped for stream %s (meeting %s, %s): not running here (already ended)",
                    tools::log_safe(w.rtms_stream_id).c_str(), tools::log_safe(w.identity.instance_id).c_str(),
                    reason.c_str());
    return;
  }
  metrics_.stream_event("stopped");
  tools::log_info("rtms_stopped for stream %s (meeting %s, %s): ending it with EOS",
                  tools::log_safe(w.rtms_stream_id).c_str(),
                  tools::log_safe(w.identity.instance_id).c_str(), reason.c_str());
  stream->stop(options_.shutdown_timeout_s);
}

void GatewayApp::on_stream_end(const std::string &stream_id, StreamPipeline::End end) {
  if (end == StreamPipeline::End::Error) metrics_.pipeline_error();
  if (worker_) worker_->on_stream_end(stream_id, end == StreamPipeline::End::Error);
  // Not from inside the pipeline's own bus callback.
  const char *why = end == StreamPipeline::End::Eos ? "eos" : end == StreamPipeline::End::Error ? "error" : "timeout";
  run_on_idle([this, stream_id, why] {
    // The feed's consumers get the end after every line the stream gave.
    if (feed_) feed_->stream_ended(stream_id, why);
    // Its counts stay in the totals after the pipeline is gone.
    if (StreamPipeline *stream = registry_.find(stream_id)) metrics_.stream_ended(stream->stats());
    registry_.remove(stream_id);
    quit_if_drained();
  });
}

gboolean GatewayApp::on_signal(gpointer data) {
  auto *self = static_cast<GatewayApp *>(data);
  try {
    self->begin_shutdown("signal");
  } catch (...) {
  }
  return G_SOURCE_CONTINUE;
}

void GatewayApp::begin_shutdown(const char *why) {
  if (shutting_down_) {
    tools::log_warning("second %s: exiting without waiting for files", why);
    std::fflush(stderr);
    _exit(1);
  }
  shutting_down_ = true;
  if (worker_) worker_->drain();
  tools::log_info("shutting down (%s): EOS to %zu stream(s), waiting at most %d s", why, registry_.size(),
                  options_.shutdown_timeout_s);
  for (StreamPipeline *stream : registry_.all()) stream->stop(options_.shutdown_timeout_s);
  // Each stream has its own timeout; this one only guards against a stream
  // whose timeout never fires.
  deadline_ = rtms::SourceId(g_timeout_add_seconds(guint(options_.shutdown_timeout_s + 2), on_shutdown_deadline, this));
  quit_if_drained();
}

gboolean GatewayApp::on_shutdown_deadline(gpointer data) {
  auto *self = static_cast<GatewayApp *>(data);
  self->deadline_.release();
  tools::log_warning("shutdown deadline passed with %zu stream(s) still running", self->registry_.size());
  g_main_loop_quit(self->loop_.get());
  return G_SOURCE_REMOVE;
}

void GatewayApp::quit_if_drained() {
  if (shutting_down_ && registry_.size() == 0) g_main_loop_quit(loop_.get());
}

}  // namespace gateway
