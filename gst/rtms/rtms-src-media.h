// What rtmssrc's media handlers (rtms-src-audio.h, rtms-src-video.h,
// rtms-src-text.h) share: the element, its output table, the stream's
// timeline and whether an EOS was requested; and the steps every kind of
// media takes (decoding a payload, warning about one that is unusable).
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "protocol/messages.h"
#include "rtms-src-outputs.h"
#include "rtms-timing.h"

namespace rtms {

// One time base for every pad of the stream: server time to running time.
// Session thread only (reset before the session starts).
class Timeline {
 public:
  explicit Timeline(GstElement *element) : element_(element) {}
  void reset() { mapper_.reset(); }
  bool anchored() const { return mapper_.anchored(); }
  // arrival: the running time at which the data arrived; needed only until
  // the first timestamp anchors the mapping.
  GstClockTime map(int64_t server_ms, GstClockTime arrival) {
    return mapper_.to_running_time(server_ms, arrival);
  }
  // The same, reading the arrival time from the clock when it is needed.
  GstClockTime running_time_of(int64_t server_ms);

 private:
  GstElement *const element_;
  ServerTimeMapper mapper_;
};

struct MediaContext {
  MediaContext(GstElement *element_, OutputTable &outputs_)
      : element(element_), outputs(outputs_), timeline(element_) {}
  GstElement *const element;
  OutputTable &outputs;
  Timeline timeline;
  // An EOS was requested: media is no longer pushed. Read for every media
  // message: atomic, so that costs no lock.
  std::atomic<bool> eos_requested{false};
};

// "audio packet of participant 16778240": for warnings, built only then.
std::string describe_media(const char *what, const MediaView &data);
// A buffer holding the decoded base64 payload of a media message, or
// nullptr (after a warning naming `what`, e.g. "audio packet", and the
// participant) when there is nothing usable.
GstBuffer *decode_payload(GstElement *element, const MediaView &data, const char *what);

}  // namespace rtms

// Details of the element's own decode warnings (a packet whose payload
// cannot be used), for GST_ELEMENT_WARNING_WITH_DETAILS.
#define RTMS_DECODE_WARNING_DETAILS(data)                                      \
  ("rtms-warning-kind", G_TYPE_STRING, "decode", "rtms-user-id", G_TYPE_INT64, \
   gint64((data).user.user_id), nullptr)
