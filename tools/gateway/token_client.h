// Obtains OAuth access tokens for the event WebSocket from Zoom's token
// endpoint (https://zoom.us/oauth/token): client credentials in a Basic
// Authorization header, the grant in the query. One request at a time, in
// the default main context; the answer is bounded in size and time.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <libsoup/soup.h>

#include "event_frames.h"
#include "common/gref.h"

namespace gateway {

struct TokenRequestConfig {
  std::string url;  // the token endpoint (https://)
  std::string client_id;
  std::string client_secret;  // never logged
  std::string account_id;     // set: account_credentials (Server-to-Server OAuth)
};

// A session for Zoom's endpoints: TLS verified against ca_file when given,
// else the system's store. nullptr with *error when ca_file is unreadable.
rtms::GRef<SoupSession> make_zoom_session(const std::string &ca_file, std::string *error);

class TokenClient {
 public:
  struct Outcome {
    bool ok = false;
    AccessToken token;    // when ok
    int http_status = 0;  // 0: no HTTP answer
    std::string error;    // when not ok: names the endpoint and what went wrong
  };
  using DoneFn = std::function<void(Outcome)>;

  TokenClient(SoupSession *session, TokenRequestConfig config);
  ~TokenClient();
  TokenClient(const TokenClient &) = delete;
  TokenClient &operator=(const TokenClient &) = delete;

  // Asks for a token; done runs once, later, from the main loop (never after
  // this object is gone). A request already under way is dropped.
  void request(DoneFn done);
  bool busy() const { return call_ != nullptr; }

 private:
  struct Call;
  static void on_sent(GObject *source, GAsyncResult *result, gpointer data);
  static void on_read(GObject *source, GAsyncResult *result, gpointer data);
  void finish(Outcome outcome);

  rtms::GRef<SoupSession> session_;
  TokenRequestConfig config_;
  std::shared_ptr<Call> call_;
};

}  // namespace gateway
