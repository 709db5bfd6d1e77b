#include "capture.h"

#include <gst/app/gstappsink.h>
#include <gst/check/gstcheck.h>

namespace {

GstFlowReturn on_sample(GstAppSink *sink, gpointer data) {
  auto *p = static_cast<PadCapture *>(data);
  GstSample *sample = gst_app_sink_pull_sample(sink);
  if (!sample) return GST_FLOW_EOS;
  GstBuffer *buffer = gst_sample_get_buffer(sample);
  GstMapInfo map;
  gst_buffer_map(buffer, &map, GST_MAP_READ);
  {
    std::lock_guard<std::mutex> guard(p->owner->lock);
    p->buffers++;
    p->bytes += map.size;
    g_checksum_update(p->sha256, map.data, map.size);
    if (p->owner->keep_payloads) p->payloads.emplace_back(map.data, map.data + map.size);
    p->pts.push_back(GST_BUFFER_PTS(buffer));
    p->durations.push_back(GST_BUFFER_DURATION(buffer));
    if (GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DISCONT)) p->discont++;
    p->delta.push_back(GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT));
    GstCustomMeta *rtms_meta = gst_buffer_get_custom_meta(buffer, "GstRtmsMeta");
    if (rtms_meta) {
      gchar *text = gst_structure_to_string(gst_custom_meta_get_structure(rtms_meta));
      p->metas.push_back(text);
      g_free(text);
    } else {
      p->metas.push_back("");
    }
    GstReferenceTimestampMeta *meta = gst_buffer_get_reference_timestamp_meta(buffer, nullptr);
    p->server_ms.push_back(meta ? gint64(meta->timestamp / GST_MSECOND) : -1);
  }
  gst_buffer_unmap(buffer, &map);
  gst_sample_unref(sample);
  return GST_FLOW_OK;
}

GstPadProbeReturn on_event(GstPad *, GstPadProbeInfo *info, gpointer data) {
  auto *p = static_cast<PadCapture *>(data);
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
  std::lock_guard<std::mutex> guard(p->owner->lock);
  switch (GST_EVENT_TYPE(event)) {
    case GST_EVENT_STREAM_START: {
      p->stream_start = true;
      const gchar *id = nullptr;
      gst_event_parse_stream_start(event, &id);
      p->stream_id = id ? id : "";
      gst_event_parse_group_id(event, &p->group_id);
      break;
    }
    case GST_EVENT_CAPS: {
      GstCaps *caps;
      gst_event_parse_caps(event, &caps);
      gchar *s = gst_caps_to_string(caps);
      if (p->caps.empty()) p->caps = s;
      p->all_caps.push_back(s);
      g_free(s);
      break;
    }
    case GST_EVENT_SEGMENT: p->segment = true; break;
    case GST_EVENT_GAP: p->gaps++; break;
    case GST_EVENT_EOS: p->eos = true; break;
    case GST_EVENT_TAG: {
      GstTagList *tags;
      gst_event_parse_tag(event, &tags);
      gchar *name = nullptr;
      if (gst_tag_list_get_string(tags, "rtms-participant-name", &name)) {
        p->tag_name = name;
        g_free(name);
      }
      gint64 id;
      if (gst_tag_list_get_int64(tags, "rtms-participant-id", &id)) {
        if (p->first_tag_id < 0) p->first_tag_id = id;
        p->tag_id = id;
      }
      break;
    }
    default: break;
  }
  return GST_PAD_PROBE_OK;
}

void on_pad_added(GstElement *, GstPad *pad, gpointer data) {
  auto *capture = static_cast<Capture *>(data);
  auto pc = std::make_unique<PadCapture>();
  pc->pad_name = GST_PAD_NAME(pad);
  pc->sha256 = g_checksum_new(G_CHECKSUM_SHA256);
  pc->owner = capture;
  g_object_get(pad, "participant-id", &pc->participant_id, nullptr);
  PadCapture *p = pc.get();
  {
    std::lock_guard<std::mutex> guard(capture->lock);
    capture->pads[pc->pad_name] = std::move(pc);
  }
  GstElement *sink = gst_element_factory_make("appsink", nullptr);
  g_object_set(sink, "sync", FALSE, "async", FALSE, nullptr);
  // The PadCapture outlives the sink: the Capture owns both.
  GstAppSinkCallbacks callbacks = {};
  callbacks.new_sample = on_sample;
  gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, p, nullptr);
  GstPad *sinkpad = gst_element_get_static_pad(sink, "sink");
  gst_pad_add_probe(sinkpad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_event, p, nullptr);
  gst_bin_add(GST_BIN(capture->pipeline), sink);
  gst_element_sync_state_with_parent(sink);
  fail_unless(gst_pad_link(pad, sinkpad) == GST_PAD_LINK_OK);
  gst_object_unref(sinkpad);
}

}  // namespace

