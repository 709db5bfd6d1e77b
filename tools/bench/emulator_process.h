// One rtms-emulator child process serving `streams` streams of one script
// (--streams): started with its own script, manifest and certificate
// directory, its ready line parsed (one webhook per stream), its done line
// awaited. The child dies with the bench (PR_SET_PDEATHSIG) even if
// the bench itself is killed, and is terminated when this object goes away.
#pragma once

#include <sys/types.h>

#include <cstdint>

#include <memory>
#include <string>
#include <vector>

#include <gio/gio.h>

#include "common/gref.h"
#include "status_line.h"

namespace bench {

class EmulatorProcess {
  struct Key {};  // only spawn() constructs

 public:
  EmulatorProcess(Key, std::string dir) : dir_(std::move(dir)) {}
  struct Config {
    std::string binary;
    std::string dir;  // holds script.json (written by the caller); gets the manifest, log and certificates
    bool tls = false;
    int streams = 1;
    int video_bitrate_kbps = 0;  // 0: the emulator's default
    int wait_client_s = 30;      // how long the streams may wait for their clients
    int cpu = -1;                // pin to this CPU; -1: anywhere
    bool coalesce = false;       // --coalesce
    int socket_poll_interval_ms = 0;  // --socket-poll-interval; 0: the emulator's default
  };
  // nullptr and *error on failure.
  static std::unique_ptr<EmulatorProcess> spawn(const Config &config, std::string *error);
  ~EmulatorProcess();
  EmulatorProcess(const EmulatorProcess &) = delete;
  EmulatorProcess &operator=(const EmulatorProcess &) = delete;

  // State, advanced by the main loop.
  bool ready() const { return ready_; }
  bool done() const { return done_; }
  bool exited() const { return exited_; }
  const std::string &failure() const { return failure_; }

  // From the ready line: one webhook per stream, in stream order.
  const std::vector<std::string> &webhooks() const { return webhooks_; }
  const std::string &ca_file() const { return ca_file_; }
  pid_t pid() const { return pid_; }
  std::string manifest_path() const { return dir_ + "/manifest.json"; }
  std::string log_path() const { return dir_ + "/emulator.log"; }

  // SIGTERM (the emulator closes the stream in order); a second call kills.
  void terminate();

  // Brackets the measuring window (SIGUSR1, SIGUSR2): the emulator then
  // reports how late its send timers ran in that window, on its done line.
  void open_lateness_window();
  void close_lateness_window();
  using Lateness = tools::StatusLine::Lateness;
  // From the done line; runs == 0 when it had none (or the emulator is older).
  const Lateness &lateness() const { return lateness_; }

 private:
  void read_next_line();
  void on_line(const char *line);
  static void line_ready(GObject *source, GAsyncResult *result, gpointer self);
  static void process_exited(GObject *source, GAsyncResult *result, gpointer self);

  std::string dir_;
  rtms::GRef<GSubprocess> process_;
  rtms::GRef<GDataInputStream> stdout_;
  rtms::GRef<GCancellable> cancellable_ = rtms::adopt(g_cancellable_new());
  pid_t pid_ = 0;
  bool ready_ = false;
  bool done_ = false;
  Lateness lateness_;
  bool exited_ = false;
  bool terminated_ = false;
  std::string failure_;
  std::vector<std::string> webhooks_;
  std::string ca_file_;
};

}  // namespace bench
