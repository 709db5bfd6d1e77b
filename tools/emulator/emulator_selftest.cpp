// Self-checks of the emulator's send-path shortcuts: each must produce
// exactly what the general code produces, since end-to-end tests compare
// bytes and digests; and of the media scheduler's order and deadlines.
// Plain asserts: performance is shown by rtms-bench, never by tests.
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "media_frame.h"
#include "payload_sequence.h"
#include "protocol/base64.h"
#include "protocol/messages.h"
#include "common/gref.h"
#include "scheduler.h"
#include "stream_identity.h"

namespace {

int failures = 0;

void check(bool ok, const std::string &what) {
  if (!ok) {
    ++failures;
    std::fprintf(stderr, "FAIL: %s\n", what.c_str());
  }
}

void check_equal(const std::string &got, const std::string &want, const std::string &what) {
  check(got == want, what + "\n  got:  " + got + "\n  want: " + want);
}

// Every byte value, so the base64 holds '+' and '/' (which a JSON
// generator might escape) as well as letters and digits.
emulator::Payload all_bytes() {
  emulator::Payload p;
  for (int i = 0; i < 256; ++i) p.push_back(static_cast<uint8_t>(i));
  return p;
}

void media_frame_matches_the_encoder() {
  struct Case {
    rtms::MessageType type;
    int64_t user_id;
    bool has_name;
    std::string name;
  };
  const std::vector<Case> cases = {
      {rtms::MessageType::MediaDataAudio, 0, false, ""},
      {rtms::MessageType::MediaDataAudio, 16778240, true, "Alice"},
      {rtms::MessageType::MediaDataVideo, 16779264, true, "Bob \"the builder\" \\ Ünïcødé 日本 🎉"},
      {rtms::MessageType::MediaDataShare, 42, true, "@@rtms-emulator-data@@ 918273645546372819"},
      {rtms::MessageType::MediaDataAudio, -5, true, ""},
  };
  const emulator::Payload payload = all_bytes();
  const std::string base64 = rtms::base64_encode(payload.data(), payload.size());
  for (const Case &c : cases) {
    emulator::MediaFrameTemplate frame(c.type, c.user_id, c.has_name, c.name);
    for (int64_t ts : {int64_t(0), int64_t(1795385561776), int64_t(-1), int64_t(9007199254740993)}) {
      rtms::MediaData m;
      m.type = c.type;
      m.user.user_id = c.user_id;
      m.user.has_user_name = c.has_name;
      m.user.user_name = c.name;
      m.data = base64;
      m.has_length = true;
      m.length = static_cast<int64_t>(payload.size());
      m.timestamp = ts;
      std::string got;
      frame.render(base64, m.length, ts, &got);
      check_equal(got, rtms::encode_message(m), "template for user " + std::to_string(c.user_id));
    }
  }
}

std::string sha256_of(const std::vector<emulator::Payload> &payloads, size_t count) {
  auto checksum = rtms::adopt(g_checksum_new(G_CHECKSUM_SHA256));
  for (size_t i = 0; i < count; ++i)
    g_checksum_update(checksum.get(), payloads[i].data(), static_cast<gssize>(payloads[i].size()));
  return g_checksum_get_string(checksum.get());
}

void payload_sequence_digests_and_base64() {
  std::vector<emulator::Payload> payloads = {all_bytes(), {1, 2, 3}, {}, {0xff}};
  std::vector<const emulator::Payload *> pointers;
  for (const auto &p : payloads) pointers.push_back(&p);
  emulator::PayloadSequence sequence(pointers);
  for (size_t count : {size_t(4), size_t(0), size_t(2), size_t(4), size_t(9)})
    check_equal(sequence.prefix_sha256(count), sha256_of(payloads, std::min<size_t>(count, 4)),
                "prefix digest of " + std::to_string(count));
  for (size_t i = 0; i < payloads.size(); ++i)
    check_equal(std::string(sequence.base64(i)), rtms::base64_encode(payloads[i].data(), payloads[i].size()),
                "base64 of payload " + std::to_string(i));
}

void stream_ids() {
  using emulator::id_for_stream;
  check_equal(id_for_stream("0123456789abcdef0123456789abcdef", 0), "0123456789abcdef0123456789abcdef", "stream 0");
  check_equal(id_for_stream("0123456789abcdef0123456789abcdef", 1), "0123456789abcdef0123456789abcdf0", "hex + 1");
  check_equal(id_for_stream("00000000000000000000000000ffffff", 2), "00000000000000000000000001000001", "carry");
  check_equal(id_for_stream("ffffffffffffffffffffffffffffffff", 1), "ffffffffffffffffffffffff00000000", "wraps in 8");
  check_equal(id_for_stream("EmuMeetingUuid0000000001==", 9), "EmuMeetingUuid000000000a==", "padding");
  check_equal(id_for_stream("Uuid00ABCDEF==", 1), "Uuid00ABCDF0==", "upper-case hex stays upper-case");
  check_equal(id_for_stream("session-x", 3), "session-x-3", "not hex");
  check_equal(id_for_stream("abc=", 12), "abc-12=", "short, padding");
  check_equal(id_for_stream("==", 1), "-1==", "only padding");
}

// A deadline 1 ms away whose run arms three more, 100 ms, 2 s and 50 ms
// after it: held for 200 ms, that one main-loop wake-up runs 1, 50 and 100,
// in order and none early; not held, it runs only the first. A wake-up runs
// what is due when it reads the time, so the three are armed from the first
// one's run, not with it: armed together, a wake-up 49 ms late would have
// run two unheld. (The gaps leave room for a loaded machine.)
void scheduler_hold(int64_t hold_us, size_t expected_in_first_wakeup) {
  emulator::Scheduler::instance().set_hold(hold_us);
  std::vector<std::unique_ptr<emulator::ScheduledTimer>> timers;
  std::vector<int64_t> fired;  // offsets in the order they ran
  bool early = false;
  auto record = [&fired, &early](int64_t offset, int64_t deadline) {
    if (g_get_monotonic_time() < deadline) early = true;
    fired.push_back(offset);
  };
  auto arm = [&timers](int64_t deadline, std::function<void()> fn) {
    timers.push_back(std::make_unique<emulator::ScheduledTimer>());
    timers.back()->at(deadline, std::move(fn));
  };
  const int64_t first = g_get_monotonic_time() + 1000;
  arm(first, [&record, &arm, first] {
    record(1, first);
    const int64_t now = g_get_monotonic_time();
    for (int64_t offset : {100, 2000, 50}) {
      const int64_t deadline = now + offset * 1000;
      arm(deadline, [&record, offset, deadline] { record(offset, deadline); });
    }
  });
  while (fired.empty()) g_main_context_iteration(nullptr, TRUE);
  const std::string label = "scheduler, hold " + std::to_string(hold_us) + " us: ";
  check(fired.size() == expected_in_first_wakeup,
        label + std::to_string(fired.size()) + " timer(s) ran in the first wake-up, expected " +
            std::to_string(expected_in_first_wakeup));
  while (fired.size() < 3) g_main_context_iteration(nullptr, TRUE);
  check(fired[0] == 1 && fired[1] == 50 && fired[2] == 100, label + "out of order");
  check(!early, label + "a timer ran before its deadline");
  check(timers[2]->pending(), label + "the 2 s timer is still pending");
  timers.clear();  // cancels it
  emulator::Scheduler::instance().set_hold(0);
}

// A send libsoup may not finish at once (a frame over one TLS record)
// releases the hold: the rest goes out from the main loop, so the next
// deadline's wake-up must return to it; once the release has passed,
// holding resumes. The first timer's run releases the hold for 250 ms and
// arms the others (so that none is due in its wake-up, however late): 5 ms
// later, inside the release; 300 and 350 ms later, after it and within one
// hold. (The gaps leave room for a loaded machine.)
void scheduler_hold_released() {
  emulator::Scheduler &scheduler = emulator::Scheduler::instance();
  scheduler.set_hold(400000);
  std::vector<int64_t> fired;
  emulator::ScheduledTimer first, second, third, fourth;
  first.at(g_get_monotonic_time() + 1000, [&] {
    fired.push_back(1);
    const int64_t now = g_get_monotonic_time();
    scheduler.release_hold_until(now + 250000);
    second.at(now + 5000, [&] { fired.push_back(5); });
    third.at(now + 300000, [&] { fired.push_back(300); });
    fourth.at(now + 350000, [&] { fired.push_back(350); });
  });
  const std::string label = "scheduler, hold released: ";
  while (fired.empty()) g_main_context_iteration(nullptr, TRUE);
  check(fired.size() == 1, label + std::to_string(fired.size()) +
                               " timer(s) ran in the wake-up that released the hold, expected 1");
  while (fired.size() < 2) g_main_context_iteration(nullptr, TRUE);
  check(fired.size() == 2, label + "the next wake-up within the release held on");
  while (fired.size() < 3) g_main_context_iteration(nullptr, TRUE);
  check(fired.size() == 4, label + "holding did not resume after the release: " +
                               std::to_string(fired.size()) + " timer(s) ran, expected 4");
  while (fired.size() < 4) g_main_context_iteration(nullptr, TRUE);
  check(fired == std::vector<int64_t>{1, 5, 300, 350}, label + "out of order");
  scheduler.set_hold(0);
}

// How late timers ran is counted inside the window only, one entry per
// run, never negative (a timer never runs before its deadline).
void scheduler_lateness_window() {
  emulator::Scheduler &scheduler = emulator::Scheduler::instance();
  check(scheduler.lateness() == nullptr, "scheduler: lateness reported before any window");
  std::vector<int> fired;
  emulator::ScheduledTimer a, b, c, after;
  scheduler.start_lateness_window();
  const int64_t start = g_get_monotonic_time();
  a.at(start + 1000, [&] { fired.push_back(1); });
  b.at(start + 2000, [&] { fired.push_back(2); });
  c.at(start + 2000, [&] { fired.push_back(3); });
  while (fired.size() < 3) g_main_context_iteration(nullptr, TRUE);
  scheduler.stop_lateness_window();
  after.at(g_get_monotonic_time() + 1000, [&] { fired.push_back(4); });
  while (fired.size() < 4) g_main_context_iteration(nullptr, TRUE);
  const tools::LatencyHistogram *late = scheduler.lateness();
  check(late != nullptr && late->count() == 3,
        "scheduler: " + std::to_string(late ? late->count() : 0) + " runs measured in the window, expected 3");
  check(late != nullptr && late->negatives() == 0 && late->max() >= 0, "scheduler: negative lateness");
}

}  // namespace

int main() {
  media_frame_matches_the_encoder();
  payload_sequence_digests_and_base64();
  stream_ids();
  scheduler_hold(200000, 3);
  scheduler_hold(0, 1);
  scheduler_hold_released();
  scheduler_lateness_window();
  if (failures == 0) std::printf("emulator self-test: all checks passed\n");
  return failures == 0 ? 0 : 1;
}
