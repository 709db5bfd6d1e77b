#include "certificates.h"

#include <cerrno>
#include <cstdio>
#include <functional>
#include <memory>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace emulator {
namespace {

struct EvpPkeyFree { void operator()(EVP_PKEY *p) const { EVP_PKEY_free(p); } };
struct X509Free { void operator()(X509 *p) const { X509_free(p); } };
struct X509ExtFree { void operator()(X509_EXTENSION *p) const { X509_EXTENSION_free(p); } };
struct BioFree { void operator()(BIO *p) const { BIO_free_all(p); } };
struct BnFree { void operator()(BIGNUM *p) const { BN_free(p); } };
using PkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, X509ExtFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

std::string openssl_error(const std::string &what) {
  unsigned long code = ERR_get_error();
  char buf[256] = "no detail";
  if (code != 0) ERR_error_string_n(code, buf, sizeof buf);
  ERR_clear_error();
  return what + ": " + buf;
}

// P-256 keys: fast to generate and supported by every TLS stack we meet.
PkeyPtr make_key() { return PkeyPtr(EVP_EC_gen("P-256")); }

bool add_extension(X509 *cert, X509 *issuer, int nid, const char *value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

bool set_random_serial(X509 *cert) {
  BnPtr bn(BN_new());
  // 64 random bits keep serials unique across runs that share a CA name.
  if (!bn || BN_rand(bn.get(), 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) return false;
  return BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) != nullptr;
}

// Issuer nullptr makes a self-signed (CA) certificate.
X509Ptr make_cert(EVP_PKEY *subject_key, const char *common_name, X509 *issuer,
                  std::string *error) {
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1 || !set_random_serial(cert.get())) {
    *error = openssl_error("cannot create a certificate");
    return nullptr;
  }
  // Backdated an hour to tolerate clock skew between client and emulator.
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600);
  X509_set_pubkey(cert.get(), subject_key);
  X509_NAME *name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char *>("gst-rtms emulator"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char *>(common_name), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  return cert;
}

bool write_pem(const std::string &path, mode_t mode, const std::function<int(BIO *)> &writer,
               std::string *error) {
  // Created with its final mode so a private key is never world-readable,
  // not even briefly.
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    *error = "cannot write " + path + ": " + g_strerror(errno);
    return false;
  }
  fchmod(fd, mode);
  BioPtr bio(BIO_new_fd(fd, BIO_CLOSE));
  if (!bio || writer(bio.get()) != 1 || BIO_flush(bio.get()) != 1) {
    *error = openssl_error("cannot write " + path);
    return false;
  }
  return true;
}

bool is_ip_address(const std::string &host) {
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string(host.c_str());
  return address != nullptr;
}

}  // namespace

bool generate_certificates(const std::string &dir, const std::string &extra_host,
                           CertificateFiles *files, std::string *error) {
  PkeyPtr ca_key = make_key();
  PkeyPtr server_key = make_key();
  if (!ca_key || !server_key) {
    *error = openssl_error("cannot generate EC keys");
    return false;
  }

  X509Ptr ca = make_cert(ca_key.get(), "gst-rtms emulator test CA", nullptr, error);
  if (!ca) return false;
  if (!add_extension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
      !add_extension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !add_extension(ca.get(), ca.get(), NID_subject_key_identifier, "hash") ||
      X509_sign(ca.get(), ca_key.get(), EVP_sha256()) <= 0) {
    *error = openssl_error("cannot build the CA certificate");
    return false;
  }

  std::string san = "DNS:localhost,IP:127.0.0.1";
  if (!extra_host.empty() && extra_host != "localhost" && extra_host != "127.0.0.1")
    san += (is_ip_address(extra_host) ? ",IP:" : ",DNS:") + extra_host;
  X509Ptr server = make_cert(server_key.get(), "localhost", ca.get(), error);
  if (!server) return false;
  if (!add_extension(server.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      !add_extension(server.get(), ca.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment") ||
      !add_extension(server.get(), ca.get(), NID_ext_key_usage, "serverAuth") ||
      !add_extension(server.get(), ca.get(), NID_subject_alt_name, san.c_str()) ||
      !add_extension(server.get(), ca.get(), NID_subject_key_identifier, "hash") ||
      !add_extension(server.get(), ca.get(), NID_authority_key_identifier, "keyid:always") ||
      X509_sign(server.get(), ca_key.get(), EVP_sha256()) <= 0) {
    *error = openssl_error("cannot build the server certificate");
    return false;
  }

  CertificateFiles out;
  g_autofree gchar *ca_path = g_build_filename(dir.c_str(), "ca.pem", nullptr);
  g_autofree gchar *cert_path = g_build_filename(dir.c_str(), "server.pem", nullptr);
  g_autofree gchar *key_path = g_build_filename(dir.c_str(), "server.key", nullptr);
  out.ca_file = ca_path;
  out.cert_file = cert_path;
  out.key_file = key_path;
  if (!write_pem(out.ca_file, 0644, [&](BIO *b) { return PEM_write_bio_X509(b, ca.get()); }, error) ||
      !write_pem(out.cert_file, 0644, [&](BIO *b) { return PEM_write_bio_X509(b, server.get()); }, error) ||
      !write_pem(out.key_file, 0600,
                 [&](BIO *b) {
                   return PEM_write_bio_PrivateKey(b, server_key.get(), nullptr, nullptr, 0,
                                                   nullptr, nullptr);
                 },
                 error))
    return false;
  *files = std::move(out);
  return true;
}

}  // namespace emulator
