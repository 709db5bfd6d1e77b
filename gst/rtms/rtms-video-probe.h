// Reads what caps need from the video payloads themselves: the size of a
// JPEG or PNG image from its header, and for an H.264 access unit (Annex B)
// whether it carries SPS, PPS and an IDR slice, and the picture size its SPS
// declares.
#pragma once

#include <gst/gst.h>

#include <cstdint>

namespace rtms {

struct VideoProbe {
  bool has_size = false;
  int width = 0;
  int height = 0;
  // H.264 only: the frame rate the SPS declares (VUI timing), 0/0 if none.
  int fps_n = 0;
  int fps_d = 0;
  // H.264 only.
  bool has_sps = false;
  bool has_pps = false;
  bool has_idr = false;
  bool valid = false;  // the payload parsed as what its codec says
};

VideoProbe probe_h264(const guint8 *data, gsize size);
VideoProbe probe_jpeg(const guint8 *data, gsize size);
VideoProbe probe_png(const guint8 *data, gsize size);

}  // namespace rtms
