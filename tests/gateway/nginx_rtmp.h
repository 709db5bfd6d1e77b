// A real RTMP server for a test: Debian's nginx with its RTMP module, run by
// the test itself on a free loopback port with a configuration, logs and
// recordings of its own in a temp dir (as root or not). It records every
// stream it receives to <dir>/rec/<stream key>.flv.
#pragma once

#include <gio/gio.h>

#include <string>

struct NginxRtmp {
  GSubprocess *process = nullptr;
  std::string dir;
  int port = 0;

  // Fails the test, saying what to install, when nginx or the module is missing.
  void start();
  // rtmp://127.0.0.1:<port>/live
  std::string base_url() const;
  std::string recording(const std::string &stream_key) const;
  // The end of nginx's error log (its info lines say who published and played), for failure messages.
  std::string log_tail() const;
  ~NginxRtmp();
};
