#include "emulator_process.h"

#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace bench {
namespace {

// In the child, before exec: die with the bench, and stay on the CPU given
// (kept in the child-setup data as cpu + 1, 0 for none).
void child_setup(gpointer data) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  int cpu = static_cast<int>(reinterpret_cast<intptr_t>(data)) - 1;
  if (cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
  }
}

}  // namespace

std::unique_ptr<EmulatorProcess> EmulatorProcess::spawn(const Config &config, std::string *error) {
  const std::string &dir = config.dir;
  auto self = std::make_unique<EmulatorProcess>(Key{}, dir);
  std::vector<std::string> args = {config.binary, "--script", dir + "/script.json", "--manifest",
                                   dir + "/manifest.json", "--host", "127.0.0.1", "--wait-client",
                                   std::to_string(config.wait_client_s * 1000)};
  // One-stream emulators are started exactly as before --streams existed,
  // so an older emulator binary still works for N = 1.
  if (config.streams > 1) args.insert(args.end(), {"--streams", std::to_string(config.streams)});
  if (config.video_bitrate_kbps > 0) args.insert(args.end(), {"--video-bitrate", std::to_string(config.video_bitrate_kbps)});
  if (config.tls) args.insert(args.end(), {"--tls", "--cert-dir", dir + "/certs"});
  if (config.coalesce) args.push_back("--coalesce");
  if (config.socket_poll_interval_ms > 0)
    args.insert(args.end(), {"--socket-poll-interval", std::to_string(config.socket_poll_interval_ms)});
  std::vector<const char *> argv;
  for (const auto &a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);

  auto launcher = rtms::adopt(g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE));
  g_subprocess_launcher_set_stderr_file_path(launcher.get(), self->log_path().c_str());
  g_subprocess_launcher_set_child_setup(launcher.get(), child_setup,
                                        reinterpret_cast<gpointer>(static_cast<intptr_t>(config.cpu + 1)), nullptr);
  rtms::GRef<GError> err;
  self->process_ = rtms::adopt(g_subprocess_launcher_spawnv(launcher.get(), argv.data(), err.out()));
  if (!self->process_) {
    *error = "cannot start " + config.binary + ": " + err->message;
    return nullptr;
  }
  const char *id = g_subprocess_get_identifier(self->process_.get());
  self->pid_ = id ? static_cast<pid_t>(std::atoi(id)) : 0;
  self->stdout_ = rtms::adopt(g_data_input_stream_new(g_subprocess_get_stdout_pipe(self->process_.get())));
  g_subprocess_wait_async(self->process_.get(), self->cancellable_.get(), process_exited, self.get());
  self->read_next_line();
  return self;
}

EmulatorProcess::~EmulatorProcess() {
  // Pending callbacks hold a raw pointer to this object: cancel them first.
  g_cancellable_cancel(cancellable_.get());
  if (process_ && !exited_) g_subprocess_force_exit(process_.get());
}

void EmulatorProcess::terminate() {
  if (!process_ || exited_) return;
  if (terminated_) {
    g_subprocess_force_exit(process_.get());
  } else {
    terminated_ = true;
    g_subprocess_send_signal(process_.get(), SIGTERM);
  }
}

void EmulatorProcess::open_lateness_window() {
  if (process_ && !exited_) g_subprocess_send_signal(process_.get(), SIGUSR1);
}

void EmulatorProcess::close_lateness_window() {
  if (process_ && !exited_) g_subprocess_send_signal(process_.get(), SIGUSR2);
}

void EmulatorProcess::read_next_line() {
  g_data_input_stream_read_line_async(stdout_.get(), G_PRIORITY_DEFAULT, cancellable_.get(), line_ready, this);
}

void EmulatorProcess::line_ready(GObject *source, GAsyncResult *result, gpointer data) {
  rtms::GRef<GError> err;
  auto line = rtms::adopt(g_data_input_stream_read_line_finish(G_DATA_INPUT_STREAM(source), result, nullptr,
                                                               err.out()));
  if (g_error_matches(err.get(), G_IO_ERROR, G_IO_ERROR_CANCELLED)) return;  // `data` may be gone
  auto *self = static_cast<EmulatorProcess *>(data);
  if (!line) return;  // end of output: the exit callback takes over
  self->on_line(line.get());
  self->read_next_line();
}

void EmulatorProcess::process_exited(GObject *source, GAsyncResult *result, gpointer data) {
  rtms::GRef<GError> err;
  gboolean ok = g_subprocess_wait_finish(G_SUBPROCESS(source), result, err.out());
  if (!ok && g_error_matches(err.get(), G_IO_ERROR, G_IO_ERROR_CANCELLED)) return;
  auto *self = static_cast<EmulatorProcess *>(data);
  self->exited_ = true;
  if (!self->ready_ && self->failure_.empty())
    self->failure_ = "the emulator exited before it was ready (see " + self->log_path() + ")";
}

void EmulatorProcess::on_line(const char *line) {
  tools::StatusLine status;
  std::string why;
  if (!tools::parse_status_line(line, &status, &why)) {
    // Its first line must be the ready line; later ones the bench can do without.
    if (!ready_ && failure_.empty()) failure_ = "the emulator's ready line: " + why;
    return;
  }
  if (status.is("ready")) {
    webhooks_ = std::move(status.webhooks);
    ca_file_ = std::move(status.ca_file);
    ready_ = true;
  } else if (status.is("done")) {
    done_ = true;
    lateness_ = status.lateness;
  }
}

}  // namespace bench
