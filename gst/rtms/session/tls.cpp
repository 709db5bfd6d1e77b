#include "tls.h"

#include <map>
#include <mutex>

#include "gref.h"

namespace rtms {

// Loading a CA file builds a whole trust list (the GnuTLS backend also reads
// the system store into it), which is costly and large: one database per file
// serves every session of the process.
static GRef<GTlsDatabase> shared_database(const std::string &ca_file, std::string *why) {
  static std::mutex lock;
  static std::map<std::string, GRef<GTlsDatabase>> loaded;
  std::lock_guard<std::mutex> guard(lock);
  auto it = loaded.find(ca_file);
  if (it != loaded.end()) return it->second;
  GError *error = nullptr;
  auto database = GRef<GTlsDatabase>::adopt(g_tls_file_database_new(ca_file.c_str(), &error));
  if (!database) {
    *why = "cannot load the CA file '" + ca_file + "' (ssl-ca-file): " +
           (error ? error->message : "unknown error");
    g_clear_error(&error);
    return database;
  }
  loaded[ca_file] = database;
  return database;
}

std::string use_ca_file(SoupSession *session, const std::string &ca_file) {
  std::string why;
  GRef<GTlsDatabase> database = shared_database(ca_file, &why);
  if (!database) return why;
  soup_session_set_tls_database(session, database.get());
  return std::string();
}

}  // namespace rtms
