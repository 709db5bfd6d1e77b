#include "options.h"

#include <glib.h>

#include "command_line.h"
#include "common/gref.h"

#ifndef RTMS_BENCH_EMULATOR
#define RTMS_BENCH_EMULATOR "rtms-emulator"
#endif
#ifndef RTMS_BENCH_PLUGIN_DIR
#define RTMS_BENCH_PLUGIN_DIR ""
#endif

namespace bench {
bool parse_options(int argc, char **argv, Options *options, int *exit_code) {
  gchar *profile = nullptr, *emulator = nullptr, *script = nullptr, *plugin_dir = nullptr,
        *push_mode = nullptr;
  gint streams = options->streams, duration = options->duration_s, startup = 0, max_streams = 0,
       processes = options->emulator_processes, wake_interval = 0, emulator_poll = 0;
  gboolean tls = FALSE, scaling = FALSE, json_row = FALSE, keep_temp = FALSE, pin = FALSE, coalesce = FALSE;
  GOptionEntry entries[] = {
      {"profile", 0, 0, G_OPTION_ARG_STRING, &profile, "audio, meeting or video-heavy (default audio)", "NAME"},
      {"streams", 0, 0, G_OPTION_ARG_INT, &streams, "Concurrent streams (default 1)", "N"},
      {"duration", 0, 0, G_OPTION_ARG_INT, &duration, "Seconds of steady state to measure (default 20)", "S"},
      {"tls", 0, 0, G_OPTION_ARG_NONE, &tls, "wss:// instead of ws://", nullptr},
      {"scaling", 0, 0, G_OPTION_ARG_NONE, &scaling,
       "Run N = 1, 10, 50, 100, 200, 400, 800, ... until p99 > 50 ms, a loss, a failure or --max-streams", nullptr},
      {"max-streams", 0, 0, G_OPTION_ARG_INT, &max_streams, "Largest N of --scaling (default 1600)", "N"},
      {"emulator-processes", 0, 0, G_OPTION_ARG_INT, &processes,
       "Emulator processes sharing the N streams (default 1: one process serves them all)", "P"},
      {"pin", 0, 0, G_OPTION_ARG_NONE, &pin, "Pin the emulators to the last CPU and the bench to the others", nullptr},
      {"coalesce", 0, 0, G_OPTION_ARG_NONE, &coalesce,
       "Emulators send each stream's audio due together in one TCP segment (default: one per message)", nullptr},
      {"emulator-poll-interval", 0, 0, G_OPTION_ARG_INT, &emulator_poll,
       "The emulators' --socket-poll-interval: they look at their sockets at most every MS while sending, sleeping "
       "between send deadlines (default 0: after every deadline; cheaper emulators with many streams)", "MS"},
      {"push-mode", 0, 0, G_OPTION_ARG_STRING, &push_mode,
       "rtmssrc's push-mode: shared-threads (its default), pad-threads or network-thread", "MODE"},
      {"wake-interval", 0, 0, G_OPTION_ARG_INT, &wake_interval,
       "rtmssrc's wake-interval: microseconds between wake-ups of the network threads (default 0)", "US"},
      {"startup-timeout", 0, 0, G_OPTION_ARG_INT, &startup,
       "Seconds every stream has to deliver its first buffer (default from profile and N)", "S"},
      {"emulator", 0, 0, G_OPTION_ARG_FILENAME, &emulator, "rtms-emulator binary (default: this build's)", "PATH"},
      {"script", 0, 0, G_OPTION_ARG_FILENAME, &script,
       "Meeting script for every emulator instead of the profile's (its duration must cover the run)", "PATH"},
      {"plugin-dir", 0, 0, G_OPTION_ARG_FILENAME, &plugin_dir, "Directory of the rtms plugin (default: this build's)",
       "DIR"},
      {"keep-temp", 0, 0, G_OPTION_ARG_NONE, &keep_temp, "Keep the scripts, logs and manifests", nullptr},
      {"json-row", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &json_row, "Print the result as JSON", nullptr},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  bool ok = parse_command_line("rtms-bench", "- measure rtmssrc against N emulated RTMS streams", entries, &argc,
                               &argv);
  auto profile_owned = rtms::adopt(profile), emulator_owned = rtms::adopt(emulator),
       script_owned = rtms::adopt(script), plugin_owned = rtms::adopt(plugin_dir),
       push_mode_owned = rtms::adopt(push_mode);
  if (!ok) {
    *exit_code = 2;
    return false;
  }
  if (argc > 1) {
    g_printerr("rtms-bench: unexpected argument %s\n", argv[1]);
    *exit_code = 2;
    return false;
  }
  if (profile) options->profile = profile;
  options->emulator = emulator ? emulator : RTMS_BENCH_EMULATOR;
  if (script) options->script = script;
  options->plugin_dir = plugin_dir ? plugin_dir : RTMS_BENCH_PLUGIN_DIR;
  options->streams = streams;
  options->duration_s = duration;
  options->startup_timeout_s = startup;
  options->max_streams = max_streams;
  options->tls = tls;
  options->scaling = scaling;
  options->json_row = json_row;
  options->keep_temp = keep_temp;
  options->emulator_processes = processes;
  options->pin = pin;
  options->coalesce = coalesce;
  options->emulator_poll_interval_ms = emulator_poll;
  if (push_mode) options->push_mode = push_mode;
  options->wake_interval_us = wake_interval;
  // Every run must stop by itself: bound what a typo could ask for.
  if (options->push_mode != "shared-threads" && options->push_mode != "pad-threads" &&
      options->push_mode != "network-thread") {
    g_printerr("rtms-bench: --push-mode must be shared-threads, pad-threads or network-thread, got %s\n",
               options->push_mode.c_str());
  } else if (wake_interval < 0 || wake_interval > 100000) {
    g_printerr("rtms-bench: --wake-interval must be 0 ... 100000 us, got %d\n", wake_interval);
  } else if (emulator_poll < 0 || emulator_poll > 100) {
    g_printerr("rtms-bench: --emulator-poll-interval must be 0 ... 100 ms, got %d\n", emulator_poll);
  } else if (streams < 1 || streams > kMaxStreams) {
    g_printerr("rtms-bench: --streams must be 1 ... %d, got %d\n", kMaxStreams, streams);
  } else if (duration < 2 || duration > 600) {
    g_printerr("rtms-bench: --duration must be 2 ... 600 s, got %d\n", duration);
  } else if (startup < 0 || startup > 600) {
    g_printerr("rtms-bench: --startup-timeout must be 1 ... 600 s, got %d\n", startup);
  } else if (max_streams < 0 || max_streams > kMaxStreams) {
    g_printerr("rtms-bench: --max-streams must be 1 ... %d, got %d\n", kMaxStreams, max_streams);
  } else if (processes < 1 || processes > 64) {
    g_printerr("rtms-bench: --emulator-processes must be 1 ... 64, got %d\n", processes);
  } else {
    return true;
  }
  *exit_code = 2;
  return false;
}

}  // namespace bench
