// rtms-bench's command line.
#pragma once

#include <string>

namespace bench {

struct Options {
  std::string profile = "audio";
  int streams = 1;
  int duration_s = 20;          // steady-state measurement window
  int startup_timeout_s = 0;    // 0: chosen from the profile and N
  bool tls = false;
  bool scaling = false;
  int max_streams = 0;          // scaling cap; 0: the default cap
  std::string emulator;         // rtms-emulator binary
  std::string script;           // a meeting script to play instead of the profile's
  std::string plugin_dir;       // where the rtms plugin is
  bool json_row = false;        // internal: print the result as one JSON line (scaling children)
  bool keep_temp = false;
  int emulator_processes = 1;   // the streams are split evenly between them
  bool pin = false;             // emulators on the last CPU, the bench on the others
  bool coalesce = false;        // the emulators' --coalesce
  int emulator_poll_interval_ms = 0;  // the emulators' --socket-poll-interval
  std::string push_mode = "shared-threads";  // rtmssrc's push-mode
  int wake_interval_us = 0;               // rtmssrc's wake-interval
};

constexpr int kMaxStreams = 5000;

// false and a message on stderr (or --help printed, *exit_code 0) when the
// program should stop.
bool parse_options(int argc, char **argv, Options *options, int *exit_code);

}  // namespace bench
