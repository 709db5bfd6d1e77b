#include "tls.h"

#include "gref.h"

namespace rtms {

std::string use_ca_file(SoupSession *session, const std::string &ca_file) {
  GError *error = nullptr;
  auto database = GRef<GTlsDatabase>::adopt(g_tls_file_database_new(ca_file.c_str(), &error));
  if (!database) {
    std::string why = "cannot load the CA file '" + ca_file + "' (ssl-ca-file): " +
                      (error ? error->message : "unknown error");
    g_clear_error(&error);
    return why;
  }
  soup_session_set_tls_database(session, database.get());
  return std::string();
}

}  // namespace rtms
