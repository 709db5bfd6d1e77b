#include "rtms-meta.h"

namespace rtms {

static const char *const kMetaName = "GstRtmsMeta";

// Registered once; kept so that attaching the meta, once per buffer, need
// not look the name up (gst_buffer_add_custom_meta does, under a global lock).
static const GstMetaInfo *meta_info() {
  static const GstMetaInfo *info = nullptr;
  static gsize done = 0;
  if (g_once_init_enter(&done)) {
    static const gchar *tags[] = {nullptr};
    info = gst_meta_register_custom(kMetaName, tags, nullptr, nullptr, nullptr);
    g_once_init_leave(&done, 1);
  }
  return info;
}

void meta_register() { meta_info(); }

GstStructure *buffer_add_meta(GstBuffer *buffer) {
  const GstMetaInfo *info = meta_info();
  GstMeta *meta = info ? gst_buffer_add_meta(buffer, info, nullptr)
                       : reinterpret_cast<GstMeta *>(gst_buffer_add_custom_meta(buffer, kMetaName));
  return meta ? gst_custom_meta_get_structure(reinterpret_cast<GstCustomMeta *>(meta)) : nullptr;
}

}  // namespace rtms
