// rtms::GRef<T> for GStreamer's types (see gref.h for the holder itself):
// the mini objects (GstCaps, GstBuffer, GstEvent, GstMessage, GstSample, ...)
// and GstStructure. GstObject types (GstElement, GstPad, GstBus, ...) are
// GObjects and need nothing from here: GRef<GstElement> works with gref.h
// alone. PipelineRef owns a pipeline and brings it to NULL before dropping it.
#pragma once

#include <gst/gst.h>

#include "common/gref.h"

namespace rtms {

RTMS_GREF_TRAITS(GstMiniObject, gst_mini_object_ref, gst_mini_object_unref);
RTMS_GREF_TRAITS(GstCaps, gst_caps_ref, gst_caps_unref);
RTMS_GREF_TRAITS(GstBuffer, gst_buffer_ref, gst_buffer_unref);
RTMS_GREF_TRAITS(GstBufferList, gst_buffer_list_ref, gst_buffer_list_unref);
RTMS_GREF_TRAITS(GstEvent, gst_event_ref, gst_event_unref);
RTMS_GREF_TRAITS(GstMessage, gst_message_ref, gst_message_unref);
RTMS_GREF_TRAITS(GstQuery, gst_query_ref, gst_query_unref);
RTMS_GREF_TRAITS(GstSample, gst_sample_ref, gst_sample_unref);
RTMS_GREF_TRAITS(GstTagList, gst_tag_list_ref, gst_tag_list_unref);
RTMS_GREF_TRAITS(GstContext, gst_context_ref, gst_context_unref);
RTMS_GREF_TRAITS(GstMemory, gst_memory_ref, gst_memory_unref);
RTMS_GREF_OWNED(GstStructure, gst_structure_free);

// A pipeline must reach NULL before its last reference goes, or its
// streaming threads outlive it: one owner, which stops it.
struct PipelineTraits {
  static void unref(GstElement *pipeline) {
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
  }
};
using PipelineRef = GRef<GstElement, PipelineTraits>;

// Calls fn(element) for each element an iterator yields (gst_bin_iterate_*)
// until fn returns false, then frees the iterator. When the bin changes
// meanwhile (a resync), the walk starts again from its first element.
template <typename Fn>
void for_each_element(GstIterator *it, Fn &&fn) {
  GValue item = G_VALUE_INIT;
  bool done = false;
  while (!done) {
    switch (gst_iterator_next(it, &item)) {
      case GST_ITERATOR_OK:
        done = !fn(GST_ELEMENT(g_value_get_object(&item)));
        g_value_reset(&item);
        break;
      case GST_ITERATOR_RESYNC:
        gst_iterator_resync(it);
        break;
      default:
        done = true;
    }
  }
  g_value_unset(&item);
  gst_iterator_free(it);
}

}  // namespace rtms
