// rtmstextenc: one cue per transcript line or chat message from rtmssrc's
// text pads, written as WebVTT, SRT or JSON lines. Cue times are the running
// time of the buffers (the recording's timeline, 0 at the pipeline's start,
// the same as audio and video from the same rtmssrc); the speaker and the
// other details come from the buffer's GstRtmsMeta.
//
// Times are kept as received, overlaps included. rtmssrc may move a late
// transcript line later (to where its GAPs already went) and shorten it by
// as much; with restore-server-times the element undoes that from the
// meta's server times (see restore_server_time). Cues are written in order
// of start time: a line that arrives after a later-starting one still goes
// first as long as it arrives within reorder-window.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstrtmstextenc.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "common/gst_gref.h"
#include "gstrtmselements.h"
#include "rtms-meta.h"
#include "rtms-text-format.h"

GST_DEBUG_CATEGORY_STATIC(gst_rtms_text_enc_debug);
#define GST_CAT_DEFAULT gst_rtms_text_enc_debug

using rtms::textfmt::Format;

namespace {

constexpr GstClockTime kDefaultReorderWindow = 10 * GST_SECOND;
constexpr GstClockTime kDefaultDuration = 2 * GST_SECOND;
constexpr GstClockTime kMaxReorderWindow = 600 * GST_SECOND;
constexpr Format kDefaultFormat = Format::WebVtt;
// Cues waiting for reordering, at most; beyond it the earliest goes out.
constexpr size_t kMaxPending = 4096;
// Server times (ms since the epoch) beyond this are not believed.
constexpr int64_t kMaxServerMs = G_MAXINT64 / int64_t(GST_MSECOND) / 4;

const char *const kMetaName = "GstRtmsMeta";

#define VTT_CAPS "application/x-subtitle-vtt; text/vtt"
#define SRT_CAPS "application/x-subtitle"
#define JSONL_CAPS "application/x-json"

GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE(
    "sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS("text/x-raw, format=(string)utf8"));
GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE(
    "src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS(VTT_CAPS "; " SRT_CAPS "; " JSONL_CAPS));

const char *format_caps(Format format) {
  switch (format) {
    case Format::WebVtt: return VTT_CAPS;
    case Format::Srt: return SRT_CAPS;
    case Format::JsonLines: return JSONL_CAPS;
  }
  return VTT_CAPS;
}

const char *format_name(Format format) {
  switch (format) {
    case Format::WebVtt: return "webvtt";
    case Format::Srt: return "srt";
    case Format::JsonLines: return "jsonl";
  }
  return "?";
}

struct Pending {
  rtms::textfmt::Cue cue;
  guint64 seq = 0;  // arrival order among cues with the same start
};

struct Settings {
  Format format = kDefaultFormat;
  bool format_set = false;  // set by the application: negotiation may not pick another
  GstClockTime reorder_window = kDefaultReorderWindow;
  GstClockTime default_duration = kDefaultDuration;
  bool restore = true;
  bool negotiated = false;  // the output caps are chosen: format is fixed until READY
};

// The streaming thread's state; reset when the element stops or flushes.
struct Stream {
  GstSegment segment;
  bool have_segment = false;
  bool negotiated = false;
  Format format = kDefaultFormat;
  bool segment_sent = false;
  bool header_sent = false;
  unsigned index = 0;          // cues written
  GstClockTime horizon = 0;    // input running time known to have passed
  GstClockTime out_position = 0;  // output time covered by cues and GAPs
  std::vector<Pending> pending;   // sorted by (start, seq)
  guint64 seq = 0;
  // PTS minus server time (ns), as rtmssrc maps them; see restore_server_time.
  bool have_offset = false;
  int64_t offset = 0;

  Stream() { gst_segment_init(&segment, GST_FORMAT_TIME); }
};

struct Private {
  Settings settings;  // under the object lock
  Stream stream;      // streaming thread (and state changes, when it is stopped)
};

}  // namespace

struct _GstRtmsTextEnc {
  GstElement parent;
  GstPad *sinkpad;
  GstPad *srcpad;
  Private *priv;
};

enum { PROP_0, PROP_FORMAT, PROP_REORDER_WINDOW, PROP_DEFAULT_DURATION, PROP_RESTORE_SERVER_TIMES };

GType gst_rtms_text_enc_format_get_type(void) {
  static gsize type = 0;
  if (g_once_init_enter(&type)) {
    static const GEnumValue values[] = {
        {GST_RTMS_TEXT_ENC_FORMAT_WEBVTT, "WebVTT (application/x-subtitle-vtt or text/vtt)", "webvtt"},
        {GST_RTMS_TEXT_ENC_FORMAT_SRT, "SubRip (application/x-subtitle), speaker as \"Name: \"", "srt"},
        {GST_RTMS_TEXT_ENC_FORMAT_JSONL, "JSON lines (application/x-json), one object per cue", "jsonl"},
        {0, nullptr, nullptr}};
    g_once_init_leave(&type, g_enum_register_static("GstRtmsTextEncFormat", values));
  }
  return GType(type);
}

G_DEFINE_TYPE(GstRtmsTextEnc, gst_rtms_text_enc, GST_TYPE_ELEMENT)
GST_ELEMENT_REGISTER_DEFINE(rtmstextenc, "rtmstextenc", GST_RANK_NONE, GST_TYPE_RTMS_TEXT_ENC)

namespace {

Settings settings_of(GstRtmsTextEnc *self) {
  GST_OBJECT_LOCK(self);
  Settings s = self->priv->settings;
  GST_OBJECT_UNLOCK(self);
  return s;
}

// ---- negotiation ----------------------------------------------------------

// The caps the src pad can produce: one format's when the application chose
// it, else all (the first format downstream accepts is used).
GstCaps *src_caps(GstRtmsTextEnc *self) {
  Settings s = settings_of(self);
  if (!s.format_set) return gst_static_pad_template_get_caps(&src_template);
  return gst_caps_from_string(format_caps(s.format));
}

bool negotiate(GstRtmsTextEnc *self) {
  Stream &st = self->priv->stream;
  Settings s = settings_of(self);
  auto peer = rtms::adopt(gst_pad_peer_query_caps(self->srcpad, nullptr));
  std::vector<Format> order = {s.format};
  if (!s.format_set)
    for (Format f : {Format::WebVtt, Format::Srt, Format::JsonLines})
      if (f != s.format) order.push_back(f);
  for (Format f : order) {
    auto candidates = rtms::adopt(gst_caps_from_string(format_caps(f)));
    for (guint i = 0; i < gst_caps_get_size(candidates.get()); i++) {
      auto one = rtms::adopt(gst_caps_copy_nth(candidates.get(), i));
      if (peer && !gst_caps_can_intersect(peer.get(), one.get())) continue;
      if (!gst_pad_set_caps(self->srcpad, one.get())) continue;
      st.negotiated = true;
      st.format = f;
      GST_OBJECT_LOCK(self);
      self->priv->settings.negotiated = true;
      GST_OBJECT_UNLOCK(self);
      GST_INFO_OBJECT(self, "writing %s as %" GST_PTR_FORMAT, format_name(f), one.get());
      return true;
    }
  }
  GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("Downstream accepts none of rtmstextenc's formats"),
                    ("format=%s%s, downstream caps %" GST_PTR_FORMAT, format_name(s.format),
                     s.format_set ? " (set)" : "", peer.get()));
  return false;
}

// Caps, a TIME segment in running time, and the header (WEBVTT), once.
bool ensure_started(GstRtmsTextEnc *self) {
  Stream &st = self->priv->stream;
  if (!st.negotiated && !negotiate(self)) return false;
  if (!st.segment_sent) {
    GstSegment out;
    gst_segment_init(&out, GST_FORMAT_TIME);
    st.segment_sent = true;
    gst_pad_push_event(self->srcpad, gst_event_new_segment(&out));
  }
  if (!st.header_sent) {
    st.header_sent = true;
    std::string head = rtms::textfmt::header(st.format);
    if (!head.empty()) {
      GstBuffer *buffer = gst_buffer_new_memdup(head.data(), head.size());
      GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_HEADER);
      GstFlowReturn ret = gst_pad_push(self->srcpad, buffer);
      if (ret != GST_FLOW_OK) GST_DEBUG_OBJECT(self, "header: %s", gst_flow_get_name(ret));
    } else {
      // Nothing to write yet, and cues may wait for reorder-window: an empty
      // GAP lets the sinks preroll, or a live pipeline never reaches PLAYING.
      gst_pad_push_event(self->srcpad, gst_event_new_gap(0, 0));
    }
  }
  return true;
}

// ---- times ----------------------------------------------------------------

bool meta_int64(const GstStructure *s, const char *field, int64_t *out) {
  gint64 v = 0;
  if (!s || !gst_structure_get_int64(s, field, &v) || v < 0 || v > kMaxServerMs) return false;
  *out = v;
  return true;
}

// rtmssrc maps server time to PTS with one offset per stream (the anchor,
// rtms-timing.h), and moves a transcript line that starts before time it has
// already declared empty (a GAP) to the end of that time, shortening its
// duration by as much. The meta keeps the server's start-ms and end-ms, so:
// - a line whose duration equals end-ms - start-ms was not moved, and gives
//   the offset exactly;
// - a shortened one was moved by the difference: moved back, it gets its
//   length back;
// - one shortened to nothing, or one without a duration (transcript without
//   an end, chat), is placed by the last offset known, when its own offset is
//   larger (a PTS is never earlier than the server's time says).
void restore_server_time(GstRtmsTextEnc *self, const GstStructure *meta, bool transcript, GstClockTime *pts,
                         GstClockTime *duration) {
  Stream &st = self->priv->stream;
  int64_t start_ms = 0, end_ms = 0;
  if (!meta_int64(meta, transcript ? "start-ms" : "timestamp-ms", &start_ms)) return;
  if (!transcript || !meta_int64(meta, "end-ms", &end_ms) || end_ms < start_ms) end_ms = start_ms;
  // Both bounded to a quarter of the int64 range, so that no sum of offsets
  // and server times below can overflow, whatever the buffers say.
  if (*pts > GstClockTime(G_MAXINT64 / 4)) return;
  const int64_t server_ns = start_ms * int64_t(GST_MSECOND);
  const int64_t offset = int64_t(*pts) - server_ns;
  const GstClockTime length = GstClockTime(end_ms - start_ms) * GST_MSECOND;
  auto learn = [&](int64_t value) {
    st.have_offset = true;
    st.offset = value;
  };
  auto place_by_offset = [&]() {
    if (!st.have_offset) {
      learn(offset);
      return;
    }
    if (offset < st.offset) {  // the mapping changed (rtmssrc restarted)
      learn(offset);
      return;
    }
    if (offset == st.offset || server_ns + st.offset < 0) return;
    GST_DEBUG_OBJECT(self, "%s at %" GST_TIME_FORMAT " was moved by %" GST_TIME_FORMAT ", restored",
                     transcript ? "line" : "message", GST_TIME_ARGS(*pts),
                     GST_TIME_ARGS(GstClockTime(offset - st.offset)));
    *pts = GstClockTime(server_ns + st.offset);
    if (length > 0) *duration = length;
  };
  if (length > 0 && GST_CLOCK_TIME_IS_VALID(*duration)) {
    if (*duration == length) {
      learn(offset);
    } else if (*duration > 0 && *duration < length && length - *duration <= *pts) {
      GstClockTime shift = length - *duration;
      GST_DEBUG_OBJECT(self, "line at %" GST_TIME_FORMAT " was moved by %" GST_TIME_FORMAT ", restored",
                       GST_TIME_ARGS(*pts), GST_TIME_ARGS(shift));
      *pts -= shift;
      *duration = length;
      learn(int64_t(*pts) - server_ns);
    } else if (*duration == 0) {
      place_by_offset();
    }
    return;
  }
  place_by_offset();
}

// ---- output ---------------------------------------------------------------

GstFlowReturn push_cue(GstRtmsTextEnc *self, const rtms::textfmt::Cue &cue, GstClockTime default_duration) {
  Stream &st = self->priv->stream;
  std::string text = rtms::textfmt::format_cue(st.format, cue, st.index + 1, default_duration);
  if (text.empty()) {
    GST_DEBUG_OBJECT(self, "empty cue at %" GST_TIME_FORMAT " skipped", GST_TIME_ARGS(cue.start));
    return GST_FLOW_OK;
  }
  st.index++;
  GstBuffer *buffer = gst_buffer_new_memdup(text.data(), text.size());
  GST_BUFFER_PTS(buffer) = cue.start;
  GstClockTime end = GST_CLOCK_TIME_IS_VALID(cue.end) && cue.end > cue.start ? cue.end : cue.start + default_duration;
  GST_BUFFER_DURATION(buffer) = end - cue.start;
  if (cue.start < st.out_position)
    GST_DEBUG_OBJECT(self, "cue %u at %" GST_TIME_FORMAT " is earlier than cues already written", st.index,
                     GST_TIME_ARGS(cue.start));
  st.out_position = std::max(st.out_position, end);
  return gst_pad_push(self->srcpad, buffer);
}

// Writes the cues that start at or before limit (all with NONE).
GstFlowReturn release(GstRtmsTextEnc *self, GstClockTime limit, GstClockTime default_duration) {
  Stream &st = self->priv->stream;
  size_t n = 0;
  while (n < st.pending.size() &&
         (!GST_CLOCK_TIME_IS_VALID(limit) || st.pending[n].cue.start <= limit || st.pending.size() - n > kMaxPending))
    n++;
  std::vector<Pending> ready(std::make_move_iterator(st.pending.begin()),
                             std::make_move_iterator(st.pending.begin() + n));
  st.pending.erase(st.pending.begin(), st.pending.begin() + n);
  GstFlowReturn result = GST_FLOW_OK;
  for (const Pending &p : ready) {
    GstFlowReturn ret = push_cue(self, p.cue, default_duration);
    // Downstream may have stopped caring (EOS, not linked); the other cues
    // are still dropped quietly.
    if (ret != GST_FLOW_OK && result == GST_FLOW_OK) result = ret;
  }
  return result;
}

GstClockTime release_limit(const Stream &st, const Settings &s) {
  return st.horizon >= s.reorder_window ? st.horizon - s.reorder_window : 0;
}

// Time known to be empty of cues goes downstream as a GAP: up to where cues
// are released, and never past one still waiting.
void forward_gap(GstRtmsTextEnc *self, const Settings &s) {
  Stream &st = self->priv->stream;
  GstClockTime until = release_limit(st, s);
  if (!st.pending.empty()) until = std::min(until, st.pending.front().cue.start);
  if (until <= st.out_position) return;
  gst_pad_push_event(self->srcpad, gst_event_new_gap(st.out_position, until - st.out_position));
  st.out_position = until;
}

// ---- input ----------------------------------------------------------------

rtms::textfmt::Cue read_cue(GstBuffer *buffer, const GstStructure **meta_out, bool *transcript) {
  rtms::textfmt::Cue cue;
  GstMapInfo map;
  if (gst_buffer_map(buffer, &map, GST_MAP_READ)) {
    cue.text = rtms::textfmt::valid_utf8(reinterpret_cast<const char *>(map.data), map.size,
                                         rtms::textfmt::kMaxTextBytes);
    gst_buffer_unmap(buffer, &map);
  }
  *transcript = false;
  *meta_out = nullptr;
  GstCustomMeta *meta = gst_buffer_get_custom_meta(buffer, kMetaName);
  if (!meta) return cue;
  const GstStructure *s = gst_custom_meta_get_structure(meta);
  *meta_out = s;
  cue.meta_json = rtms::textfmt::structure_json(s);
  const char *id_field = "user-id", *name_field = "user-name";
  if (gst_structure_has_field(s, "sender-id")) {
    cue.kind = "chat";
    id_field = "sender-id";
    name_field = "sender-name";
  } else if (gst_structure_has_field(s, "start-ms")) {
    cue.kind = "transcript";
    *transcript = true;
  }
  gint64 id = 0;
  if (gst_structure_get_int64(s, id_field, &id)) {
    cue.has_speaker = true;
    cue.speaker_id = id;
  }
  if (const char *name = gst_structure_get_string(s, name_field)) {
    cue.has_speaker = true;
    cue.speaker = rtms::textfmt::valid_utf8(name, strlen(name), rtms::textfmt::kMaxNameBytes);
  }
  gint language = -1;
  if (gst_structure_get_int(s, "language", &language) && language >= 0) cue.language = language;
  if (const char *name = gst_structure_get_string(s, "language-name"))
    cue.language_name = rtms::textfmt::valid_utf8(name, strlen(name), rtms::textfmt::kMaxNameBytes);
  return cue;
}

GstFlowReturn handle_buffer(GstRtmsTextEnc *self, GstBuffer *buffer) {
  Stream &st = self->priv->stream;
  Settings s = settings_of(self);
  if (!ensure_started(self)) return GST_FLOW_NOT_NEGOTIATED;
  const GstStructure *meta = nullptr;
  bool transcript = false;
  rtms::textfmt::Cue cue = read_cue(buffer, &meta, &transcript);

  GstClockTime pts = GST_BUFFER_PTS(buffer);
  GstClockTime duration = GST_BUFFER_DURATION(buffer);
  GstClockTime arrival;
  if (!GST_CLOCK_TIME_IS_VALID(pts)) {
    // No time at all: where the stream is.
    cue.start = st.horizon;
    arrival = st.horizon;
  } else {
    arrival = gst_segment_to_running_time(&st.segment, GST_FORMAT_TIME, pts);
    if (!GST_CLOCK_TIME_IS_VALID(arrival)) {
      GST_DEBUG_OBJECT(self, "buffer at %" GST_TIME_FORMAT " is outside the segment, dropped", GST_TIME_ARGS(pts));
      return GST_FLOW_OK;
    }
    if (s.restore && meta) restore_server_time(self, meta, transcript, &pts, &duration);
    cue.start = gst_segment_to_running_time(&st.segment, GST_FORMAT_TIME, pts);
    if (!GST_CLOCK_TIME_IS_VALID(cue.start)) cue.start = arrival;
    if (GST_CLOCK_TIME_IS_VALID(duration)) {
      GstClockTime end = gst_segment_to_running_time(&st.segment, GST_FORMAT_TIME, pts + duration);
      cue.end = GST_CLOCK_TIME_IS_VALID(end) ? end : cue.start + duration;
    }
  }
  GST_LOG_OBJECT(self, "%s cue %" GST_TIME_FORMAT " - %" GST_TIME_FORMAT ", %" G_GSIZE_FORMAT " bytes", cue.kind,
                 GST_TIME_ARGS(cue.start), GST_TIME_ARGS(cue.end), cue.text.size());
  Pending p{std::move(cue), st.seq++};
  auto at = std::upper_bound(st.pending.begin(), st.pending.end(), p, [](const Pending &a, const Pending &b) {
    return a.cue.start < b.cue.start || (a.cue.start == b.cue.start && a.seq < b.seq);
  });
  st.pending.insert(at, std::move(p));
  st.horizon = std::max(st.horizon, arrival);
  return release(self, release_limit(st, s), s.default_duration);
}

GstFlowReturn chain(GstPad *, GstObject *parent, GstBuffer *buffer) {
  auto *self = GST_RTMS_TEXT_ENC(parent);
  auto owned = rtms::adopt(buffer);
  try {
    return handle_buffer(self, buffer);
  } catch (const std::exception &e) {
    GST_ELEMENT_ERROR(self, STREAM, ENCODE, ("Cannot write a cue"), ("%s", e.what()));
  } catch (...) {
    GST_ELEMENT_ERROR(self, STREAM, ENCODE, ("Cannot write a cue"), (nullptr));
  }
  return GST_FLOW_ERROR;
}

void reset_stream(GstRtmsTextEnc *self, bool keep_header) {
  Stream &st = self->priv->stream;
  if (!keep_header) {
    GST_OBJECT_LOCK(self);
    self->priv->settings.negotiated = false;
    GST_OBJECT_UNLOCK(self);
  }
  bool header_sent = st.header_sent, negotiated = st.negotiated;
  Format format = st.format;
  unsigned index = st.index;
  st = Stream();
  if (keep_header) {
    st.header_sent = header_sent;
    st.negotiated = negotiated;
    st.format = format;
    st.index = index;
  }
}

gboolean handle_event(GstRtmsTextEnc *self, GstEvent *event_in) {
  auto event = rtms::adopt(event_in);
  Stream &st = self->priv->stream;
  switch (GST_EVENT_TYPE(event.get())) {
    case GST_EVENT_CAPS:
      // Ours replace them; chosen now so that they precede the tags.
      if (!st.negotiated) return negotiate(self);
      return TRUE;
    case GST_EVENT_SEGMENT: {
      const GstSegment *segment = nullptr;
      gst_event_parse_segment(event.get(), &segment);
      if (segment->format != GST_FORMAT_TIME) {
        GST_ELEMENT_ERROR(self, STREAM, FORMAT, ("rtmstextenc needs a TIME segment"),
                          ("got a %s segment", gst_format_get_name(segment->format)));
        return FALSE;
      }
      st.segment = *segment;
      st.have_segment = true;
      // The output is in running time: one segment from 0, whatever comes in.
      return ensure_started(self);
    }
    case GST_EVENT_GAP: {
      if (!ensure_started(self)) return FALSE;
      GstClockTime ts, duration;
      gst_event_parse_gap(event.get(), &ts, &duration);
      GstClockTime end = GST_CLOCK_TIME_IS_VALID(duration) ? ts + duration : ts;
      GstClockTime end_rt = gst_segment_to_running_time(&st.segment, GST_FORMAT_TIME, end);
      if (GST_CLOCK_TIME_IS_VALID(end_rt)) st.horizon = std::max(st.horizon, end_rt);
      Settings s = settings_of(self);
      release(self, release_limit(st, s), s.default_duration);
      forward_gap(self, s);
      return TRUE;
    }
    case GST_EVENT_EOS: {
      if (ensure_started(self)) release(self, GST_CLOCK_TIME_NONE, settings_of(self).default_duration);
      return gst_pad_push_event(self->srcpad, event.release());
    }
    case GST_EVENT_FLUSH_STOP:
      reset_stream(self, true);
      return gst_pad_push_event(self->srcpad, event.release());
    default:
      return gst_pad_event_default(self->sinkpad, GST_OBJECT_CAST(self), event.release());
  }
}

gboolean sink_event(GstPad *, GstObject *parent, GstEvent *event) {
  auto *self = GST_RTMS_TEXT_ENC(parent);
  GST_LOG_OBJECT(self, "event %" GST_PTR_FORMAT, event);
  try {
    return handle_event(self, event);
  } catch (const std::exception &e) {
    GST_ELEMENT_ERROR(self, STREAM, ENCODE, ("Cannot handle an event"), ("%s", e.what()));
  } catch (...) {
    GST_ELEMENT_ERROR(self, STREAM, ENCODE, ("Cannot handle an event"), (nullptr));
  }
  return FALSE;
}

gboolean src_query(GstPad *pad, GstObject *parent, GstQuery *query) {
  auto *self = GST_RTMS_TEXT_ENC(parent);
  switch (GST_QUERY_TYPE(query)) {
    case GST_QUERY_CAPS: {
      GstCaps *filter = nullptr;
      gst_query_parse_caps(query, &filter);
      // Once chosen, the caps stay until READY.
      auto caps = rtms::adopt(gst_pad_get_current_caps(pad));
      if (!caps) caps = rtms::adopt(src_caps(self));
      if (filter) caps = rtms::adopt(gst_caps_intersect_full(filter, caps.get(), GST_CAPS_INTERSECT_FIRST));
      gst_query_set_caps_result(query, caps.get());
      return TRUE;
    }
    case GST_QUERY_LATENCY: {
      // Cues wait up to reorder-window for earlier ones.
      if (!gst_pad_peer_query(self->sinkpad, query)) return FALSE;
      gboolean live = FALSE;
      GstClockTime min = 0, max = GST_CLOCK_TIME_NONE;
      gst_query_parse_latency(query, &live, &min, &max);
      GstClockTime window = settings_of(self).reorder_window;
      gst_query_set_latency(query, live, min + window, GST_CLOCK_TIME_IS_VALID(max) ? max + window : max);
      return TRUE;
    }
    default:
      return gst_pad_query_default(pad, parent, query);
  }
}

}  // namespace

