// rtms-gateway: receives Zoom's RTMS webhooks, verifies them and runs one
// GStreamer pipeline per stream. See docs/gateway.md.
#include <csignal>

#include <gst/gst.h>

#include "gateway_app.h"
#include "gst_log_guard.h"
#include "options.h"

int main(int argc, char **argv) {
  gateway::Options options;
  switch (gateway::parse_options(argc, argv, &options)) {
    case gateway::ParseOutcome::Run: break;
    case gateway::ParseOutcome::ExitOk: return 0;
    case gateway::ParseOutcome::ExitError: return 1;
  }
  // A closed stdout (the reader of the ready line went away) must not kill
  // the gateway in the middle of recordings.
  std::signal(SIGPIPE, SIG_IGN);
  gst_init(nullptr, nullptr);
  std::vector<std::string> secrets = gateway::turn_url_secrets(options.webrtc.turn_server);
  if (!options.webrtc.turn_secret.empty()) secrets.push_back(options.webrtc.turn_secret);
  gateway::keep_secrets_out_of_gst_log(std::move(secrets), !options.webrtc.turn_secret.empty());
  int code;
  {
    gateway::GatewayApp app(std::move(options));
    code = app.run();
  }
  return code;
}
