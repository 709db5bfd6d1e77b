// Shared steps of the end-to-end tests: point an rtmssrc at a running
// emulator and compare what arrived with what the emulator says it sent.
#pragma once

#include <gst/check/gstcheck.h>

#include <functional>
#include <string>

#include "capture.h"
#include "emulator_run.h"

#define E2E_CLIENT_ID "emulator-client-id"
#define E2E_CLIENT_SECRET "emulator-client-secret"

// Sets webhook-payload, credentials and (for wss) the CA file.
void configure_src(Capture &capture, const EmulatorRun &emulator,
                   const char *client_secret = E2E_CLIENT_SECRET);

// Every participant in manifest.audio arrived on its own pad with exactly the
// bytes sent, in order; PTS are monotonic and spaced like the server's
// timestamps. Returns the number of participants checked.
guint check_audio_matches_manifest(Capture &capture, JsonObject *manifest, bool mixed);

// Runs the capture to EOS (failing on a timeout or an element error), then
// returns the emulator's manifest, checked free of protocol violations.
JsonObject *run_to_end(Capture &capture, EmulatorRun &emulator);

// Pushes payloads (with these caps) through a decoding chain such as
// "h264parse ! avdec_h264" and fails the test on any error.
void check_decodes(const std::string &caps, const std::string &chain,
                   const std::vector<std::vector<guint8>> &payloads);

// Bytes received on all pads so far.
guint64 total_bytes(Capture &capture);

// No protocol violations were recorded by the emulator.
void check_no_violations(JsonObject *manifest);

// A meeting script written for one test, in a temporary folder removed
// with it.
struct TempScript {
  // name: the file's name; json: the script's text.
  TempScript(const char *name, const std::string &json);
  ~TempScript();
  TempScript(const TempScript &) = delete;
  TempScript &operator=(const TempScript &) = delete;
  std::string dir;
  std::string path;
};

// A gst-launch line with an rtmssrc named src, pointed at the emulator
// (webhook and credentials set).
GstElement *launch_against(const EmulatorRun &emulator, const std::string &description);

// Plays the pipeline to EOS (an error or the timeout fails the test),
// showing every other bus message to on_message, then sets it to NULL.
void play_to_eos(GstElement *pipeline, GstClockTime timeout,
                 const std::function<void(GstMessage *)> &on_message = nullptr);
