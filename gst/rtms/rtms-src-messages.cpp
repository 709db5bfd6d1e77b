#include "rtms-src-messages.h"

GST_DEBUG_CATEGORY_EXTERN(gst_rtms_src_debug);
#define GST_CAT_DEFAULT gst_rtms_src_debug

namespace rtms {

static void post(GstElement *self, GstStructure *s) {
  gst_element_post_message(self, gst_message_new_element(GST_OBJECT(self), s));
}

static const char *event_message_name(int event_type) {
  switch (EventType(event_type)) {
    case EventType::FirstPacketTimestamp: return "rtms-first-packet-timestamp";
    case EventType::ActiveSpeakerChange: return "rtms-active-speaker-change";
    case EventType::ParticipantJoin: return "rtms-participant-join";
    case EventType::ParticipantLeave: return "rtms-participant-leave";
    case EventType::SharingStart: return "rtms-sharing-start";
    case EventType::SharingStop: return "rtms-sharing-stop";
    case EventType::MediaConnectionInterrupted: return "rtms-media-connection-interrupted";
    case EventType::ParticipantVideoOn: return "rtms-participant-video-on";
    case EventType::ParticipantVideoOff: return "rtms-participant-video-off";
    default: return "rtms-event";
  }
}

void post_event(GstElement *self, const Event &event) {
  const char *name = event_message_name(event.event_type);
  GST_DEBUG_OBJECT(self, "event %s at %" G_GINT64_FORMAT, name, event.timestamp);
  // Join and leave carry lists; one message per participant keeps every
  // message's fields flat and typed.
  if (!event.participants.empty()) {
    for (const auto &p : event.participants) {
      GstStructure *s = gst_structure_new(name, "event-type", G_TYPE_INT, event.event_type,
                                          "timestamp", G_TYPE_INT64, event.timestamp,
                                          "user-id", G_TYPE_INT64, p.user_id, nullptr);
      if (p.has_user_name)
        gst_structure_set(s, "user-name", G_TYPE_STRING, p.user_name.c_str(), nullptr);
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

void post_stream_state(GstElement *self, const StreamStateUpdate &update) {
  GST_INFO_OBJECT(self, "stream state %s, reason %s", to_string(update.state),
                  describe(update.reason).c_str());
  post(self, gst_structure_new("rtms-stream-state", "state", G_TYPE_INT, int(update.state),
                               "state-name", G_TYPE_STRING, to_string(update.state),
                               "reason", G_TYPE_INT, int(update.reason), "reason-name",
                               G_TYPE_STRING, to_string(update.reason), "timestamp",
                               G_TYPE_INT64, update.timestamp, nullptr));
}

void post_session_state(GstElement *self, const SessionStateUpdate &update) {
  GST_INFO_OBJECT(self, "session %s state %s", update.rtms_session_id.c_str(),
                  to_string(update.state));
  post(self, gst_structure_new("rtms-session-state", "state", G_TYPE_INT, int(update.state),
                               "state-name", G_TYPE_STRING, to_string(update.state),
                               "stop-reason", G_TYPE_INT, int(update.stop_reason),
                               "stop-reason-name", G_TYPE_STRING,
                               to_string(update.stop_reason), "session-id", G_TYPE_STRING,
                               update.rtms_session_id.c_str(), "timestamp", G_TYPE_INT64,
                               update.timestamp, nullptr));
}

void post_stopped(GstElement *self, StopReason reason, const std::string &detail) {
  GST_INFO_OBJECT(self, "stream ended: %s", detail.c_str());
  post(self, gst_structure_new("rtms-stream-stopped", "reason", G_TYPE_INT, int(reason),
                               "reason-name", G_TYPE_STRING, to_string(reason),
                               "transient", G_TYPE_BOOLEAN, stop_reason_is_transient(reason),
                               "detail", G_TYPE_STRING, detail.c_str(), nullptr));
}

// Posts an ERROR or WARNING whose details (gst_message_parse_*_details)
// carry the typed fields; takes details.
static void post_with_details(GstElement *self, GstMessageType type, GQuark domain, gint code,
                              const std::string &text, const char *debug, GstStructure *details,
                              const char *function, int line) {
  GST_WARNING_OBJECT(self, "%s: %s (%" GST_PTR_FORMAT ")",
                     type == GST_MESSAGE_ERROR ? "error" : "warning", text.c_str(), details);
  gst_element_message_full_with_details(self, type, domain, code,
                                        g_strdup(text.c_str()), g_strdup(debug), __FILE__,
                                        function, line, details);
}

void post_error(GstElement *self, const SessionError &error) {
  const char *kind = to_string(error.kind);
  GstStructure *details = gst_structure_new(
      "details", "rtms-error-kind", G_TYPE_STRING, kind, "rtms-socket", G_TYPE_STRING,
      error.socket.c_str(), "rtms-close-code", G_TYPE_INT, error.close_code, nullptr);
  if (error.has_status || error.kind == SessionErrorKind::Handshake)
    gst_structure_set(details, "rtms-status-code", G_TYPE_INT,
                      error.has_status ? int(error.status) : -1, "rtms-status-name",
                      G_TYPE_STRING, error.has_status ? to_string(error.status) : "",
                      nullptr);
  if (error.kind == SessionErrorKind::Handshake ||
      error.kind == SessionErrorKind::ConnectionLost)
    gst_structure_set(details, "rtms-reason", G_TYPE_STRING, error.reason.c_str(), nullptr);
  if (!error.tls_cause.empty())
    gst_structure_set(details, "rtms-tls-cause", G_TYPE_STRING, error.tls_cause.c_str(), nullptr);
  if (error.http_status)
    gst_structure_set(details, "rtms-http-status", G_TYPE_INT, error.http_status, nullptr);
  gint code = GST_RESOURCE_ERROR_OPEN_READ;
  switch (error.kind) {
    case SessionErrorKind::Config: code = GST_RESOURCE_ERROR_SETTINGS; break;
    case SessionErrorKind::Handshake: {
      bool auth = error.has_status && (error.status == StatusCode::InvalidSignature ||
                                       error.status == StatusCode::InvalidRtmsStreamId);
      code = auth || !error.has_status ? GST_RESOURCE_ERROR_NOT_AUTHORIZED
                                       : GST_RESOURCE_ERROR_SETTINGS;
      break;
    }
    case SessionErrorKind::ConnectionLost: code = GST_RESOURCE_ERROR_READ; break;
    case SessionErrorKind::Connect:
    case SessionErrorKind::Tls:
    case SessionErrorKind::Timeout: code = GST_RESOURCE_ERROR_OPEN_READ; break;
  }
  std::string debug = std::string("RTMS ") + kind + " error";
  post_with_details(self, GST_MESSAGE_ERROR, GST_RESOURCE_ERROR, code, error.message,
                    debug.c_str(), details, GST_FUNCTION, __LINE__);
}

// Warnings: decode problems are STREAM/DECODE; what the server should not
// have sent is STREAM/FAILED; an encrypted payload STREAM/DECRYPT; servers
// that cannot be reached RESOURCE/OPEN_READ; a certificate not checked
// RESOURCE/SETTINGS (ssl-strict=false made it so).
void post_warning(GstElement *self, const SessionWarning &warning) {
  GQuark domain = GST_STREAM_ERROR;
  gint code = GST_STREAM_ERROR_DECODE;
  switch (warning.kind) {
    case SessionWarningKind::Decode: break;
    case SessionWarningKind::UnexpectedMessage:
    case SessionWarningKind::ProtocolViolation: code = GST_STREAM_ERROR_FAILED; break;
    case SessionWarningKind::EncryptedPayload: code = GST_STREAM_ERROR_DECRYPT; break;
    case SessionWarningKind::ServerUnreachable:
      domain = GST_RESOURCE_ERROR;
      code = GST_RESOURCE_ERROR_OPEN_READ;
      break;
    case SessionWarningKind::TlsUnverified:
      domain = GST_RESOURCE_ERROR;
      code = GST_RESOURCE_ERROR_SETTINGS;
      break;
  }
  GstStructure *details = gst_structure_new(
      "details", "rtms-warning-kind", G_TYPE_STRING, to_string(warning.kind),
      "rtms-socket", G_TYPE_STRING, warning.socket.c_str(), nullptr);
  if (!warning.host.empty())
    gst_structure_set(details, "rtms-host", G_TYPE_STRING, warning.host.c_str(), nullptr);
  if (!warning.tls_cause.empty())
    gst_structure_set(details, "rtms-tls-cause", G_TYPE_STRING, warning.tls_cause.c_str(),
                      nullptr);
  post_with_details(self, GST_MESSAGE_WARNING, domain, code, warning.message, nullptr, details,
                    GST_FUNCTION, __LINE__);
}

void post_reconnecting(GstElement *self, const std::string &socket, unsigned attempt,
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

void post_video_subscription(GstElement *self, const VideoSubscriptionResp &resp) {
  post(self, gst_structure_new("rtms-video-subscription", "user-id", G_TYPE_INT64, resp.user_id,
                               "status-code", G_TYPE_INT, int(resp.status_code), "status-name",
                               G_TYPE_STRING, to_string(resp.status_code), "reason",
                               G_TYPE_STRING, resp.reason.c_str(), nullptr));
}

void post_reconnected(GstElement *self, const std::string &socket) {
  GST_INFO_OBJECT(self, "%s reconnected", socket.c_str());
  post(self, gst_structure_new("rtms-reconnected", "socket", G_TYPE_STRING, socket.c_str(),
                               nullptr));
}

}  // namespace rtms
