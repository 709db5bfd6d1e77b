#include "webhook_sender.h"

#include <exception>

#include "protocol/signature.h"
#include "log.h"

namespace emulator {
namespace {

constexpr int kAttempts = 3;
constexpr guint kRetryDelayMs = 1000;
constexpr guint kTimeoutSeconds = 5;

}  // namespace

struct WebhookSender::Delivery {
  WebhookSender *sender;
  std::string body;
  DoneFn done;
  int attempt = 0;
};

WebhookSender::WebhookSender(std::string url, std::string secret_token, const std::string &ca_file)
    : url_(std::move(url)), secret_token_(std::move(secret_token)),
      session_(rtms::adopt(soup_session_new_with_options("timeout", kTimeoutSeconds, "user-agent",
                                                         "Zoom Marketplace/1.0a", nullptr))),
      cancellable_(rtms::adopt(g_cancellable_new())) {
  if (ca_file.empty()) return;
  g_autoptr(GError) error = nullptr;
  g_autoptr(GTlsDatabase) database = g_tls_file_database_new(ca_file.c_str(), &error);
  if (database == nullptr) {
    // Every delivery then fails on the certificate, and says so.
    tools::log_error("webhook: cannot read --webhook-ca-file %s: %s", ca_file.c_str(), error->message);
    return;
  }
  soup_session_set_tls_database(session_.get(), database);
}

WebhookSender::~WebhookSender() { g_cancellable_cancel(cancellable_.get()); }

void WebhookSender::post(std::string body, DoneFn done) {
  auto delivery = std::make_shared<Delivery>();
  delivery->sender = this;
  delivery->body = std::move(body);
  delivery->done = std::move(done);
  attempt(delivery);
}

void WebhookSender::attempt(std::shared_ptr<Delivery> delivery) {
  delivery->attempt++;
  g_autoptr(SoupMessage) message = soup_message_new("POST", url_.c_str());
  if (message == nullptr) {
    tools::log_error("webhook: invalid URL %s", url_.c_str());
    delivery->done(false);
    return;
  }
  // Signed per attempt, since the timestamp is part of the signature.
  std::string timestamp = std::to_string(g_get_real_time() / G_USEC_PER_SEC);
  SoupMessageHeaders *headers = soup_message_get_request_headers(message);
  soup_message_headers_replace(headers, "x-zm-request-timestamp", timestamp.c_str());
  soup_message_headers_replace(headers, "x-zm-signature",
                               rtms::webhook_signature(secret_token_, timestamp, delivery->body).c_str());
  g_autoptr(GBytes) bytes = g_bytes_new(delivery->body.data(), delivery->body.size());
  soup_message_set_request_body_from_bytes(message, "application/json", bytes);
  // Ownership of this holder passes to the async call; on_sent takes it back.
  auto pending = std::make_unique<std::shared_ptr<Delivery>>(std::move(delivery));
  soup_session_send_and_read_async(session_.get(), message, G_PRIORITY_DEFAULT, cancellable_.get(),
                                   &WebhookSender::on_sent, pending.release());
}

void WebhookSender::retry_later(std::shared_ptr<Delivery> delivery) {
  retries_.push_back(std::move(delivery));
  if (retry_timer_.pending()) return;
  retry_timer_.once(kRetryDelayMs, [this] {
    std::vector<std::shared_ptr<Delivery>> due;
    due.swap(retries_);
    for (auto &waiting : due) attempt(waiting);
  });
}

void WebhookSender::on_sent(GObject *source, GAsyncResult *result, gpointer data) {
  std::unique_ptr<std::shared_ptr<Delivery>> pending(static_cast<std::shared_ptr<Delivery> *>(data));
  std::shared_ptr<Delivery> delivery = *pending;
  g_autoptr(GError) error = nullptr;
  g_autoptr(GBytes) reply = soup_session_send_and_read_finish(SOUP_SESSION(source), result, &error);
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) return;  // sender is gone
  try {
    WebhookSender *self = delivery->sender;
    SoupMessage *message = soup_session_get_async_result_message(SOUP_SESSION(source), result);
    guint status = message != nullptr ? soup_message_get_status(message) : 0;
    if (error == nullptr && status >= 200 && status < 300) {
      tools::log_info("webhook delivered to %s (HTTP %u)", self->url_.c_str(), status);
      delivery->done(true);
      return;
    }
    tools::log_warning("webhook to %s failed (attempt %d/%d): %s", self->url_.c_str(), delivery->attempt, kAttempts,
                       error != nullptr ? error->message : ("HTTP " + std::to_string(status)).c_str());
    if (delivery->attempt >= kAttempts) {
      delivery->done(false);
      return;
    }
    self->retry_later(delivery);
  } catch (...) {
    tools::log_error("webhook: failed to handle the reply");
  }
}

}  // namespace emulator
