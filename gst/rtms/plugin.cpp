#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstrtmselements.h"

static gboolean plugin_init(GstPlugin *plugin) {
  return GST_ELEMENT_REGISTER(rtmssrc, plugin);
}

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, rtms,
                  "Zoom Realtime Media Streams (RTMS) source", plugin_init, VERSION,
                  GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
