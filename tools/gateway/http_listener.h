// The listening socket and every HTTP connection, owned by the gateway
// rather than by libsoup: it accepts (with a real backlog), counts and
// bounds connections, enforces the header and body timeouts, recovers when
// accept() fails for want of file descriptors, and hands each connection to
// the SoupServer (soup_server_accept_iostream), which only parses requests
// and calls the handlers.
//
// Why not soup_server_listen (libsoup 3.2.3, Debian 12): its listener asks
// listen() for a backlog of 10, stops polling for good the first time
// accept() fails (EMFILE), and a keep-alive connection the client closes
// between two requests is never closed on the server side (the next
// request's read sees EOF before libsoup has announced that request, so no
// completion callback runs and the SoupServerConnection keeps its socket in
// CLOSE-WAIT forever). Connections accepted here are never kept alive: libsoup
// closes a connection after its answer when the server has no listener of its
// own, and every answer says "Connection: close", so each connection ends
// through the path that does close it. See docs/gateway.md, "Hardening".
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <string>
#include <unordered_map>

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "common/gst_gref.h"

namespace gateway {

struct ListenerConfig {
  std::string host;
  int port = 0;
  int backlog = 1024;
  int max_connections = 256;  // before the file-descriptor budget
  int header_timeout_s = 10;  // accept (and TLS handshake) to complete request headers
  int body_timeout_s = 30;    // complete headers to the answer written
  int max_streams = 16;       // for the file-descriptor budget
};

class HttpListener {
 public:
  // tls: the certificate to serve HTTPS with, or null for plain HTTP.
  HttpListener(SoupServer *server, GTlsCertificate *tls, ListenerConfig config);
  ~HttpListener();
  HttpListener(const HttpListener &) = delete;
  HttpListener &operator=(const HttpListener &) = delete;

  bool listen(std::string *error);
  int port() const { return port_; }
  // Connections open now, the limit in force, and why it is what it is.
  size_t open() const { return conns_.size(); }
  int limit() const { return limit_; }
  const std::string &limit_note() const { return limit_note_; }
  // The connection gauges and counters, Prometheus text.
  std::string metrics_text() const;
  // The handler of msg takes its connection over for a long answer (the
  // live feed, live_feed.h): no more timeouts, never evicted; still counted
  // until it is closed. Its socket (borrowed), or null when unknown.
  GSocket *hold_open(SoupServerMessage *msg);

 private:
  enum class Phase { Headers, Body, Answer, Held };
  struct Conn {
    rtms::GRef<GSocket> socket;
    rtms::GRef<GSocketAddress> remote;  // the very object libsoup hands back for each request
    gint64 since_us = 0;                // start of the current phase
    Phase phase = Phase::Headers;
    gint64 shut_us = 0;                 // when we shut it down (0: not)
  };
  using ConnList = std::list<Conn>;

  static gboolean on_incoming(GSocket *, GIOCondition, gpointer self);
  static gboolean on_resume(gpointer self);
  static gboolean on_sweep(gpointer self);
  static void on_request_started(SoupServer *, SoupServerMessage *msg, gpointer self);
  static void on_got_headers(SoupServerMessage *msg, gpointer self);
  static void on_got_body(SoupServerMessage *msg, gpointer self);

  void accept_some();
  void adopt(rtms::GRef<GSocket> socket);
  void refuse(GSocket *socket);
  void pause_accepting(guint ms);
  Conn *oldest_waiting();
  bool evict_oldest_waiting(const char *reason);
  void shut(Conn &conn, const char *reason);
  void reap();
  Conn *find(SoupServerMessage *msg);
  void compute_limit();

  SoupServer *server_;  // not owned; outlives this
  rtms::GRef<GTlsCertificate> tls_;
  ListenerConfig config_;
  rtms::GRef<GSocket> socket_;
  int port_ = 0;
  int limit_ = 0;
  std::string limit_note_;
  rtms::SourceId accept_source_, resume_source_, sweep_source_;
  gulong request_started_handler_ = 0;
  ConnList conns_;  // oldest first
  size_t live_ = 0;  // not shut down by us
  std::unordered_map<GSocketAddress *, ConnList::iterator> by_remote_;
  uint64_t accepted_ = 0;
  std::map<std::string, uint64_t> closed_;  // by reason: header_timeout, body_timeout, evicted, ...
  uint64_t refused_ = 0;
  uint64_t accept_errors_ = 0;
  gint64 last_accept_warning_us_ = 0;
  uint64_t closed_since_report_ = 0;
  gint64 last_report_us_ = 0;
};

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit in
// force afterwards (and logs what it did).
uint64_t raise_fd_limit();

}  // namespace gateway
