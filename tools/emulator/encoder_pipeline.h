// The offline encoders' pipelines (audio and video): built from a gst-launch
// description, their elements found by name, and the pull loop both share.
#pragma once

#include <string>
#include <vector>

#include <gst/app/gstappsink.h>

#include "common/gst_gref.h"
#include "payload.h"

namespace emulator {

// Builds a pipeline from a gst-launch description, or sets *error.
rtms::PipelineRef launch_pipeline(const std::string &description, std::string *error);
// A named element of a pipeline (never null for names in the description).
rtms::GRef<GstElement> element_by_name(GstElement *pipeline, const char *name);

// Pulls every buffer from an appsink until EOS. False with *error (naming
// `what` and GStreamer's error) when the pipeline failed instead.
bool pull_until_eos(GstElement *pipeline, GstElement *sink, const std::string &what,
                    std::vector<Payload> *buffers, std::string *error);

}  // namespace emulator
