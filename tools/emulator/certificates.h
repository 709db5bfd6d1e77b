// A throwaway PKI for wss://: a CA and a server certificate it signs, made
// with OpenSSL at startup, so clients can be tested with real verification
// (trusting ca.pem) instead of turning verification off.
#pragma once

#include <string>
#include <vector>

namespace emulator {

struct CertificateFiles {
  std::string ca_file;      // ca.pem
  std::string cert_file;    // server.pem
  std::string key_file;     // server.key (mode 0600)
};

// Writes ca.pem, server.pem and server.key into dir (which must exist).
// The server certificate names localhost and 127.0.0.1 plus `extra_host`
// (an IP address or DNS name; ignored when empty or already covered).
bool generate_certificates(const std::string &dir, const std::string &extra_host,
                           CertificateFiles *files, std::string *error);

}  // namespace emulator
