// Maps the server's timestamps (ms since the epoch, one clock for every
// media type of a stream) to running time, so that all pads share one time
// base and keep the server's spacing exactly.
#pragma once

#include <gst/gst.h>

#include <cstdint>

namespace rtms {

class ServerTimeMapper {
 public:
  // The first timestamp seen is anchored to the running time at which it
  // arrived; every later one keeps its distance from it.
  GstClockTime to_running_time(int64_t server_ms, GstClockTime arrival_running_time);
  bool anchored() const { return anchored_; }
  int64_t anchor_server_ms() const { return anchor_ms_; }
  GstClockTime anchor_running_time() const { return anchor_rt_; }
  void reset() { anchored_ = false; }

 private:
  bool anchored_ = false;
  int64_t anchor_ms_ = 0;
  GstClockTime anchor_rt_ = 0;
};

// Attaches the server's capture time (ms since the epoch) to buffer as a
// GstReferenceTimestampMeta with caps timestamp/x-unix.
void add_server_time_meta(GstBuffer *buffer, int64_t server_ms);

}  // namespace rtms
