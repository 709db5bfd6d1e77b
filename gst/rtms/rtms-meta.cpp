// GstRtmsMeta: a GstCustomMeta whose structure tells programs who a buffer
// is from (video of the active speaker, a transcript line, a chat message).
// Read it with gst_buffer_get_custom_meta(buffer, "GstRtmsMeta") and
// gst_custom_meta_get_structure(); docs/rtmssrc.md lists the fields.
#include "gstrtmssrc-private.h"

static const char *const kMetaName = "GstRtmsMeta";

void rtms_meta_register() {
  static gsize done = 0;
  if (g_once_init_enter(&done)) {
    static const gchar *tags[] = {nullptr};
    gst_meta_register_custom(kMetaName, tags, nullptr, nullptr, nullptr);
    g_once_init_leave(&done, 1);
  }
}

GstStructure *rtms_buffer_add_meta(GstBuffer *buffer) {
  GstCustomMeta *meta = gst_buffer_add_custom_meta(buffer, kMetaName);
  return meta ? gst_custom_meta_get_structure(meta) : nullptr;
}
