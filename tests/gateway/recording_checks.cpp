#include "recording_checks.h"

#include <gst/check/gstcheck.h>

#include "protocol/webhook.h"

std::string stopped_webhook_for(const std::string &started_body) {
  rtms::Result<rtms::Webhook> started = rtms::parse_webhook(started_body);
  fail_unless(started.ok(), "%s", started.ok() ? "" : started.error().describe().c_str());
  rtms::Webhook stopped = *started;
  stopped.event = "meeting.rtms_stopped";
  stopped.kind = rtms::WebhookKind::RtmsStopped;
  stopped.server_urls.clear();
  stopped.has_stop_reason = true;
  stopped.stop_reason = rtms::StopReason(6);
  return rtms::encode_webhook(stopped);
}

size_t check_wav_per_participant(const GatewayRun &gw, JsonObject *manifest, GstClockTime min, GstClockTime max) {
  JsonObject *audio = json_object_get_object_member(manifest, "audio");
  fail_unless(audio != nullptr, "manifest has no audio");
  std::vector<std::string> files = files_under(gw.out_dir, ".wav");
  GList *members = json_object_get_members(audio);
  guint participants = g_list_length(members);
  for (GList *l = members; l; l = l->next) {
    std::string suffix = std::string("-") + static_cast<const char *>(l->data) + ".wav";
    bool found = false;
    for (const auto &f : files) found = found || g_str_has_suffix(f.c_str(), suffix.c_str());
    fail_unless(found, "no WAV file for participant %s", static_cast<const char *>(l->data));
  }
  g_list_free(members);
  fail_unless_equals_int(files.size(), participants);
  for (const auto &f : files) {
    std::string why;
    GstClockTime d = audio_duration(f, &why);
    fail_unless(GST_CLOCK_TIME_IS_VALID(d), "%s is not playable: %s", f.c_str(), why.c_str());
    fail_unless(d >= min && d <= max, "%s lasts %" GST_TIME_FORMAT ", expected %" GST_TIME_FORMAT " .. %" GST_TIME_FORMAT,
                f.c_str(), GST_TIME_ARGS(d), GST_TIME_ARGS(min), GST_TIME_ARGS(max));
  }
  return files.size();
}
