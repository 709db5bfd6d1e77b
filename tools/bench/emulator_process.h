// One rtms-emulator child process serving one stream: started with its own
// script, manifest and certificate directory, its ready line parsed, its
// done line awaited. The child dies with the bench (PR_SET_PDEATHSIG) even if
// the bench itself is killed, and is terminated when this object goes away.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "gobject_ptr.h"

namespace bench {

class EmulatorProcess {
  struct Key {};  // only spawn() constructs

 public:
  EmulatorProcess(Key, std::string dir) : dir_(std::move(dir)) {}
  // Starts `binary` on a script in `dir` (written by the caller as
  // dir/script.json). nullptr and *error on failure.
  static std::unique_ptr<EmulatorProcess> spawn(const std::string &binary, const std::string &dir, bool tls,
                                                std::string *error);
  ~EmulatorProcess();
  EmulatorProcess(const EmulatorProcess &) = delete;
  EmulatorProcess &operator=(const EmulatorProcess &) = delete;

  // State, advanced by the main loop.
  bool ready() const { return ready_; }
  bool done() const { return done_; }
  bool exited() const { return exited_; }
  const std::string &failure() const { return failure_; }

  // From the ready line.
  const std::string &webhook_json() const { return webhook_json_; }
  const std::string &ca_file() const { return ca_file_; }
  pid_t pid() const { return pid_; }
  std::string manifest_path() const { return dir_ + "/manifest.json"; }
  std::string log_path() const { return dir_ + "/emulator.log"; }

  // SIGTERM (the emulator closes the stream in order); a second call kills.
  void terminate();

 private:
  void read_next_line();
  void on_line(const char *line);
  static void line_ready(GObject *source, GAsyncResult *result, gpointer self);
  static void process_exited(GObject *source, GAsyncResult *result, gpointer self);

  std::string dir_;
  GObjectPtr<GSubprocess> process_;
  GObjectPtr<GDataInputStream> stdout_;
  GObjectPtr<GCancellable> cancellable_{g_cancellable_new()};
  pid_t pid_ = 0;
  bool ready_ = false;
  bool done_ = false;
  bool exited_ = false;
  bool terminated_ = false;
  std::string failure_;
  std::string webhook_json_;
  std::string ca_file_;
};

}  // namespace bench
