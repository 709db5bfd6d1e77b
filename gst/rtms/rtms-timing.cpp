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

void add_server_time_meta(GstBuffer *buffer, int64_t server_ms) {
  // gst_static_caps_get returns a reference and the meta takes one of its
  // own: get the caps once, or their refcount grows with every buffer.
  static GstStaticCaps unix_static_caps = GST_STATIC_CAPS("timestamp/x-unix");
  static GstCaps *const unix_caps = gst_static_caps_get(&unix_static_caps);
  gst_buffer_add_reference_timestamp_meta(buffer, unix_caps, GstClockTime(server_ms) * GST_MSECOND,
                                          GST_CLOCK_TIME_NONE);
}

}  // namespace rtms
