#include "tls.h"

#include <map>
#include <mutex>

#include "gref.h"
#include "shared_trust.h"

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

// One delegating database per real one, shared like the real one.
static GRef<GTlsDatabase> shared_trust(GTlsDatabase *inner) {
  static std::mutex lock;
  static std::map<GTlsDatabase *, GRef<GTlsDatabase>> wrappers;
  std::lock_guard<std::mutex> guard(lock);
  auto it = wrappers.find(inner);
  if (it != wrappers.end()) return it->second;
  auto wrapper = GRef<GTlsDatabase>::adopt(rtms_shared_trust_new(inner));
  wrappers[inner] = wrapper;
  return wrapper;
}

// glib-networking 2.74 reads the backend's default database while it
// creates each connection, before libsoup hands it ours, and builds the
// connection's GnuTLS credentials from it: a full system trust list per
// connection. Making the default a delegating database (same answers)
// leaves those credentials empty. Done once, and only if nobody has
// replaced the backend's own default yet.
static void make_default_database_shared(GTlsBackend *backend) {
  static std::once_flag once;
  std::call_once(once, [backend] {
    auto real = GRef<GTlsDatabase>::adopt(g_tls_backend_get_default_database(backend));
    if (!real || RTMS_IS_SHARED_TRUST(real.get())) return;
    g_tls_backend_set_default_database(backend, shared_trust(real.get()).get());
  });
}

std::string use_trust(SoupSession *session, const std::string &ca_file) {
  GTlsBackend *backend = g_tls_backend_get_default();
  if (backend && g_tls_backend_supports_tls(backend)) make_default_database_shared(backend);
  GRef<GTlsDatabase> database;
  if (ca_file.empty()) {
    // No TLS backend at all leaves libsoup's default (and its own error).
    if (!backend || !g_tls_backend_supports_tls(backend)) return std::string();
    database = GRef<GTlsDatabase>::adopt(g_tls_backend_get_default_database(backend));
    if (!database) return std::string();
  } else {
    std::string why;
    database = shared_database(ca_file, &why);
    if (!database) return why;
  }
  soup_session_set_tls_database(session, shared_trust(database.get()).get());
  return std::string();
}

}  // namespace rtms
