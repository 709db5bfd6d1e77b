// End to end: playbin3 opens an rtms:// URI (credentials from the
// environment) against the real emulator and plays the meeting to EOS, with
// the stream collection choosing one audio (mixed), one video and the
// transcript. Both URI forms: the webhook fields as query parameters, and
// the path of a webhook payload file.
#include <glib/gstdio.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>
#include <string>

#include "e2e_common.h"
#include "protocol/webhook.h"

struct Counter {
  std::atomic<guint64> buffers{0}, bytes{0};
  static void handoff(GstElement *, GstBuffer *buf, GstPad *, gpointer data) {
    auto *self = static_cast<Counter *>(data);
    self->buffers++;
    self->bytes += gst_buffer_get_size(buf);
  }
};

static GstElement *counting_sink(Counter &counter) {
  GstElement *sink = gst_element_factory_make("fakesink", nullptr);
  fail_unless(sink != nullptr);
  g_object_set(sink, "sync", TRUE, "signal-handoffs", TRUE, nullptr);
  g_signal_connect(sink, "handoff", G_CALLBACK(Counter::handoff), &counter);
  return sink;
}

static std::string escape(const std::string &s) {
  gchar *e = g_uri_escape_string(s.c_str(), nullptr, FALSE);
  std::string out = e;
  g_free(e);
  return out;
}

// Plays uri in playbin3 to EOS; fails on an error or on any warning (an
// unlinked pad would warn).
static void play(const std::string &uri, Counter &audio, Counter &video, Counter &text) {
  GstElement *playbin = gst_element_factory_make("playbin3", nullptr);
  fail_unless(playbin != nullptr, "playbin3 not found");
  g_object_set(playbin, "uri", uri.c_str(), "audio-sink", counting_sink(audio), "video-sink",
               counting_sink(video), "text-sink", counting_sink(text), nullptr);
  GstBus *bus = gst_element_get_bus(playbin);
  fail_if(gst_element_set_state(playbin, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);
  bool eos = false;
  gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
  while (!eos && g_get_monotonic_time() < deadline) {
    GstMessage *msg = gst_bus_timed_pop_filtered(
        bus, GST_SECOND, GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_WARNING));
    if (!msg) continue;
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) {
      eos = true;
    } else {
      GError *err = nullptr;
      gchar *debug = nullptr;
      if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR)
        gst_message_parse_error(msg, &err, &debug);
      else
        gst_message_parse_warning(msg, &err, &debug);
      std::string text = std::string(err->message) + " (" + (debug ? debug : "") + ")";
      g_clear_error(&err);
      g_free(debug);
      gst_message_unref(msg);
      gst_element_set_state(playbin, GST_STATE_NULL);
      gst_object_unref(bus);
      gst_object_unref(playbin);
      ck_abort_msg("%s from %s", text.c_str(), uri.c_str());
    }
    gst_message_unref(msg);
  }
  fail_unless(gst_element_set_state(playbin, GST_STATE_NULL) == GST_STATE_CHANGE_SUCCESS);
  gst_object_unref(bus);
  gst_object_unref(playbin);
  fail_unless(eos, "no EOS within 60 s from %s", uri.c_str());
}

static void check_arrived(EmulatorRun &emulator, Counter &audio, Counter &video, Counter &text) {
  JsonObject *manifest = emulator.finish();
  check_no_violations(manifest);
  // short-av.json: 4 s of 16 kHz mono L16 from three speakers, mixed.
  fail_unless(audio.bytes > 32000 * 2, "audio: %" G_GUINT64_FORMAT " bytes", guint64(audio.bytes));
  fail_unless(video.buffers > 0, "no video");
  fail_unless(text.buffers > 0, "no transcript");
}

static void use_emulator_credentials() {
  g_setenv("ZM_RTMS_CLIENT", E2E_CLIENT_ID, TRUE);
  g_setenv("ZM_RTMS_SECRET", E2E_CLIENT_SECRET, TRUE);
}

GST_START_TEST(playbin3_plays_query_uri) {
  use_emulator_credentials();
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short-av.json")});
  rtms::Result<rtms::Webhook> hook = rtms::parse_webhook(emulator.webhook_json);
  fail_unless(hook.ok());
  std::string urls;
  for (const auto &u : hook->server_urls) urls += (urls.empty() ? "" : ",") + u;
  std::string uri = "rtms://?stream_id=" + escape(hook->rtms_stream_id) +
                    "&meeting_uuid=" + escape(hook->identity.instance_id) +
                    "&server_urls=" + escape(urls) + "&media=audio+video+transcript";
  Counter audio, video, text;
  play(uri, audio, video, text);
  check_arrived(emulator, audio, video, text);
}
GST_END_TEST;

