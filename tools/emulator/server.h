// The one HTTP(S) server Zoom's two endpoints share here: WebSocket paths
// /signaling and /media on a single port.
#pragma once

#include <functional>
#include <string>

#include <libsoup/soup.h>

#include "certificates.h"
#include "common/gref.h"

namespace emulator {

// Where the server keeps a WebSocket's GSocket (object data on the
// SoupWebsocketConnection).
constexpr const char *kSocketKey = "rtms-emulator-socket";

class Server {
 public:
  using WebsocketFn = std::function<void(SoupWebsocketConnection *connection)>;

  Server(WebsocketFn on_signaling, WebsocketFn on_media);
  ~Server();
  Server(const Server &) = delete;
  Server &operator=(const Server &) = delete;

  // Listens on host:port (port 0 picks one); with `tls`, serves wss://.
  // Without `websocket_extensions`, no WebSocket extension is negotiated
  // (Zoom's servers offer none; libsoup would accept permessage-deflate).
  bool start(const std::string &host, int port, const CertificateFiles *tls, bool websocket_extensions,
             std::string *error);

  std::string signaling_url() const { return base_url_ + "/signaling"; }
  std::string media_url() const { return base_url_ + "/media"; }
  // The same host and port for plain requests: http(s)://host:port + path.
  std::string http_url(const std::string &path) const {
    bool tls = base_url_.rfind("wss://", 0) == 0;
    return (tls ? "https://" + base_url_.substr(6) : "http://" + base_url_.substr(5)) + path;
  }
  // Further endpoints (event_service.h) register on it.
  SoupServer *soup_server() const { return server_.get(); }

 private:
  static void on_websocket(SoupServer *, SoupServerMessage *, const char *path,
                           SoupWebsocketConnection *connection, gpointer self);

  WebsocketFn on_signaling_;
  WebsocketFn on_media_;
  rtms::GRef<SoupServer> server_;
  std::string base_url_;  // ws(s)://host:port
};

}  // namespace emulator
