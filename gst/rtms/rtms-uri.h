// rtmssrc as a GstURIHandler: rtms://?stream_id=...&meeting_uuid=...&server_urls=...
// (see "URI" in docs/rtmssrc.md).
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

// The GInterfaceInitFunc of GstURIHandler for rtmssrc.
void gst_rtms_src_uri_handler_init(gpointer g_iface, gpointer iface_data);

G_END_DECLS
