// Owning holders for GStreamer objects kept beyond one expression, and the
// pull loop both offline encoders (audio and video) share.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include "payload.h"

namespace emulator {

// A pipeline must reach NULL before its last reference goes, or its
// streaming threads outlive it.
struct PipelineStopper {
  void operator()(GstElement *pipeline) const {
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
  }
};
using PipelinePtr = std::unique_ptr<GstElement, PipelineStopper>;

struct GstObjectUnref {
  void operator()(gpointer object) const { gst_object_unref(object); }
};
using GstElementPtr = std::unique_ptr<GstElement, GstObjectUnref>;

// Builds a pipeline from a gst-launch description, or sets *error.
PipelinePtr launch_pipeline(const std::string &description, std::string *error);
// A named element of a pipeline (never null for names in the description).
GstElementPtr element_by_name(GstElement *pipeline, const char *name);

// Pulls every buffer from an appsink until EOS. False with *error (naming
// `what` and GStreamer's error) when the pipeline failed instead.
bool pull_until_eos(GstElement *pipeline, GstElement *sink, const std::string &what,
                    std::vector<Payload> *buffers, std::string *error);

}  // namespace emulator
