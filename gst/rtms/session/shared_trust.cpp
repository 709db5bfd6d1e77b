#include "shared_trust.h"

struct _RtmsSharedTrust {
  GTlsDatabase parent;
  GTlsDatabase *inner;  // owned
};

G_DEFINE_TYPE(RtmsSharedTrust, rtms_shared_trust, G_TYPE_TLS_DATABASE)

static GTlsDatabase *inner_of(GTlsDatabase *database) {
  return RTMS_SHARED_TRUST(database)->inner;
}

static GTlsCertificateFlags verify_chain(GTlsDatabase *database, GTlsCertificate *chain,
                                         const gchar *purpose, GSocketConnectable *identity,
                                         GTlsInteraction *interaction,
                                         GTlsDatabaseVerifyFlags flags,
                                         GCancellable *cancellable, GError **error) {
  return g_tls_database_verify_chain(inner_of(database), chain, purpose, identity, interaction,
                                     flags, cancellable, error);
}

static gchar *create_certificate_handle(GTlsDatabase *database, GTlsCertificate *certificate) {
  return g_tls_database_create_certificate_handle(inner_of(database), certificate);
}

static GTlsCertificate *lookup_certificate_for_handle(GTlsDatabase *database, const gchar *handle,
                                                      GTlsInteraction *interaction,
                                                      GTlsDatabaseLookupFlags flags,
                                                      GCancellable *cancellable, GError **error) {
  return g_tls_database_lookup_certificate_for_handle(inner_of(database), handle, interaction,
                                                      flags, cancellable, error);
}

static GTlsCertificate *lookup_certificate_issuer(GTlsDatabase *database,
                                                  GTlsCertificate *certificate,
                                                  GTlsInteraction *interaction,
                                                  GTlsDatabaseLookupFlags flags,
                                                  GCancellable *cancellable, GError **error) {
  return g_tls_database_lookup_certificate_issuer(inner_of(database), certificate, interaction,
                                                  flags, cancellable, error);
}

static GList *lookup_certificates_issued_by(GTlsDatabase *database, GByteArray *issuer_raw_dn,
                                            GTlsInteraction *interaction,
                                            GTlsDatabaseLookupFlags flags,
                                            GCancellable *cancellable, GError **error) {
  return g_tls_database_lookup_certificates_issued_by(inner_of(database), issuer_raw_dn,
                                                      interaction, flags, cancellable, error);
}

static void rtms_shared_trust_finalize(GObject *object) {
  g_clear_object(&RTMS_SHARED_TRUST(object)->inner);
  G_OBJECT_CLASS(rtms_shared_trust_parent_class)->finalize(object);
}

// The asynchronous variants are GTlsDatabase's own: they run these in a
// worker thread.
static void rtms_shared_trust_class_init(RtmsSharedTrustClass *klass) {
  G_OBJECT_CLASS(klass)->finalize = rtms_shared_trust_finalize;
  GTlsDatabaseClass *database_class = G_TLS_DATABASE_CLASS(klass);
  database_class->verify_chain = verify_chain;
  database_class->create_certificate_handle = create_certificate_handle;
  database_class->lookup_certificate_for_handle = lookup_certificate_for_handle;
  database_class->lookup_certificate_issuer = lookup_certificate_issuer;
  database_class->lookup_certificates_issued_by = lookup_certificates_issued_by;
}

static void rtms_shared_trust_init(RtmsSharedTrust *) {}

GTlsDatabase *rtms_shared_trust_new(GTlsDatabase *inner) {
  auto *self = RTMS_SHARED_TRUST(g_object_new(RTMS_TYPE_SHARED_TRUST, nullptr));
  self->inner = G_TLS_DATABASE(g_object_ref(inner));
  return G_TLS_DATABASE(self);
}
