#include "proxy_run.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include <gst/check/gstcheck.h>

namespace {

// Binds port 0 on loopback and returns the port the kernel chose (closed
// again: a small window in which another process could take it).
int pick_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  fail_unless(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  fail_unless(bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  fail_unless(getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) == 0);
  close(fd);
  return ntohs(addr.sin_port);
}

bool accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

}  // namespace

int closed_loopback_port() { return pick_port(); }

ProxyRun::ProxyRun(const Options &options) : options_(options) {
  gchar *dir = g_dir_make_tmp("rtms-proxy-XXXXXX", nullptr);
  fail_unless(dir != nullptr);
  dir_ = dir;
  g_free(dir);
  log_path_ = dir_ + "/tinyproxy.log";
  port = pick_port();
  std::ostringstream conf;
  conf << "Port " << port << "\nListen 127.0.0.1\nTimeout 60\nMaxClients 100\n"
       << "LogFile \"" << log_path_ << "\"\nLogLevel Connect\n"
       << "PidFile \"" << dir_ << "/tinyproxy.pid\"\nAllow 127.0.0.1\n";
  if (options.only_connect_port) conf << "ConnectPort " << options.only_connect_port << "\n";
  if (!options.user.empty()) conf << "BasicAuth " << options.user << " " << options.password << "\n";
  std::string conf_path = dir_ + "/tinyproxy.conf";
  std::ofstream(conf_path) << conf.str();
  gchar *exe = g_find_program_in_path("tinyproxy");
  fail_unless(exe != nullptr,
              "tinyproxy is not installed (Debian's tinyproxy; scripts/install-deps.sh installs it)");
  GError *error = nullptr;
  // -d: stay in the foreground, a child of the test.
  process_ = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, exe, "-d", "-c",
                              conf_path.c_str(), nullptr);
  g_free(exe);
  fail_unless(process_ != nullptr, "cannot start tinyproxy: %s", error ? error->message : "?");
  for (int i = 0; i < 100 && !accepts(port); i++) g_usleep(50 * 1000);
  fail_unless(accepts(port), "tinyproxy does not listen on port %d: %s", port, log().c_str());
}

ProxyRun::~ProxyRun() {
  if (process_) {
    g_subprocess_force_exit(process_);
    g_subprocess_wait(process_, nullptr, nullptr);
    g_object_unref(process_);
  }
  for (const char *name : {"tinyproxy.log", "tinyproxy.conf", "tinyproxy.pid"})
    g_unlink((dir_ + "/" + name).c_str());
  g_rmdir(dir_.c_str());
}

std::string ProxyRun::url(bool with_credentials) const {
  std::string auth;
  if (with_credentials && !options_.user.empty()) auth = options_.user + ":" + options_.password + "@";
  return "http://" + auth + "127.0.0.1:" + std::to_string(port);
}

std::string ProxyRun::log() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int ProxyRun::connects_to(const std::string &host_port) const {
  std::string text = log();
  std::string needle = "CONNECT " + host_port + " ";
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) n++;
  return n;
}