static void gst_rtms_text_enc_set_property(GObject *object, guint id, const GValue *value, GParamSpec *pspec) {
  auto *self = GST_RTMS_TEXT_ENC(object);
  GST_OBJECT_LOCK(self);
  Settings &s = self->priv->settings;
  switch (id) {
    case PROP_FORMAT:
      if (s.negotiated) {
        GST_WARNING_OBJECT(self, "format cannot change once the output caps are chosen (until READY)");
        break;
      }
      s.format = Format(g_value_get_enum(value));
      s.format_set = true;
      break;
    case PROP_REORDER_WINDOW: s.reorder_window = g_value_get_uint64(value); break;
    case PROP_DEFAULT_DURATION: s.default_duration = g_value_get_uint64(value); break;
    case PROP_RESTORE_SERVER_TIMES: s.restore = g_value_get_boolean(value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_rtms_text_enc_get_property(GObject *object, guint id, GValue *value, GParamSpec *pspec) {
  auto *self = GST_RTMS_TEXT_ENC(object);
  Settings s = settings_of(self);
  switch (id) {
    case PROP_FORMAT: g_value_set_enum(value, int(s.format)); break;
    case PROP_REORDER_WINDOW: g_value_set_uint64(value, s.reorder_window); break;
    case PROP_DEFAULT_DURATION: g_value_set_uint64(value, s.default_duration); break;
    case PROP_RESTORE_SERVER_TIMES: g_value_set_boolean(value, s.restore); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
  }
}

static GstStateChangeReturn gst_rtms_text_enc_change_state(GstElement *element, GstStateChange transition) {
  auto *self = GST_RTMS_TEXT_ENC(element);
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) reset_stream(self, false);
  GstStateChangeReturn ret = GST_ELEMENT_CLASS(gst_rtms_text_enc_parent_class)->change_state(element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) reset_stream(self, false);
  return ret;
}

static void gst_rtms_text_enc_finalize(GObject *object) {
  auto *self = GST_RTMS_TEXT_ENC(object);
  delete self->priv;
  self->priv = nullptr;
  G_OBJECT_CLASS(gst_rtms_text_enc_parent_class)->finalize(object);
}

static void gst_rtms_text_enc_init(GstRtmsTextEnc *self) {
  self->priv = new Private();
  self->sinkpad = gst_pad_new_from_static_template(&sink_template, "sink");
  gst_pad_set_chain_function(self->sinkpad, chain);
  gst_pad_set_event_function(self->sinkpad, sink_event);
  GST_PAD_SET_ACCEPT_TEMPLATE(self->sinkpad);
  gst_element_add_pad(GST_ELEMENT(self), self->sinkpad);
  self->srcpad = gst_pad_new_from_static_template(&src_template, "src");
  gst_pad_set_query_function(self->srcpad, src_query);
  gst_pad_use_fixed_caps(self->srcpad);
  gst_element_add_pad(GST_ELEMENT(self), self->srcpad);
}

static void gst_rtms_text_enc_class_init(GstRtmsTextEncClass *klass) {
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
  gobject_class->set_property = gst_rtms_text_enc_set_property;
  gobject_class->get_property = gst_rtms_text_enc_get_property;
  gobject_class->finalize = gst_rtms_text_enc_finalize;
  element_class->change_state = gst_rtms_text_enc_change_state;

  g_object_class_install_property(
      gobject_class, PROP_FORMAT,
      g_param_spec_enum("format", "Format",
                        "What to write: webvtt (a WEBVTT header, then a numbered cue per buffer with the "
                        "speaker as <v Name>), srt (numbered SubRip entries, speaker as \"Name: \") or jsonl "
                        "(one JSON object per line with times, speaker, language, text, kind and the whole "
                        "GstRtmsMeta). When not set, the first format downstream accepts, webvtt first. Fixed "
                        "once the output caps are chosen (the first buffer or event), until READY",
                        GST_TYPE_RTMS_TEXT_ENC_FORMAT, int(kDefaultFormat),
                        GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING)));
  g_object_class_install_property(
      gobject_class, PROP_REORDER_WINDOW,
      g_param_spec_uint64("reorder-window", "Reorder window (ns)",
                          "How long a cue waits (in stream time, driven by buffers and GAP events) for "
                          "cues that start earlier but arrive later, so that the output is in order of "
                          "start time (WebVTT requires it). rtmssrc sends a transcript line when the "
                          "utterance ends, so overlapping speakers arrive out of order. Adds as much "
                          "latency; 0 writes every cue as it comes",
                          0, kMaxReorderWindow, kDefaultReorderWindow,
                          GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING)));
  g_object_class_install_property(
      gobject_class, PROP_DEFAULT_DURATION,
      g_param_spec_uint64("default-duration", "Default duration (ns)",
                          "How long a cue lasts in WebVTT and SRT when its buffer has no duration (chat "
                          "messages, transcript lines without an end time); JSON lines write null",
                          GST_MSECOND, 3600 * GST_SECOND, kDefaultDuration,
                          GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING)));
  g_object_class_install_property(
      gobject_class, PROP_RESTORE_SERVER_TIMES,
      g_param_spec_boolean("restore-server-times", "Restore server times",
                           "Undo rtmssrc's moving of late text: a transcript line that rtmssrc moved later "
                           "(and shortened) because its GAPs had passed its start gets back the start and "
                           "length the server gave it, read from GstRtmsMeta (start-ms, end-ms, "
                           "timestamp-ms). Off: the buffers' times as received",
                           TRUE, GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING)));

  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(
      element_class, "RTMS text encoder", "Encoder/Subtitle",
      "Writes rtmssrc's transcript and chat buffers as WebVTT, SRT or JSON lines, one cue per buffer "
      "with the speaker and language from its GstRtmsMeta, at the buffers' running time",
      "gst-rtms developers");
  gst_type_mark_as_plugin_api(GST_TYPE_RTMS_TEXT_ENC_FORMAT, GstPluginAPIFlags(0));
  rtms::meta_register();
  GST_DEBUG_CATEGORY_INIT(gst_rtms_text_enc_debug, "rtmstextenc", 0,
                          "RTMS text encoder: negotiation, cues, restored times, reordering");
}