GST_START_TEST(playbin3_plays_webhook_file_uri) {
  use_emulator_credentials();
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short-av.json")});
  std::string path = emulator.dir + "/rtms_started.json";
  fail_unless(g_file_set_contents(path.c_str(), emulator.webhook_json.c_str(), -1, nullptr));
  gchar *escaped = g_uri_escape_string(path.c_str(), "/", FALSE);
  std::string uri = std::string("rtms://") + escaped + "?media=audio+video+transcript";
  g_free(escaped);
  Counter audio, video, text;
  play(uri, audio, video, text);
  g_unlink(path.c_str());
  check_arrived(emulator, audio, video, text);
}
GST_END_TEST;

// uridecodebin3 with every pad it exposes linked to a fakesink of its own.
struct Decoded {
  GstElement *pipeline = nullptr;
  std::mutex lock;
  std::vector<std::unique_ptr<Counter>> counters;
  std::vector<std::string> caps;
};

static void on_decoded_pad(GstElement *, GstPad *pad, gpointer data) {
  auto *d = static_cast<Decoded *>(data);
  std::lock_guard<std::mutex> guard(d->lock);
  d->counters.push_back(std::make_unique<Counter>());
  GstElement *sink = counting_sink(*d->counters.back());
  gst_bin_add(GST_BIN(d->pipeline), sink);
  gst_element_sync_state_with_parent(sink);
  GstPad *sinkpad = gst_element_get_static_pad(sink, "sink");
  fail_unless(gst_pad_link(pad, sinkpad) == GST_PAD_LINK_OK);
  gst_object_unref(sinkpad);
  GstCaps *c = gst_pad_query_caps(pad, nullptr);
  gchar *text = gst_caps_to_string(c);
  d->caps.push_back(std::string(GST_PAD_NAME(pad)) + " " + text);
  g_free(text);
  gst_caps_unref(c);
}

static gint select_every_stream(GstElement *, GstStreamCollection *, GstStream *, gpointer) {
  return 1;
}

static void run_uridecodebin3(bool select_all) {
  use_emulator_credentials();
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short-av.json")});
  std::string path = emulator.dir + "/rtms_started.json";
  fail_unless(g_file_set_contents(path.c_str(), emulator.webhook_json.c_str(), -1, nullptr));
  std::string uri = "rtms://" + path + "?audio-mode=per-participant";
  Decoded d;
  d.pipeline = gst_pipeline_new(nullptr);
  GstElement *dec = gst_element_factory_make("uridecodebin3", nullptr);
  fail_unless(dec != nullptr);
  g_object_set(dec, "uri", uri.c_str(), nullptr);
  g_signal_connect(dec, "pad-added", G_CALLBACK(on_decoded_pad), &d);
  // Every collection (one more participant each time) selects all its
  // streams, as an application that wants everyone would. (Sending
  // select-streams events from the bus instead hit a GST_IS_STREAM critical
  // inside decodebin3 1.22 now and then.)
  if (select_all)
    g_signal_connect(dec, "select-stream", G_CALLBACK(select_every_stream), nullptr);
  gst_bin_add(GST_BIN(d.pipeline), dec);
  GstBus *bus = gst_element_get_bus(d.pipeline);
  gst_element_set_state(d.pipeline, GST_STATE_PLAYING);
  bool eos = false, error = false;
  guint warnings = 0;
  gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
  while (!eos && !error && g_get_monotonic_time() < deadline) {
    GstMessage *msg = gst_bus_timed_pop_filtered(
        bus, GST_SECOND,
        GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_WARNING));
    if (!msg) continue;
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_WARNING) warnings++;
    eos = GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;
    error = GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR;
    gst_message_unref(msg);
  }
  gst_element_set_state(d.pipeline, GST_STATE_NULL);
  gst_object_unref(bus);
  fail_unless(eos, "error instead of EOS");
  for (size_t i = 0; i < d.caps.size(); i++)
    g_print("uridecodebin3 pad %s: %" G_GUINT64_FORMAT " bytes\n", d.caps[i].c_str(),
            guint64(d.counters[i]->bytes));
  gst_object_unref(d.pipeline);
  // short-av.json: three speakers. decodebin3 alone outputs one stream per
  // type (the others are not linked and warn); selecting every stream of
  // each collection gives every participant a pad of uridecodebin3.
  fail_unless_equals_int(d.counters.size(), select_all ? 3 : 1);
  for (const auto &c : d.counters) fail_unless(c->bytes > 0);
  if (select_all) {
    fail_unless_equals_int(warnings, 0);
  } else {
    fail_unless(warnings >= 1);
  }
  JsonObject *manifest = emulator.finish();
  check_no_violations(manifest);
}

GST_START_TEST(uridecodebin3_per_participant) { run_uridecodebin3(false); }
GST_END_TEST;

GST_START_TEST(uridecodebin3_selects_everyone) { run_uridecodebin3(true); }
GST_END_TEST;

static Suite *uri_suite() {
  Suite *s = suite_create("emulator-uri-e2e");
  TCase *tc = tcase_create("uri");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, playbin3_plays_query_uri);
  tcase_add_test(tc, playbin3_plays_webhook_file_uri);
  tcase_add_test(tc, uridecodebin3_per_participant);
  tcase_add_test(tc, uridecodebin3_selects_everyone);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(uri);
