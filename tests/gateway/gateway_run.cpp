#include "gateway_run.h"

#include <gst/check/gstcheck.h>
#include <gst/pbutils/pbutils.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <csignal>
#include <cstdlib>

#include <sys/resource.h>

#include "protocol/signature.h"
#include "status_line.h"

void GatewayRun::start(const std::vector<std::string> &args) {
  const char *binary = g_getenv("RTMS_GATEWAY");
  fail_unless(binary != nullptr, "RTMS_GATEWAY is not set (run through meson test)");
  g_autofree char *tmp = g_dir_make_tmp("rtms-gw-XXXXXX", nullptr);
  fail_unless(tmp != nullptr);
  out_dir = tmp;

  std::vector<const char *> argv = {binary, "--port", "0", "--output-dir", out_dir.c_str()};
  if (allow_loopback_servers) {
    for (const char *a : {"--allow-host", "127.0.0.1", "--allow-plaintext"}) argv.push_back(a);
  }
  for (const auto &a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  if (!log_file.empty()) g_subprocess_launcher_set_stderr_file_path(launcher, log_file.c_str());
  if (fd_limit > 0) {
    // Runs in the child between fork and exec: only async-signal-safe calls.
    static rlim_t limit;
    limit = rlim_t(fd_limit);
    g_subprocess_launcher_set_child_setup(
        launcher,
        [](gpointer) {
          struct rlimit rl = {limit, limit};
          setrlimit(RLIMIT_NOFILE, &rl);
        },
        nullptr, nullptr);
  }
  g_subprocess_launcher_setenv(launcher, "ZM_WEBHOOK_SECRET", GW_WEBHOOK_SECRET, TRUE);
  g_subprocess_launcher_setenv(launcher, "ZM_RTMS_CLIENT", "emulator-client-id", TRUE);
  g_subprocess_launcher_setenv(launcher, "ZM_RTMS_SECRET", "emulator-client-secret", TRUE);
  g_autoptr(GError) error = nullptr;
  process = g_subprocess_launcher_spawnv(launcher, argv.data(), &error);
  fail_unless(process != nullptr, "cannot start the gateway: %s", error ? error->message : "?");

  g_autoptr(GDataInputStream) in = g_data_input_stream_new(g_subprocess_get_stdout_pipe(process));
  gsize len = 0;
  g_autofree char *line = g_data_input_stream_read_line_utf8(in, &len, nullptr, nullptr);
  fail_unless(line != nullptr, "the gateway exited before it was ready");
  tools::StatusLine ready;
  std::string why;
  fail_unless(tools::parse_status_line(line, &ready, &why), "gateway ready line: %s: %s", why.c_str(), line);
  fail_unless(ready.is("ready") && !ready.url.empty(), "not the gateway's ready line: %s", line);
  url = ready.url;
  base = url.substr(0, url.find('/', url.find("://") + 3));
  session = soup_session_new();
  if (!ca_file.empty()) {
    g_autoptr(GTlsDatabase) database = g_tls_file_database_new(ca_file.c_str(), &error);
    fail_unless(database != nullptr, "cannot read %s: %s", ca_file.c_str(), error ? error->message : "?");
    soup_session_set_tls_database(session, database);
  }
}

int GatewayRun::port() const { return std::atoi(base.c_str() + base.rfind(':') + 1); }

GatewayRun::~GatewayRun() {
  if (session) g_object_unref(session);
  if (process) {
    g_subprocess_force_exit(process);
    g_subprocess_wait(process, nullptr, nullptr);
    g_object_unref(process);
  }
  if (!out_dir.empty()) remove_tree(out_dir);
}

static HttpAnswer send(SoupSession *session, SoupMessage *msg) {
  HttpAnswer answer;
  g_autoptr(GError) error = nullptr;
  g_autoptr(GBytes) bytes = soup_session_send_and_read(session, msg, nullptr, &error);
  answer.status = int(soup_message_get_status(msg));
  if (bytes) {
    gsize size = 0;
    const char *data = static_cast<const char *>(g_bytes_get_data(bytes, &size));
    answer.body.assign(data ? data : "", size);
  }
  return answer;
}

HttpAnswer GatewayRun::post(const std::string &body, const std::map<std::string, std::string> &headers) {
  g_autoptr(SoupMessage) msg = soup_message_new("POST", url.c_str());
  SoupMessageHeaders *h = soup_message_get_request_headers(msg);
  for (const auto &kv : headers) soup_message_headers_replace(h, kv.first.c_str(), kv.second.c_str());
  g_autoptr(GBytes) bytes = g_bytes_new(body.data(), body.size());
  soup_message_set_request_body_from_bytes(msg, "application/json", bytes);
  return send(session, msg);
}

HttpAnswer GatewayRun::post_signed(const std::string &body, gint64 skew_s, const char *secret) {
  std::string ts = std::to_string(g_get_real_time() / G_USEC_PER_SEC + skew_s);
  return post(body, {{"x-zm-request-timestamp", ts}, {"x-zm-signature", rtms::webhook_signature(secret, ts, body)}});
}

HttpAnswer GatewayRun::get(const std::string &path) {
  std::string target = base + path;
  g_autoptr(SoupMessage) msg = soup_message_new("GET", target.c_str());
  return send(session, msg);
}

std::string GatewayRun::raw_exchange(const std::string &bytes, int timeout_ms) {
  std::string host_port = base.substr(base.find("://") + 3);
  g_autoptr(GSocketClient) client = g_socket_client_new();
  g_socket_client_set_timeout(client, guint(timeout_ms / 1000 + 1));
  g_autoptr(GError) error = nullptr;
  g_autoptr(GSocketConnection) connection = g_socket_client_connect_to_host(client, host_port.c_str(), 0, nullptr, &error);
  fail_unless(connection != nullptr, "cannot connect to %s: %s", host_port.c_str(), error ? error->message : "?");
  GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(connection));
  fail_unless(g_output_stream_write_all(out, bytes.data(), bytes.size(), nullptr, nullptr, &error), "cannot send: %s",
              error ? error->message : "?");
  GSocket *socket = g_socket_connection_get_socket(connection);
  std::string answer;
  gint64 deadline = g_get_monotonic_time() + gint64(timeout_ms) * 1000;
  for (;;) {
    gint64 left = deadline - g_get_monotonic_time();
    if (left <= 0 || !g_socket_condition_timed_wait(socket, G_IO_IN, left, nullptr, nullptr)) break;
    char buffer[4096];
    gssize n = g_socket_receive(socket, buffer, sizeof buffer, nullptr, nullptr);
    if (n <= 0) break;  // closed (or reset)
    answer.append(buffer, size_t(n));
    // A whole answer with a length: no need to wait for the close.
    size_t head_end = answer.find("\r\n\r\n");
    size_t length_at = answer.find("Content-Length: ");
    if (head_end != std::string::npos && length_at != std::string::npos && length_at < head_end &&
        answer.size() >= head_end + 4 + size_t(std::atoi(answer.c_str() + length_at + 16)))
      break;
  }
  return answer;
}

