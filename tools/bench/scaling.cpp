#include "scaling.h"

#include <signal.h>
#include <sys/prctl.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "common/gst_gref.h"
#include "proc_stats.h"
#include "report.h"

namespace bench {
namespace {

// Where the scaling run stops, and why (docs/benchmarks.md): the latency
// bound of issue 5's scaling run, and a cap that keeps a run to minutes
// (each step lasts its meeting: about 35 s + N/20 s + the window).
constexpr int64_t kLatencyLimitUs = 50000;
constexpr int kDefaultCap = 1600;

void die_with_parent(gpointer) { prctl(PR_SET_PDEATHSIG, SIGKILL); }

// Runs one child to completion; its last stdout line is its result.
bool run_child(const std::vector<std::string> &args, RunResult *result, std::string *error) {
  std::vector<const char *> argv;
  for (const auto &a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  auto launcher = rtms::adopt(g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE));
  g_subprocess_launcher_set_child_setup(launcher.get(), die_with_parent, nullptr, nullptr);
  rtms::GRef<GError> err;
  auto child = rtms::adopt(g_subprocess_launcher_spawnv(launcher.get(), argv.data(), err.out()));
  if (!child) {
    *error = std::string("cannot start ") + args[0] + ": " + err->message;
    return false;
  }
  // The child bounds its own run (timeouts at every phase).
  rtms::GRef<char> out;
  rtms::GRef<GError> comm;
  g_subprocess_communicate_utf8(child.get(), nullptr, nullptr, out.out(), nullptr, comm.out());
  std::istringstream lines(out ? out.get() : "");
  std::string line, last;
  while (std::getline(lines, line))
    if (!line.empty()) last = line;
  if (!from_json(last, result)) {
    *error = "the run printed no result" + std::string(comm ? std::string(": ") + comm->message : "");
    return false;
  }
  return true;
}

}  // namespace

std::vector<int> scaling_steps(int cap) {
  std::vector<int> steps;
  for (int n : {1, 10, 50, 100, 200})
    if (n <= cap) steps.push_back(n);
  for (int n = 400; n <= cap; n *= 2) steps.push_back(n);
  return steps;
}

int run_scaling(const Options &options, const char *self_path) {
  int cap = options.max_streams > 0 ? options.max_streams : kDefaultCap;
  std::printf("scaling: profile %s, %s, push-mode=%s, %d s window per N, N up to %d; stops at p99 > %lld ms, a "
              "lost buffer or a failure%s\n\n",
              options.profile.c_str(), options.tls ? "wss" : "ws", options.push_mode.c_str(), options.duration_s, cap,
              static_cast<long long>(kLatencyLimitUs / 1000),
              options.pin ? "; emulators pinned to the last CPU, the bench to the others" : "");
  std::printf("machine: %s\n", machine_description().c_str());
  print_table_header();
  std::vector<RunResult> rows;
  std::string stop_reason = "reached the cap N=" + std::to_string(cap);
  for (int n : scaling_steps(cap)) {
    std::vector<std::string> args = {self_path,     "--profile",  options.profile,
                                     "--streams",   std::to_string(n), "--duration",
                                     std::to_string(options.duration_s), "--emulator", options.emulator,
                                     "--plugin-dir", options.plugin_dir, "--json-row"};
    if (options.tls) args.push_back("--tls");
    if (options.pin) args.push_back("--pin");
    if (options.coalesce) args.push_back("--coalesce");
    if (options.emulator_poll_interval_ms > 0)
      args.insert(args.end(), {"--emulator-poll-interval", std::to_string(options.emulator_poll_interval_ms)});
    args.insert(args.end(), {"--push-mode", options.push_mode});
    if (options.wake_interval_us > 0)
      args.insert(args.end(), {"--wake-interval", std::to_string(options.wake_interval_us)});
    if (options.emulator_processes != 1)
      args.insert(args.end(), {"--emulator-processes", std::to_string(options.emulator_processes)});
    if (options.startup_timeout_s > 0) args.insert(args.end(), {"--startup-timeout", std::to_string(options.startup_timeout_s)});
    if (!options.script.empty()) args.insert(args.end(), {"--script", options.script});
    RunResult r;
    std::string error;
    if (!run_child(args, &r, &error)) {
      stop_reason = "N=" + std::to_string(n) + ": " + error;
      break;
    }
    print_table_row(r);
    print_emulator_line(r);
    rows.push_back(r);
    if (!r.ok) {
      stop_reason = "N=" + std::to_string(n) + " failed: " + r.failure;
      break;
    }
    if (r.latency_p99_us > kLatencyLimitUs) {
      stop_reason = "N=" + std::to_string(n) + ": latency p99 above 50 ms";
      break;
    }
    if (r.lost > 0) {
      stop_reason = "N=" + std::to_string(n) + ": buffers lost";
      break;
    }
  }
  print_growth(rows);
  std::printf("\nstopped: %s\n", stop_reason.c_str());
  return rows.empty() ? 1 : 0;
}

}  // namespace bench
