#include "emulator_process.h"

#include <signal.h>
#include <sys/prctl.h>

#include <cstdlib>
#include <vector>

namespace bench {
namespace {

void die_with_parent(gpointer) { prctl(PR_SET_PDEATHSIG, SIGKILL); }

}  // namespace

std::unique_ptr<EmulatorProcess> EmulatorProcess::spawn(const std::string &binary, const std::string &dir,
                                                        bool tls, std::string *error) {
  auto self = std::make_unique<EmulatorProcess>(Key{}, dir);
  std::vector<std::string> args = {binary, "--script", dir + "/script.json", "--manifest", dir + "/manifest.json",
                                   "--host", "127.0.0.1"};
  if (tls) {
    args.insert(args.end(), {"--tls", "--cert-dir", dir + "/certs"});
  }
  std::vector<const char *> argv;
  for (const auto &a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);

  GObjectPtr<GSubprocessLauncher> launcher(g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE));
  g_subprocess_launcher_set_stderr_file_path(launcher.get(), self->log_path().c_str());
  g_subprocess_launcher_set_child_setup(launcher.get(), die_with_parent, nullptr, nullptr);
  GErrorOut err;
  self->process_.reset(g_subprocess_launcher_spawnv(launcher.get(), argv.data(), err.out()));
  if (!self->process_) {
    *error = "cannot start " + binary + ": " + err.message();
    return nullptr;
  }
  const char *id = g_subprocess_get_identifier(self->process_.get());
  self->pid_ = id ? static_cast<pid_t>(std::atoi(id)) : 0;
  self->stdout_.reset(g_data_input_stream_new(g_subprocess_get_stdout_pipe(self->process_.get())));
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

void EmulatorProcess::read_next_line() {
  g_data_input_stream_read_line_async(stdout_.get(), G_PRIORITY_DEFAULT, cancellable_.get(), line_ready, this);
}

void EmulatorProcess::line_ready(GObject *source, GAsyncResult *result, gpointer data) {
  GErrorOut err;
  GCharPtr line(g_data_input_stream_read_line_finish(G_DATA_INPUT_STREAM(source), result, nullptr, err.out()));
  if (err && g_error_matches(*err.out(), G_IO_ERROR, G_IO_ERROR_CANCELLED)) return;  // `data` may be gone
  auto *self = static_cast<EmulatorProcess *>(data);
  if (!line) return;  // end of output: the exit callback takes over
  self->on_line(line.get());
  self->read_next_line();
}

void EmulatorProcess::process_exited(GObject *source, GAsyncResult *result, gpointer data) {
  GErrorOut err;
  gboolean ok = g_subprocess_wait_finish(G_SUBPROCESS(source), result, err.out());
  if (!ok && err && g_error_matches(*err.out(), G_IO_ERROR, G_IO_ERROR_CANCELLED)) return;
  auto *self = static_cast<EmulatorProcess *>(data);
  self->exited_ = true;
  if (!self->ready_ && self->failure_.empty())
    self->failure_ = "the emulator exited before it was ready (see " + self->log_path() + ")";
}

void EmulatorProcess::on_line(const char *line) {
  GObjectPtr<JsonParser> parser(json_parser_new());
  if (!json_parser_load_from_data(parser.get(), line, -1, nullptr)) return;
  JsonNode *root = json_parser_get_root(parser.get());
  if (!JSON_NODE_HOLDS_OBJECT(root)) return;
  JsonObject *object = json_node_get_object(root);
  const char *event = json_object_get_string_member_with_default(object, "event", "");
  if (g_str_equal(event, "ready")) {
    JsonNode *webhook = json_object_get_member(object, "webhook");
    if (!webhook) {
      failure_ = "the emulator's ready line has no webhook";
      return;
    }
    GCharPtr text(json_to_string(webhook, FALSE));
    webhook_json_ = text.get();
    JsonNode *ca = json_object_get_member(object, "ca_file");
    if (ca && JSON_NODE_HOLDS_VALUE(ca)) ca_file_ = json_node_get_string(ca);
    ready_ = true;
  } else if (g_str_equal(event, "done")) {
    done_ = true;
  }
}

}  // namespace bench
