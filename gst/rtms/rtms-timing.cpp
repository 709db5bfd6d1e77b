#include "rtms-timing.h"

namespace rtms {

GstClockTime ServerTimeMapper::to_running_time(int64_t server_ms,
                                               GstClockTime arrival_running_time) {
  if (!anchored_) {
    anchored_ = true;
    anchor_ms_ = server_ms;
    anchor_rt_ = GST_CLOCK_TIME_IS_VALID(arrival_running_time) ? arrival_running_time : 0;
  }
  int64_t delta_ns = (server_ms - anchor_ms_) * int64_t(GST_MSECOND);
  // A timestamp older than the anchor (another participant's buffered audio)
  // cannot go below zero running time; it is clamped, and the caller marks it.
  if (delta_ns < 0 && GstClockTime(-delta_ns) > anchor_rt_) return 0;
  return GstClockTime(int64_t(anchor_rt_) + delta_ns);
}

}  // namespace rtms
