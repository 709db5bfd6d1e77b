#include "rtms-src-media.h"

#include "protocol/base64.h"

GST_DEBUG_CATEGORY_EXTERN(gst_rtms_src_debug);
#define GST_CAT_DEFAULT gst_rtms_src_debug

namespace rtms {

GstClockTime Timeline::running_time_of(int64_t server_ms) {
  // Once anchored, the arrival time is not needed (reading the clock costs
  // two object locks and a clock reference).
  if (mapper_.anchored()) return mapper_.to_running_time(server_ms, GST_CLOCK_TIME_NONE);
  return mapper_.to_running_time(server_ms, gst_element_get_current_running_time(element_));
}

std::string describe_media(const char *what, const MediaView &data) {
  return std::string(what) + " of participant " + std::to_string(data.user.user_id);
}

GstBuffer *decode_payload(GstElement *element, const MediaView &data, const char *what) {
  size_t max_size = base64_max_decoded_size(data.data.size());
  if (max_size == 0) {
    GST_ELEMENT_WARNING_WITH_DETAILS(
        element, STREAM, DECODE,
        ("%s at %" G_GINT64_FORMAT " ms ignored: content.data is empty",
         describe_media(what, data).c_str(), data.timestamp),
        (nullptr), RTMS_DECODE_WARNING_DETAILS(data));
    return nullptr;
  }
  // Decode straight into the buffer's memory: no intermediate copy.
  GstBuffer *buffer = gst_buffer_new_allocate(nullptr, max_size, nullptr);
  GstMapInfo map;
  gst_buffer_map(buffer, &map, GST_MAP_WRITE);
  Result<size_t> decoded = base64_decode_into(data.data, map.data, map.size);
  gst_buffer_unmap(buffer, &map);
  if (!decoded) {
    gst_buffer_unref(buffer);
    GST_ELEMENT_WARNING_WITH_DETAILS(
        element, STREAM, DECODE,
        ("%s at %" G_GINT64_FORMAT " ms dropped: content.data is not base64 (%s)",
         describe_media(what, data).c_str(), data.timestamp, decoded.error().describe().c_str()),
        (nullptr), RTMS_DECODE_WARNING_DETAILS(data));
    return nullptr;
  }
  gst_buffer_set_size(buffer, gssize(*decoded));
  if (data.has_length && data.length != int64_t(*decoded))
    GST_WARNING_OBJECT(element,
                       "%s: content.length says %" G_GINT64_FORMAT " bytes, data holds %zu",
                       describe_media(what, data).c_str(), data.length, *decoded);
  return buffer;
}

}  // namespace rtms
