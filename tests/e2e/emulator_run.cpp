#include "emulator_run.h"

#include <gst/check/gstcheck.h>

#include <glib/gstdio.h>

#include <cstring>

std::string meeting_script(const char *name) {
  const char *dir = g_getenv("RTMS_MEETINGS_DIR");
  fail_unless(dir != nullptr, "RTMS_MEETINGS_DIR is not set (run through meson test)");
  return std::string(dir) + "/" + name;
}

static std::string read_line(GDataInputStream *in) {
  GError *error = nullptr;
  gsize len = 0;
  char *line = g_data_input_stream_read_line_utf8(in, &len, nullptr, &error);
  if (!line) {
    std::string what = error ? error->message : "end of output";
    g_clear_error(&error);
    return "";
  }
  std::string s(line, len);
  g_free(line);
  return s;
}

void EmulatorRun::start(const std::vector<std::string> &args) {
  const char *binary = g_getenv("RTMS_EMULATOR");
  fail_unless(binary != nullptr, "RTMS_EMULATOR is not set (run through meson test)");
  char *tmp = g_dir_make_tmp("rtms-e2e-XXXXXX", nullptr);
  fail_unless(tmp != nullptr);
  dir = tmp;
  g_free(tmp);
  manifest_path = dir + "/manifest.json";

  std::vector<const char *> argv = {binary, "--manifest", manifest_path.c_str(), "--cert-dir",
                                    dir.c_str()};
  for (const auto &a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  GError *error = nullptr;
  process = g_subprocess_newv(argv.data(), G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  fail_unless(process != nullptr, "cannot start the emulator: %s", error ? error->message : "?");
  out = g_data_input_stream_new(g_subprocess_get_stdout_pipe(process));

  std::string line = read_line(out);
  fail_if(line.empty(), "the emulator exited before it was ready");
  tools::StatusLine ready;
  std::string why;
  fail_unless(tools::parse_status_line(line, &ready, &why), "emulator ready line: %s: %s", why.c_str(), line.c_str());
  fail_unless(ready.is("ready") && !ready.signaling_url.empty(), "not the emulator's ready line: %s", line.c_str());
  signaling_url = ready.signaling_url;
  ca_file = ready.ca_file;
  webhook_json = ready.webhooks.front();
}

JsonObject *EmulatorRun::finish() {
  // The emulator ends on its own when the stream ends; give it time to write.
  for (;;) {
    std::string line = read_line(out);
    if (line.empty()) break;
    std::string why;
    if (tools::parse_status_line(line, &done, &why) && done.is("done")) {
      done_line = line;
      break;
    }
    done = tools::StatusLine();
  }
  GError *error = nullptr;
  g_subprocess_wait(process, nullptr, &error);
  g_clear_error(&error);
  manifest_parser = json_parser_new();
  fail_unless(json_parser_load_from_file(manifest_parser, manifest_path.c_str(), &error),
              "no manifest: %s", error ? error->message : "?");
  return json_node_get_object(json_parser_get_root(manifest_parser));
}

EmulatorRun::~EmulatorRun() {
  if (process) {
    g_subprocess_force_exit(process);  // no-op once it has exited
    g_subprocess_wait(process, nullptr, nullptr);
    g_object_unref(process);
  }
  if (out) g_object_unref(out);
  if (manifest_parser) g_object_unref(manifest_parser);
  if (!dir.empty()) {
    GDir *d = g_dir_open(dir.c_str(), 0, nullptr);
    if (d) {
      while (const char *name = g_dir_read_name(d)) {
        std::string path = dir + "/" + name;
        g_remove(path.c_str());
      }
      g_dir_close(d);
    }
    g_rmdir(dir.c_str());
  }
}

JsonObject *json_object_path(JsonObject *root, const char *dotted) {
  gchar **parts = g_strsplit(dotted, ".", -1);
  JsonObject *obj = root;
  for (int i = 0; parts[i] && obj; i++) {
    JsonNode *n = json_object_get_member(obj, parts[i]);
    obj = (n && JSON_NODE_HOLDS_OBJECT(n)) ? json_node_get_object(n) : nullptr;
  }
  g_strfreev(parts);
  return obj;
}

gint64 json_int_path(JsonObject *root, const char *dotted, gint64 fallback) {
  const char *last = strrchr(dotted, '.');
  JsonObject *obj = root;
  std::string leaf = dotted;
  if (last) {
    std::string head(dotted, last - dotted);
    obj = json_object_path(root, head.c_str());
    leaf = last + 1;
  }
  if (!obj || !json_object_has_member(obj, leaf.c_str())) return fallback;
  return json_object_get_int_member(obj, leaf.c_str());
}
