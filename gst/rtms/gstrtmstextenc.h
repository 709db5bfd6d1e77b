// rtmstextenc: rtmssrc's transcript and chat buffers (text with GstRtmsMeta)
// as a WebVTT, SRT or JSON-lines byte stream, e.g. for filesink.
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_RTMS_TEXT_ENC (gst_rtms_text_enc_get_type())
G_DECLARE_FINAL_TYPE(GstRtmsTextEnc, gst_rtms_text_enc, GST, RTMS_TEXT_ENC, GstElement)

typedef enum {
  GST_RTMS_TEXT_ENC_FORMAT_WEBVTT = 0,
  GST_RTMS_TEXT_ENC_FORMAT_SRT = 1,
  GST_RTMS_TEXT_ENC_FORMAT_JSONL = 2,
} GstRtmsTextEncFormat;

#define GST_TYPE_RTMS_TEXT_ENC_FORMAT (gst_rtms_text_enc_format_get_type())
GType gst_rtms_text_enc_format_get_type(void);

GST_ELEMENT_REGISTER_DECLARE(rtmstextenc);

G_END_DECLS
