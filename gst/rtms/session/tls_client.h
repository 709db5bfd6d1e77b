// Client TLS with OpenSSL for the session's sockets. One SSL_CTX per trust
// configuration serves every connection of the process, so the CA store is
// loaded once, not per connection.
#pragma once

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <memory>
#include <string>

namespace rtms {

struct SslCtxFree {
  void operator()(SSL_CTX *ctx) const { SSL_CTX_free(ctx); }
};
struct SslFree {
  void operator()(SSL *ssl) const { SSL_free(ssl); }
};
using SslCtxPtr = std::shared_ptr<SSL_CTX>;
using SslPtr = std::unique_ptr<SSL, SslFree>;

// The context that verifies servers against ca_file (PEM; empty: the
// system's CAs), or accepts any certificate when !strict. On failure returns
// null and says why in *why (naming ssl-ca-file).
SslCtxPtr client_tls_context(const std::string &ca_file, bool strict, std::string *why);

// What the connection's last read of its socket found. A read that got
// fewer bytes than it asked for (or none) emptied the socket, so the caller
// can stop reading without the extra call that would only say "empty".
struct SocketReadState {
  bool drained = false;
};

// A connection on ctx for host (SNI and the name or IP the certificate must
// match); its socket reads update *read_state, which must outlive it.
SslPtr new_tls_connection(SSL_CTX *ctx, const std::string &host, int fd,
                          SocketReadState *read_state);

// Why a TLS handshake or read/write failed. message is complete and says
// what to do: certificate problems name what is wrong with the certificate
// and how to fix it ("the server's TLS certificate is not trusted (signed
// by an unknown certificate authority); set ssl-ca-file ..."); others carry
// OpenSSL's reason. cause is the bare reason (OpenSSL's error queue, the
// certificate check's verdict or the system error), for logs and typed
// errors. Empties this thread's OpenSSL error queue.
struct TlsFailure {
  std::string message;
  std::string cause;
  bool untrusted = false;  // the certificate check failed (strict only)
};
TlsFailure describe_tls_failure(SSL *ssl, int ssl_error);

// Whether the connection's certificate was checked (false: ssl-strict=false,
// anything was accepted).
bool tls_verifies_peer(SSL *ssl);
// "TLSv1.3 TLS_AES_256_GCM_SHA384", for logs.
std::string describe_tls_session(SSL *ssl);

// Empties this thread's OpenSSL error queue if something left errors in it,
// as SSL_get_error needs before each I/O call. Checking first is what makes
// it cheap: clearing rewrites the whole queue (about a kilobyte) even when
// empty, on every read of every connection.
inline void clear_stale_tls_errors() {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

}  // namespace rtms
