// Runs the real rtms-emulator as a child process for a test: starts it,
// reads the ready line (signaling URL, CA file, signed webhook), and at the
// end reads the manifest it wrote.
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include <string>
#include <vector>

#include "status_line.h"

struct EmulatorRun {
  GSubprocess *process = nullptr;
  GDataInputStream *out = nullptr;
  std::string signaling_url;
  std::string ca_file;
  std::string webhook_json;  // the whole rtms_started body
  std::string manifest_path;
  std::string dir;           // temp dir for this run
  JsonParser *manifest_parser = nullptr;
  std::string done_line;     // the emulator's last stdout line, once finished
  tools::StatusLine done;    // done_line, parsed

  // Extra command-line arguments, e.g. {"--tls", "--script", path}.
  // Fails the test (ck_abort) if the emulator does not come up.
  void start(const std::vector<std::string> &args);
  // Waits for the emulator to finish and parses its manifest.
  JsonObject *finish();
  // Kills the emulator if still running and removes its files.
  ~EmulatorRun();
};

// The meeting scripts shipped with the emulator.
std::string meeting_script(const char *name);

// JSON helpers for manifests.
JsonObject *json_object_path(JsonObject *root, const char *dotted);
gint64 json_int_path(JsonObject *root, const char *dotted, gint64 fallback = -1);
