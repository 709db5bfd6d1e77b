// rtmssrc bus messages: meeting events, stream and session states, the end of
// the stream, and errors with their RTMS status codes.
#include "gstrtmssrc-private.h"

#define GST_CAT_DEFAULT gst_rtms_src_debug

static void post(GstRtmsSrc *self, GstStructure *s) {
  gst_element_post_message(GST_ELEMENT(self), gst_message_new_element(GST_OBJECT(self), s));
}

static const char *event_message_name(int event_type) {
  switch (rtms::EventType(event_type)) {
    case rtms::EventType::FirstPacketTimestamp: return "rtms-first-packet-timestamp";
    case rtms::EventType::ActiveSpeakerChange: return "rtms-active-speaker-change";
    case rtms::EventType::ParticipantJoin: return "rtms-participant-join";
    case rtms::EventType::ParticipantLeave: return "rtms-participant-leave";
    case rtms::EventType::SharingStart: return "rtms-sharing-start";
    case rtms::EventType::SharingStop: return "rtms-sharing-stop";
    case rtms::EventType::MediaConnectionInterrupted: return "rtms-media-connection-interrupted";
    case rtms::EventType::ParticipantVideoOn: return "rtms-participant-video-on";
    case rtms::EventType::ParticipantVideoOff: return "rtms-participant-video-off";
    default: return "rtms-event";
  }
}

void rtms_src_post_event(GstRtmsSrc *self, const rtms::Event &event) {
  const char *name = event_message_name(event.event_type);
  GST_DEBUG_OBJECT(self, "event %s at %" G_GINT64_FORMAT, name, event.timestamp);
  // Join and leave carry lists; one message per participant keeps every
  // message's fields flat and typed.
  if (!event.participants.empty()) {
    for (const auto &p : event.participants) {
      GstStructure *s = gst_structure_new(name, "event-type", G_TYPE_INT, event.event_type,
                                          "timestamp", G_TYPE_INT64, event.timestamp,
                                          "user-id", G_TYPE_INT64, p.user_id, nullptr);
      if (p.has_user_name) gst_structure_set(s, "user-name", G_TYPE_STRING, p.user_name.c_str(), nullptr);
      post(self, s);
    }
    return;
  }
  GstStructure *s = gst_structure_new(name, "event-type", G_TYPE_INT, event.event_type,
                                      "timestamp", G_TYPE_INT64, event.timestamp, nullptr);
  if (event.has_user) {
    gst_structure_set(s, "user-id", G_TYPE_INT64, event.user.user_id, nullptr);
    if (event.user.has_user_name)
      gst_structure_set(s, "user-name", G_TYPE_STRING, event.user.user_name.c_str(), nullptr);
  }
  post(self, s);
}

void rtms_src_post_stream_state(GstRtmsSrc *self, const rtms::StreamStateUpdate &update) {
  GST_INFO_OBJECT(self, "stream state %s, reason %s", rtms::to_string(update.state),
                  rtms::describe(update.reason).c_str());
  post(self, gst_structure_new("rtms-stream-state", "state", G_TYPE_INT, int(update.state),
                               "state-name", G_TYPE_STRING, rtms::to_string(update.state),
                               "reason", G_TYPE_INT, int(update.reason), "reason-name",
                               G_TYPE_STRING, rtms::to_string(update.reason), "timestamp",
                               G_TYPE_INT64, update.timestamp, nullptr));
}

void rtms_src_post_session_state(GstRtmsSrc *self, const rtms::SessionStateUpdate &update) {
  GST_INFO_OBJECT(self, "session %s state %s", update.rtms_session_id.c_str(),
                  rtms::to_string(update.state));
  post(self, gst_structure_new("rtms-session-state", "state", G_TYPE_INT, int(update.state),
                               "state-name", G_TYPE_STRING, rtms::to_string(update.state),
                               "stop-reason", G_TYPE_INT, int(update.stop_reason),
                               "stop-reason-name", G_TYPE_STRING,
                               rtms::to_string(update.stop_reason), "session-id", G_TYPE_STRING,
                               update.rtms_session_id.c_str(), "timestamp", G_TYPE_INT64,
                               update.timestamp, nullptr));
}

void rtms_src_post_stopped(GstRtmsSrc *self, rtms::StopReason reason, const std::string &detail) {
  GST_INFO_OBJECT(self, "stream ended: %s", detail.c_str());
  post(self, gst_structure_new("rtms-stream-stopped", "reason", G_TYPE_INT, int(reason),
                               "reason-name", G_TYPE_STRING, rtms::to_string(reason),
                               "transient", G_TYPE_BOOLEAN, rtms::stop_reason_is_transient(reason),
                               "detail", G_TYPE_STRING, detail.c_str(), nullptr));
}

void rtms_src_post_error(GstRtmsSrc *self, const rtms::SessionError &error) {
  int code = error.has_status ? int(error.status) : -1;
  const char *status_name = error.has_status ? rtms::to_string(error.status) : "";
  const char *kind = rtms::to_string(error.kind);
  const char *message = error.message.c_str();
  switch (error.kind) {
    case rtms::SessionErrorKind::Config:
      GST_ELEMENT_ERROR_WITH_DETAILS(
          self, RESOURCE, SETTINGS, ("%s", message), ("RTMS %s error", kind),
          ("rtms-error-kind", G_TYPE_STRING, kind, nullptr));
      break;
    case rtms::SessionErrorKind::Handshake: {
      bool auth = error.has_status && (error.status == rtms::StatusCode::InvalidSignature ||
                                       error.status == rtms::StatusCode::InvalidRtmsStreamId);
      if (auth || !error.has_status)
        GST_ELEMENT_ERROR_WITH_DETAILS(
            self, RESOURCE, NOT_AUTHORIZED, ("%s", message), ("RTMS %s error", kind),
            ("rtms-error-kind", G_TYPE_STRING, kind, "rtms-status-code", G_TYPE_INT, code,
             "rtms-status-name", G_TYPE_STRING, status_name, "rtms-reason", G_TYPE_STRING,
             error.reason.c_str(), nullptr));
      else
        GST_ELEMENT_ERROR_WITH_DETAILS(
            self, RESOURCE, SETTINGS, ("%s", message), ("RTMS %s error", kind),
            ("rtms-error-kind", G_TYPE_STRING, kind, "rtms-status-code", G_TYPE_INT, code,
             "rtms-status-name", G_TYPE_STRING, status_name, "rtms-reason", G_TYPE_STRING,
             error.reason.c_str(), nullptr));
      break;
    }
    case rtms::SessionErrorKind::ConnectionLost:
      GST_ELEMENT_ERROR_WITH_DETAILS(
          self, RESOURCE, READ, ("%s", message), ("RTMS %s error", kind),
          ("rtms-error-kind", G_TYPE_STRING, kind, "rtms-reason", G_TYPE_STRING,
           error.reason.c_str(), nullptr));
      break;
    case rtms::SessionErrorKind::Connect:
    case rtms::SessionErrorKind::Tls:
    case rtms::SessionErrorKind::Timeout:
      GST_ELEMENT_ERROR_WITH_DETAILS(
          self, RESOURCE, OPEN_READ, ("%s", message), ("RTMS %s error", kind),
          ("rtms-error-kind", G_TYPE_STRING, kind, nullptr));
      break;
  }
}
