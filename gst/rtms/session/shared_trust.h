// A GTlsDatabase that asks another database every question.
//
// Why it exists: glib-networking's GnuTLS backend (2.74, Debian 12) builds a
// new GnuTLS trust list for every TLS connection whose database is one of
// its own, parsing every certificate of the system store again: about
// 1.8 MB and several milliseconds per connection, 3.6 MB per RTMS stream.
// A connection whose database is of another type gets empty GnuTLS
// credentials and still verifies the server through the database's
// verify_chain, which the wrapped database answers from the trust list it
// built once for the whole process.
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RTMS_TYPE_SHARED_TRUST (rtms_shared_trust_get_type())
G_DECLARE_FINAL_TYPE(RtmsSharedTrust, rtms_shared_trust, RTMS, SHARED_TRUST, GTlsDatabase)

// A new reference to a database that delegates to inner (which it refs).
GTlsDatabase *rtms_shared_trust_new(GTlsDatabase *inner);

G_END_DECLS
