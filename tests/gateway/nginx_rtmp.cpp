#include "nginx_rtmp.h"

#include <gst/check/gstcheck.h>

#include <csignal>

#include "gateway_run.h"

namespace {

constexpr const char *kModule = "/usr/lib/nginx/modules/ngx_rtmp_module.so";

std::string find_nginx() {
  g_autofree char *in_path = g_find_program_in_path("nginx");
  if (in_path) return in_path;
  // Debian installs it in sbin, which a normal user's PATH may not have.
  for (const char *candidate : {"/usr/sbin/nginx", "/usr/local/sbin/nginx"})
    if (g_file_test(candidate, G_FILE_TEST_IS_EXECUTABLE)) return candidate;
  return "";
}

int free_port() {
  g_autoptr(GSocket) socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, nullptr);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new(loopback, 0);
  fail_unless(socket && g_socket_bind(socket, any, FALSE, nullptr), "cannot bind a loopback socket");
  g_autoptr(GSocketAddress) bound = g_socket_get_local_address(socket, nullptr);
  return g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
}

bool accepts_connections(int port) {
  g_autoptr(GSocketClient) client = g_socket_client_new();
  g_autoptr(GSocketConnection) connection =
      g_socket_client_connect_to_host(client, "127.0.0.1", guint16(port), nullptr, nullptr);
  return connection != nullptr;
}

}  // namespace

void NginxRtmp::start() {
  std::string nginx = find_nginx();
  fail_if(nginx.empty(), "nginx is not installed: run scripts/install-deps.sh (packages nginx-light, libnginx-mod-rtmp)");
  fail_unless(g_file_test(kModule, G_FILE_TEST_EXISTS),
              "%s is missing: run scripts/install-deps.sh (package libnginx-mod-rtmp)", kModule);
  g_autofree char *tmp = g_dir_make_tmp("rtms-nginx-XXXXXX", nullptr);
  fail_unless(tmp != nullptr);
  dir = tmp;
  std::string rec = dir + "/rec";
  fail_unless(g_mkdir_with_parents(rec.c_str(), 0755) == 0);
  port = free_port();
  // One process in the foreground, every path in our own folder: no root
  // needed, nothing of the system's nginx touched.
  std::string conf = "load_module " + std::string(kModule) + ";\n"
                     "daemon off;\nmaster_process off;\n"
                     "pid " + dir + "/nginx.pid;\n"
                     "error_log " + dir + "/error.log info;\n"
                     "events { worker_connections 64; }\n"
                     "rtmp {\n"
                     "  access_log " + dir + "/access.log;\n"
                     "  server {\n"
                     "    listen 127.0.0.1:" + std::to_string(port) + ";\n"
                     "    application live {\n"
                     "      live on;\n"
                     "      record all;\n"
                     "      record_path " + rec + ";\n"
                     "      record_unique off;\n"
                     "    }\n"
                     "  }\n"
                     "}\n";
  std::string conf_path = dir + "/nginx.conf";
  fail_unless(g_file_set_contents(conf_path.c_str(), conf.c_str(), -1, nullptr));
  std::string error_log = dir + "/error.log";
  const char *argv[] = {nginx.c_str(), "-p", dir.c_str(), "-e", error_log.c_str(), "-c", conf_path.c_str(), nullptr};
  g_autoptr(GError) error = nullptr;
  process = g_subprocess_newv(argv, G_SUBPROCESS_FLAGS_NONE, &error);
  fail_unless(process != nullptr, "cannot start %s: %s", nginx.c_str(), error ? error->message : "?");
  for (int waited = 0; waited < 5000; waited += 50) {
    if (accepts_connections(port)) return;
    if (g_subprocess_get_identifier(process) == nullptr) break;  // it exited
    g_usleep(50000);
  }
  g_autofree char *log = nullptr;
  g_file_get_contents(error_log.c_str(), &log, nullptr, nullptr);
  fail("nginx did not start listening on port %d: %s", port, log ? log : "(no error log)");
}

std::string NginxRtmp::base_url() const { return "rtmp://127.0.0.1:" + std::to_string(port) + "/live"; }

std::string NginxRtmp::recording(const std::string &stream_key) const { return dir + "/rec/" + stream_key + ".flv"; }

std::string NginxRtmp::log_tail() const {
  g_autofree char *log = nullptr;
  std::string path = dir + "/error.log";
  if (!g_file_get_contents(path.c_str(), &log, nullptr, nullptr)) return "(no error log)";
  std::string text = log;
  return text.size() > 3000 ? text.substr(text.size() - 3000) : text;
}

NginxRtmp::~NginxRtmp() {
  if (process) {
    g_subprocess_send_signal(process, SIGTERM);
    g_subprocess_wait(process, nullptr, nullptr);
    g_object_unref(process);
  }
  if (!dir.empty()) remove_tree(dir);
}
