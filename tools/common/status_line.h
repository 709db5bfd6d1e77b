// The machine-readable lines the tools print on stdout (everything else goes
// to stderr, log.h): one JSON object per line, flushed, whose "event" names it.
//   rtms-emulator  {"event":"ready","signaling_url":"ws://...","ca_file":null|"/abs.pem",
//                   "webhook":{...},"pid":N[,"streams":[{"rtms_stream_id":..,"webhook":{...}},...]]}
//                  {"event":"done","manifest":"/abs.json"[,"timer_lateness_us":{"runs":N,"p50":..}]}
//   rtms-gateway   {"event":"ready","url":"http://host:port/webhook","pid":N}
// One parser for every reader (the end-to-end and gateway tests, the bench),
// so they cannot drift apart on what a line holds (docs/emulator.md,
// docs/gateway.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tools {

struct StatusLine {
  std::string event;  // "ready", "done", or another event (its other fields are left empty)
  int64_t pid = 0;    // ready: the tool's process id (0 when absent)

  // The emulator's ready line. Its webhooks are the rtms_started bodies as
  // JSON text, one per stream in stream order ("streams"[i].webhook), or the
  // one "webhook" when the line has no "streams".
  std::string signaling_url;
  std::string ca_file;  // empty for null (no --tls)
  std::vector<std::string> webhooks;

  // The gateway's ready line: its webhook endpoint.
  std::string url;

  // The emulator's done line.
  std::string manifest;
  struct Lateness {
    int64_t runs = 0, p50_us = 0, p99_us = 0, max_us = 0;
  } lateness;  // how late its send timers ran; runs == 0 when the line has none

  bool is(const char *name) const { return event == name; }
};

// Parses one line (without its newline). False, with *error saying what is
// wrong, for text that is not one JSON object with a string "event", or for
// a ready or done line whose fields are missing or of the wrong type: a ready
// line names either "signaling_url" (the emulator, which then has a webhook
// object, and one in each "streams" entry) or "url" (the gateway).
bool parse_status_line(std::string_view line, StatusLine *out, std::string *error);

}  // namespace tools
