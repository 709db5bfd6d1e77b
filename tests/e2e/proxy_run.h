// A real HTTP proxy for the end-to-end tests: Debian's tinyproxy, started on
// loopback with a private configuration, port and log, and stopped with the
// object. Its log shows each CONNECT it was asked for.
#pragma once

#include <gio/gio.h>

#include <string>

struct ProxyRun {
  struct Options {
    std::string user, password;  // BasicAuth: CONNECT without them gets 407
    int only_connect_port = 0;   // refuse CONNECT to every other port (403)
  };
  ProxyRun() : ProxyRun(Options()) {}
  explicit ProxyRun(const Options &options);
  ~ProxyRun();
  ProxyRun(const ProxyRun &) = delete;
  ProxyRun &operator=(const ProxyRun &) = delete;

  // http://127.0.0.1:PORT (with user:password@ when with_credentials).
  std::string url(bool with_credentials = false) const;
  int port = 0;
  // How many "CONNECT host:port" requests its log holds for this target.
  int connects_to(const std::string &host_port) const;
  std::string log() const;

 private:
  GSubprocess *process_ = nullptr;
  std::string dir_, log_path_;
  Options options_;
};

// A loopback port nothing listens on (connections to it are refused).
int closed_loopback_port();
