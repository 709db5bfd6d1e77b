#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include <algorithm>

#include "gstrtmselements.h"
#include "gstrtmssrc-private.h"
#include "gstrtmstextenc.h"
#include "session/log.h"

// ---- the session layer's debug categories --------------------------------
// The session knows nothing of GStreamer; it logs through a hook
// (session/log.h), and this is the hook's GStreamer side: one category per
// part of the session, and levels that follow the categories' thresholds.

GST_DEBUG_CATEGORY_STATIC(rtms_session_debug);
GST_DEBUG_CATEGORY_STATIC(rtms_websocket_debug);
GST_DEBUG_CATEGORY_STATIC(rtms_tls_debug);
GST_DEBUG_CATEGORY_STATIC(rtms_net_debug);

static GstDebugCategory *session_category(rtms::log::Category category) {
  switch (category) {
    case rtms::log::Category::Session: return rtms_session_debug;
    case rtms::log::Category::WebSocket: return rtms_websocket_debug;
    case rtms::log::Category::Tls: return rtms_tls_debug;
    case rtms::log::Category::Network: return rtms_net_debug;
  }
  return rtms_session_debug;
}

static void session_log_sink(rtms::log::Category category, rtms::log::Level level, void *object,
                             const char *file, const char *function, int line,
                             const char *message, void *) {
  GstDebugCategory *cat = session_category(category);
  // The session's level may be a moment behind a lowered threshold.
  if (int(level) > int(gst_debug_category_get_threshold(cat))) return;
  gst_debug_log_literal(cat, GstDebugLevel(level), file, function, line,
                        static_cast<GObject *>(object), message);
}

// Reads four integers: cheap enough for every session every few seconds.
static void session_log_refresh(void *) {
  static const rtms::log::Category all[] = {
      rtms::log::Category::Session, rtms::log::Category::WebSocket, rtms::log::Category::Tls,
      rtms::log::Category::Network};
  for (rtms::log::Category category : all) {
    int threshold = int(gst_debug_category_get_threshold(session_category(category)));
    rtms::log::set_level(category,
                         rtms::log::Level(std::min(threshold, int(rtms::log::Level::Trace))));
  }
}

namespace rtms {

void session_log_init() {
  static gsize done = 0;
  if (!g_once_init_enter(&done)) return;
  GST_DEBUG_CATEGORY_INIT(rtms_session_debug, "rtmssession", 0,
                          "RTMS session: handshakes, keep-alives, reconnect decisions, timers, "
                          "the end of a stream");
  GST_DEBUG_CATEGORY_INIT(rtms_websocket_debug, "rtmswebsocket", 0,
                          "RTMS WebSocket client: connecting, the HTTP upgrade, frames, close "
                          "codes, protocol errors");
  GST_DEBUG_CATEGORY_INIT(rtms_tls_debug, "rtmstls", 0,
                          "RTMS TLS (OpenSSL): contexts, handshakes, certificate checks, "
                          "OpenSSL's errors");
  GST_DEBUG_CATEGORY_INIT(rtms_net_debug, "rtmsnet", 0,
                          "RTMS network threads shared by the streams of a process");
  rtms::log::set_sink(session_log_sink, nullptr);
  rtms::log::set_refresh(session_log_refresh, nullptr);
  session_log_refresh(nullptr);
  g_once_init_leave(&done, 1);
}

}  // namespace rtms

static gboolean plugin_init(GstPlugin *plugin) {
  rtms::session_log_init();
  gboolean ok = GST_ELEMENT_REGISTER(rtmssrc, plugin);
  ok = GST_ELEMENT_REGISTER(rtmstextenc, plugin) && ok;
  return ok;
}

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, rtms,
                  "Zoom Realtime Media Streams (RTMS) source and text encoder", plugin_init,
                  VERSION,
                  GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
