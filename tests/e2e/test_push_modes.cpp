// End to end: in the push modes that promise it (shared-threads, the
// default, and pad-threads), a downstream branch that blocks holds up its
// own pad only. While one participant's branch of one stream is stuck for
// 1.5 s, the other participant of that stream and every participant of a
// second stream in the same process (sharing its network threads and, with
// shared-threads, its push pool) keep receiving; once it is released, the
// stuck pad delivers everything it missed, in order.
#include "e2e_common.h"

#include <mutex>

namespace {

constexpr guint kBlockAtBuffer = 10;
constexpr gulong kBlockUs = 1500 * 1000;

// Buffers received so far on every pad of capture except `except`.
guint64 buffers_except(Capture &capture, const std::string &except) {
  std::lock_guard<std::mutex> guard(capture.lock);
  guint64 n = 0;
  for (const auto &kv : capture.pads)
    if (kv.first != except) n += kv.second->buffers;
  return n;
}

struct Block {
  Capture *own = nullptr;    // the stream whose branch blocks
  Capture *other = nullptr;  // another stream in the process
  std::mutex lock;
  std::string pad_name;  // the pad that blocks (the first audio pad)
  guint seen = 0;
  bool done = false;
  // Buffers the rest received while the pad was stuck.
  guint64 own_during = 0;
  guint64 other_during = 0;
};

// A buffer probe that sleeps is what a blocked downstream looks like to the
// thread that pushes.
GstPadProbeReturn on_buffer(GstPad *pad, GstPadProbeInfo *, gpointer data) {
  auto *block = static_cast<Block *>(data);
  {
    std::lock_guard<std::mutex> guard(block->lock);
    if (block->done || ++block->seen < kBlockAtBuffer) return GST_PAD_PROBE_OK;
  }
  std::string name = GST_PAD_NAME(pad);
  guint64 own_before = buffers_except(*block->own, name);
  guint64 other_before = buffers_except(*block->other, "");
  g_usleep(kBlockUs);
  guint64 own_after = buffers_except(*block->own, name);
  guint64 other_after = buffers_except(*block->other, "");
  std::lock_guard<std::mutex> guard(block->lock);
  block->done = true;
  block->own_during = own_after - own_before;
  block->other_during = other_after - other_before;
  return GST_PAD_PROBE_OK;
}

void on_pad_added(GstElement *, GstPad *pad, gpointer data) {
  auto *block = static_cast<Block *>(data);
  {
    std::lock_guard<std::mutex> guard(block->lock);
    if (!block->pad_name.empty() || !g_str_has_prefix(GST_PAD_NAME(pad), "audio_")) return;
    block->pad_name = GST_PAD_NAME(pad);
  }
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_buffer, data, nullptr);
}

// Two participants talking for the whole 3 s.
const char *const kTalkingScript =
    "{\"duration_ms\": 3000, \"participants\": ["
    "{\"user_id\": 16778240, \"user_name\": \"Alice\", \"tone_hz\": 440, \"talk\": [[0, 3000]]},"
    "{\"user_id\": 16779264, \"user_name\": \"Bob\", \"tone_hz\": 660, \"talk\": [[0, 3000]]}]}";

void a_blocked_branch_holds_up_nothing_else(const char *src_properties) {
  TempScript script("talking.json", kTalkingScript);
  EmulatorRun stuck_emulator, other_emulator;
  stuck_emulator.start({"--script", script.path});
  other_emulator.start({"--script", script.path});
  Capture stuck(src_properties), other(src_properties);
  configure_src(stuck, stuck_emulator);
  configure_src(other, other_emulator);
  Block block;
  block.own = &stuck;
  block.other = &other;
  g_signal_connect(stuck.src, "pad-added", G_CALLBACK(on_pad_added), &block);

  stuck.play();
  JsonObject *other_manifest = run_to_end(other, other_emulator);
  fail_unless(check_audio_matches_manifest(other, other_manifest, false) >= 2);
  JsonObject *manifest = run_to_end(stuck, stuck_emulator);
  fail_unless(check_audio_matches_manifest(stuck, manifest, false) >= 2);

  std::lock_guard<std::mutex> guard(block.lock);
  fail_unless(block.done, "the branch never blocked");
  // Each participant sends a packet every 20 ms: 75 in 1.5 s. Allow for a
  // slow machine (sanitizers), not for a stall.
  fail_unless(block.own_during >= 40,
              "the stuck stream's other participant got %" G_GUINT64_FORMAT
              " buffers while one branch was blocked for 1.5 s", block.own_during);
  fail_unless(block.other_during >= 80,
              "the other stream got %" G_GUINT64_FORMAT " buffers while a branch of another stream "
              "was blocked for 1.5 s", block.other_during);
}

}  // namespace

GST_START_TEST(shared_threads) {
  a_blocked_branch_holds_up_nothing_else("");
}
GST_END_TEST;

GST_START_TEST(pad_threads) {
  a_blocked_branch_holds_up_nothing_else("push-mode=pad-threads");
}
GST_END_TEST;

static Suite *push_modes_suite() {
  Suite *s = suite_create("rtmssrc-push-modes-e2e");
  TCase *tc = tcase_create("push_modes");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, shared_threads);
  tcase_add_test(tc, pad_threads);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(push_modes);
