#include "token_client.h"

#include <exception>

#include "log.h"
#include "run_on_idle.h"

namespace gateway {

namespace {

// A token answer is a few hundred bytes.
constexpr gsize kMaxAnswerBytes = 16 * 1024;
constexpr guint kTimeoutSeconds = 15;

}  // namespace

struct TokenClient::Call {
  TokenClient *owner = nullptr;  // nullptr once the owner dropped this call
  rtms::GRef<GCancellable> cancellable = rtms::adopt(g_cancellable_new());
  rtms::GRef<SoupMessage> message;
  rtms::GRef<GInputStream> body;
  std::string buffer = std::string(kMaxAnswerBytes + 1, '\0');
  DoneFn done;
};

rtms::GRef<SoupSession> make_zoom_session(const std::string &ca_file, std::string *error) {
  rtms::GRef<SoupSession> session = rtms::adopt(soup_session_new_with_options(
      "timeout", kTimeoutSeconds, "idle-timeout", 60, "user-agent", "rtms-gateway", nullptr));
  if (ca_file.empty()) return session;
  GError *raw_error = nullptr;
  rtms::GRef<GTlsDatabase> database = rtms::adopt(g_tls_file_database_new(ca_file.c_str(), &raw_error));
  if (!database) {
    auto owned = rtms::adopt(raw_error);
    *error = "--event-ca-file " + tools::log_safe(ca_file) + ": " + owned->message;
    return nullptr;
  }
  soup_session_set_tls_database(session.get(), database.get());
  return session;
}

TokenClient::TokenClient(SoupSession *session, TokenRequestConfig config)
    : session_(rtms::share(session)), config_(std::move(config)) {}

TokenClient::~TokenClient() {
  if (call_) {
    call_->owner = nullptr;
    g_cancellable_cancel(call_->cancellable.get());
  }
}

void TokenClient::request(DoneFn done) {
  if (call_) {
    call_->owner = nullptr;
    g_cancellable_cancel(call_->cancellable.get());
  }
  auto call = std::make_shared<Call>();
  call->owner = this;
  call->done = std::move(done);
  std::string url = config_.url + (config_.url.find('?') == std::string::npos ? "?" : "&") +
                    token_request_query(config_.account_id);
  call->message = rtms::adopt(soup_message_new("POST", url.c_str()));
  if (!call->message) {
    Outcome outcome;
    outcome.error = "token endpoint " + tools::log_safe(config_.url) + " is not a URL";
    call_ = call;
    // Later, like every answer, so the caller's state is settled.
    std::weak_ptr<Call> weak = call;
    run_on_idle([weak, outcome] {
      if (auto c = weak.lock(); c && c->owner) c->owner->finish(outcome);
    });
    return;
  }
  std::string credentials = config_.client_id + ":" + config_.client_secret;
  g_autofree gchar *encoded =
      g_base64_encode(reinterpret_cast<const guchar *>(credentials.data()), credentials.size());
  std::string authorization = std::string("Basic ") + encoded;
  SoupMessageHeaders *headers = soup_message_get_request_headers(call->message.get());
  soup_message_headers_replace(headers, "Authorization", authorization.c_str());
  soup_message_headers_replace(headers, "Accept", "application/json");
  g_autoptr(GBytes) empty = g_bytes_new_static("", 0);
  soup_message_set_request_body_from_bytes(call->message.get(), "application/x-www-form-urlencoded",
                                           empty);
  call_ = call;
  // Taken back by on_sent.
  auto pending = std::make_unique<std::shared_ptr<Call>>(call);
  soup_session_send_async(session_.get(), call->message.get(), G_PRIORITY_DEFAULT,
                          call->cancellable.get(), &TokenClient::on_sent, pending.release());
}

void TokenClient::on_sent(GObject *source, GAsyncResult *result, gpointer data) {
  std::unique_ptr<std::shared_ptr<Call>> pending(static_cast<std::shared_ptr<Call> *>(data));
  std::shared_ptr<Call> call = *pending;
  GError *raw_error = nullptr;
  rtms::GRef<GInputStream> body = rtms::adopt(soup_session_send_finish(SOUP_SESSION(source), result, &raw_error));
  auto error = rtms::adopt(raw_error);
  if (!call->owner) return;
  try {
    TokenClient *self = call->owner;
    if (!body) {
      Outcome outcome;
      outcome.error =
          "token endpoint " + tools::log_safe(self->config_.url) + " unreachable: " +
          tools::log_safe(redact(error ? error->message : "?", self->config_.client_secret), 512);
      self->finish(outcome);
      return;
    }
    call->body = std::move(body);
    auto again = std::make_unique<std::shared_ptr<Call>>(call);
    g_input_stream_read_all_async(call->body.get(), call->buffer.data(), call->buffer.size(),
                                  G_PRIORITY_DEFAULT, call->cancellable.get(),
                                  &TokenClient::on_read, again.release());
  } catch (const std::exception &e) {
    tools::log_error("token request: %s", e.what());
  }
}

void TokenClient::on_read(GObject *source, GAsyncResult *result, gpointer data) {
  std::unique_ptr<std::shared_ptr<Call>> pending(static_cast<std::shared_ptr<Call> *>(data));
  std::shared_ptr<Call> call = *pending;
  gsize read = 0;
  GError *raw_error = nullptr;
  gboolean ok = g_input_stream_read_all_finish(G_INPUT_STREAM(source), result, &read, &raw_error);
  auto error = rtms::adopt(raw_error);
  if (!call->owner) return;
  try {
    TokenClient *self = call->owner;
    Outcome outcome;
    outcome.http_status = int(soup_message_get_status(call->message.get()));
    std::string endpoint = "token endpoint " + tools::log_safe(self->config_.url);
    std::string_view answer(call->buffer.data(), read);
    if (!ok) {
      outcome.error =
          endpoint + ": reading the answer failed: " + tools::log_safe(error ? error->message : "?");
    } else if (read > kMaxAnswerBytes) {
      outcome.error = endpoint + ": answer over " + std::to_string(kMaxAnswerBytes) + " bytes";
    } else if (outcome.http_status != 200) {
      const char *phrase = soup_message_get_reason_phrase(call->message.get());
      bool refused =
          outcome.http_status == 400 || outcome.http_status == 401 || outcome.http_status == 403;
      outcome.error = endpoint + (refused ? " refused the credentials with" : " answered") +
                      " HTTP " + std::to_string(outcome.http_status) +
                      (phrase && *phrase ? " " + tools::log_safe(phrase, 64) : std::string());
      std::string zoom_says = describe_token_error(answer);
      if (!zoom_says.empty()) outcome.error += " (" + zoom_says + ")";
      if (refused) outcome.error += ": check ZM_RTMS_CLIENT, ZM_RTMS_SECRET and ZM_ACCOUNT_ID";
    } else {
      std::string why;
      if (parse_token_answer(answer, &outcome.token, &why))
        outcome.ok = true;
      else
        outcome.error = endpoint + ": not a token answer: " + why;
    }
    self->finish(std::move(outcome));
  } catch (const std::exception &e) {
    tools::log_error("token request: %s", e.what());
  }
}

void TokenClient::finish(Outcome outcome) {
  std::shared_ptr<Call> call = std::move(call_);
  call->owner = nullptr;
  DoneFn done = std::move(call->done);
  done(std::move(outcome));
}

}  // namespace gateway
