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

// Posts an ERROR or WARNING whose details (gst_message_parse_*_details)
// carry the typed fields; takes details.
static void post_with_details(GstRtmsSrc *self, GstMessageType type, GQuark domain, gint code,
                              const std::string &text, const char *debug, GstStructure *details,
                              const char *function, int line) {
  GST_WARNING_OBJECT(self, "%s: %s (%" GST_PTR_FORMAT ")",
                     type == GST_MESSAGE_ERROR ? "error" : "warning", text.c_str(), details);
  gst_element_message_full_with_details(GST_ELEMENT(self), type, domain, code,
                                        g_strdup(text.c_str()), g_strdup(debug), __FILE__,
                                        function, line, details);
}

void rtms_src_post_error(GstRtmsSrc *self, const rtms::SessionError &error) {
  const char *kind = rtms::to_string(error.kind);
  GstStructure *details = gst_structure_new(
      "details", "rtms-error-kind", G_TYPE_STRING, kind, "rtms-socket", G_TYPE_STRING,
      error.socket.c_str(), "rtms-close-code", G_TYPE_INT, error.close_code, nullptr);
  if (error.has_status || error.kind == rtms::SessionErrorKind::Handshake)
    gst_structure_set(details, "rtms-status-code", G_TYPE_INT,
                      error.has_status ? int(error.status) : -1, "rtms-status-name",
                      G_TYPE_STRING, error.has_status ? rtms::to_string(error.status) : "",
                      nullptr);
  if (error.kind == rtms::SessionErrorKind::Handshake ||
      error.kind == rtms::SessionErrorKind::ConnectionLost)
    gst_structure_set(details, "rtms-reason", G_TYPE_STRING, error.reason.c_str(), nullptr);
  if (!error.tls_cause.empty())
    gst_structure_set(details, "rtms-tls-cause", G_TYPE_STRING, error.tls_cause.c_str(), nullptr);
  if (error.http_status)
    gst_structure_set(details, "rtms-http-status", G_TYPE_INT, error.http_status, nullptr);
  gint code = GST_RESOURCE_ERROR_OPEN_READ;
  switch (error.kind) {
    case rtms::SessionErrorKind::Config: code = GST_RESOURCE_ERROR_SETTINGS; break;
    case rtms::SessionErrorKind::Handshake: {
      bool auth = error.has_status && (error.status == rtms::StatusCode::InvalidSignature ||
                                       error.status == rtms::StatusCode::InvalidRtmsStreamId);
      code = auth || !error.has_status ? GST_RESOURCE_ERROR_NOT_AUTHORIZED
                                       : GST_RESOURCE_ERROR_SETTINGS;
      break;
    }
    case rtms::SessionErrorKind::ConnectionLost: code = GST_RESOURCE_ERROR_READ; break;
    case rtms::SessionErrorKind::Connect:
    case rtms::SessionErrorKind::Tls:
    case rtms::SessionErrorKind::Timeout: code = GST_RESOURCE_ERROR_OPEN_READ; break;
  }
  std::string debug = std::string("RTMS ") + kind + " error";
  post_with_details(self, GST_MESSAGE_ERROR, GST_RESOURCE_ERROR, code, error.message,
                    debug.c_str(), details, GST_FUNCTION, __LINE__);
}

// Warnings: decode problems are STREAM/DECODE; what the server should not
// have sent is STREAM/FAILED; an encrypted payload STREAM/DECRYPT; servers
// that cannot be reached RESOURCE/OPEN_READ; a certificate not checked
// RESOURCE/SETTINGS (ssl-strict=false made it so).
void rtms_src_post_warning(GstRtmsSrc *self, const rtms::SessionWarning &warning) {
  GQuark domain = GST_STREAM_ERROR;
  gint code = GST_STREAM_ERROR_DECODE;
  switch (warning.kind) {
    case rtms::SessionWarningKind::Decode: break;
    case rtms::SessionWarningKind::UnexpectedMessage:
    case rtms::SessionWarningKind::ProtocolViolation: code = GST_STREAM_ERROR_FAILED; break;
    case rtms::SessionWarningKind::EncryptedPayload: code = GST_STREAM_ERROR_DECRYPT; break;
    case rtms::SessionWarningKind::ServerUnreachable:
      domain = GST_RESOURCE_ERROR;
      code = GST_RESOURCE_ERROR_OPEN_READ;
      break;
    case rtms::SessionWarningKind::TlsUnverified:
      domain = GST_RESOURCE_ERROR;
      code = GST_RESOURCE_ERROR_SETTINGS;
      break;
  }
  GstStructure *details = gst_structure_new(
      "details", "rtms-warning-kind", G_TYPE_STRING, rtms::to_string(warning.kind),
      "rtms-socket", G_TYPE_STRING, warning.socket.c_str(), nullptr);
  if (!warning.host.empty())
    gst_structure_set(details, "rtms-host", G_TYPE_STRING, warning.host.c_str(), nullptr);
  if (!warning.tls_cause.empty())
    gst_structure_set(details, "rtms-tls-cause", G_TYPE_STRING, warning.tls_cause.c_str(),
                      nullptr);
  post_with_details(self, GST_MESSAGE_WARNING, domain, code, warning.message, nullptr, details,
                    GST_FUNCTION, __LINE__);
}

void rtms_src_post_reconnecting(GstRtmsSrc *self, const std::string &socket, unsigned attempt,
                                unsigned delay_ms, const std::string &why) {
  std::string text = why + ": reconnecting in " + std::to_string(delay_ms) + " ms (attempt " +
                     std::to_string(attempt) + ")";
  GstStructure *details = gst_structure_new(
      "details", "rtms-warning-kind", G_TYPE_STRING, "reconnecting", "rtms-socket",
      G_TYPE_STRING, socket.c_str(), "rtms-attempt", G_TYPE_UINT, attempt, "rtms-delay-ms",
      G_TYPE_UINT, delay_ms, nullptr);
  post_with_details(self, GST_MESSAGE_WARNING, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_READ, text,
                    nullptr, details, GST_FUNCTION, __LINE__);
  post(self, gst_structure_new("rtms-reconnecting", "socket", G_TYPE_STRING, socket.c_str(),
                               "attempt", G_TYPE_UINT, attempt, "delay-ms", G_TYPE_UINT, delay_ms,
                               "reason", G_TYPE_STRING, why.c_str(), nullptr));
}