double GatewayRun::metric(const std::string &sample) {
  HttpAnswer answer = get("/metrics");
  fail_unless_equals_int(answer.status, 200);
  size_t pos = 0;
  while (pos < answer.body.size()) {
    size_t end = answer.body.find('\n', pos);
    if (end == std::string::npos) end = answer.body.size();
    std::string line = answer.body.substr(pos, end - pos);
    pos = end + 1;
    if (line.size() > sample.size() && line.compare(0, sample.size(), sample) == 0 && line[sample.size()] == ' ')
      return std::atof(line.c_str() + sample.size() + 1);
  }
  return 0;
}

bool GatewayRun::wait_metric(const std::string &sample, double value, int timeout_ms) {
  for (int waited = 0; waited <= timeout_ms; waited += 50) {
    if (metric(sample) == value) return true;
    g_usleep(50000);
  }
  return false;
}

bool GatewayRun::wait_metric_at_least(const std::string &sample, double value, int timeout_ms) {
  for (int waited = 0; waited <= timeout_ms; waited += 20) {
    if (metric(sample) >= value) return true;
    g_usleep(20000);
  }
  return false;
}

bool GatewayRun::output_empty() const {
  g_autoptr(GDir) d = g_dir_open(out_dir.c_str(), 0, nullptr);
  return d && g_dir_read_name(d) == nullptr;
}

int GatewayRun::terminate(int timeout_ms) {
  g_subprocess_send_signal(process, SIGTERM);
  // GLib's worker thread reaps the child; the identifier goes away then.
  for (int waited = 0; waited <= timeout_ms; waited += 20) {
    if (g_subprocess_get_identifier(process) == nullptr)
      return g_subprocess_get_if_exited(process) ? g_subprocess_get_exit_status(process) : -1;
    g_usleep(20000);
  }
  return -1;
}

std::vector<std::string> files_under(const std::string &dir, const char *suffix) {
  std::vector<std::string> out;
  g_autoptr(GDir) d = g_dir_open(dir.c_str(), 0, nullptr);
  if (!d) return out;
  while (const char *name = g_dir_read_name(d)) {
    std::string path = dir + "/" + name;
    if (g_file_test(path.c_str(), G_FILE_TEST_IS_DIR)) {
      for (auto &p : files_under(path, suffix)) out.push_back(p);
    } else if (g_str_has_suffix(name, suffix)) {
      out.push_back(path);
    }
  }
  return out;
}

GstClockTime audio_duration(const std::string &path, std::string *why) {
  g_autoptr(GError) error = nullptr;
  g_autoptr(GstDiscoverer) discoverer = gst_discoverer_new(10 * GST_SECOND, &error);
  fail_unless(discoverer != nullptr);
  g_autofree char *uri = g_filename_to_uri(path.c_str(), nullptr, nullptr);
  g_autoptr(GstDiscovererInfo) info = gst_discoverer_discover_uri(discoverer, uri, &error);
  if (!info || gst_discoverer_info_get_result(info) != GST_DISCOVERER_OK) {
    *why = error ? error->message : "not discoverable";
    return GST_CLOCK_TIME_NONE;
  }
  GList *audio = gst_discoverer_info_get_audio_streams(info);
  guint n = g_list_length(audio);
  gst_discoverer_stream_info_list_free(audio);
  if (n != 1) {
    *why = "expected one audio stream, found " + std::to_string(n);
    return GST_CLOCK_TIME_NONE;
  }
  return gst_discoverer_info_get_duration(info);
}

void remove_tree(const std::string &dir) {
  g_autoptr(GDir) d = g_dir_open(dir.c_str(), 0, nullptr);
  if (d) {
    while (const char *name = g_dir_read_name(d)) {
      std::string path = dir + "/" + name;
      if (g_file_test(path.c_str(), G_FILE_TEST_IS_DIR))
        remove_tree(path);
      else
        g_remove(path.c_str());
    }
  }
  g_rmdir(dir.c_str());
}
