#include "websocket.h"

#include <fcntl.h>
#include <gio/gio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "common/gref.h"
#include "protocol/base64.h"

namespace rtms {

namespace {

constexpr unsigned kConnectTimeoutMs = 30000;   // TCP + TLS + upgrade
constexpr unsigned kCloseTimeoutMs = 2000;      // wait for the server's close frame
constexpr size_t kMaxResponseHead = 16 * 1024;  // the upgrade answer's header
constexpr size_t kReadChunk = 64 * 1024;
constexpr const char *kUserAgent = "gst-rtms/0.1";

uint32_t random_u32() {
  uint32_t value = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char *>(&value), sizeof value) != 1)
    value = g_random_int();
  return value;
}

}  // namespace

const char *to_string(TransportFailure::Kind kind) {
  switch (kind) {
    case TransportFailure::Kind::Url: return "url";
    case TransportFailure::Kind::Resolve: return "resolve";
    case TransportFailure::Kind::Connect: return "connect";
    case TransportFailure::Kind::Tls: return "tls";
    case TransportFailure::Kind::TlsUntrusted: return "tls-untrusted";
    case TransportFailure::Kind::Upgrade: return "upgrade";
    case TransportFailure::Kind::Timeout: return "timeout";
    case TransportFailure::Kind::Io: return "io";
    case TransportFailure::Kind::Proxy: return "proxy";
  }
  return "unknown";
}

TransportFactory websocket_transport_factory() {
  return [](const TransportParams &params, TransportEvents &events) {
    return std::unique_ptr<Transport>(std::make_unique<WebSocket>(params, events));
  };
}

struct WebSocket::Impl {
  enum class State {
    Idle,
    Resolving,
    Connecting,
    ProxyTunnel,  // CONNECT sent to the HTTP proxy, waiting for its answer
    TlsHandshake,
    Upgrading,
    Open,
    Closing,
    Closed
  };

  Impl(WebSocket &o, const TransportParams &p, TransportEvents &e)
      : owner(o), network(*p.network), tls_ctx(p.tls), reader(p.max_message_size),
        events(&e), lc(p.log), proxy(p.proxy) {}

  ~Impl() {
    *alive = false;
    closed_reported = true;
    events = nullptr;  // nothing reaches the user from here on
    if (cancellable) g_cancellable_cancel(cancellable.get());
    cancel_timer();
    if (state == State::Open) {
      // A best-effort goodbye: one non-blocking write, no waiting.
      queue_frame(WsOpcode::Close, ws_close_payload(kWsCloseGoingAway, ""));
      flush();
    }
    shut_down();
  }

