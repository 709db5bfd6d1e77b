#include "rtms-video-probe.h"

#include <gst/codecparsers/gsth264parser.h>

#include <cstring>
#include <numeric>

namespace rtms {

namespace {

// The NAL parser only carries state we do not use (the probe parses SPS
// without storing them), but the identify calls want one: one per thread,
// instead of a zeroed allocation of several KiB per video frame.
struct ThreadNalParser {
  GstH264NalParser *parser = gst_h264_nal_parser_new();
  ~ThreadNalParser() { gst_h264_nal_parser_free(parser); }
};

void read_sps(GstH264NalUnit *nalu, VideoProbe *probe) {
  GstH264SPS sps;
  if (gst_h264_parse_sps(nalu, &sps) != GST_H264_PARSER_OK) return;
  probe->has_sps = true;
  probe->has_size = true;
  probe->width = sps.frame_cropping_flag ? sps.crop_rect_width : sps.width;
  probe->height = sps.frame_cropping_flag ? sps.crop_rect_height : sps.height;
  // Two fields per frame: time_scale counts half frames.
  if (sps.vui_parameters_present_flag && sps.vui_parameters.timing_info_present_flag &&
      sps.vui_parameters.num_units_in_tick > 0 && sps.vui_parameters.time_scale > 0) {
    uint64_t n = sps.vui_parameters.time_scale;
    uint64_t d = uint64_t(sps.vui_parameters.num_units_in_tick) * 2;
    uint64_t g = std::gcd(n, d);
    if (n / g <= G_MAXINT && d / g <= G_MAXINT) {
      probe->fps_n = int(n / g);
      probe->fps_d = int(d / g);
    }
  }
  gst_h264_sps_clear(&sps);
}

}  // namespace

VideoProbe probe_h264(const guint8 *data, gsize size) {
  static thread_local ThreadNalParser nal_parser;
  GstH264NalParser *parser = nal_parser.parser;
  VideoProbe probe;
  guint offset = 0;
  for (;;) {
    GstH264NalUnit nalu;
    // First only the NAL's header: finding where a slice ends would scan
    // the whole picture for the next start code.
    GstH264ParserResult res =
        gst_h264_parser_identify_nalu_unchecked(parser, data, offset, size, &nalu);
    if (res != GST_H264_PARSER_OK) break;
    probe.valid = true;
    if (nalu.type >= GST_H264_NAL_SLICE && nalu.type <= GST_H264_NAL_SLICE_IDR) {
      // The picture's first slice. Parameter sets come before it, and the
      // rest of the access unit is more slices of the same type.
      if (nalu.type == GST_H264_NAL_SLICE_IDR) probe.has_idr = true;
      break;
    }
    res = gst_h264_parser_identify_nalu(parser, data, offset, size, &nalu);
    bool last = res == GST_H264_PARSER_NO_NAL_END;
    if (res != GST_H264_PARSER_OK && !last) break;
    if (nalu.type == GST_H264_NAL_SPS) read_sps(&nalu, &probe);
    if (nalu.type == GST_H264_NAL_PPS) probe.has_pps = true;
    if (last) break;
    offset = nalu.offset + nalu.size;
  }
  return probe;
}

VideoProbe probe_jpeg(const guint8 *data, gsize size) {
  VideoProbe probe;
  if (size < 4 || data[0] != 0xFF || data[1] != 0xD8) return probe;
  probe.valid = true;
  gsize i = 2;
  // Walk the marker segments up to a start-of-frame, which holds the size.
  while (i + 4 <= size) {
    if (data[i] != 0xFF) return probe;
    guint8 marker = data[i + 1];
    if (marker == 0xFF) {
      i++;
      continue;
    }
    guint16 length = guint16(data[i + 2] << 8 | data[i + 3]);
    bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 &&
               marker != 0xCC;
    if (sof && i + 9 <= size) {
      probe.height = data[i + 5] << 8 | data[i + 6];
      probe.width = data[i + 7] << 8 | data[i + 8];
      probe.has_size = probe.width > 0 && probe.height > 0;
      return probe;
    }
    if (marker == 0xDA) break;  // start of scan: no frame header before it
    i += 2 + length;
  }
  return probe;
}

VideoProbe probe_png(const guint8 *data, gsize size) {
  static const guint8 signature[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  VideoProbe probe;
  if (size < 24 || memcmp(data, signature, 8) != 0 || memcmp(data + 12, "IHDR", 4) != 0)
    return probe;
  probe.valid = true;
  probe.width = int(GST_READ_UINT32_BE(data + 16));
  probe.height = int(GST_READ_UINT32_BE(data + 20));
  probe.has_size = probe.width > 0 && probe.height > 0;
  return probe;
}

}  // namespace rtms
