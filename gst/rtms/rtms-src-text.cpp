// rtmssrc transcript and chat: one sparse text pad each, one buffer per
// utterance or message, with who said it in GstRtmsMeta and tags.
#include "gstrtmssrc-private.h"

#define GST_CAT_DEFAULT gst_rtms_src_debug

GstPadTemplate *rtms_src_text_template(RtmsOutputKind kind) {
  GstCaps *caps = gst_caps_from_string("text/x-raw, format=(string)utf8");
  std::string name = std::string(rtms_output_kind_name(kind)) + "_%u";
  GstPadTemplate *templ = gst_pad_template_new_with_gtype(
      name.c_str(), GST_PAD_SRC, GST_PAD_SOMETIMES, caps, GST_TYPE_RTMS_SRC_PAD);
  gst_caps_unref(caps);
  return templ;
}

// Text pads exist from the handshake on, so that downstream sees them (and
// their GAPs) before anyone has said anything.
void rtms_src_handle_text_ready(GstRtmsSrc *self, RtmsOutputKind kind) {
  RtmsSrcState *st = self->state;
  {
    std::lock_guard<std::mutex> guard(st->outputs_lock);
    (kind == RtmsOutputKind::Transcript ? st->transcript_ready : st->chat_ready) = true;
  }
  if (rtms_src_find_output(self, kind, 0)) return;
  GstCaps *caps = gst_caps_new_simple("text/x-raw", "format", G_TYPE_STRING, "utf8", nullptr);
  rtms_src_add_output(self, kind, 0, "", caps);
  gst_caps_unref(caps);
}

static GstBuffer *text_buffer(const std::string &text) {
  return gst_buffer_new_memdup(text.data(), text.size());
}

static bool valid_utf8(GstRtmsSrc *self, RtmsOutputKind kind, const rtms::MediaData &data) {
  if (g_utf8_validate(data.data.data(), gssize(data.data.size()), nullptr)) return true;
  GST_ELEMENT_WARNING_WITH_DETAILS(
      self, STREAM, DECODE,
      ("%s message at %" G_GINT64_FORMAT " ms dropped: content.data is not UTF-8",
       rtms_output_kind_name(kind), data.timestamp),
      (nullptr), RTMS_DECODE_WARNING_DETAILS(data));
  return false;
}

static bool push_transcript(GstRtmsSrc *self, RtmsOutput *out, const rtms::MediaData &data) {
  GstBuffer *buffer = text_buffer(data.data);
  int64_t start = data.has_times ? data.start_time : data.timestamp;
  GST_BUFFER_PTS(buffer) = rtms_src_running_time_of(self, start);
  if (data.has_times && data.end_time > data.start_time)
    GST_BUFFER_DURATION(buffer) = GstClockTime(data.end_time - data.start_time) * GST_MSECOND;
  if (GstStructure *meta = rtms_buffer_add_meta(buffer)) {
    gst_structure_set(meta, "user-id", G_TYPE_INT64, data.user.user_id, "user-name",
                      G_TYPE_STRING, data.user.user_name.c_str(), "language", G_TYPE_INT,
                      data.has_language ? data.language : -1, "language-name", G_TYPE_STRING,
                      data.has_language ? rtms::to_string(rtms::TranscriptLanguage(data.language))
                                        : "",
                      "start-ms", G_TYPE_INT64, start, "end-ms", G_TYPE_INT64,
                      data.has_times ? data.end_time : start, "attribute", G_TYPE_INT,
                      int(data.attribute), nullptr);
  }
  // Subtitle muxers and renderers show the speaker through the tags.
  if (out->shown_user != data.user.user_id) {
    out->shown_user = data.user.user_id;
    rtms::src_pad_set_participant(out->pad, data.user.user_id, data.user.user_name);
    rtms_src_deliver(self, out->pad, GST_MINI_OBJECT_CAST(gst_event_new_tag(participant_tags(
                                        RtmsOutputKind::Transcript, true, data.user.user_id,
                                        data.user.user_name))));
  }
  return rtms_src_deliver(self, out->pad, GST_MINI_OBJECT_CAST(buffer));
}

static bool push_chat(GstRtmsSrc *self, RtmsOutput *out, const rtms::MediaData &data) {
  rtms::ChatPayload chat = rtms::parse_chat_payload(data.data);
  GstBuffer *buffer = text_buffer(chat.text);
  GST_BUFFER_PTS(buffer) = rtms_src_running_time_of(self, data.timestamp);
  if (GstStructure *meta = rtms_buffer_add_meta(buffer)) {
    // Plain chat names the sender in content.user_*, structured chat in its
    // JSON; take whichever is there.
    const rtms::Participant &sender = chat.structured ? chat.sender : data.user;
    gst_structure_set(meta, "structured", G_TYPE_BOOLEAN, chat.structured, "sender-id",
                      G_TYPE_INT64, sender.user_id, "sender-name", G_TYPE_STRING,
                      sender.user_name.c_str(), "operation", G_TYPE_INT, chat.operation_type,
                      "timestamp-ms", G_TYPE_INT64, data.timestamp, nullptr);
    if (chat.has_receiver)
      gst_structure_set(meta, "receiver-id", G_TYPE_INT64, chat.receiver.user_id,
                        "receiver-name", G_TYPE_STRING, chat.receiver.user_name.c_str(), nullptr);
    if (chat.structured)
      gst_structure_set(meta, "chat-session-type", G_TYPE_INT, chat.chat_session_type,
                        "chat-session-id", G_TYPE_STRING, chat.chat_session_id.c_str(),
                        "message-id", G_TYPE_STRING, chat.message_id.c_str(), nullptr);
  }
  return rtms_src_deliver(self, out->pad, GST_MINI_OBJECT_CAST(buffer));
}

void rtms_src_handle_text(GstRtmsSrc *self, RtmsOutputKind kind, rtms::MediaData &&data) {
  if (self->state->eos_requested.load(std::memory_order_acquire)) return;
  if (!valid_utf8(self, kind, data)) return;
  RtmsOutput *out = rtms_src_find_output(self, kind, 0);
  if (!out) {
    rtms_src_handle_text_ready(self, kind);
    out = rtms_src_find_output(self, kind, 0);
    if (!out) return;
  }
  bool queued = kind == RtmsOutputKind::Transcript ? push_transcript(self, out, data) : push_chat(self, out, data);
  // Counted once queued for the pad, so that the stats never show a line an
  // EOS that came in between kept from going out.
  if (!queued) return;
  std::lock_guard<std::mutex> guard(self->state->outputs_lock);
  out->buffers++;
  out->bytes += data.data.size();
}
