// Shared steps of the gateway's end-to-end tests: webhooks built from the
// emulator's, and the recordings checked against its manifest.
#pragma once

#include <json-glib/json-glib.h>

#include <string>
#include <vector>

#include "gateway_run.h"

// The rtms_stopped body matching an rtms_started body.
std::string stopped_webhook_for(const std::string &started_body);
// One playable WAV file per participant of manifest.audio, each at least
// min and at most max long. Returns the number of files.
size_t check_wav_per_participant(const GatewayRun &gw, JsonObject *manifest, GstClockTime min, GstClockTime max);
size_t check_wav_per_participant(const std::string &dir, JsonObject *manifest, GstClockTime min, GstClockTime max);
// Every participant's WAV file holds the audio the emulator sent: as many
// sounding (non-zero) samples as it sent samples (L16, 16 kHz mono), give or
// take the tone's own zero crossings, and silence everywhere else.
void check_wav_content(const std::string &dir, JsonObject *manifest);

// What GstDiscoverer says about a file.
struct MediaInfo {
  bool ok = false;
  std::string error;
  guint audio = 0, video = 0, subtitles = 0;
  GstClockTime duration = GST_CLOCK_TIME_NONE;
};
MediaInfo discover(const std::string &path);
// meeting.mkv in dir: one audio, one video and one subtitle track, lasting
// between min and max.
void check_matroska(const std::string &dir, GstClockTime min, GstClockTime max);

// Every file of a recording starts when the recording does (connecting
// comes first, and takes longer on a loaded machine), so lengths are best
// compared with each other: meeting.mkv ends with the meeting, like the WAV
// file of whoever spoke last (within 2 s: the end of the stream is a message
// away).
void check_matroska_spans_recording(const std::string &dir);

struct VttCue {
  GstClockTime start = 0, end = 0;
  std::string speaker, text;
};
// Parses a WebVTT file as the gateway writes it; fails the test if it is not one.
std::vector<VttCue> read_vtt(const std::string &path);
// transcript.vtt in dir has manifest.transcript's lines: same speakers and
// texts in order, spaced like the server's start times.
void check_vtt_matches_manifest(const std::string &dir, JsonObject *manifest);

// The stream folders the gateway made under its output dir.
std::vector<std::string> stream_folders(const GatewayRun &gw);
