// The program around the stream: certificates, the server, the webhooks,
// the ready/done lines on stdout, the manifest, signals and the exit code.
#pragma once

#include <memory>
#include <string>

#include <glib.h>

#include "certificates.h"
#include "manifest.h"
#include "meeting_script.h"
#include "options.h"
#include "rtms_stream.h"
#include "server.h"
#include "timer.h"
#include "webhook_sender.h"

namespace emulator {

enum ExitCode { kExitOk = 0, kExitFailure = 1, kExitNoClient = 2 };

class EmulatorApp {
 public:
  EmulatorApp(Options options, MeetingScript script);
  ~EmulatorApp();

  // Runs until the stream has ended; returns the process exit code.
  int run();

 private:
  bool set_up(std::string *error);
  bool prepare_directories(std::string *error);
  void announce_ready(const std::string &webhook_body);
  void on_stream_ended(rtms::StopReason reason);
  void finish(int exit_code);
  void on_signal();
  std::string webhook_body(const char *event, bool stopped, rtms::StopReason reason) const;

  Options options_;
  MeetingScript script_;
  Manifest manifest_;
  std::string temp_dir_;
  bool have_tls_ = false;
  CertificateFiles certificates_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<RtmsStream> stream_;
  std::unique_ptr<WebhookSender> webhook_;
  Timer wait_client_timer_;
  Timer webhook_timeout_timer_;
  struct LoopUnref {
    void operator()(GMainLoop *loop) const { g_main_loop_unref(loop); }
  };
  std::unique_ptr<GMainLoop, LoopUnref> loop_;
  guint signal_sources_[2] = {0, 0};
  bool finishing_ = false;
  bool signalled_ = false;
  int exit_code_ = kExitOk;
};

}  // namespace emulator
