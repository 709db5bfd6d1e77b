// TLS settings of the session's SoupSession.
#pragma once

#include <libsoup/soup.h>

#include <string>

namespace rtms {

// Trusts only the CAs in ca_file (PEM) instead of the system store. Returns
// an empty string, or why the file could not be used.
std::string use_ca_file(SoupSession *session, const std::string &ca_file);

}  // namespace rtms
