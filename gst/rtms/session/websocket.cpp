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

#include "gref.h"
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

struct WebSocket::Impl {
  enum class State { Idle, Resolving, Connecting, TlsHandshake, Upgrading, Open, Closing, Closed };

  Impl(WebSocket &o, NetworkThread &n, SslCtxPtr t, size_t max, WebSocketHandlers h)
      : owner(o), network(n), tls_ctx(std::move(t)), reader(max),
        handlers(std::move(h)) {}

  ~Impl() {
    *alive = false;
    closed_reported = true;  // nothing reaches the handlers from here on
    handlers = WebSocketHandlers();
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
  WebSocketHandlers handlers;
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);

  State state = State::Idle;
  std::function<void(const std::string &)> on_connected;
  GRef<GCancellable> cancellable;
  std::vector<GRef<GInetAddress>> addresses;
  size_t address_index = 0;
  std::string last_connect_error;
  bool secure = false;
  std::string host, host_header, path;
  int port = 0;
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

  std::string describe(const std::string &what) const {
    return "cannot open the " + owner.label_ + " WebSocket " + owner.url_ + ": " + what;
  }

  void connect(std::function<void(const std::string &)> done) {
    on_connected = std::move(done);
    std::string error;
    if (!parse_url(owner.url_, &error)) {
      finish_connect(error);
      return;
    }
    if (secure && !tls_ctx) {
      finish_connect(describe("no TLS context"));
      return;
    }
    start_timer(kConnectTimeoutMs, [this] {
      finish_connect(describe("no WebSocket connection within " +
                              std::to_string(kConnectTimeoutMs / 1000) + " s"));
    });
    GInetAddress *literal = g_inet_address_new_from_string(host.c_str());
    if (literal) {
      addresses.push_back(GRef<GInetAddress>::adopt(literal));
      try_next_address();
      return;
    }
    state = State::Resolving;
    cancellable = GRef<GCancellable>::adopt(g_cancellable_new());
    struct Lookup {
      std::shared_ptr<bool> alive;
      Impl *self;
    };
    GResolver *resolver = g_resolver_get_default();
    // The answer comes on this thread's context: it is the thread default
    // of the network thread.
    g_resolver_lookup_by_name_async(
        resolver, host.c_str(), cancellable.get(),
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
      finish_connect(describe("cannot resolve " + host + ": " +
                              (err ? err->message : "no address")));
      return;
    }
    for (GList *l = list; l; l = l->next)
      addresses.push_back(GRef<GInetAddress>::share(G_INET_ADDRESS(l->data)));
    try_next_address();
  }

