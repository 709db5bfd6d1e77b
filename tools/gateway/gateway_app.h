// Wires the parts together: HTTP intake, webhook events to streams, the
// ready line, signals and the bounded shutdown.
#pragma once

#include <memory>
#include <string>

#include <glib.h>

#include "common/gst_gref.h"
#include "event_socket.h"
#include "http_server.h"
#include "live_feed.h"
#include "intake_role.h"
#include "metrics.h"
#include "options.h"
#include "pipeline_template.h"
#include "protocol/host_allowlist.h"
#include "stream_registry.h"
#include "whep_endpoint.h"
#include "worker_role.h"

namespace gateway {

class GatewayApp {
 public:
  explicit GatewayApp(Options options);
  ~GatewayApp();
  GatewayApp(const GatewayApp &) = delete;
  GatewayApp &operator=(const GatewayApp &) = delete;

  // Runs until SIGTERM/SIGINT; the exit code.
  int run();

 private:
  Verdict check(std::string_view signature, std::string_view timestamp, std::string_view body);
  // What an authenticated event may not do, wherever it came from: start a
  // stream while shutting down, or send one to a server not allowed.
  Verdict screen(Verdict verdict);
  void on_verdict(Verdict &&verdict, std::string raw_body);
  // An accepted event of either intake: handled from the loop.
  void dispatch(Verdict &&verdict, std::string raw_body);
  EventSocket::Outcome on_socket_event(const std::string &content);
  bool start_event_socket(std::string *error);
  void start_whep();
  void handle_event(const rtms::Webhook &webhook, const std::string &raw_body);
  // segment (cluster worker): record into that sub-folder of the stream's
  // folder, returned in *folder.
  bool start_stream(const rtms::Webhook &webhook, const std::string &raw_body, const std::string &segment = {},
                    std::string *folder = nullptr);
  // --role intake / worker (docs/gateway.md, "Scale-out on Redis").
  bool start_cluster_role(std::string *error);
  bool start_cluster_stream(const std::string &body, const std::string &segment, std::string *folder,
                            std::string *error);
  void stop_stream(const rtms::Webhook &webhook);
  void on_stream_end(const std::string &stream_id, StreamPipeline::End end);
  void begin_shutdown(const char *why);
  void quit_if_drained();
  static gboolean on_signal(gpointer self);
  static gboolean on_shutdown_deadline(gpointer self);

  Options options_;
  PipelineTemplate template_;
  Metrics metrics_;
  rtms::HostAllowlist allowlist_;
  StreamRegistry registry_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<EventSocket> events_;  // --intake websocket
  std::unique_ptr<WhepEndpoint> whep_;   // WebRTC viewers and the page
  std::unique_ptr<LiveFeed> feed_;       // /streams (live_feed.h)
  std::unique_ptr<cluster::IntakeRole> intake_;  // --role intake
  std::unique_ptr<cluster::WorkerRole> worker_;  // --role worker
  rtms::GRef<GMainLoop> loop_;
  bool shutting_down_ = false;
  rtms::SourceId sigterm_, sigint_, deadline_;
};

}  // namespace gateway
