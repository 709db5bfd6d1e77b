// rtmssrc bus messages: meeting events, stream and session states, the end
// of the stream, reconnection, and errors and warnings with their RTMS
// status codes in their details (docs/rtmssrc.md lists every field).
#pragma once

#include <gst/gst.h>

#include <string>

#include "protocol/messages.h"
#include "session/session.h"

namespace rtms {

void post_event(GstElement *element, const Event &event);
void post_stream_state(GstElement *element, const StreamStateUpdate &update);
void post_session_state(GstElement *element, const SessionStateUpdate &update);
void post_video_subscription(GstElement *element, const VideoSubscriptionResp &resp);
void post_stopped(GstElement *element, StopReason reason, const std::string &detail);
void post_error(GstElement *element, const SessionError &error);
void post_warning(GstElement *element, const SessionWarning &warning);
void post_reconnecting(GstElement *element, const std::string &socket, unsigned attempt,
                       unsigned delay_ms, const std::string &why);
void post_reconnected(GstElement *element, const std::string &socket);

}  // namespace rtms