Capture::Capture(const std::string &src_properties) {
  std::string desc = "rtmssrc name=src " + src_properties;
  GError *error = nullptr;
  GstElement *src_only = gst_parse_launch(desc.c_str(), &error);
  fail_unless(src_only != nullptr, "cannot make '%s': %s", desc.c_str(),
              error ? error->message : "?");
  g_clear_error(&error);
  pipeline = gst_pipeline_new(nullptr);
  src = src_only;
  gst_bin_add(GST_BIN(pipeline), src);
  g_signal_connect(src, "pad-added", G_CALLBACK(on_pad_added), this);
  g_signal_connect(src, "no-more-pads", G_CALLBACK(+[](GstElement *, gpointer data) {
                     auto *self = static_cast<Capture *>(data);
                     std::lock_guard<std::mutex> guard(self->lock);
                     self->no_more_pads++;
                   }),
                   this);
}

Capture::~Capture() {
  if (pipeline) {
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
  }
  for (auto *m : element_messages) gst_message_unref(m);
  if (error) gst_message_unref(error);
  for (auto &kv : pads) g_checksum_free(kv.second->sha256);
}

void Capture::play() { gst_element_set_state(pipeline, GST_STATE_PLAYING); }

bool Capture::wait(GstClockTime timeout) {
  GstBus *bus = gst_element_get_bus(pipeline);
  GstClockTime start = gst_util_get_timestamp();
  bool done = false;
  while (!done) {
    GstClockTime elapsed = gst_util_get_timestamp() - start;
    if (elapsed >= timeout) break;
    GstMessage *msg = gst_bus_timed_pop(bus, timeout - elapsed);
    if (!msg) break;
    switch (GST_MESSAGE_TYPE(msg)) {
      case GST_MESSAGE_EOS: done = true; gst_message_unref(msg); break;
      case GST_MESSAGE_ERROR:
        if (!error) {
          error = msg;
          error_after = gst_util_get_timestamp() - start;
        } else {
          gst_message_unref(msg);
        }
        done = true;
        break;
      case GST_MESSAGE_ELEMENT: element_messages.push_back(msg); break;
      case GST_MESSAGE_WARNING: {
        GError *err = nullptr;
        gst_message_parse_warning(msg, &err, nullptr);
        warnings.push_back(err ? err->message : "");
        g_clear_error(&err);
        gst_message_unref(msg);
        break;
      }
      case GST_MESSAGE_STREAM_COLLECTION: {
        GstStreamCollection *collection = nullptr;
        gst_message_parse_stream_collection(msg, &collection);
        collections++;
        last_collection_size = gst_stream_collection_get_size(collection);
        gst_object_unref(collection);
        gst_message_unref(msg);
        break;
      }
      default: gst_message_unref(msg); break;
    }
  }
  gst_object_unref(bus);
  if (done) {
    // Read pad properties while the pads still exist.
    std::lock_guard<std::mutex> guard(lock);
    for (auto &kv : pads) {
      GstPad *pad = gst_element_get_static_pad(src, kv.first.c_str());
      if (!pad) continue;
      gchar *name = nullptr;
      g_object_get(pad, "participant-name", &name, nullptr);
      kv.second->participant_name = name ? name : "";
      g_free(name);
      gst_object_unref(pad);
    }
  }
  return done;
}

bool Capture::run(GstClockTime timeout) {
  play();
  return wait(timeout);
}

PadCapture *Capture::by_participant(gint64 id) {
  for (auto &kv : pads)
    if (kv.second->participant_id == id) return kv.second.get();
  return nullptr;
}

std::string Capture::error_text() const {
  if (!error) return "";
  GError *err = nullptr;
  gchar *debug = nullptr;
  gst_message_parse_error(error, &err, &debug);
  std::string s = err ? err->message : "";
  g_clear_error(&err);
  g_free(debug);
  return s;
}

const GstStructure *Capture::error_details() const {
  if (!error) return nullptr;
  const GstStructure *details = nullptr;
  gst_message_parse_error_details(error, &details);
  return details;
}

bool Capture::has_element_message(const char *name) {
  for (auto *m : element_messages)
    if (gst_structure_has_name(gst_message_get_structure(m), name)) return true;
  return false;
}

bool Capture::has_warning(std::initializer_list<const char *> fragments) const {
  for (const auto &w : warnings) {
    bool all = true;
    for (const char *f : fragments) all = all && w.find(f) != std::string::npos;
    if (all) return true;
  }
  return false;
}

guint Capture::count_element_messages(const char *name) {
  guint n = 0;
  for (auto *m : element_messages)
    if (gst_structure_has_name(gst_message_get_structure(m), name)) n++;
  return n;
}
