// The elements of the rtms plugin.
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

GST_ELEMENT_REGISTER_DECLARE(rtmssrc);

G_END_DECLS
