#include "webvtt.h"

#include <cinttypes>
#include <cstdio>
#include <exception>
#include <memory>

#include <glib/gstdio.h>

#include "log.h"

namespace gateway {

std::string webvtt_time(GstClockTime t) {
  if (!GST_CLOCK_TIME_IS_VALID(t)) t = 0;
  uint64_t ms = t / GST_MSECOND;
  char text[32];
  std::snprintf(text, sizeof text, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64 ".%03" PRIu64, ms / 3600000,
                ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
  return text;
}

std::string webvtt_escape(const std::string &text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      // A blank line would end the cue early; a line break inside is kept.
      case '\r': break;
      default: out += c;
    }
  }
  while (out.find("\n\n") != std::string::npos) out.replace(out.find("\n\n"), 2, "\n");
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string webvtt_cue(unsigned index, GstClockTime start, GstClockTime end, const std::string &speaker,
                       const std::string &text) {
  if (!GST_CLOCK_TIME_IS_VALID(start)) start = 0;
  if (!GST_CLOCK_TIME_IS_VALID(end) || end <= start) end = start + GST_MSECOND;
  std::string cue = std::to_string(index) + "\n" + webvtt_time(start) + " --> " + webvtt_time(end) + "\n";
  if (!speaker.empty()) cue += "<v " + webvtt_escape(speaker) + ">";
  cue += webvtt_escape(text) + "\n\n";
  return cue;
}

namespace {

// Owned by the pad probe; runs on the transcript pad's streaming thread only.
struct VttFile {
  FILE *file = nullptr;
  std::string path;
  unsigned cues = 0;

  ~VttFile() { close(); }
  void close() {
    if (file) std::fclose(file);
    file = nullptr;
  }
  void write(const std::string &text) {
    if (!file) return;
    if (std::fwrite(text.data(), 1, text.size(), file) != text.size() || std::fflush(file) != 0) {
      log_error("cannot write %s: %s; no more transcript lines go there", path.c_str(), g_strerror(errno));
      close();
    }
  }
};

std::string speaker_of(GstBuffer *buffer) {
  GstCustomMeta *meta = gst_buffer_get_custom_meta(buffer, "GstRtmsMeta");
  if (!meta) return {};
  const char *name = gst_structure_get_string(gst_custom_meta_get_structure(meta), "user-name");
  return name ? name : "";
}

void on_buffer(VttFile *vtt, GstPad *pad, GstBuffer *buffer) {
  // The pad stores its segment before any buffer goes out.
  GstEvent *segment_event = gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0);
  if (!segment_event) return;
  GstSegment segment;
  gst_event_copy_segment(segment_event, &segment);
  gst_event_unref(segment_event);
  GstClockTime pts = GST_BUFFER_PTS(buffer);
  if (!GST_CLOCK_TIME_IS_VALID(pts) || segment.format != GST_FORMAT_TIME) return;
  GstClockTime start = gst_segment_to_running_time(&segment, GST_FORMAT_TIME, pts);
  GstClockTime end = GST_BUFFER_DURATION_IS_VALID(buffer)
                         ? gst_segment_to_running_time(&segment, GST_FORMAT_TIME, pts + GST_BUFFER_DURATION(buffer))
                         : GST_CLOCK_TIME_NONE;
  GstMapInfo map;
  if (!gst_buffer_map(buffer, &map, GST_MAP_READ)) return;
  std::string text(reinterpret_cast<const char *>(map.data), map.size);
  gst_buffer_unmap(buffer, &map);
  // Invalid UTF-8 from the network must not make the whole file unreadable.
  if (!g_utf8_validate(text.data(), gssize(text.size()), nullptr)) {
    g_autofree gchar *valid = g_utf8_make_valid(text.data(), gssize(text.size()));
    text = valid;
  }
  vtt->write(webvtt_cue(++vtt->cues, start, end, speaker_of(buffer), text));
}

GstPadProbeReturn on_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
  auto *vtt = static_cast<VttFile *>(data);
  try {
    if (GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER) {
      on_buffer(vtt, pad, GST_PAD_PROBE_INFO_BUFFER(info));
    } else if (GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
      if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_EOS && vtt->file) {
        vtt->close();
        log_info("%s: %u transcript line(s), complete", vtt->path.c_str(), vtt->cues);
      }
    }
  } catch (const std::exception &e) {
    log_error("writing %s failed: %s", vtt->path.c_str(), e.what());
  } catch (...) {
    log_error("writing %s failed", vtt->path.c_str());
  }
  return GST_PAD_PROBE_OK;
}

void free_vtt(gpointer data) { delete static_cast<VttFile *>(data); }

}  // namespace

bool attach_webvtt_writer(GstPad *pad, const std::string &path, std::string *why) {
  auto vtt = std::make_unique<VttFile>();
  vtt->path = path;
  vtt->file = g_fopen(path.c_str(), "wb");
  if (!vtt->file) {
    *why = "cannot create " + path + ": " + g_strerror(errno);
    return false;
  }
  vtt->write("WEBVTT\n\n");
  gst_pad_add_probe(pad, GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
                    on_probe, vtt.release(), free_vtt);
  return true;
}

}  // namespace gateway
