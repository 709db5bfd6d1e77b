// The session's TLS reads (session/tls_client.cpp): OpenSSL reads ahead, so
// one recv() brings a burst of records, and the socket BIO says whether that
// recv() emptied the socket (SocketReadState::drained). The WebSocket read
// loop stops when the socket is drained and OpenSSL holds nothing more
// (SSL_has_pending). Here a real OpenSSL server on one end of a socketpair
// writes bursts of records and the client end is read the way that loop reads
// it: every byte arrives in order, the loop's stop condition holds only after
// the last record, and records left in OpenSSL's buffer after the socket was
// drained are there to be read (the case the condition's second half is for).
#include <gst/check/gstcheck.h>

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "session/tls_client.h"

namespace {

struct KeyFree {
  void operator()(EVP_PKEY *k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509 *c) const { X509_free(c); }
};

// A server context with a fresh self-signed P-256 certificate, limited to
// one TLS version (TLS 1.2 and 1.3 frame records differently).
rtms::SslCtxPtr server_context(int version) {
  std::unique_ptr<EVP_PKEY, KeyFree> key(EVP_EC_gen("P-256"));
  std::unique_ptr<X509, CertFree> cert(X509_new());
  fail_unless(key && cert);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char *>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  X509_set_pubkey(cert.get(), key.get());
  fail_unless(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0);
  rtms::SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()), rtms::SslCtxFree());
  fail_unless(SSL_CTX_use_certificate(ctx.get(), cert.get()) == 1);
  fail_unless(SSL_CTX_use_PrivateKey(ctx.get(), key.get()) == 1);
  SSL_CTX_set_min_proto_version(ctx.get(), version);
  SSL_CTX_set_max_proto_version(ctx.get(), version);
  SSL_CTX_set_num_tickets(ctx.get(), 0);  // nothing but what the test writes
  return ctx;
}

struct Pair {
  rtms::SslCtxPtr client_ctx, server_ctx;
  rtms::SslPtr client, server;
  rtms::SocketReadState state;
  int fds[2] = {-1, -1};

  explicit Pair(int version) {
    fail_unless(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    // A socket buffer large enough for every burst below, written at once.
    int size = 1 << 20;
    setsockopt(fds[0], SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    std::string why;
    client_ctx = rtms::client_tls_context("", false, &why);
    fail_unless(client_ctx != nullptr, "%s", why.c_str());
    server_ctx = server_context(version);
    client = rtms::new_tls_connection(client_ctx.get(), "localhost", fds[0], &state);
    server.reset(SSL_new(server_ctx.get()));
    SSL_set_fd(server.get(), fds[1]);
    std::thread accept([this] { fail_unless(SSL_accept(server.get()) == 1); });
    int connected = SSL_connect(client.get());
    accept.join();
    fail_unless(connected == 1, "handshake failed");
    fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  }
  ~Pair() {
    client.reset();
    server.reset();
    close(fds[0]);
    close(fds[1]);
  }

  // One SSL_write per part: one record each.
  void send(const std::vector<std::string> &parts) {
    for (const auto &part : parts)
      fail_unless(SSL_write(server.get(), part.data(), int(part.size())) == int(part.size()));
  }

  struct Read {
    std::string bytes;
    bool drained;
    bool openssl_pending;
    bool stop() const { return drained && !openssl_pending; }  // the read loop's test
  };
  // One SSL_read as the read loop does it; empty bytes: it would block.
  Read read_once() {
    std::vector<char> buf(64 * 1024);
    int n = SSL_read(client.get(), buf.data(), int(buf.size()));
    if (n <= 0) {
      fail_unless_equals_int(SSL_get_error(client.get(), n), SSL_ERROR_WANT_READ);
      n = 0;
    }
    return {std::string(buf.data(), size_t(n)), state.drained, SSL_has_pending(client.get()) == 1};
  }
};

std::vector<std::string> records(size_t count, size_t size) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < count; ++i) parts.push_back(std::string(size, char('a' + i % 26)));
  return parts;
}

void burst_of_small_records(int version) {
  Pair pair(version);
  // 40 records of 1000 bytes: more than OpenSSL reads in one recv().
  auto parts = records(40, 1000);
  pair.send(parts);
  bool saw_pending = false;  // the socket drained, records still in OpenSSL's buffer
  for (size_t i = 0; i < parts.size(); ++i) {
    Pair::Read r = pair.read_once();
    fail_unless(r.bytes == parts[i], "record %zu: %zu bytes", i, r.bytes.size());
    if (i + 1 < parts.size()) {
      fail_if(r.stop(), "record %zu: the loop would stop with %zu records to come", i,
              parts.size() - i - 1);
      saw_pending = saw_pending || (r.drained && r.openssl_pending);
    } else {
      fail_unless(r.stop(), "the loop would not stop after the last record");
    }
  }
  fail_unless(saw_pending, "no record waited in OpenSSL's buffer: the test shows nothing");
  fail_unless(pair.read_once().bytes.empty(), "a read after the last record did not block");

  // The next burst, after the socket was found empty: the same again.
  pair.send(records(3, 700));
  for (int i = 0; i < 3; ++i) fail_unless_equals_uint64(pair.read_once().bytes.size(), 700);
  fail_unless(pair.state.drained && !SSL_has_pending(pair.client.get()));
}

}  // namespace

GST_START_TEST(tls13_burst_of_records_read_in_order_and_drained_at_the_end) {
  burst_of_small_records(TLS1_3_VERSION);
}
GST_END_TEST;

GST_START_TEST(tls12_burst_of_records_read_in_order_and_drained_at_the_end) {
  burst_of_small_records(TLS1_2_VERSION);
}
GST_END_TEST;

// Full-size records (16 KiB, a video frame's) mixed with small ones: records
// split across recv()s arrive whole and in order.
GST_START_TEST(large_and_small_records_mixed) {
  Pair pair(TLS1_3_VERSION);
  std::vector<std::string> parts;
  for (int i = 0; i < 6; ++i) {
    parts.push_back(std::string(16384, char('A' + i)));
    parts.push_back(std::string(size_t(17 + i * 300), char('a' + i)));
  }
  pair.send(parts);
  std::string got, want;
  for (const auto &p : parts) want += p;
  for (int reads = 0; got.size() < want.size() && reads < 100; ++reads) got += pair.read_once().bytes;
  fail_unless(got == want, "%zu of %zu bytes, or not in order", got.size(), want.size());
  fail_unless(pair.state.drained && !SSL_has_pending(pair.client.get()));
  fail_unless(pair.read_once().bytes.empty());
}
GST_END_TEST;

// The server closes after a burst: every record is read before the end.
GST_START_TEST(close_after_a_burst_comes_after_its_records) {
  Pair pair(TLS1_3_VERSION);
  auto parts = records(10, 500);
  pair.send(parts);
  SSL_shutdown(pair.server.get());
  for (const auto &p : parts) fail_unless(pair.read_once().bytes == p);
  char byte;
  int n = SSL_read(pair.client.get(), &byte, 1);
  fail_unless_equals_int(SSL_get_error(pair.client.get(), n), SSL_ERROR_ZERO_RETURN);
}
GST_END_TEST;

static Suite *tls_read_suite() {
  Suite *s = suite_create("tls_read");
  TCase *tc = tcase_create("bursts");
  tcase_add_test(tc, tls13_burst_of_records_read_in_order_and_drained_at_the_end);
  tcase_add_test(tc, tls12_burst_of_records_read_in_order_and_drained_at_the_end);
  tcase_add_test(tc, large_and_small_records_mixed);
  tcase_add_test(tc, close_after_a_burst_comes_after_its_records);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(tls_read);
