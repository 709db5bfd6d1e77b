// POSTs webhooks the way Zoom does: JSON body, x-zm-request-timestamp in
// seconds and x-zm-signature over the raw body, retried a few times when the
// receiver does not answer 2xx.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <libsoup/soup.h>

#include "common/gref.h"
#include "timer.h"

namespace emulator {

class WebhookSender {
 public:
  using DoneFn = std::function<void(bool delivered)>;

  // ca_file: a PEM CA that an https:// url is verified with instead of the
  // system's store (a receiver with a self-signed or private certificate).
  WebhookSender(std::string url, std::string secret_token, const std::string &ca_file = {});
  ~WebhookSender();

  // Sends body (already JSON). done runs once, delivered or given up.
  void post(std::string body, DoneFn done);

 private:
  struct Delivery;
  void attempt(std::shared_ptr<Delivery> delivery);
  // Tries again after the retry delay; several deliveries (an interrupted
  // and a stopped webhook) may be waiting at once.
  void retry_later(std::shared_ptr<Delivery> delivery);
  static void on_sent(GObject *source, GAsyncResult *result, gpointer data);

  std::string url_;
  std::string secret_token_;
  rtms::GRef<SoupSession> session_;
  rtms::GRef<GCancellable> cancellable_;
  Timer retry_timer_;
  std::vector<std::shared_ptr<Delivery>> retries_;
};

}  // namespace emulator
