#include "tls_client.h"

#include <gio/gio.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <utility>

#include "log.h"

namespace rtms {

namespace {

std::mutex contexts_lock;
// Weak: a context lives while some connection or session uses it.
std::map<std::pair<std::string, bool>, std::weak_ptr<SSL_CTX>> contexts;

std::string openssl_errors() {
  std::string text;
  unsigned long code;
  while ((code = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text;
}

// A socket BIO whose writes never raise SIGPIPE (OpenSSL's own uses plain
// send(), and a library must not change the process's signal handling).
int fd_bio_write(BIO *bio, const char *data, int size) {
  ssize_t n = ::send(BIO_get_fd(bio, nullptr), data, size_t(size), MSG_NOSIGNAL);
  BIO_clear_retry_flags(bio);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    BIO_set_retry_write(bio);
  return int(n);
}

int read_state_index() {
  static int index = BIO_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int fd_bio_read(BIO *bio, char *data, int size) {
  ssize_t n = ::recv(BIO_get_fd(bio, nullptr), data, size_t(size), 0);
  if (auto *state = static_cast<SocketReadState *>(BIO_get_ex_data(bio, read_state_index())))
    state->drained = n < ssize_t(size);
  BIO_clear_retry_flags(bio);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    BIO_set_retry_read(bio);
  return int(n);
}

const BIO_METHOD *nosignal_socket_method() {
  static BIO_METHOD *method = [] {
    // Everything but I/O (fd bookkeeping, ctrl) comes from the plain socket BIO.
    const BIO_METHOD *base = BIO_s_socket();
    BIO_METHOD *m = BIO_meth_new(BIO_TYPE_SOCKET, "rtms socket");
    BIO_meth_set_write(m, fd_bio_write);
    BIO_meth_set_read(m, fd_bio_read);
    BIO_meth_set_ctrl(m, BIO_meth_get_ctrl(base));
    BIO_meth_set_create(m, BIO_meth_get_create(base));
    BIO_meth_set_destroy(m, BIO_meth_get_destroy(base));
    BIO_meth_set_puts(m, BIO_meth_get_puts(base));
    return m;
  }();
  return method;
}

}  // namespace

SslCtxPtr client_tls_context(const std::string &ca_file, bool strict, std::string *why) {
  std::lock_guard<std::mutex> guard(contexts_lock);
  auto key = std::make_pair(strict ? ca_file : std::string(), strict);
  if (auto existing = contexts[key].lock()) {
    RTMS_LOG(Tls, Debug, nullptr, "reusing the TLS context of this trust setting");
    return existing;
  }
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()), SslCtxFree());
  if (!ctx) {
    *why = "cannot set up TLS: " + openssl_errors();
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  // Read whole bursts of records per system call, and let a write that
  // would block be retried from a buffer that has since grown.
  SSL_CTX_set_read_ahead(ctx.get(), 1);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                                  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (strict) {
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    if (!ca_file.empty()) {
      if (SSL_CTX_load_verify_locations(ctx.get(), ca_file.c_str(), nullptr) != 1) {
        std::string detail = openssl_errors();
        *why = "cannot load the CA file '" + ca_file + "' (ssl-ca-file): " +
               (g_file_test(ca_file.c_str(), G_FILE_TEST_EXISTS) ? detail
                                                                : "no such file");
        return nullptr;
      }
    } else if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1) {
      *why = "cannot load the system's CA certificates: " + openssl_errors();
      return nullptr;
    }
    RTMS_LOG(Tls, Info, nullptr,
             "new TLS context: TLS 1.2 or newer, certificates verified against %s",
             ca_file.empty() ? "the system's CA store" : ca_file.c_str());
  } else {
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
    RTMS_LOG(Tls, Warning, nullptr,
             "new TLS context with certificate verification OFF (ssl-strict=false): any "
             "certificate is accepted");
  }
  contexts[key] = ctx;
  return ctx;
}

SslPtr new_tls_connection(SSL_CTX *ctx, const std::string &host, int fd,
                          SocketReadState *read_state) {
  SslPtr ssl(SSL_new(ctx));
  if (!ssl) return ssl;
  BIO *bio = BIO_new(nosignal_socket_method());
  if (!bio) return nullptr;
  BIO_set_fd(bio, fd, BIO_NOCLOSE);
  BIO_set_ex_data(bio, read_state_index(), read_state);
  SSL_set_bio(ssl.get(), bio, bio);
  GInetAddress *ip = g_inet_address_new_from_string(host.c_str());
  if (ip) {
    g_object_unref(ip);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl.get(), host.c_str());
    SSL_set1_host(ssl.get(), host.c_str());
  }
  return ssl;
}

TlsFailure describe_tls_failure(SSL *ssl, int ssl_error) {
  TlsFailure failure;
  long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK && tls_verifies_peer(ssl)) {
    std::string why;
    switch (verify) {
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        why = "signed by an unknown certificate authority";
        break;
      case X509_V_ERR_HOSTNAME_MISMATCH:
      case X509_V_ERR_IP_ADDRESS_MISMATCH:
        why = "issued for another host name";
        break;
      case X509_V_ERR_CERT_NOT_YET_VALID: why = "not valid yet"; break;
      case X509_V_ERR_CERT_HAS_EXPIRED: why = "expired"; break;
      case X509_V_ERR_CERT_REVOKED: why = "revoked"; break;
      default: why = X509_verify_cert_error_string(verify); break;
    }
    ERR_clear_error();
    failure.untrusted = true;
    failure.cause = std::string("certificate verify failed: ") +
                    X509_verify_cert_error_string(verify) + " (X509 error " +
                    std::to_string(verify) + ")";
    failure.message = "the server's TLS certificate is not trusted (" + why +
                      "); set ssl-ca-file to the CA that signed it, or ssl-strict=false to "
                      "accept any certificate";
    return failure;
  }
  std::string detail = openssl_errors();
  if (ssl_error == SSL_ERROR_SYSCALL) {
    failure.cause =
        detail.empty() ? std::string(errno ? g_strerror(errno) : "the server closed it") : detail;
    failure.message = "the TLS connection failed: " + failure.cause;
    return failure;
  }
  failure.cause = detail.empty() ? std::string("unknown reason") : detail;
  failure.message = "the TLS handshake failed: " + failure.cause;
  return failure;
}

bool tls_verifies_peer(SSL *ssl) { return SSL_get_verify_mode(ssl) != SSL_VERIFY_NONE; }

std::string describe_tls_session(SSL *ssl) {
  const char *cipher = SSL_get_cipher_name(ssl);
  return std::string(SSL_get_version(ssl)) + " " + (cipher ? cipher : "(no cipher)");
}

}  // namespace rtms
