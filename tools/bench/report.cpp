#include "report.h"

#include <cstdio>

#include "common/gst_gref.h"

namespace bench {

void print_table_header() {
  std::printf("%-5s %-5s %6s %9s %8s %12s %9s %22s %9s %16s %14s\n", "proto", "N", "window", "msg/s", "MB/s",
              "CPU-s/s/strm", "us/msg", "latency p50/p99/max ms", "RSS/strm", "1st buf p50/max", "lost/sent");
}

void print_table_row(const RunResult &r) {
  char latency[64], first[64], lost[48];
  std::snprintf(latency, sizeof latency, "%.2f/%.2f/%.2f", r.latency_p50_us / 1000.0, r.latency_p99_us / 1000.0,
                r.latency_max_us / 1000.0);
  std::snprintf(first, sizeof first, "%.0f/%.0f ms", r.first_buffer_p50_us / 1000.0,
                r.first_buffer_max_us / 1000.0);
  std::snprintf(lost, sizeof lost, "%lld/%lld", static_cast<long long>(r.lost), static_cast<long long>(r.sent));
  std::printf("%-5s %-5d %5.1fs %9.0f %8.3f %12.5f %9.1f %22s %6.2f MiB %16s %14s%s%s\n", r.tls ? "wss" : "ws",
              r.streams, r.window_s, r.messages_per_s(), r.mbytes_per_s(), r.cpu_per_stream_second(),
              r.cpu_us_per_message(), latency, r.rss_per_stream_mib(), first, lost, r.ok ? "" : "  FAILED: ",
              r.ok ? "" : r.failure.c_str());
  std::fflush(stdout);
}

void print_emulator_line(const RunResult &r) {
  double per_stream = r.window_s > 0 && r.streams ? r.emulator_cpu_s / r.window_s / r.streams : 0;
  std::printf("      emulators (excluded above): %.2f CPU-s over %.1f s = %.0f%% of a core, %.5f CPU-s/s per stream, "
              "%.1f us/msg, peak RSS %.1f MiB per emulator process\n",
              r.emulator_cpu_s, r.window_s, r.window_s > 0 ? 100 * r.emulator_cpu_s / r.window_s : 0, per_stream,
              r.emulator_us_per_message(), r.emulator_peak_rss_kib / 1024.0);
  if (r.emulator_timer_runs > 0)
    std::printf("      emulator send timers in the window: %lld runs, late by p50/p99/max %.2f/%.2f/%.2f ms "
                "(included in the latency above)\n",
                static_cast<long long>(r.emulator_timer_runs), r.emulator_late_p50_us / 1000.0,
                r.emulator_late_p99_us / 1000.0, r.emulator_late_max_us / 1000.0);
  std::printf("      bench: RSS baseline %.1f MiB, peak %.1f MiB; %llu latency samples (%llu negative, counted as "
              "0); %u warnings; %d streams lost buffers (worst %lld)\n",
              r.rss_baseline_kib / 1024.0, r.rss_peak_kib / 1024.0,
              static_cast<unsigned long long>(r.latency_samples), static_cast<unsigned long long>(r.latency_negative),
              r.warnings, r.streams_losing, static_cast<long long>(r.worst_stream_lost));
  std::fflush(stdout);
}

void print_growth(const std::vector<RunResult> &rows) {
  if (rows.size() < 2) return;
  const RunResult &base = rows.front();
  std::printf("\ncost growth relative to N=%d:\n", base.streams);
  for (const RunResult &r : rows) {
    std::printf("  N=%-5d x%-6.0f streams: CPU per message x%.2f, CPU per stream-second x%.2f, RSS per stream "
                "x%.2f, p99 x%.2f\n",
                r.streams, double(r.streams) / base.streams,
                base.cpu_us_per_message() > 0 ? r.cpu_us_per_message() / base.cpu_us_per_message() : 0,
                base.cpu_per_stream_second() > 0 ? r.cpu_per_stream_second() / base.cpu_per_stream_second() : 0,
                base.rss_per_stream_mib() > 0 ? r.rss_per_stream_mib() / base.rss_per_stream_mib() : 0,
                base.latency_p99_us > 0 ? double(r.latency_p99_us) / base.latency_p99_us : 0);
  }
}

// Member table shared by both directions so that they cannot drift apart.
template <typename Fn>
void for_each_number(RunResult &r, Fn fn) {
  fn("streams", r.streams);
  fn("window_s", r.window_s);
  fn("messages", r.messages);
  fn("bytes", r.bytes);
  fn("cpu_s", r.cpu_s);
  fn("emulator_cpu_s", r.emulator_cpu_s);
  fn("emulator_peak_rss_kib", r.emulator_peak_rss_kib);
  fn("emulator_timer_runs", r.emulator_timer_runs);
  fn("emulator_late_p50_us", r.emulator_late_p50_us);
  fn("emulator_late_p99_us", r.emulator_late_p99_us);
  fn("emulator_late_max_us", r.emulator_late_max_us);
  fn("latency_p50_us", r.latency_p50_us);
  fn("latency_p99_us", r.latency_p99_us);
  fn("latency_max_us", r.latency_max_us);
  fn("latency_samples", r.latency_samples);
  fn("latency_negative", r.latency_negative);
  fn("rss_baseline_kib", r.rss_baseline_kib);
  fn("rss_peak_kib", r.rss_peak_kib);
  fn("first_buffer_p50_us", r.first_buffer_p50_us);
  fn("first_buffer_max_us", r.first_buffer_max_us);
  fn("sent", r.sent);
  fn("received", r.received);
  fn("lost", r.lost);
  fn("streams_losing", r.streams_losing);
  fn("worst_stream_lost", r.worst_stream_lost);
  fn("warnings", r.warnings);
}

std::string to_json(const RunResult &result) {
  RunResult r = result;
  auto b = rtms::adopt(json_builder_new());
  json_builder_begin_object(b.get());
  json_builder_set_member_name(b.get(), "ok");
  json_builder_add_boolean_value(b.get(), r.ok);
  json_builder_set_member_name(b.get(), "failure");
  json_builder_add_string_value(b.get(), r.failure.c_str());
  json_builder_set_member_name(b.get(), "profile");
  json_builder_add_string_value(b.get(), r.profile.c_str());
  json_builder_set_member_name(b.get(), "tls");
  json_builder_add_boolean_value(b.get(), r.tls);
  for_each_number(r, [&](const char *name, auto &value) {
    json_builder_set_member_name(b.get(), name);
    json_builder_add_double_value(b.get(), double(value));
  });
  json_builder_end_object(b.get());
  JsonNode *root = json_builder_get_root(b.get());
  auto text = rtms::adopt(json_to_string(root, FALSE));
  json_node_unref(root);
  return text.get();
}

bool from_json(const std::string &line, RunResult *r) {
  auto parser = rtms::adopt(json_parser_new());
  if (!json_parser_load_from_data(parser.get(), line.c_str(), -1, nullptr)) return false;
  JsonNode *root = json_parser_get_root(parser.get());
  if (!root || !JSON_NODE_HOLDS_OBJECT(root)) return false;
  JsonObject *o = json_node_get_object(root);
  if (!json_object_has_member(o, "streams")) return false;
  r->ok = json_object_get_boolean_member_with_default(o, "ok", FALSE);
  r->failure = json_object_get_string_member_with_default(o, "failure", "");
  r->profile = json_object_get_string_member_with_default(o, "profile", "");
  r->tls = json_object_get_boolean_member_with_default(o, "tls", FALSE);
  for_each_number(*r, [&](const char *name, auto &value) {
    using T = std::remove_reference_t<decltype(value)>;
    value = static_cast<T>(json_object_get_double_member_with_default(o, name, 0));
  });
  return true;
}

}  // namespace bench
