// rtms-emulator: a local stand-in for Zoom's RTMS servers. See
// docs/emulator.md for the options, the script format and the manifest.
#include <sys/resource.h>

#include <csignal>

#include <gst/gst.h>

#include "emulator_app.h"
#include "log.h"
#include "meeting_script.h"
#include "options.h"
#include "scheduler.h"

namespace {

// Each stream holds at least two sockets (and TLS more state): many
// streams need more descriptors than the usual soft limit of 1024.
void raise_fd_limit(int streams) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  const rlim_t wanted = static_cast<rlim_t>(streams) * 4 + 64;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted)
    tools::log_warning("%d streams may need %llu file descriptors; the limit is %llu", streams,
                       static_cast<unsigned long long>(wanted), static_cast<unsigned long long>(limit.rlim_cur));
}

}  // namespace

int main(int argc, char **argv) {
  emulator::Options options;
  switch (emulator::parse_options(argc, argv, &options)) {
    case emulator::ParseOutcome::Run: break;
    case emulator::ParseOutcome::ExitOk: return emulator::kExitOk;
    case emulator::ParseOutcome::ExitError: return emulator::kExitFailure;
  }
  tools::log_set_verbose(options.verbose);
  emulator::Scheduler::instance().set_hold(int64_t(options.socket_poll_interval_ms) * 1000);
  if (options.streams > 1) raise_fd_limit(options.streams);
  // A test harness may close our stdout early; that must not kill the
  // emulator in the middle of a stream (sockets already avoid SIGPIPE).
  std::signal(SIGPIPE, SIG_IGN);
  gst_init(nullptr, nullptr);

  emulator::MeetingScript script;
  if (options.script_path.empty()) {
    script = emulator::builtin_meeting_script();
  } else {
    std::string error;
    if (!emulator::load_meeting_script(options.script_path, &script, &error)) {
      tools::log_error("invalid meeting script: %s", error.c_str());
      return emulator::kExitFailure;
    }
  }
  for (const auto &injection : options.injections) {
    std::string error;
    if (!emulator::check_injection_fits(injection, script.duration_ms - script.buffered_audio_ms, &error)) {
      tools::log_error("--inject: %s", error.c_str());
      return emulator::kExitFailure;
    }
  }
  int code;
  {
    emulator::EmulatorApp app(std::move(options), std::move(script));
    code = app.run();
  }
  gst_deinit();
  return code;
}
