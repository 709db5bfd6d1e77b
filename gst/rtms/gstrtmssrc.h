// rtmssrc: a live source of Zoom Realtime Media Streams.
#pragma once

#include <gst/gst.h>

#include "gstrtmsenums.h"

G_BEGIN_DECLS

#define GST_TYPE_RTMS_SRC (gst_rtms_src_get_type())
G_DECLARE_FINAL_TYPE(GstRtmsSrc, gst_rtms_src, GST, RTMS_SRC, GstElement)

G_END_DECLS
