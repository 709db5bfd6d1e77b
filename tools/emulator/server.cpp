#include "server.h"

#include <cstring>
#include <exception>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "log.h"

namespace emulator {
namespace {

rtms::GRef<GSocketAddress> resolve(const std::string &host, int port, std::string *error) {
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string(host.c_str());
  if (address == nullptr) {
    g_autoptr(GResolver) resolver = g_resolver_get_default();
    g_autoptr(GError) gerror = nullptr;
    GList *found = g_resolver_lookup_by_name(resolver, host.c_str(), nullptr, &gerror);
    if (found == nullptr) {
      *error = "cannot resolve --host " + host + ": " + (gerror ? gerror->message : "no address");
      return nullptr;
    }
    // Prefer IPv4, which is what "localhost" means to most test clients.
    GInetAddress *chosen = static_cast<GInetAddress *>(found->data);
    for (GList *l = found; l != nullptr; l = l->next)
      if (g_inet_address_get_family(static_cast<GInetAddress *>(l->data)) == G_SOCKET_FAMILY_IPV4) {
        chosen = static_cast<GInetAddress *>(l->data);
        break;
      }
    address = static_cast<GInetAddress *>(g_object_ref(chosen));
    g_resolver_free_addresses(found);
  }
  return rtms::adopt(g_inet_socket_address_new(address, static_cast<guint16>(port)));
}

// Connections the kernel queues before the emulator accepts them (it caps
// this at net.core.somaxconn).
constexpr int kListenBacklog = 4096;

}  // namespace

Server::Server(WebsocketFn on_signaling, WebsocketFn on_media)
    : on_signaling_(std::move(on_signaling)), on_media_(std::move(on_media)) {}

Server::~Server() {
  if (server_) soup_server_disconnect(server_.get());
}

bool Server::start(const std::string &host, int port, const CertificateFiles *tls, bool websocket_extensions,
                   std::string *error) {
  server_ = rtms::adopt(SOUP_SERVER(g_object_new(SOUP_TYPE_SERVER, "server-header", "rtms-emulator", nullptr)));
  // A SoupServer accepts permessage-deflate whenever a client offers it.
  // Zoom documents no compression, and a client measured against a server
  // that compresses pays an inflate per message that Zoom would not ask
  // of it, so by default the offer is declined (the handshake still
  // succeeds, without the extension).
  if (!websocket_extensions)
    soup_server_remove_websocket_extension(server_.get(), SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
  if (tls != nullptr) {
    g_autoptr(GError) gerror = nullptr;
    g_autoptr(GTlsCertificate) certificate =
        g_tls_certificate_new_from_files(tls->cert_file.c_str(), tls->key_file.c_str(), &gerror);
    if (certificate == nullptr) {
      *error = "cannot load the generated certificate: " + std::string(gerror->message);
      return false;
    }
    soup_server_set_tls_certificate(server_.get(), certificate);
  }
  // No origin check: RTMS clients are servers, not browsers.
  soup_server_add_websocket_handler(server_.get(), "/signaling", nullptr, nullptr, &Server::on_websocket, this,
                                    nullptr);
  soup_server_add_websocket_handler(server_.get(), "/media", nullptr, nullptr, &Server::on_websocket, this,
                                    nullptr);

  rtms::GRef<GSocketAddress> address = resolve(host, port, error);
  if (!address) return false;
  g_autoptr(GError) gerror = nullptr;
  SoupServerListenOptions flags = tls != nullptr ? SOUP_SERVER_LISTEN_HTTPS : static_cast<SoupServerListenOptions>(0);
  // Our own listening socket, for its backlog: GLib's default of 10
  // pending connections is far too few when hundreds of clients (one
  // signaling and one media socket per stream) connect at once; the
  // kernel drops the surplus SYNs and the clients retry only after 1, 3,
  // 7 … seconds.
  g_autoptr(GSocket) socket = g_socket_new(g_socket_address_get_family(address.get()), G_SOCKET_TYPE_STREAM,
                                           G_SOCKET_PROTOCOL_TCP, &gerror);
  if (socket != nullptr) {
    g_socket_set_listen_backlog(socket, kListenBacklog);
    if (!g_socket_bind(socket, address.get(), TRUE, &gerror) || !g_socket_listen(socket, &gerror) ||
        !soup_server_listen_socket(server_.get(), socket, flags, &gerror))
      g_clear_object(&socket);
  }
  if (socket == nullptr) {
    *error = "cannot listen on " + host + ":" + std::to_string(port) + ": " +
             (gerror != nullptr ? gerror->message : "unknown error");
    return false;
  }
  // The actual port when 0 was asked for.
  GSList *uris = soup_server_get_uris(server_.get());
  int bound = port;
  if (uris != nullptr) bound = g_uri_get_port(static_cast<GUri *>(uris->data));
  g_slist_free_full(uris, reinterpret_cast<GDestroyNotify>(g_uri_unref));
  // IPv6 literals need brackets in a URL.
  std::string url_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  base_url_ = std::string(tls != nullptr ? "wss://" : "ws://") + url_host + ":" + std::to_string(bound);
  return true;
}

void Server::on_websocket(SoupServer *, SoupServerMessage *message, const char *path,
                          SoupWebsocketConnection *connection, gpointer data) {
  auto *self = static_cast<Server *>(data);
  // Media goes out as many small frames; Nagle's algorithm would hold each
  // one back until the client acknowledges the previous, adding up to a
  // delayed-ACK period (~40 ms) of jitter that Zoom's servers do not have.
  if (GSocket *socket = soup_server_message_get_socket(message)) {
    g_socket_set_option(socket, IPPROTO_TCP, TCP_NODELAY, 1, nullptr);
    // WsConnection finds it here to coalesce a burst (--coalesce).
    g_object_set_data_full(G_OBJECT(connection), kSocketKey, g_object_ref(socket), g_object_unref);
  }
  try {
    if (std::strcmp(path, "/signaling") == 0) self->on_signaling_(connection);
    else self->on_media_(connection);
  } catch (const std::exception &e) {
    tools::log_error("cannot accept a WebSocket on %s: %s", path, e.what());
  } catch (...) {
    tools::log_error("cannot accept a WebSocket on %s", path);
  }
}

}  // namespace emulator
