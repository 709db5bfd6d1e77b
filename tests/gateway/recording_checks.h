// Shared steps of the gateway's end-to-end tests: webhooks built from the
// emulator's, and the recordings checked against its manifest.
#pragma once

#include <json-glib/json-glib.h>

#include <string>

#include "gateway_run.h"

// The rtms_stopped body matching an rtms_started body.
std::string stopped_webhook_for(const std::string &started_body);
// One playable WAV file per participant of manifest.audio, each at least
// min and at most max long. Returns the number of files.
size_t check_wav_per_participant(const GatewayRun &gw, JsonObject *manifest, GstClockTime min, GstClockTime max);
