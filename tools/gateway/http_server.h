// The HTTP(S) side: the webhook endpoint, /healthz, /readyz and /metrics, on a
// SoupServer in the default main context. It only answers; what an accepted
// webhook does is up to the owner, which must not block (the gateway defers
// it to an idle callback).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <libsoup/soup.h>

#include "common/gst_gref.h"
#include "http_listener.h"
#include "webhook_check.h"

namespace gateway {

struct HttpConfig {
  std::string host;
  int port = 0;
  std::string webhook_path;
  std::string tls_cert_file, tls_key_file;
  int64_t max_body_bytes = 0;
  // Backlog, connection limit and timeouts (http_listener.h); host and port
  // are taken from above.
  ListenerConfig listener;
};

class HttpServer {
 public:
  struct Handlers {
    // Decides about one POST to the webhook path (headers empty = missing).
    std::function<Verdict(std::string_view signature, std::string_view timestamp, std::string_view body)> check;
    // Every verdict, accepted or not, after the answer is set, with the raw
    // body (empty when it was never read).
    std::function<void(Verdict &&, std::string_view body)> done;
    std::function<std::string()> metrics;
    // /readyz: whether events can reach the gateway now, and a line why.
    std::function<bool(std::string *why)> ready;
    // /streams and below: the live feed (live_feed.h), which answers msg or
    // takes its connection over (after hold_open); false for a path it does
    // not serve (answered 404).
    std::function<bool(SoupServerMessage *msg, const char *path)> feed;
    // GET /cluster/streams in the cluster roles (cluster_view.h): who owns
    // what (/streams is the live feed's).
    // Unset: no such path.
    std::function<std::string()> cluster_streams;
  };

  HttpServer(HttpConfig config, Handlers handlers);
  ~HttpServer();
  HttpServer(const HttpServer &) = delete;
  HttpServer &operator=(const HttpServer &) = delete;

  bool listen(std::string *error);
  // The webhook endpoint's URL as bound (the real port when 0 was asked).
  const std::string &webhook_url() const { return url_; }
  const HttpListener *listener() const { return listener_.get(); }
  // For more handlers (whep_endpoint.h); null before listen().
  SoupServer *soup_server() const { return server_.get(); }
  // See HttpListener::hold_open.
  GSocket *hold_open(SoupServerMessage *msg) { return listener_ ? listener_->hold_open(msg) : nullptr; }

 private:
  static void on_early(SoupServer *, SoupServerMessage *msg, const char *path, GHashTable *, gpointer self);
  static void on_chunk(SoupServerMessage *msg, GBytes *chunk, gpointer count);
  // 413 without reading the rest of the body (refusal.h).
  void refuse_too_large(SoupServerMessage *msg, std::string detail);
  static void on_webhook(SoupServer *, SoupServerMessage *msg, const char *path, GHashTable *, gpointer self);
  static void on_healthz(SoupServer *, SoupServerMessage *msg, const char *path, GHashTable *, gpointer self);
  static void on_readyz(SoupServer *, SoupServerMessage *msg, const char *path, GHashTable *,
                        gpointer self);
  static void on_metrics(SoupServer *, SoupServerMessage *msg, const char *path, GHashTable *, gpointer self);
  static void on_feed(SoupServer *, SoupServerMessage *msg, const char *path, GHashTable *, gpointer self);
  void handle_webhook(SoupServerMessage *msg, const char *path);
  void answer(SoupServerMessage *msg, Verdict &&verdict, std::string_view body);

  HttpConfig config_;
  Handlers handlers_;
  rtms::GRef<SoupServer> server_;
  std::unique_ptr<HttpListener> listener_;
  std::string url_;
};

}  // namespace gateway
