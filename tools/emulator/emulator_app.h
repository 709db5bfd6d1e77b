// The program around the streams: certificates, the server, the webhooks,
// the ready/done lines on stdout, the manifest, signals and the exit code.
// One stream by default; with --streams N, N independent streams of the
// same script share the process, its server and its encoded media.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <glib.h>

#include "certificates.h"
#include "connection_router.h"
#include "event_service.h"
#include "manifest.h"
#include "media_cache.h"
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

  // Runs until every stream has ended; returns the process exit code.
  int run();

 private:
  // One stream of the process: the script under its own ids, its
  // manifest, the stream itself and its webhooks.
  struct Slot {
    MeetingScript script;
    std::unique_ptr<Manifest> manifest;
    std::unique_ptr<RtmsStream> stream;
    std::unique_ptr<WebhookSender> webhook;
    std::string started_body;
    bool ended = false;
    bool stopped_webhook_pending = false;
  };

  bool multi() const { return slots_.size() > 1; }
  bool set_up(std::string *error);
  bool prepare_directories(std::string *error);
  bool write_webhook_out(std::string *error) const;
  void announce_ready();
  void on_stream_ended(Slot *slot, rtms::StopReason reason);
  void finish_when_all_ended();
  void finish(int exit_code);
  bool write_manifest(std::string *error) const;
  void on_signal();
  std::string webhook_body(const Slot &slot, const char *event, bool stopped, rtms::StopReason reason) const;
  std::string interrupted_body(const Slot &slot) const;
  RtmsStream *stream_named(const std::string &rtms_stream_id) const;
  // Whether this slot's events go anywhere (webhooks or the event socket).
  bool delivers_events(const Slot &slot) const { return slot.webhook || events_; }
  // One event to the webhook receiver or the event socket; done (when
  // given) runs once, delivered or not.
  void send_event(Slot *slot, std::string body, const char *label, std::function<void(bool)> done);

  Options options_;
  MeetingScript script_;
  std::string temp_dir_;
  bool have_tls_ = false;
  CertificateFiles certificates_;
  std::unique_ptr<MediaCache> media_;
  std::unique_ptr<Server> server_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::map<std::string, Slot *> slot_by_stream_id_;
  std::unique_ptr<ConnectionRouter> router_;
  std::unique_ptr<EventService> events_;  // --event-socket
  // Time for a last event to leave before the process ends.
  std::vector<std::unique_ptr<Timer>> flush_timers_;
  Timer wait_client_timer_;
  Timer webhook_timeout_timer_;
  struct LoopUnref {
    void operator()(GMainLoop *loop) const { g_main_loop_unref(loop); }
  };
  std::unique_ptr<GMainLoop, LoopUnref> loop_;
  // SIGINT, SIGTERM, then SIGUSR1 and SIGUSR2 (the lateness window).
  guint signal_sources_[4] = {0, 0, 0, 0};
  bool finishing_ = false;
  bool signalled_ = false;
  int exit_code_ = kExitOk;
};

}  // namespace emulator
