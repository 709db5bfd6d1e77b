#include "http_server.h"

#include <exception>

#include "log.h"
#include "refusal.h"

namespace gateway {

namespace {

void set_text(SoupServerMessage *msg, int status, const char *content_type, const std::string &text) {
  soup_server_message_set_status(msg, status, nullptr);
  soup_server_message_set_response(msg, content_type, SOUP_MEMORY_COPY, text.data(), text.size());
}

std::string_view header(SoupServerMessage *msg, const char *name) {
  const char *value = soup_message_headers_get_one(soup_server_message_get_request_headers(msg), name);
  return value ? std::string_view(value) : std::string_view();
}

template <typename Fn>
void guarded(SoupServerMessage *msg, Fn &&fn) {
  // No exception may unwind into libsoup.
  try {
    fn();
  } catch (const std::exception &e) {
    tools::log_error("internal error while answering a request: %s", e.what());
    set_text(msg, 500, "text/plain", "internal error\n");
  } catch (...) {
    tools::log_error("internal error while answering a request");
    set_text(msg, 500, "text/plain", "internal error\n");
  }
}

}  // namespace

HttpServer::HttpServer(HttpConfig config, Handlers handlers)
    : config_(std::move(config)), handlers_(std::move(handlers)) {}

HttpServer::~HttpServer() {
  // The connections first (they may still call back into the listener),
  // then the listener and its socket.
  if (server_) soup_server_disconnect(server_.get());
  listener_.reset();
}

bool HttpServer::listen(std::string *error) {
  server_ = rtms::adopt(SOUP_SERVER(g_object_new(SOUP_TYPE_SERVER, "server-header", "rtms-gateway ", nullptr)));
  rtms::GRef<GTlsCertificate> cert;
  if (!config_.tls_cert_file.empty()) {
    GError *raw_error = nullptr;
    cert = rtms::adopt(g_tls_certificate_new_from_files(config_.tls_cert_file.c_str(), config_.tls_key_file.c_str(),
                                                        &raw_error));
    if (!cert) {
      auto owned = rtms::adopt(raw_error);
      *error = "--tls-cert/--tls-key: " + std::string(owned->message);
      return false;
    }
  }
  // Every path (libsoup takes the early handler of the path that matches
  // best): a huge body to /metrics must not be read into memory either.
  for (const char *path : {config_.webhook_path.c_str(), "/healthz", "/readyz", "/metrics",
                           static_cast<const char *>(nullptr)})
    soup_server_add_early_handler(server_.get(), path, on_early, this, nullptr);
  soup_server_add_handler(server_.get(), config_.webhook_path.c_str(), on_webhook, this, nullptr);
  soup_server_add_handler(server_.get(), "/healthz", on_healthz, this, nullptr);
  soup_server_add_handler(server_.get(), "/readyz", on_readyz, this, nullptr);
  soup_server_add_handler(server_.get(), "/metrics", on_metrics, this, nullptr);
  if (handlers_.feed) soup_server_add_handler(server_.get(), "/streams", on_feed, this, nullptr);
  if (handlers_.cluster_streams) {
    soup_server_add_early_handler(server_.get(), "/cluster/streams", on_early, this, nullptr);
    soup_server_add_handler(
        server_.get(), "/cluster/streams",
        [](SoupServer *, SoupServerMessage *msg, const char *path, GHashTable *, gpointer data) {
          auto *self = static_cast<HttpServer *>(data);
          guarded(msg, [&] {
            if (g_strcmp0(path, "/cluster/streams") != 0)
              set_text(msg, 404, "text/plain", "not found\n");
            else
              set_text(msg, 200, "application/json", self->handlers_.cluster_streams());
          });
        },
        this, nullptr);
  }
  // The default path has an early handler (above), so it needs an answer of its own too.
  soup_server_add_handler(
      server_.get(), nullptr,
      [](SoupServer *, SoupServerMessage *msg, const char *, GHashTable *, gpointer) {
        set_text(msg, 404, "text/plain", "not found\n");
      },
      nullptr, nullptr);

  // Our own listening socket and connections (http_listener.h), not
  // soup_server_listen.
  ListenerConfig listener_config = config_.listener;
  listener_config.host = config_.host;
  listener_config.port = config_.port;
  listener_ = std::make_unique<HttpListener>(server_.get(), cert.get(), std::move(listener_config));
  if (!listener_->listen(error)) return false;
  int port = listener_->port();
  std::string host = config_.host.find(':') != std::string::npos ? "[" + config_.host + "]" : config_.host;
  url_ = std::string(config_.tls_cert_file.empty() ? "http" : "https") + "://" + host + ":" + std::to_string(port) +
         config_.webhook_path;
  return true;
}

void HttpServer::answer(SoupServerMessage *msg, Verdict &&verdict, std::string_view body) {
  if (verdict.accepted()) {
    if (!verdict.response_body.empty())
      set_text(msg, verdict.status, "application/json", verdict.response_body);
    else
      set_text(msg, verdict.status, "application/json", "{}");
  } else if (verdict.status == 400 || verdict.status == 403) {
    // Only after the signature checked out: the sender is Zoom (or has the
    // secret), so it is told what was wrong with its webhook.
    set_text(msg, verdict.status, "text/plain", verdict.reason + ": " + tools::log_safe(verdict.detail, 1024) + "\n");
  } else {
    set_text(msg, verdict.status, "text/plain", verdict.reason + "\n");
  }
  if (handlers_.done) handlers_.done(std::move(verdict), body);
}

void HttpServer::refuse_too_large(SoupServerMessage *msg, std::string detail) {
  const char *path = g_uri_get_path(soup_server_message_get_uri(msg));
  if (config_.webhook_path == (path ? path : "")) {
    // Counted and logged like every other webhook refusal.
    Verdict v;
    v.status = 413;
    v.reason = "too_large";
    v.detail = std::move(detail);
    if (handlers_.done) handlers_.done(std::move(v), {});
  } else {
    tools::log_warning("request to %s refused with 413: %s", tools::log_safe(path ? path : "?").c_str(),
                       tools::log_safe(detail).c_str());
  }
  answer_and_close(msg, 413, "Payload Too Large", "too_large\n");
}

namespace {

// A body of unknown length, counted as it comes.
struct BodyCount {
  HttpServer *server;
  int64_t limit;
  int64_t received = 0;
};

}  // namespace

void HttpServer::on_chunk(SoupServerMessage *msg, GBytes *chunk, gpointer data) {
  auto *count = static_cast<BodyCount *>(data);
  guarded(msg, [&] {
    count->received += int64_t(g_bytes_get_size(chunk));
    if (count->received <= count->limit) return;
    // Stop listening first: the refusal may free msg, and this count with it.
    HttpServer *self = count->server;
    int64_t received = count->received, limit = count->limit;
    g_signal_handlers_disconnect_by_func(msg, reinterpret_cast<gpointer>(on_chunk), data);
    self->refuse_too_large(msg, "body without a declared length passed --max-body " + std::to_string(limit) +
                                    " bytes (" + std::to_string(received) + " read); the rest is not read");
  });
}

// Before the body is read: a declared length over the limit is refused at
// once, a body of unknown length (chunked) as soon as it passes the limit;
// either way without reading (or buffering) the rest of it.
void HttpServer::on_early(SoupServer *, SoupServerMessage *msg, const char *, GHashTable *, gpointer data) {
  auto *self = static_cast<HttpServer *>(data);
  guarded(msg, [&] {
    SoupMessageHeaders *headers = soup_server_message_get_request_headers(msg);
    if (soup_message_headers_get_encoding(headers) != SOUP_ENCODING_CONTENT_LENGTH) {
      gpointer count = rtms::CallbackData<BodyCount>::give(BodyCount{self, self->config_.max_body_bytes});
      g_object_set_data_full(G_OBJECT(msg), "rtms-gateway-body-count", count, rtms::CallbackData<BodyCount>::free);
      g_signal_connect(msg, "got-chunk", G_CALLBACK(on_chunk), count);
      return;
    }
    goffset length = soup_message_headers_get_content_length(headers);
    if (length <= self->config_.max_body_bytes) return;
    self->refuse_too_large(msg, "declared body of " + std::to_string(length) + " bytes is over --max-body " +
                                    std::to_string(self->config_.max_body_bytes) + "; not read");
  });
}

void HttpServer::on_webhook(SoupServer *, SoupServerMessage *msg, const char *path, GHashTable *, gpointer data) {
  auto *self = static_cast<HttpServer *>(data);
  guarded(msg, [&] { self->handle_webhook(msg, path); });
}

void HttpServer::handle_webhook(SoupServerMessage *msg, const char *path) {
  if (config_.webhook_path != path) {
    set_text(msg, 404, "text/plain", "not found\n");
    return;
  }
  if (g_strcmp0(soup_server_message_get_method(msg), SOUP_METHOD_POST) != 0) {
    Verdict v;
    v.status = 405;
    v.reason = "method";
    v.detail = std::string("method ") + soup_server_message_get_method(msg) + " (webhooks are POSTs)";
    soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Allow", "POST");
    answer(msg, std::move(v), {});
    return;
  }
  auto body = rtms::adopt(soup_message_body_flatten(soup_server_message_get_request_body(msg)));
  gsize size = 0;
  const char *data = static_cast<const char *>(g_bytes_get_data(body.get(), &size));
  std::string_view raw(data ? data : "", size);
  answer(msg, handlers_.check(header(msg, "x-zm-signature"), header(msg, "x-zm-request-timestamp"), raw), raw);
}

void HttpServer::on_healthz(SoupServer *, SoupServerMessage *msg, const char *path, GHashTable *, gpointer) {
  guarded(msg, [&] {
    if (g_strcmp0(path, "/healthz") != 0)
      set_text(msg, 404, "text/plain", "not found\n");
    else
      set_text(msg, 200, "text/plain", "ok");
  });
}

void HttpServer::on_readyz(SoupServer *, SoupServerMessage *msg, const char *path, GHashTable *,
                           gpointer data) {
  auto *self = static_cast<HttpServer *>(data);
  guarded(msg, [&] {
    std::string why = "ready";
    if (g_strcmp0(path, "/readyz") != 0)
      set_text(msg, 404, "text/plain", "not found\n");
    else if (!self->handlers_.ready || self->handlers_.ready(&why))
      set_text(msg, 200, "text/plain", why + "\n");
    else
      set_text(msg, 503, "text/plain", why + "\n");
  });
}

void HttpServer::on_metrics(SoupServer *, SoupServerMessage *msg, const char *path, GHashTable *, gpointer data) {
  auto *self = static_cast<HttpServer *>(data);
  guarded(msg, [&] {
    if (g_strcmp0(path, "/metrics") != 0)
      set_text(msg, 404, "text/plain", "not found\n");
    else
      set_text(msg, 200, "text/plain; version=0.0.4",
               (self->handlers_.metrics ? self->handlers_.metrics() : std::string()) + self->listener_->metrics_text());
  });
}

void HttpServer::on_feed(SoupServer *, SoupServerMessage *msg, const char *path, GHashTable *, gpointer data) {
  auto *self = static_cast<HttpServer *>(data);
  // The feed catches its own exceptions: once it has taken the connection,
  // msg may be gone and nothing may be set on it.
  try {
    if (!self->handlers_.feed(msg, path)) set_text(msg, 404, "text/plain", "not found\n");
  } catch (...) {
    tools::log_error("internal error in the live feed");
  }
}

}  // namespace gateway
