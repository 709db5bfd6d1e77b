// GstRtmsMeta: a GstCustomMeta whose structure tells programs who a buffer
// is from (video of the active speaker, a transcript line, a chat message).
// Read it with gst_buffer_get_custom_meta(buffer, "GstRtmsMeta") and
// gst_custom_meta_get_structure(); docs/rtmssrc.md lists the fields.
#pragma once

#include <gst/gst.h>

namespace rtms {

// Registers the meta (once).
void meta_register();
// Adds the meta to buffer and returns its structure to fill in, or nullptr.
GstStructure *buffer_add_meta(GstBuffer *buffer);

}  // namespace rtms
