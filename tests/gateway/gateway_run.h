// Runs the real rtms-gateway as a child process for a test, talks HTTP to it
// (signed or deliberately broken webhooks, /healthz, /metrics) and checks the
// files it wrote.
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>
#include <libsoup/soup.h>

#include <map>
#include <string>
#include <vector>

#define GW_WEBHOOK_SECRET "gateway-test-webhook-secret"

struct HttpAnswer {
  int status = 0;
  std::string body;
};

struct GatewayRun {
  GSubprocess *process = nullptr;
  SoupSession *session = nullptr;
  std::string url;       // the webhook endpoint
  std::string base;      // http://host:port
  std::string out_dir;   // --output-dir, a fresh temp dir
  std::string ca_file;   // set before start() to trust an HTTPS gateway's CA
  // Set before start(): the emulator's servers are on loopback, over ws:// or
  // wss://, so by default the gateway is started with --allow-host 127.0.0.1
  // --allow-plaintext; false starts it with its defaults (Zoom's hosts, wss://).
  bool allow_loopback_servers = true;
  // Set before start(): the gateway's RLIMIT_NOFILE (soft and hard), 0 to
  // inherit the test's.
  int fd_limit = 0;
  // Set before start(): the gateway's stderr (its log) goes to this file.
  std::string log_file;
  int port() const;

  // Starts the gateway with --port 0 and a temp output dir plus args; fails
  // the test if it does not print its ready line.
  void start(const std::vector<std::string> &args = {});
  ~GatewayRun();

  // Raw POST to the webhook endpoint with exactly these headers.
  HttpAnswer post(const std::string &body, const std::map<std::string, std::string> &headers);
  // POST signed like Zoom does, with a timestamp now + skew_s.
  HttpAnswer post_signed(const std::string &body, gint64 skew_s = 0,
                         const char *secret = GW_WEBHOOK_SECRET);
  HttpAnswer get(const std::string &path);
  // Sends bytes on a plain TCP connection of its own (for requests libsoup
  // would not send: a huge declared length, a chunked body that never
  // ends) and returns what came back until the server closed or answered
  // in full, or timeout_ms passed. The connection stays open while waiting.
  std::string raw_exchange(const std::string &bytes, int timeout_ms);

  // The value of one sample of /metrics ("name" or "name{labels}"); 0 when
  // absent.
  double metric(const std::string &sample);
  // Polls /metrics until sample == value; false after timeout_ms.
  bool wait_metric(const std::string &sample, double value, int timeout_ms);
  // Polls /metrics until sample >= value; false after timeout_ms.
  bool wait_metric_at_least(const std::string &sample, double value, int timeout_ms);

  // Nothing at all was created in the output folder.
  bool output_empty() const;

  // SIGTERM, then the exit status (-1 if it did not exit in timeout_ms).
  int terminate(int timeout_ms);
};

// Every file under dir whose name ends with suffix, recursively.
std::vector<std::string> files_under(const std::string &dir, const char *suffix);
// Duration of a playable audio file (GstDiscoverer), or -1 with why.
GstClockTime audio_duration(const std::string &path, std::string *why);
// Removes a folder and everything in it.
void remove_tree(const std::string &dir);