  void try_next_address() {
    while (address_index < addresses.size()) {
      GInetAddress *address = addresses[address_index++].get();
      GSocketAddress *sa = g_inet_socket_address_new(address, guint16(port));
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
        state = State::Connecting;
        watch(GIOCondition(G_IO_OUT | G_IO_ERR | G_IO_HUP));
        return;
      }
      last_connect_error = g_strerror(errno);
      shut_down();
    }
    finish_connect(describe("cannot connect to " + host_header + ": " +
                            (last_connect_error.empty() ? "no usable address"
                                                        : last_connect_error)));
  }

  void on_connect_ready() {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      last_connect_error = g_strerror(err);
      shut_down();
      try_next_address();
      return;
    }
    if (secure) {
      ssl = new_tls_connection(tls_ctx.get(), host, fd, &socket_read);
      if (!ssl) {
        finish_connect(describe("cannot set up TLS"));
        return;
      }
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
      begin_upgrade();
      return;
    }
    int e = SSL_get_error(ssl.get(), r);
    if (e == SSL_ERROR_WANT_READ) {
      watch(GIOCondition(G_IO_IN | G_IO_ERR | G_IO_HUP));
    } else if (e == SSL_ERROR_WANT_WRITE) {
      watch(GIOCondition(G_IO_OUT | G_IO_ERR | G_IO_HUP));
    } else {
      finish_connect(describe(describe_tls_failure(ssl.get(), e)));
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
        finish_connect(describe(n == 0 ? "the server closed the connection during the "
                                         "WebSocket handshake"
                                       : "the connection failed during the WebSocket "
                                         "handshake: " + io_error));
        return;
      }
      head.append(buf, size_t(n));
      size_t head_len = ws_response_head_length(head);
      if (head_len == 0) {
        if (head.size() > kMaxResponseHead) {
          finish_connect(describe("the server's answer to the WebSocket upgrade has no end"));
          return;
        }
        continue;
      }
      std::string why = ws_check_upgrade_response(std::string_view(head).substr(0, head_len), key);
      if (!why.empty()) {
        finish_connect(describe(why));
        return;
      }
      std::string rest = head.substr(head_len);
      head.clear();
      head.shrink_to_fit();
      state = State::Open;
      watch(wanted_while_open());
      auto token = alive;
      finish_connect(std::string());
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

  // ---- I/O ----------------------------------------------------------------
  static constexpr long kWouldBlock = -2;
  std::string io_error;

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
      io_error = describe_tls_failure(ssl.get(), e);
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
          io_error = describe_tls_failure(ssl.get(), e);
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
        if (handlers.on_message) handlers.on_message(item.payload);
        if (!*token) return false;
        if (state == State::Closed) return false;
        continue;
      }
      if (status == WsFrameReader::Status::Error) {
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
        queue_frame(WsOpcode::Pong, item.payload);
        if (!flush()) return false;
      } else if (item.opcode == WsOpcode::Close) {
        int code = kWsCloseNoStatus;
        std::string reason;
        if (item.payload.size() >= 2) {
          code = (uint8_t(item.payload[0]) << 8) | uint8_t(item.payload[1]);
          reason.assign(item.payload.substr(2));
        }
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
    if (state != State::Open && state != State::Closing) {
      finish_connect(describe("the connection failed during the WebSocket handshake: " +
                              io_error));
      return;
    }
    report_closed(kWsCloseAbnormal, io_error.empty() ? "the connection failed" : io_error);
  }

  void report_closed(int code, const std::string &reason) {
    cancel_timer();
    shut_down();
    state = State::Closed;
    if (closed_reported) return;
    closed_reported = true;
    if (handlers.on_closed) handlers.on_closed(code, reason);
  }

  void close(unsigned short code) {
    if (state != State::Open) return;
    state = State::Closing;
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

  void finish_connect(const std::string &error) {
    cancel_timer();
    if (!error.empty()) {
      shut_down();
      state = State::Closed;
      closed_reported = true;  // a failed connect reports through on_done only
    }
    auto done = std::move(on_connected);
    on_connected = nullptr;
    if (done) done(error);
  }
};

WebSocket::WebSocket(NetworkThread &network, SslCtxPtr tls, std::string url, std::string label,
                     size_t max_message_size, WebSocketHandlers handlers)
    : url_(std::move(url)), label_(std::move(label)) {
  impl_ = std::make_unique<Impl>(*this, network, std::move(tls), max_message_size,
                                 std::move(handlers));
}

WebSocket::~WebSocket() = default;

void WebSocket::connect(std::function<void(const std::string &)> on_done) {
  impl_->connect(std::move(on_done));
}

bool WebSocket::is_open() const { return impl_->state == Impl::State::Open; }

void WebSocket::send(const std::string &json) {
  if (!is_open()) return;
  impl_->queue_frame(WsOpcode::Text, json);
  if (impl_->flush() && impl_->state == Impl::State::Open) impl_->watch(impl_->wanted_while_open());
}

void WebSocket::close(unsigned short code) { impl_->close(code); }

void WebSocket::read_pending() {
  if (impl_->state == Impl::State::Open || impl_->state == Impl::State::Closing)
    impl_->read_frames();
}

}  // namespace rtms
