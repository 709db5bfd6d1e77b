// TLS settings of the session's SoupSession.
#pragma once

#include <libsoup/soup.h>

#include <string>

namespace rtms {

// Sets the database that verifies servers: the CAs of ca_file (PEM) when it
// is given, else the system's. Either way one database serves every session
// of the process, and connections do not each rebuild a trust list (see
// shared_trust.h). Returns an empty string, or why ca_file could not be used.
std::string use_trust(SoupSession *session, const std::string &ca_file);

}  // namespace rtms