  WebSocket &owner;
  NetworkThread &network;
  SslCtxPtr tls_ctx;
  WsFrameReader reader;
  TransportEvents *events;  // null once this is being destroyed
  const log::Context *lc;  // tags this socket's log lines (may be null)
  std::optional<HttpProxy> proxy;  // through this HTTP proxy, or directly
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);

  State state = State::Idle;
  bool connecting = false;  // connect() was called and has not answered yet
  std::string shown_url;  // the URL without its query, for messages and logs
  GRef<GCancellable> cancellable;
  std::vector<GRef<GInetAddress>> addresses;
  size_t address_index = 0;
  std::string last_connect_error;
  bool secure = false;
  std::string host, host_header, path;
  int port = 0;
  // Where the TCP connection goes: the server, or the proxy.
  std::string dial_host;
  int dial_port = 0;
  int fd = -1;
  SslPtr ssl;
  SocketReadState socket_read;  // updated by every read of fd
  FdWatcher::Watch *fd_watch = nullptr;
  TimerSet::Id timer = 0;
  std::string key;
  std::string head;        // the upgrade answer as it arrives
  std::string out;         // bytes still to write
  size_t out_offset = 0;
  bool close_sent = false;
  bool closed_reported = false;

  // ---- plumbing ---------------------------------------------------------
  GIOCondition watched = GIOCondition(0);

  void watch(GIOCondition condition) {
    if (fd_watch && condition == watched) return;
    watched = condition;
    if (!fd_watch) {
      fd_watch = network.sockets().add(fd, condition, [this](GIOCondition c) { on_io(c); });
      if (!fd_watch) {
        io_error = "cannot watch the socket";
        // Reported from the main loop, not from inside this call.
        start_timer(0, [this] { connection_failed(); });
      }
    } else {
      network.sockets().modify(fd_watch, condition);
    }
  }

  GIOCondition wanted_while_open() const {
    return GIOCondition(G_IO_IN | G_IO_HUP | G_IO_ERR |
                        (out_offset < out.size() ? G_IO_OUT : 0));
  }

  // One timer at a time (connecting, closing); it clears itself when it fires.
  void start_timer(unsigned ms, std::function<void()> fired) {
    cancel_timer();
    timer = network.add_timeout(ms, [this, fired = std::move(fired)] {
      timer = 0;
      fired();
    });
  }

  void cancel_timer() {
    if (!timer) return;
    network.cancel_timeout(timer);
    timer = 0;
  }

  void shut_down() {
    if (fd_watch) network.sockets().remove(fd_watch);
    fd_watch = nullptr;
    if (ssl && (state == State::Open || state == State::Closing) && io_error.empty())
      SSL_shutdown(ssl.get());
    ssl.reset();
    if (fd >= 0) ::close(fd);
    fd = -1;
  }

  // ---- connecting -------------------------------------------------------
  bool parse_url(const std::string &url, std::string *error) {
    GError *err = nullptr;
    GUri *uri = g_uri_parse(url.c_str(), G_URI_FLAGS_ENCODED, &err);
    if (!uri) {
      *error = "'" + url + "' is not a valid WebSocket URL (" + err->message + ")";
      g_error_free(err);
      return false;
    }
    const char *scheme = g_uri_get_scheme(uri);
    const char *h = g_uri_get_host(uri);
    bool ok = true;
    if (g_ascii_strcasecmp(scheme, "wss") == 0 || g_ascii_strcasecmp(scheme, "https") == 0) {
      secure = true;
    } else if (g_ascii_strcasecmp(scheme, "ws") != 0 && g_ascii_strcasecmp(scheme, "http") != 0) {
      *error = "'" + url + "' is not a WebSocket URL (the scheme must be ws:// or wss://)";
      ok = false;
    }
    if (ok && (!h || !*h)) {
      *error = "'" + url + "' names no host";
      ok = false;
    }
    if (ok) {
      host = h;
      port = g_uri_get_port(uri) > 0 ? g_uri_get_port(uri) : (secure ? 443 : 80);
      bool ipv6 = host.find(':') != std::string::npos;
      host_header = ipv6 ? "[" + host + "]" : host;
      if (port != (secure ? 443 : 80)) host_header += ":" + std::to_string(port);
      path = *g_uri_get_path(uri) ? g_uri_get_path(uri) : "/";
      if (g_uri_get_query(uri)) path += std::string("?") + g_uri_get_query(uri);
    }
    g_uri_unref(uri);
    return ok;
  }

  const char *label() const { return owner.label_.c_str(); }

  std::string describe(const std::string &what) const {
    return "cannot open the " + owner.label_ + " WebSocket " + shown_url + ": " + what;
  }

  // Ends connecting with a failure of this kind; what is the cause in words.
  void fail_connect(TransportFailure::Kind kind, const std::string &what,
                    std::string tls_cause = std::string(), int http_status = 0) {
    TransportFailure failure;
    failure.kind = kind;
    failure.message = describe(what);
    failure.tls_cause = std::move(tls_cause);
    failure.http_status = http_status;
    RTMS_LOG(WebSocket, Warning, lc, "%s: connecting failed (%s): %s", label(), to_string(kind),
             failure.message.c_str());
    finish_connect(&failure);
  }

  void connect() {
    connecting = true;
    shown_url = log::log_url(owner.url_);
    std::string error;
    if (!parse_url(owner.url_, &error)) {
      TransportFailure failure;
      failure.kind = TransportFailure::Kind::Url;
      failure.message = error;
      RTMS_LOG(WebSocket, Warning, lc, "%s: %s", label(), shown_url.c_str());
      finish_connect(&failure);
      return;
    }
    if (secure && !tls_ctx) {
      fail_connect(TransportFailure::Kind::Tls, "no TLS context", "no TLS context");
      return;
    }
    dial_host = proxy ? proxy->host : host;
    dial_port = proxy ? proxy->port : port;
    if (proxy)
      RTMS_LOG(WebSocket, Debug, lc, "%s: connecting to %s through the HTTP proxy %s", label(),
               shown_url.c_str(), proxy->shown().c_str());
    else
      RTMS_LOG(WebSocket, Debug, lc, "%s: connecting to %s", label(), shown_url.c_str());
    start_timer(kConnectTimeoutMs, [this] {
      fail_connect(TransportFailure::Kind::Timeout,
                   "no WebSocket connection within " + std::to_string(kConnectTimeoutMs / 1000) +
                       " s");
    });
    GInetAddress *literal = g_inet_address_new_from_string(dial_host.c_str());
    if (literal) {
      addresses.push_back(GRef<GInetAddress>::adopt(literal));
      try_next_address();
      return;
    }
    state = State::Resolving;
    RTMS_LOG(WebSocket, Debug, lc, "%s: resolving %s", label(), dial_host.c_str());
    cancellable = GRef<GCancellable>::adopt(g_cancellable_new());
    struct Lookup {
      std::shared_ptr<bool> alive;
      Impl *self;
    };
    GResolver *resolver = g_resolver_get_default();
    // The answer comes on this thread's context: it is the thread default
    // of the network thread.
    g_resolver_lookup_by_name_async(
        resolver, dial_host.c_str(), cancellable.get(),
        [](GObject *src, GAsyncResult *res, gpointer data) {
          std::unique_ptr<Lookup> lookup(static_cast<Lookup *>(data));
          GError *err = nullptr;
          GList *list = g_resolver_lookup_by_name_finish(G_RESOLVER(src), res, &err);
          if (*lookup->alive) lookup->self->on_resolved(list, err);
          g_resolver_free_addresses(list);
          g_clear_error(&err);
        },
        std::make_unique<Lookup>(Lookup{alive, this}).release());
    g_object_unref(resolver);
  }

  void on_resolved(GList *list, GError *err) {
    if (!list) {
      std::string cause = err ? err->message : "no address";
      if (proxy)
        fail_connect(TransportFailure::Kind::Proxy,
                     "cannot resolve the HTTP proxy " + proxy->shown() + ": " + cause);
      else
        fail_connect(TransportFailure::Kind::Resolve, "cannot resolve " + host + ": " + cause);
      return;
    }
    for (GList *l = list; l; l = l->next)
      addresses.push_back(GRef<GInetAddress>::share(G_INET_ADDRESS(l->data)));
    RTMS_LOG(WebSocket, Debug, lc, "%s: %s resolved to %zu address(es)", label(),
             dial_host.c_str(), addresses.size());
    try_next_address();
  }

  void try_next_address() {
    while (address_index < addresses.size()) {
      GInetAddress *address = addresses[address_index++].get();
      GSocketAddress *sa = g_inet_socket_address_new(address, guint16(dial_port));
      struct sockaddr_storage native;
      gssize len = g_socket_address_get_native_size(sa);
      bool ok = len > 0 && g_socket_address_to_native(sa, &native, sizeof native, nullptr);
      g_object_unref(sa);
      if (!ok) continue;
      int family = native.ss_family;
      fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        last_connect_error = g_strerror(errno);
        continue;
      }
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      if (::connect(fd, reinterpret_cast<struct sockaddr *>(&native), socklen_t(len)) == 0 ||
          errno == EINPROGRESS) {
        if (log::enabled(log::Category::WebSocket, log::Level::Debug)) {
          gchar *ip = g_inet_address_to_string(address);
          RTMS_LOG(WebSocket, Debug, lc, "%s: TCP connection to %s port %d (socket %d)", label(),
                   ip, dial_port, fd);
          g_free(ip);
        }
        state = State::Connecting;
        watch(GIOCondition(G_IO_OUT | G_IO_ERR | G_IO_HUP));
        return;
      }
      last_connect_error = g_strerror(errno);
      shut_down();
    }
    std::string cause = last_connect_error.empty() ? "no usable address" : last_connect_error;
    if (proxy)
      fail_connect(TransportFailure::Kind::Proxy,
                   "cannot connect to the HTTP proxy " + proxy->shown() + ": " + cause);
    else
      fail_connect(TransportFailure::Kind::Connect, "cannot connect to " + host_header + ": " + cause);
  }

  void on_connect_ready() {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      last_connect_error = g_strerror(err);
      RTMS_LOG(WebSocket, Debug, lc, "%s: TCP connection failed: %s", label(),
               last_connect_error.c_str());
      shut_down();
      try_next_address();
      return;
    }
    if (proxy) {
      RTMS_LOG(WebSocket, Debug, lc, "%s: TCP connected to the HTTP proxy %s", label(),
               proxy->shown().c_str());
      begin_tunnel();
      return;
    }
    RTMS_LOG(WebSocket, Debug, lc, "%s: TCP connected to %s", label(), host_header.c_str());
    start_server_side();
  }

  // The TCP connection reaches the server (directly or through the tunnel):
  // TLS if the URL says so, then the upgrade.
  void start_server_side() {
    if (secure) {
      ssl = new_tls_connection(tls_ctx.get(), host, fd, &socket_read);
      if (!ssl) {
        fail_connect(TransportFailure::Kind::Tls, "cannot set up TLS", "cannot set up TLS");
        return;
      }
      RTMS_LOG(Tls, Debug, lc, "%s: TLS handshake with %s (server name and certificate %s)",
               label(), host.c_str(), tls_verifies_peer(ssl.get()) ? "checked" : "NOT checked");
      state = State::TlsHandshake;
      continue_tls_handshake();
    } else {
      begin_upgrade();
    }
  }

  void continue_tls_handshake() {
    clear_stale_tls_errors();
    int r = SSL_connect(ssl.get());
    if (r == 1) {
      if (tls_verifies_peer(ssl.get())) {
        RTMS_LOG(Tls, Info, lc, "%s: TLS established with %s (%s), certificate verified",
                 label(), host.c_str(), describe_tls_session(ssl.get()).c_str());
      } else {
        RTMS_LOG(Tls, Warning, lc,
                 "%s: TLS established with %s (%s) WITHOUT verifying its certificate "
                 "(ssl-strict=false): the server is not authenticated",
                 label(), host.c_str(), describe_tls_session(ssl.get()).c_str());
      }
      begin_upgrade();
      return;
    }
    int e = SSL_get_error(ssl.get(), r);
    if (e == SSL_ERROR_WANT_READ) {
      watch(GIOCondition(G_IO_IN | G_IO_ERR | G_IO_HUP));
    } else if (e == SSL_ERROR_WANT_WRITE) {
      watch(GIOCondition(G_IO_OUT | G_IO_ERR | G_IO_HUP));
    } else {
      TlsFailure failure = describe_tls_failure(ssl.get(), e);
      RTMS_LOG(Tls, Warning, lc, "%s: TLS handshake with %s failed: %s", label(), host.c_str(),
               failure.cause.c_str());
      fail_connect(failure.untrusted ? TransportFailure::Kind::TlsUntrusted
                                     : TransportFailure::Kind::Tls,
                   failure.message, failure.cause);
    }
  }

  // ---- the HTTP proxy's tunnel --------------------------------------------
  void begin_tunnel() {
    out = http_connect_request(*proxy, host, port, kUserAgent);
    out_offset = 0;
    if (out.empty()) {
      fail_connect(TransportFailure::Kind::Url,
                   "the host " + host + " cannot be asked of an HTTP proxy");
      return;
    }
    state = State::ProxyTunnel;
    RTMS_LOG(WebSocket, Debug, lc, "%s: asking the HTTP proxy %s for a tunnel to %s%s", label(),
             proxy->shown().c_str(), host_header.c_str(),
             proxy->has_credentials ? " (with credentials)" : "");
    if (!flush()) return;
    watch(wanted_while_open());
  }

  // Reads the proxy's answer to CONNECT. Nothing may follow it: the server
  // speaks only after us (the TLS ClientHello, or the upgrade request).
  void read_tunnel_answer() {
    char buf[1024];
    for (;;) {
      long n = read_some(buf, sizeof buf);
      if (n == kWouldBlock) return;
      std::string via = "the HTTP proxy " + proxy->shown();
      if (n <= 0) {
        fail_connect(TransportFailure::Kind::Proxy,
                     n == 0 ? via + " closed the connection instead of answering CONNECT"
                            : "the connection to " + via + " failed: " + io_error);
        return;
      }
      head.append(buf, size_t(n));
      size_t head_len = ws_response_head_length(head);
      if (head_len == 0) {
        if (head.size() > kMaxConnectAnswerHead) {
          fail_connect(TransportFailure::Kind::Proxy, via + " sent an answer to CONNECT with no end");
          return;
        }
        continue;
      }
      Result<ConnectAnswer> answer = parse_connect_answer(std::string_view(head).substr(0, head_len));
      if (!answer) {
        fail_connect(TransportFailure::Kind::Proxy,
                     via + " did not answer CONNECT in HTTP: " + answer.error().message);
        return;
      }
      if (!answer->ok()) {
        std::string hint;
        if (answer->status == 407)
          hint = proxy->has_credentials ? " (it refused the credentials in the proxy URL)"
                                        : " (it wants credentials: http://user:password@host:port)";
        fail_connect(TransportFailure::Kind::Proxy,
                     via + " refused the tunnel to " + host_header + ": " + answer->describe() + hint,
                     std::string(), answer->status);
        return;
      }
      if (head.size() > head_len) {
        fail_connect(TransportFailure::Kind::Proxy,
                     via + " sent data after its answer to CONNECT, before the server could speak");
        return;
      }
      head.clear();
      RTMS_LOG(WebSocket, Debug, lc, "%s: tunnel to %s open through %s (%s)", label(),
               host_header.c_str(), proxy->shown().c_str(), answer->describe().c_str());
      start_server_side();
      return;
    }
  }

  void begin_upgrade() {
    state = State::Upgrading;
    unsigned char raw[16];
    for (int i = 0; i < 4; ++i) {
      uint32_t r = random_u32();
      std::memcpy(raw + 4 * i, &r, 4);
    }
    key = base64_encode(raw, sizeof raw);
    out = ws_upgrade_request(host_header, path, key, kUserAgent);
    out_offset = 0;
    RTMS_LOG(WebSocket, Debug, lc, "%s: HTTP upgrade request for %s", label(), shown_url.c_str());
    if (!flush()) return;
    watch(wanted_while_open());
  }

  // Reads the upgrade answer; the bytes after its head are frames already.
  void read_upgrade_answer() {
    char buf[4096];
    for (;;) {
      long n = read_some(buf, sizeof buf);
      if (n == kWouldBlock) return;
      if (n <= 0) {
        fail_connect(TransportFailure::Kind::Io,
                     n == 0 ? "the server closed the connection during the WebSocket handshake"
                            : "the connection failed during the WebSocket handshake: " + io_error,
                     tls_io_cause);
        return;
      }
      head.append(buf, size_t(n));
      size_t head_len = ws_response_head_length(head);
      if (head_len == 0) {
        if (head.size() > kMaxResponseHead) {
          fail_connect(TransportFailure::Kind::Upgrade,
                       "the server's answer to the WebSocket upgrade has no end",
                       std::string(), http_status_of(head));
          return;
        }
        continue;
      }
      std::string why = ws_check_upgrade_response(std::string_view(head).substr(0, head_len), key);
      if (!why.empty()) {
        fail_connect(TransportFailure::Kind::Upgrade, why, std::string(), http_status_of(head));
        return;
      }
      std::string rest = head.substr(head_len);
      head.clear();
      head.shrink_to_fit();
      state = State::Open;
      RTMS_LOG(WebSocket, Info, lc, "%s: WebSocket open to %s", label(), shown_url.c_str());
      watch(wanted_while_open());
      auto token = alive;
      finish_connect(nullptr);
      if (!*token) return;
      if (!rest.empty()) {
        reader.feed(rest.data(), rest.size());
        if (!deliver_frames()) return;
      }
      // More may be waiting in OpenSSL's buffer, which poll cannot see.
      read_frames();
      return;
    }
  }

  // The HTTP status of an upgrade answer ("HTTP/1.1 404 ..."), 0 if none.
  static int http_status_of(const std::string &answer) {
    int major = 0, minor = 0, status = 0;
    if (sscanf(answer.c_str(), "HTTP/%d.%d %d", &major, &minor, &status) == 3) return status;
    return 0;
  }

  // ---- I/O ----------------------------------------------------------------
  static constexpr long kWouldBlock = -2;
  std::string io_error;
  std::string tls_io_cause;  // OpenSSL's reason for the last TLS I/O failure

  void tls_io_failed(int ssl_error, const char *what) {
    TlsFailure failure = describe_tls_failure(ssl.get(), ssl_error);
    io_error = failure.message;
    tls_io_cause = failure.cause;
    RTMS_LOG(Tls, Warning, lc, "%s: TLS %s failed: %s", label(), what, failure.cause.c_str());
  }

  // > 0 bytes, 0 end of stream, -1 error (io_error says), kWouldBlock.
  long read_some(char *buf, size_t size) {
    if (ssl) {
      clear_stale_tls_errors();
      int n = SSL_read(ssl.get(), buf, int(std::min<size_t>(size, 1 << 30)));
      if (n > 0) return n;
      int e = SSL_get_error(ssl.get(), n);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return kWouldBlock;
      if (e == SSL_ERROR_ZERO_RETURN) return 0;
      if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && errno == 0) return 0;
      tls_io_failed(e, "read");
      return -1;
    }
    ssize_t n = ::recv(fd, buf, size, 0);
    socket_read.drained = n < ssize_t(size);
    if (n >= 0) return long(n);
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return kWouldBlock;
    io_error = g_strerror(errno);
    return -1;
  }

  // Writes what is queued; false when the connection failed (reported).
  bool flush() {
    while (out_offset < out.size()) {
      const char *data = out.data() + out_offset;
      size_t size = out.size() - out_offset;
      long n;
      if (ssl) {
        clear_stale_tls_errors();
        int r = SSL_write(ssl.get(), data, int(std::min<size_t>(size, 1 << 30)));
        if (r > 0) {
          n = r;
        } else {
          int e = SSL_get_error(ssl.get(), r);
          if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) break;
          tls_io_failed(e, "write");
          n = -1;
        }
      } else {
        ssize_t r = ::send(fd, data, size, MSG_NOSIGNAL);
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
        if (r < 0) io_error = g_strerror(errno);
        n = long(r);
      }
      if (n < 0) {
        connection_failed();
        return false;
      }
      out_offset += size_t(n);
    }
    if (out_offset == out.size()) {
      out.clear();
      out_offset = 0;
    }
    return true;
  }

  void queue_frame(WsOpcode opcode, std::string_view payload) {
    out += ws_encode_frame(opcode, payload, random_u32());
  }

  // Every step below may end in a callback that destroys this object, so
  // nothing is touched after one without checking the token.
  void on_io(GIOCondition ready) {
    auto token = alive;
    switch (state) {
      case State::Connecting: on_connect_ready(); return;
      case State::ProxyTunnel: {
        if ((ready & G_IO_OUT) && !flush()) return;
        if (out_offset < out.size()) return;
        read_tunnel_answer();
        if (*token && state == State::ProxyTunnel) watch(wanted_while_open());
        return;
      }
      case State::TlsHandshake: continue_tls_handshake(); return;
      case State::Upgrading: {
        if ((ready & G_IO_OUT) && !flush()) return;
        if (out_offset < out.size()) return;
        read_upgrade_answer();
        if (*token && state == State::Upgrading) watch(wanted_while_open());
        return;
      }
      case State::Open:
      case State::Closing: {
        if ((ready & G_IO_OUT) && !flush()) return;
        if (!*token || (state != State::Open && state != State::Closing)) return;
        read_frames();
        if (*token && (state == State::Open || state == State::Closing))
          watch(wanted_while_open());
        return;
      }
      default: return;
    }
  }

  // Reads until the socket (and OpenSSL's buffer) is empty, delivering each
  // message as soon as its frame is complete. A short read means the socket
  // is empty: stopping there instead of reading again until EAGAIN saves a
  // system call per wake-up, and the level-triggered watch reports any data
  // that arrives meanwhile.
  void read_frames() {
    socket_read.drained = false;
    for (;;) {
      if (socket_read.drained && !(ssl && SSL_has_pending(ssl.get()))) return;
      size_t available = 0;
      char *area = reader.write_area(kReadChunk / 4, &available);
      long n = read_some(area, std::min(available, kReadChunk));
      if (n == kWouldBlock) return;
      if (n == 0) {
        report_closed(kWsCloseAbnormal, "the connection ended without a close frame");
        return;
      }
      if (n < 0) {
        connection_failed();
        return;
      }
      reader.commit(size_t(n));
      if (!deliver_frames()) return;
    }
  }

  // false when the socket closed or we are gone.
  bool deliver_frames() {
    auto token = alive;
    WsFrameReader::Item item;
    for (;;) {
      auto status = reader.next(&item);
      if (status == WsFrameReader::Status::NeedMore) return true;
      if (status == WsFrameReader::Status::Message) {
        RTMS_LOG(WebSocket, Trace, lc, "%s: message of %zu bytes", label(), item.payload.size());
        if (events) events->on_transport_message(item.payload);
        if (!*token) return false;
        if (state == State::Closed) return false;
        continue;
      }
      if (status == WsFrameReader::Status::Error) {
        RTMS_LOG(WebSocket, Warning, lc,
                 "%s: the server broke the WebSocket protocol: %s; failing the connection with "
                 "close code %d",
                 label(), item.error.c_str(), int(item.close_code));
        if (!close_sent) {
          queue_frame(WsOpcode::Close, ws_close_payload(item.close_code, item.error));
          close_sent = true;
          flush();
          if (!*token || state == State::Closed) return false;
        }
        report_closed(item.close_code, item.error);
        return false;
      }
      // A control frame.
      if (item.opcode == WsOpcode::Ping) {
        RTMS_LOG(WebSocket, Log, lc, "%s: ping (%zu bytes), answering with a pong", label(),
                 item.payload.size());
        queue_frame(WsOpcode::Pong, item.payload);
        if (!flush()) return false;
      } else if (item.opcode == WsOpcode::Close) {
        int code = kWsCloseNoStatus;
        std::string reason;
        if (item.payload.size() >= 2) {
          code = (uint8_t(item.payload[0]) << 8) | uint8_t(item.payload[1]);
          reason.assign(item.payload.substr(2));
        }
        RTMS_LOG(WebSocket, Debug, lc, "%s: close frame from the server: code %d%s%s%s", label(),
                 code, reason.empty() ? "" : " \"", reason.c_str(), reason.empty() ? "" : "\"");
        if (!close_sent) {
          // Echo it, as the protocol asks, before the socket goes.
          queue_frame(WsOpcode::Close, item.payload.substr(0, 2));
          close_sent = true;
          flush();
          if (!*token || state == State::Closed) return false;
        }
        report_closed(code, reason);
        return false;
      }
    }
  }

  void connection_failed() {
    if (state == State::ProxyTunnel) {
      fail_connect(TransportFailure::Kind::Proxy,
                   "the connection to the HTTP proxy " + proxy->shown() + " failed: " + io_error);
      return;
    }
    if (state != State::Open && state != State::Closing) {
      fail_connect(TransportFailure::Kind::Io,
                   "the connection failed during the WebSocket handshake: " + io_error,
                   tls_io_cause);
      return;
    }
    RTMS_LOG(WebSocket, Warning, lc, "%s: the connection failed: %s", label(),
             io_error.empty() ? "unknown reason" : io_error.c_str());
    report_closed(kWsCloseAbnormal, io_error.empty() ? "the connection failed" : io_error);
  }

  void report_closed(int code, const std::string &reason) {
    cancel_timer();
    shut_down();
    state = State::Closed;
    if (closed_reported) return;
    closed_reported = true;
    RTMS_LOG(WebSocket, Info, lc, "%s: closed, close code %d (%s)", label(), code,
             reason.empty() ? "no reason" : reason.c_str());
    if (events) events->on_transport_closed(code, reason);
  }

  void close(unsigned short code) {
    if (state != State::Open) return;
    state = State::Closing;
    RTMS_LOG(WebSocket, Debug, lc, "%s: closing with close code %u", label(), unsigned(code));
    if (!close_sent) {
      queue_frame(WsOpcode::Close, ws_close_payload(code, ""));
      close_sent = true;
      if (!flush()) return;
      if (state == State::Closed) return;
      watch(wanted_while_open());
    }
    start_timer(kCloseTimeoutMs, [this] {
      report_closed(kWsCloseNormal, "closed (the server did not answer the close frame)");
    });
  }

  void finish_connect(const TransportFailure *failure) {
    cancel_timer();
    if (failure) {
      shut_down();
      state = State::Closed;
      closed_reported = true;  // a failed connect reports through on_transport_failed only
    }
    if (!connecting || !events) return;
    connecting = false;
    if (failure)
      events->on_transport_failed(*failure);
    else
      events->on_transport_open();
  }
};

WebSocket::WebSocket(const TransportParams &params, TransportEvents &events)
    : url_(params.url), label_(params.label) {
  impl_ = std::make_unique<Impl>(*this, params, events);
}

WebSocket::~WebSocket() = default;

void WebSocket::connect() { impl_->connect(); }

bool WebSocket::is_open() const { return impl_->state == Impl::State::Open; }

bool WebSocket::tls_unverified() const {
  return impl_->secure && impl_->ssl && !tls_verifies_peer(impl_->ssl.get());
}

const std::string &WebSocket::host() const { return impl_->host; }

void WebSocket::send(const std::string &frame, FrameKind kind) {
  if (!is_open()) return;
  impl_->queue_frame(kind == FrameKind::Binary ? WsOpcode::Binary : WsOpcode::Text, frame);
  if (impl_->flush() && impl_->state == Impl::State::Open) impl_->watch(impl_->wanted_while_open());
}

void WebSocket::close() { impl_->close(kWsCloseNormal); }

void WebSocket::read_pending() {
  if (impl_->state == Impl::State::Open || impl_->state == Impl::State::Closing)
    impl_->read_frames();
}

}  // namespace rtms
