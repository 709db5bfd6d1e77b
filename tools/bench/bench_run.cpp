#include "bench_run.h"

#include <glib/gstdio.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <vector>

#include "callgrind.h"
#include "emulator_process.h"
#include "manifest_count.h"
#include "proc_stats.h"
#include "stream_pipeline.h"
#include "temp_dir.h"
#include "window_counters.h"

namespace bench {
namespace {

constexpr int64_t kSecond = 1000000;
// After the last stream's first buffer: pads of late speakers appear and
// first-use allocations happen before the window opens.
constexpr int64_t kSettleUs = 2 * kSecond;
// Meeting time beyond the latest possible window end, so that no meeting
// ends inside the window.
constexpr int64_t kMeetingMarginMs = 2000;
// The emulators end their meetings, close their sockets and write their
// manifests within this after the last meeting's end.
constexpr int64_t kDrainUs = 20 * kSecond;

bool stop_requested = false;

// Runs the default main context until `done` holds, the deadline passes or a
// stop is requested. A 100 ms ticker bounds every wait (and keeps the harness's own wake-ups
// negligible in the CPU figure).
bool wait_until(const std::function<bool()> &done, int64_t deadline_mono_us) {
  guint ticker = g_timeout_add(100, [](gpointer) -> gboolean { return G_SOURCE_CONTINUE; }, nullptr);
  bool reached = false;
  while (!stop_requested) {
    if (done()) {
      reached = true;
      break;
    }
    if (mono_us() >= deadline_mono_us) break;
    g_main_context_iteration(nullptr, TRUE);
  }
  g_source_remove(ticker);
  return reached;
}

int64_t percentile(std::vector<int64_t> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t rank = static_cast<size_t>(q * double(values.size()) + 0.999999);
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

std::string read_text(const std::string &path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class Run {
 public:
  Run(const Options &options, const Profile &profile) : options_(options), profile_(profile) {
    result_.profile = profile.name;
    result_.tls = options.tls;
    result_.streams = options.streams;
    startup_us_ = int64_t(options.startup_timeout_s > 0 ? options.startup_timeout_s
                                                        : default_startup_timeout_s(profile, options.streams)) *
                  kSecond;
    spread_us_ = int64_t(start_spread_s(options.streams)) * kSecond;
    // The window opens at most spread + settle after the first stream's
    // first buffer, i.e. just after the earliest meeting began.
    meeting_ms_ = (spread_us_ + kSettleUs) / 1000 + int64_t(options.duration_s) * 1000 + kMeetingMarginMs;
  }

  RunResult run() {
    if (!prepare() || !spawn_emulators() || !start_streams() || !measure() || !drain()) {
      shut_down();
      return result_;
    }
    count_losses();
    shut_down();
    result_.ok = result_.failure.empty();
    return result_;
  }

 private:
  bool fail(const std::string &why) {
    if (result_.failure.empty()) result_.failure = stop_requested ? "interrupted" : why;
    return false;
  }

  bool prepare() {
    if (temp_.path().empty()) return fail("cannot create a temporary directory");
    if (options_.keep_temp) {
      temp_.keep();
      g_printerr("rtms-bench: files in %s\n", temp_.path().c_str());
    }
    std::string custom;
    if (!options_.script.empty()) {
      custom = read_text(options_.script);
      if (custom.empty()) return fail("cannot read --script " + options_.script);
    }
    // The streams are split into contiguous slices, one per emulator process.
    const int processes = std::min(options_.emulator_processes, options_.streams);
    for (int p = 0; p < processes; ++p) {
      const int first = options_.streams * p / processes, end = options_.streams * (p + 1) / processes;
      for (int k = 0; k < end - first; ++k) home_.push_back({size_t(p), size_t(k)});
      slice_sizes_.push_back(end - first);
      std::string dir = emulator_dir(p);
      if (g_mkdir(dir.c_str(), 0700) != 0) return fail("cannot create " + dir);
      std::string script = custom.empty() ? meeting_script(profile_, meeting_ms_, p) : custom;
      if (!write_file(dir + "/script.json", script)) return fail("cannot write " + dir + "/script.json");
    }
    return true;
  }

  std::string emulator_dir(int process) const { return temp_.path() + "/emulator-" + std::to_string(process); }

  bool spawn_emulators() {
    for (size_t p = 0; p < slice_sizes_.size(); ++p) {
      EmulatorProcess::Config config;
      config.binary = options_.emulator;
      config.dir = emulator_dir(int(p));
      config.tls = options_.tls;
      config.streams = slice_sizes_[p];
      config.video_bitrate_kbps = profile_.video_bitrate_kbps;
      // Clients connect during start-up; the emulator must not give up first.
      config.wait_client_s = int(startup_us_ / kSecond) + 60;
      config.cpu = options_.pin ? pin_cpu_for_emulators() : -1;
      config.coalesce = options_.coalesce;
      config.socket_poll_interval_ms = options_.emulator_poll_interval_ms;
      std::string error;
      auto emulator = EmulatorProcess::spawn(config, &error);
      if (!emulator) return fail(error);
      emulators_.push_back(std::move(emulator));
    }
    // Each emulator initialises GStreamer (and makes certificates with
    // --tls) before it is ready.
    int64_t deadline = mono_us() + 20 * kSecond + int64_t(options_.streams) * kSecond / 100;
    std::string failed;
    bool all = wait_until(
        [&] {
          for (const auto &e : emulators_) {
            if (!e->failure().empty()) {
              failed = e->failure();
              return true;
            }
            if (!e->ready()) return false;
          }
          return true;
        },
        deadline);
    if (!failed.empty()) return fail(failed);
    if (!all) return fail("not every emulator printed its ready line in time");
    for (size_t p = 0; p < emulators_.size(); ++p) {
      if (emulators_[p]->webhooks().size() != size_t(slice_sizes_[p]))
        return fail("emulator " + std::to_string(p) + " announced " + std::to_string(emulators_[p]->webhooks().size()) +
                    " streams, " + std::to_string(slice_sizes_[p]) + " were asked for (does " + options_.emulator +
                    " know --streams?)");
    }
    return true;
  }

  bool start_streams() {
    // Everything the harness itself needs (histogram, counters, emulator
    // bookkeeping) exists before this point: the growth from here on is
    // what the streams cost.
    result_.rss_baseline_kib = peak_rss_kib();
    for (int i = 0; i < options_.streams; ++i) {
      StreamPipeline::Config config;
      config.index = i;
      config.profile = &profile_;
      const EmulatorProcess &emulator = *emulators_[home_[size_t(i)].first];
      config.webhook_json = emulator.webhooks()[home_[size_t(i)].second];
      config.ca_file = emulator.ca_file();
      // The emulator encodes video when the media handshake asks for it,
      // before it answers: let that take as long as start-up may.
      config.handshake_timeout_ms = unsigned(std::max<int64_t>(10000, startup_us_ / 1000));
      std::string error;
      auto stream = StreamPipeline::create(config, &window_, &error);
      if (!stream) return fail(error);
      streams_.push_back(std::move(stream));
    }
    for (auto &s : streams_) {
      if (!s->play()) return fail("a pipeline cannot go to PLAYING");
    }
    first_play_us_ = streams_.front()->play_mono_us();
    auto all_started = [&] {
      for (const auto &s : streams_) {
        if (!s->error().empty() || s->first_buffer_mono_us() == 0) return !s->error().empty();
      }
      return true;
    };
    auto earliest_first_buffer = [&] {
      int64_t earliest = 0;
      for (const auto &s : streams_) {
        int64_t t = s->first_buffer_mono_us();
        if (t && (!earliest || t < earliest)) earliest = t;
      }
      return earliest;
    };
    // Two limits: every stream within the start-up timeout of PLAYING, and
    // within the spread of the first one (the meetings are only long enough
    // for that spread).
    bool started = wait_until([&] { return all_started() || earliest_first_buffer() != 0; },
                              first_play_us_ + startup_us_);
    if (started && !first_error().empty()) return fail(first_error());
    if (started)
      started = wait_until(all_started, std::min(first_play_us_ + startup_us_, earliest_first_buffer() + spread_us_));
    if (std::string e = first_error(); !e.empty()) return fail(e);
    if (!started) {
      int missing = 0;
      for (const auto &s : streams_) missing += s->first_buffer_mono_us() == 0;
      return fail(std::to_string(missing) + " of " + std::to_string(streams_.size()) +
                  " streams delivered no buffer within the start-up timeout (" +
                  std::to_string(startup_us_ / kSecond) + " s after PLAYING, " + std::to_string(spread_us_ / kSecond) +
                  " s after the first stream's first buffer)");
    }
    std::vector<int64_t> first;
    for (const auto &s : streams_) first.push_back(s->first_buffer_mono_us() - s->play_mono_us());
    result_.first_buffer_p50_us = percentile(first, 0.5);
    result_.first_buffer_max_us = percentile(first, 1.0);
    return true;
  }

  std::string first_error() const {
    for (const auto &s : streams_) {
      if (!s->error().empty()) return "stream " + std::to_string(&s - &streams_[0]) + ": " + s->error();
    }
    return "";
  }

  double emulator_cpu() const {
    double sum = 0;
    for (const auto &e : emulators_) sum += std::max(0.0, process_cpu_seconds(e->pid()));
    return sum;
  }

  bool measure() {
    wait_until([] { return false; }, mono_us() + kSettleUs);
    if (stop_requested) return fail("interrupted");
    double emu0 = emulator_cpu();
    int64_t t0 = mono_us();
    double cpu0 = self_cpu_seconds();
    for (const auto &e : emulators_) e->open_lateness_window();
    // Under valgrind --tool=callgrind the counts cover the window only (no-ops otherwise).
    CALLGRIND_ZERO_STATS;
    window_.open.store(true);
    wait_until([&] { return !first_error().empty(); }, t0 + int64_t(options_.duration_s) * kSecond);
    window_.open.store(false);
    CALLGRIND_DUMP_STATS_AT("window");
    for (const auto &e : emulators_) e->close_lateness_window();
    double cpu1 = self_cpu_seconds();
    int64_t t1 = mono_us();
    double emu1 = emulator_cpu();
    result_.window_s = double(t1 - t0) / kSecond;
    result_.cpu_s = cpu1 - cpu0;
    result_.emulator_cpu_s = emu1 - emu0;
    result_.messages = window_.buffers.load();
    result_.bytes = window_.bytes.load();
    result_.latency_p50_us = window_.latency.quantile(0.5);
    result_.latency_p99_us = window_.latency.quantile(0.99);
    result_.latency_max_us = window_.latency.max();
    result_.latency_samples = window_.latency.count();
    result_.latency_negative = window_.latency.negatives();
    // Emulators exit at the end of their meeting: read their peak now.
    for (const auto &e : emulators_)
      result_.emulator_peak_rss_kib = std::max(result_.emulator_peak_rss_kib, peak_rss_kib(e->pid()));
    if (std::string e = first_error(); !e.empty()) return fail(e);
    if (stop_requested) return fail("interrupted");
    return true;
  }

  bool drain() {
    bool ended = wait_until(
        [&] {
          for (const auto &e : emulators_)
            if (!e->done() && !e->exited()) return false;
          for (const auto &s : streams_)
            if (!s->eos() && s->error().empty()) return false;
          return true;
        },
        mono_us() + meeting_ms_ * 1000 + kDrainUs);
    result_.rss_peak_kib = peak_rss_kib();
    for (const auto &e : emulators_) {
      const EmulatorProcess::Lateness &late = e->lateness();
      result_.emulator_timer_runs += late.runs;
      result_.emulator_late_p50_us = std::max(result_.emulator_late_p50_us, late.p50_us);
      result_.emulator_late_p99_us = std::max(result_.emulator_late_p99_us, late.p99_us);
      result_.emulator_late_max_us = std::max(result_.emulator_late_max_us, late.max_us);
    }
    if (!ended) return fail("the meetings did not all end in time");
    return true;
  }

  void count_losses() {
    std::vector<std::vector<SentCount>> by_emulator;
    for (size_t p = 0; p < emulators_.size(); ++p) {
      std::vector<SentCount> counts;
      std::string error;
      if (!read_sent_counts(emulators_[p]->manifest_path(), &counts, &error)) {
        fail(error);
        return;
      }
      if (counts.size() != size_t(slice_sizes_[p])) {
        fail("the manifest " + emulators_[p]->manifest_path() + " has " + std::to_string(counts.size()) +
             " streams, expected " + std::to_string(slice_sizes_[p]));
        return;
      }
      by_emulator.push_back(std::move(counts));
    }
    for (size_t i = 0; i < streams_.size(); ++i) {
      const SentCount &sent = by_emulator[home_[i].first][home_[i].second];
      if (profile_.needs_video && sent.video_frames == 0) {
        fail("the emulator sent no video for the " + profile_.name + " profile: this rtms-emulator (" +
             options_.emulator + ") does not support video; use one that does (docs/emulator.md)");
        return;
      }
      int64_t received = int64_t(streams_[i]->buffers());
      int64_t lost = std::max<int64_t>(0, sent.total() - received);
      result_.sent += sent.total();
      result_.received += received;
      result_.lost += lost;
      result_.streams_losing += lost > 0;
      result_.worst_stream_lost = std::max(result_.worst_stream_lost, lost);
    }
    for (const auto &s : streams_) result_.warnings += s->warnings();
  }

  // Orderly first (SIGTERM makes an emulator close its stream), then by force.
  void shut_down() {
    for (auto &e : emulators_) e->terminate();
    wait_until(
        [&] {
          for (const auto &e : emulators_)
            if (!e->exited()) return false;
          return true;
        },
        mono_us() + 5 * kSecond);
    for (auto &s : streams_) s->stop();
    streams_.clear();
    emulators_.clear();
  }

  const Options &options_;
  const Profile &profile_;
  RunResult result_;
  TempDir temp_;
  WindowCounters window_;
  std::vector<std::unique_ptr<EmulatorProcess>> emulators_;
  std::vector<int> slice_sizes_;                   // streams per emulator process
  std::vector<std::pair<size_t, size_t>> home_;    // stream -> (emulator process, its stream index)
  std::vector<std::unique_ptr<StreamPipeline>> streams_;
  int64_t startup_us_ = 0;
  int64_t spread_us_ = 0;
  int64_t meeting_ms_ = 0;
  int64_t first_play_us_ = 0;
};

}  // namespace

int start_spread_s(int streams) { return 10 + streams / 20; }

int default_startup_timeout_s(const Profile &profile, int streams) {
  // Audio: handshakes only. Video: the first media handshake also makes the
  // emulator encode one second of each camera (shared by all its streams),
  // and N times more video then flows while the rest start.
  if (profile.needs_video) return std::min(600, 30 + streams);
  return std::min(600, start_spread_s(streams));
}

int pin_cpu_for_emulators() {
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  return cpus > 1 ? int(cpus - 1) : -1;
}

void pin_bench_away_from_emulators() {
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (cpus < 2) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  for (long c = 0; c < cpus - 1; ++c) CPU_SET(int(c), &set);
  sched_setaffinity(0, sizeof set, &set);
}

void raise_fd_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

RunResult run_bench(const Options &options, const Profile &profile) {
  auto run = std::make_unique<Run>(options, profile);  // WindowCounters is large
  return run->run();
}

void request_stop() { stop_requested = true; }

}  // namespace bench
