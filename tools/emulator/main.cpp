// rtms-emulator: a local stand-in for Zoom's RTMS servers. See
// docs/emulator.md for the options, the script format and the manifest.
#include <csignal>

#include <gst/gst.h>

#include "emulator_app.h"
#include "log.h"
#include "meeting_script.h"
#include "options.h"

int main(int argc, char **argv) {
  emulator::Options options;
  switch (emulator::parse_options(argc, argv, &options)) {
    case emulator::ParseOutcome::Run: break;
    case emulator::ParseOutcome::ExitOk: return emulator::kExitOk;
    case emulator::ParseOutcome::ExitError: return emulator::kExitFailure;
  }
  emulator::set_verbose(options.verbose);
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
      emulator::log_error("invalid meeting script: %s", error.c_str());
      return emulator::kExitFailure;
    }
  }
  for (const auto &injection : options.injections) {
    std::string error;
    if (!emulator::check_injection_fits(injection, script.duration_ms - script.buffered_audio_ms, &error)) {
      emulator::log_error("--inject: %s", error.c_str());
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
