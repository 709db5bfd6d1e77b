#include "rtms-src-text.h"

#include "rtms-meta.h"

GST_DEBUG_CATEGORY_EXTERN(gst_rtms_src_debug);
#define GST_CAT_DEFAULT gst_rtms_src_debug

namespace rtms {

GstPadTemplate *TextHandler::pad_template(OutputKind kind) {
  GstCaps *caps = gst_caps_from_string("text/x-raw, format=(string)utf8");
  std::string name = std::string(output_kind_name(kind)) + "_%u";
  GstPadTemplate *templ = gst_pad_template_new_with_gtype(
      name.c_str(), GST_PAD_SRC, GST_PAD_SOMETIMES, caps, GST_TYPE_RTMS_SRC_PAD);
  gst_caps_unref(caps);
  return templ;
}

void TextHandler::reset() {
  out_ = nullptr;
  shown_user_ = -1;
}

void TextHandler::on_ready() {
  if (out_) return;
  GstCaps *caps = gst_caps_new_simple("text/x-raw", "format", G_TYPE_STRING, "utf8", nullptr);
  out_ = media_.outputs.add(kind_, 0, "", caps, SrcPadDelivery::Task);
  gst_caps_unref(caps);
}

bool TextHandler::valid_utf8(const MediaData &data) const {
  if (g_utf8_validate(data.data.data(), gssize(data.data.size()), nullptr)) return true;
  GST_ELEMENT_WARNING_WITH_DETAILS(
      media_.element, STREAM, DECODE,
      ("%s message at %" G_GINT64_FORMAT " ms dropped: content.data is not UTF-8",
       output_kind_name(kind_), data.timestamp),
      (nullptr), RTMS_DECODE_WARNING_DETAILS(data));
  return false;
}

GstBuffer *TextHandler::transcript_buffer(const MediaData &data) {
  GstBuffer *buffer = gst_buffer_new_memdup(data.data.data(), data.data.size());
  int64_t start = data.has_times ? data.start_time : data.timestamp;
  GST_BUFFER_PTS(buffer) = media_.timeline.running_time_of(start);
  if (data.has_times && data.end_time > data.start_time)
    GST_BUFFER_DURATION(buffer) = GstClockTime(data.end_time - data.start_time) * GST_MSECOND;
  if (GstStructure *meta = buffer_add_meta(buffer)) {
    gst_structure_set(meta, "user-id", G_TYPE_INT64, data.user.user_id, "user-name",
                      G_TYPE_STRING, data.user.user_name.c_str(), "language", G_TYPE_INT,
                      data.has_language ? data.language : -1, "language-name", G_TYPE_STRING,
                      data.has_language ? to_string(TranscriptLanguage(data.language)) : "",
                      "start-ms", G_TYPE_INT64, start, "end-ms", G_TYPE_INT64,
                      data.has_times ? data.end_time : start, "attribute", G_TYPE_INT,
                      int(data.attribute), nullptr);
  }
  // Subtitle muxers and renderers show the speaker through the tags.
  if (shown_user_ != data.user.user_id) {
    shown_user_ = data.user.user_id;
    gst_rtms_src_pad_set_participant(out_->pad, data.user.user_id, data.user.user_name);
    gst_rtms_src_pad_deliver(out_->pad,
                             GST_MINI_OBJECT_CAST(gst_event_new_tag(participant_tags(
                                 kind_, true, data.user.user_id, data.user.user_name))));
  }
  return buffer;
}

GstBuffer *TextHandler::chat_buffer(const MediaData &data) {
  ChatPayload chat = parse_chat_payload(data.data);
  GstBuffer *buffer = gst_buffer_new_memdup(chat.text.data(), chat.text.size());
  GST_BUFFER_PTS(buffer) = media_.timeline.running_time_of(data.timestamp);
  if (GstStructure *meta = buffer_add_meta(buffer)) {
    // Plain chat names the sender in content.user_*, structured chat in its
    // JSON; take whichever is there.
    const Participant &sender = chat.structured ? chat.sender : data.user;
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
  return buffer;
}

void TextHandler::on_media(MediaData &&data) {
  if (media_.eos_requested.load(std::memory_order_acquire)) return;
  if (!valid_utf8(data)) return;
  if (!out_) on_ready();
  GstBuffer *buffer =
      kind_ == OutputKind::Transcript ? transcript_buffer(data) : chat_buffer(data);
  // Counted once the pad took it, so that the stats never show a line an
  // EOS that came in between kept from going out.
  if (gst_rtms_src_pad_deliver(out_->pad, GST_MINI_OBJECT_CAST(buffer)))
    out_->count(data.data.size());
}

}  // namespace rtms
