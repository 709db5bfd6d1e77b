// rtms-bench: measures rtmssrc against N concurrent emulated RTMS streams
// (docs/benchmarks.md).
#include <cstdio>

#include <glib-unix.h>
#include <gst/gst.h>

#include "bench_run.h"
#include "options.h"
#include "proc_stats.h"
#include "profile.h"
#include "report.h"
#include "scaling.h"

namespace {

gboolean on_signal(gpointer) {
  bench::request_stop();
  return G_SOURCE_CONTINUE;
}

}  // namespace

int main(int argc, char **argv) {
  bench::Options options;
  int exit_code = 0;
  if (!bench::parse_options(argc, argv, &options, &exit_code)) return exit_code;
  std::string error;
  auto profile = bench::profile_named(options.profile, &error);
  if (!profile) {
    g_printerr("rtms-bench: %s\n", error.c_str());
    return 2;
  }
  profile->element_properties.push_back({"push-mode", options.push_mode});
  profile->description += ", push-mode=" + options.push_mode;
  if (options.wake_interval_us > 0) {
    profile->element_properties.push_back({"wake-interval", std::to_string(options.wake_interval_us)});
    profile->description += ", wake-interval=" + std::to_string(options.wake_interval_us) + " us";
  }
  bench::raise_fd_limit();
  if (options.scaling) return bench::run_scaling(options, "/proc/self/exe");

  // The credentials the emulator expects, the way an application would pass
  // them (never on a command line).
  g_setenv("ZM_RTMS_CLIENT", "emulator-client-id", TRUE);
  g_setenv("ZM_RTMS_SECRET", "emulator-client-secret", TRUE);
  if (!options.plugin_dir.empty()) {
    const char *old = g_getenv("GST_PLUGIN_PATH");
    std::string path = options.plugin_dir + (old && *old ? std::string(":") + old : "");
    g_setenv("GST_PLUGIN_PATH", path.c_str(), TRUE);
  }
  // Before any thread exists, so that every thread of the bench inherits it.
  if (options.pin) bench::pin_bench_away_from_emulators();
  gst_init(nullptr, nullptr);  // argv was consumed by parse_options
  // Load the plugin before the RSS baseline, so that its code and
  // registration do not count as per-stream memory.
  GstElementFactory *factory = gst_element_factory_find("rtmssrc");
  if (!factory) {
    g_printerr("rtms-bench: no rtmssrc element; build the plugin or pass --plugin-dir\n");
    return 2;
  }
  GstPluginFeature *loaded = gst_plugin_feature_load(GST_PLUGIN_FEATURE(factory));
  if (loaded) gst_object_unref(loaded);
  gst_object_unref(factory);
  g_unix_signal_add(SIGINT, on_signal, nullptr);
  g_unix_signal_add(SIGTERM, on_signal, nullptr);

  bench::RunResult result = bench::run_bench(options, *profile);
  if (options.json_row) {
    std::printf("%s\n", bench::to_json(result).c_str());
  } else {
    std::printf("machine: %s\n", bench::machine_description().c_str());
    std::printf("profile %s: %s\n", profile->name.c_str(), profile->description.c_str());
    bench::print_table_header();
    bench::print_table_row(result);
    bench::print_emulator_line(result);
  }
  return result.ok ? 0 : 1;
}
