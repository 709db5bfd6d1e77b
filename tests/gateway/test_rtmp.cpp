// End to end, the `rtmp` template: the emulator's webhooks start a stream
// that the gateway pushes (mixed audio as AAC, the speaker's H.264 as sent)
// to a real RTMP server, nginx with its RTMP module, started by the test.
// The stream is read back from that server while it plays, and nginx's own
// recording of it is checked too: audio and video tracks, the meeting's length.
#include <gst/check/gstcheck.h>

#include <mutex>

#include "emulator_run.h"
#include "gateway_run.h"
#include "nginx_rtmp.h"
#include "recording_checks.h"

// What a player of the RTMP stream got, per track.
struct Track {
  std::string caps;
  GstClockTime first = GST_CLOCK_TIME_NONE, last = GST_CLOCK_TIME_NONE;
  guint buffers = 0;
};

struct Player {
  GstElement *pipeline = nullptr;
  std::mutex lock;
  Track audio, video;

  static GstPadProbeReturn on_data(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
    auto *self = static_cast<Player *>(data);
    g_autofree gchar *parent = gst_object_get_name(GST_OBJECT_PARENT(pad));
    std::lock_guard<std::mutex> guard(self->lock);
    Track &track = g_str_equal(parent, "a") ? self->audio : self->video;
    if (GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER) {
      GstClockTime pts = GST_BUFFER_PTS(GST_PAD_PROBE_INFO_BUFFER(info));
      if (GST_CLOCK_TIME_IS_VALID(pts)) {
        if (!GST_CLOCK_TIME_IS_VALID(track.first)) track.first = pts;
        track.last = pts;
      }
      track.buffers++;
    } else if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_CAPS) {
      GstCaps *caps = nullptr;
      gst_event_parse_caps(GST_PAD_PROBE_INFO_EVENT(info), &caps);
      track.caps = gst_structure_get_name(gst_caps_get_structure(caps, 0));
    }
    return GST_PAD_PROBE_OK;
  }

  // Plays url from now on: nginx holds a player until the stream is published.
  void start(const std::string &url) {
    // async=false: a sink that prerolled on the first audio frame must not
    // hold the demuxer back (audio leads video by as long as the first
    // camera frame takes, seconds on a loaded machine) before video shows up.
    std::string desc = "rtmp2src location=" + url + " ! flvdemux name=d "
                       "d.audio ! queue ! fakesink name=a sync=false async=false "
                       "d.video ! queue ! fakesink name=v sync=false async=false";
    GError *error = nullptr;
    pipeline = gst_parse_launch(desc.c_str(), &error);
    fail_unless(pipeline != nullptr, "%s", error ? error->message : "?");
    g_clear_error(&error);
    for (const char *name : {"a", "v"}) {
      GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), name);
      GstPad *pad = gst_element_get_static_pad(sink, "sink");
      gst_pad_add_probe(pad, GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM), on_data,
                        this, nullptr);
      gst_object_unref(pad);
      gst_object_unref(sink);
    }
    fail_if(gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE, "the player failed");
  }
  ~Player() {
    if (pipeline) {
      gst_element_set_state(pipeline, GST_STATE_NULL);
      gst_object_unref(pipeline);
    }
  }
};

// What went wrong on the player's side, for a failure message.
static std::string player_trouble(Player &player) {
  std::string out;
  GstBus *bus = gst_element_get_bus(player.pipeline);
  while (GstMessage *m = gst_bus_pop_filtered(bus, GstMessageType(GST_MESSAGE_ERROR | GST_MESSAGE_WARNING))) {
    GError *error = nullptr;
    gchar *debug = nullptr;
    if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) gst_message_parse_error(m, &error, &debug);
    else gst_message_parse_warning(m, &error, &debug);
    out += std::string(" [") + GST_OBJECT_NAME(GST_MESSAGE_SRC(m)) + ": " + error->message + " " + (debug ? debug : "") + "]";
    g_clear_error(&error);
    g_free(debug);
    gst_message_unref(m);
  }
  gst_object_unref(bus);
  return out.empty() ? " (the player saw no error)" : out;
}

static void check_track(const Track &track, const char *what, const char *caps, GstClockTime min, GstClockTime max) {
  fail_unless_equals_string(track.caps.c_str(), caps);
  fail_unless(track.buffers > 10, "only %u %s buffers were played (%" GST_TIME_FORMAT " .. %" GST_TIME_FORMAT ")",
              track.buffers, what, GST_TIME_ARGS(track.first), GST_TIME_ARGS(track.last));
  GstClockTime span = track.last - track.first;
  fail_unless(span >= min && span <= max,
              "%s played for %" GST_TIME_FORMAT ", expected %" GST_TIME_FORMAT " .. %" GST_TIME_FORMAT, what,
              GST_TIME_ARGS(span), GST_TIME_ARGS(min), GST_TIME_ARGS(max));
}

