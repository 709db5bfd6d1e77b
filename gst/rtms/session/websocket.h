// One client WebSocket over libsoup, used from the session thread only.
// Callbacks never outlive the object: destroying it cancels a pending
// connect and disconnects every signal first.
#pragma once

#include <libsoup/soup.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "gref.h"

namespace rtms {

struct WebSocketHandlers {
  // A text or binary frame; RTMS sends JSON in both.
  std::function<void(std::string_view payload)> on_message;
  // The connection closed, by either side. code is the WebSocket close code
  // (0 when none was received).
  std::function<void(int code, const std::string &reason)> on_closed;
};

class WebSocket {
 public:
  // label names the socket in logs ("signaling", "media(audio)").
  WebSocket(SoupSession *session, std::string url, std::string label,
            bool accept_any_certificate, size_t max_message_size,
            WebSocketHandlers handlers);
  ~WebSocket();
  WebSocket(const WebSocket &) = delete;
  WebSocket &operator=(const WebSocket &) = delete;

  // Starts connecting; on_done gets an empty string on success, else a clear
  // description of what failed (TLS trust problems say so and how to fix
  // them).
  void connect(std::function<void(const std::string &error)> on_done);

  bool is_open() const;
  void send(const std::string &json);
  // Closes with a normal close frame; on_closed still fires.
  void close(unsigned short code = SOUP_WEBSOCKET_CLOSE_NORMAL);

  const std::string &url() const { return url_; }
  const std::string &label() const { return label_; }

 private:
  struct PendingConnect;
  static void on_connected(GObject *source, GAsyncResult *result, gpointer data);
  static gboolean on_accept_certificate(SoupMessage *msg, GTlsCertificate *cert,
                                        GTlsCertificateFlags errors, gpointer self);
  static void on_message_signal(SoupWebsocketConnection *conn, gint type,
                                GBytes *message, gpointer self);
  static void on_closed_signal(SoupWebsocketConnection *conn, gpointer self);
  static void on_error_signal(SoupWebsocketConnection *conn, GError *error,
                              gpointer self);
  void adopt(SoupWebsocketConnection *conn);
  std::string describe_connect_error(const GError *error) const;

  SoupSession *session_;
  std::string url_;
  std::string label_;
  bool accept_any_certificate_;
  size_t max_message_size_;
  WebSocketHandlers handlers_;
  GRef<SoupMessage> message_;       // while connecting
  GRef<GCancellable> cancellable_;
  GRef<SoupWebsocketConnection> connection_;
  std::string last_error_;
  bool closed_reported_ = false;
};

}  // namespace rtms