GST_START_TEST(rtmp_template_pushes_to_nginx) {
  NginxRtmp nginx;
  nginx.start();
  GatewayRun gw;
  gw.start({"--template", "rtmp", "--rtmp-url", nginx.base_url() + "/{stream_id}"});
  EmulatorRun emulator;
  // The test posts the webhook itself, once the player waits for the stream.
  emulator.start({"--script", meeting_script("short-av.json")});
  std::string stream_key = "0123456789abcdef0123456789abcdef";
  fail_unless(emulator.webhook_json.find(stream_key) != std::string::npos);
  Player player;
  player.start(nginx.base_url() + "/" + stream_key);
  gint64 posted = g_get_monotonic_time();
  fail_unless_equals_int(gw.post_signed(emulator.webhook_json).status, 200);
  JsonObject *manifest = emulator.finish();
  fail_unless(json_int_path(manifest, "client.signaling_handshakes") == 1);
  // The server ended the stream; the gateway ends the pipeline by itself.
  fail_unless(gw.wait_metric("rtms_gateway_active_streams", 0, 10000), "the stream did not end");
  // The stream runs from the webhook (connecting first: longer on a loaded
  // machine) to the end of the 4 s meeting in short-av.json: its length lies
  // between the meeting's and the time the pipeline lived.
  GstClockTime lived = GstClockTime(g_get_monotonic_time() - posted) * GST_USECOND;
  GstClockTime shortest = 3500 * GST_MSECOND, longest = lived + 500 * GST_MSECOND;
  fail_unless_equals_int(gw.metric("rtms_gateway_pipeline_errors_total"), 0);
  g_usleep(500 * 1000);  // the last packets on their way through nginx
  // What nginx received, first: if that is wrong, the player cannot be right.
  MediaInfo recorded = discover(nginx.recording(stream_key));
  fail_unless(recorded.ok, "nginx's recording is not playable: %s; nginx says: %s", recorded.error.c_str(),
              nginx.log_tail().c_str());
  fail_unless(recorded.audio == 1 && recorded.video == 1, "nginx recorded %u audio and %u video tracks", recorded.audio,
              recorded.video);
  fail_unless(recorded.duration >= shortest && recorded.duration <= longest,
              "nginx recorded %" GST_TIME_FORMAT ", expected %" GST_TIME_FORMAT " .. %" GST_TIME_FORMAT,
              GST_TIME_ARGS(recorded.duration), GST_TIME_ARGS(shortest), GST_TIME_ARGS(longest));
  {
    // The speaker's camera changes size on the way (Bob's is 320x240).
    std::string trouble = player_trouble(player);
    std::lock_guard<std::mutex> guard(player.lock);
    fail_unless(player.audio.buffers > 10 && player.video.buffers > 10, "played %u audio and %u video buffers%s; nginx says: %s",
                player.audio.buffers, player.video.buffers, trouble.c_str(), nginx.log_tail().c_str());
    // The player joined before the stream was published: it saw all of it.
    check_track(player.audio, "audio", "audio/mpeg", shortest, longest);
    check_track(player.video, "video", "video/x-h264", shortest, longest);
  }
  fail_unless_equals_int(gw.terminate(5000), 0);
}
GST_END_TEST;

// An RTMP server that is not there fails that stream, and only that one.
GST_START_TEST(unreachable_rtmp_server_ends_that_stream_only) {
  GatewayRun gw;
  gw.start({"--template", "rtmp", "--rtmp-url", "rtmp://127.0.0.1:9/live/{stream_id}"});
  EmulatorRun emulator;
  emulator.start({"--script", meeting_script("short-av.json")});
  fail_unless_equals_int(gw.post_signed(emulator.webhook_json).status, 200);
  fail_unless(gw.wait_metric("rtms_gateway_pipeline_errors_total", 1, 10000), "no pipeline error");
  fail_unless(gw.wait_metric("rtms_gateway_active_streams", 0, 5000));
  fail_unless_equals_int(gw.get("/healthz").status, 200);
  fail_unless_equals_int(gw.terminate(5000), 0);
}
GST_END_TEST;

// The template is refused at startup without a URL, or with one that is not RTMP.
GST_START_TEST(rtmp_template_needs_a_url) {
  for (const char *url : {"", "http://example.com/live", "rtmp://h/live/x\" location=/tmp/x"}) {
    std::vector<const char *> argv = {g_getenv("RTMS_GATEWAY"), "--port", "0", "--template", "rtmp"};
    std::string arg = std::string("--rtmp-url=") + url;
    if (*url) argv.push_back(arg.c_str());
    argv.push_back(nullptr);
    g_autoptr(GSubprocessLauncher) launcher =
        g_subprocess_launcher_new(GSubprocessFlags(G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE));
    g_subprocess_launcher_setenv(launcher, "ZM_WEBHOOK_SECRET", GW_WEBHOOK_SECRET, TRUE);
    g_autoptr(GSubprocess) process = g_subprocess_launcher_spawnv(launcher, argv.data(), nullptr);
    fail_unless(process != nullptr);
    g_autofree gchar *err = nullptr;
    fail_unless(g_subprocess_communicate_utf8(process, nullptr, nullptr, nullptr, &err, nullptr));
    fail_unless(g_subprocess_get_if_exited(process) && g_subprocess_get_exit_status(process) == 1,
                "--rtmp-url '%s' was not refused", url);
    fail_unless(err && strstr(err, "--rtmp-url"), "no word about --rtmp-url: %s", err ? err : "");
  }
}
GST_END_TEST;

static Suite *rtmp_suite() {
  Suite *s = suite_create("gateway-rtmp");
  TCase *tc = tcase_create("rtmp");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, rtmp_template_pushes_to_nginx);
  tcase_add_test(tc, unreachable_rtmp_server_ends_that_stream_only);
  tcase_add_test(tc, rtmp_template_needs_a_url);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(rtmp);
