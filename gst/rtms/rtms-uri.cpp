// The URI handler of rtmssrc. An rtms:// URI names, as query parameters, the
// fields of an rtms_started webhook and any element property except the
// credentials; rtms:///path/to/payload.json reads a webhook payload from a
// file. Everything here goes through the element's own properties, so a URI
// is validated exactly like the properties it sets.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "rtms-uri.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "common/gref.h"
#include "gstrtmssrc.h"
#include "protocol/webhook.h"

GST_DEBUG_CATEGORY_EXTERN(gst_rtms_src_debug);
#define GST_CAT_DEFAULT gst_rtms_src_debug

namespace {

constexpr size_t kMaxUriLength = 16 * 1024;
constexpr size_t kMaxValueLength = 8 * 1024;
constexpr guint kMaxParams = 64;
constexpr size_t kMaxWebhookFile = 256 * 1024;


// Webhook fields, spelled as in the payload (and in a URI), and the property
// each one sets.
struct Alias {
  const char *key;
  const char *property;
};
constexpr Alias kWebhookFields[] = {
    {"stream_id", "stream-id"},         {"rtms_stream_id", "stream-id"},
    {"server_urls", "server-urls"},     {"meeting_uuid", "meeting-uuid"},
    {"webinar_uuid", "webinar-uuid"},   {"session_id", "session-id"},
    {"engagement_id", "engagement-id"},
};

// playbin3 and decodebin3 play one stream of each type and would leave the
// pads of every other participant unlinked: a URI asks for mixed audio
// unless it says audio-mode=per-participant.
constexpr const char *kUriAudioModeDefault = "mixed";

// The value a property has when a URI does not name it.
void uri_default_value(GParamSpec *pspec, GValue *out) {
  g_value_init(out, G_PARAM_SPEC_VALUE_TYPE(pspec));
  if (std::strcmp(pspec->name, "audio-mode") == 0 && G_IS_PARAM_SPEC_ENUM(pspec)) {
    GEnumValue *ev =
        g_enum_get_value_by_nick(G_PARAM_SPEC_ENUM(pspec)->enum_class, kUriAudioModeDefault);
    if (ev) {
      g_value_set_enum(out, ev->value);
      return;
    }
  }
  g_param_value_set_default(pspec, out);
}

bool is_credential(const std::string &prop) {
  return prop == "client-id" || prop == "client-secret";
}

// Properties a URI may not set: credentials, the payload itself (use the
// path form), and what is read-only.
bool uri_settable(GParamSpec *pspec) {
  if (!(pspec->flags & G_PARAM_WRITABLE) || !(pspec->flags & G_PARAM_READABLE)) return false;
  if (pspec->flags & G_PARAM_CONSTRUCT_ONLY) return false;
  if (g_type_is_a(pspec->owner_type, GST_TYPE_OBJECT) && pspec->owner_type != GST_TYPE_RTMS_SRC)
    return false;  // "name", "parent"
  std::string name = pspec->name;
  return !is_credential(name) && name != "webhook-payload";
}

// The property a query key names: a webhook field, or a property with '-' or
// '_' between words.
std::string property_for_key(const std::string &key) {
  for (const Alias &a : kWebhookFields)
    if (key == a.key) return a.property;
  std::string prop = key;
  for (char &c : prop)
    if (c == '_') c = '-';
  return prop;
}

std::string key_for_property(const std::string &prop) {
  for (const Alias &a : kWebhookFields)
    if (prop == a.property && std::strcmp(a.key, "rtms_stream_id") != 0) return a.key;
  return prop;
}

bool set_error(GError **error, const std::string &msg) {
  g_set_error(error, GST_URI_ERROR, GST_URI_ERROR_BAD_URI, "%s", msg.c_str());
  return false;
}

bool has_control_chars(const std::string &s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

// Converts one query value to the type of its property.
bool value_from_string(GParamSpec *pspec, const std::string &text, GValue *out, GError **error) {
  const std::string what = std::string("parameter '") + pspec->name + "'";
  g_value_init(out, G_PARAM_SPEC_VALUE_TYPE(pspec));
  if (G_PARAM_SPEC_VALUE_TYPE(pspec) == G_TYPE_STRING) {
    g_value_set_string(out, text.c_str());
    return true;
  }
  if (text.empty() || !gst_value_deserialize(out, text.c_str()))
    return set_error(error, what + ": '" + text + "' is not a valid " +
                                g_type_name(G_PARAM_SPEC_VALUE_TYPE(pspec)));
  if (g_param_value_validate(pspec, out))
    return set_error(error, what + ": '" + text + "' is out of range");
  return true;
}

std::string value_to_string(const GValue *v) {
  GType type = G_VALUE_TYPE(v);
  if (type == G_TYPE_STRING) {
    const char *s = g_value_get_string(v);
    return s ? s : "";
  }
  if (type == G_TYPE_BOOLEAN) return g_value_get_boolean(v) ? "true" : "false";
  if (G_TYPE_IS_ENUM(type)) {
    GEnumValue *ev = g_enum_get_value(G_ENUM_CLASS(g_type_class_peek(type)), g_value_get_enum(v));
    return ev ? ev->value_nick : std::to_string(g_value_get_enum(v));
  }
  if (G_TYPE_IS_FLAGS(type)) {
    GFlagsClass *fc = G_FLAGS_CLASS(g_type_class_peek(type));
    guint flags = g_value_get_flags(v);
    std::string out;
    for (guint i = 0; i < fc->n_values; i++) {
      const GFlagsValue &fv = fc->values[i];
      if (fv.value != 0 && (flags & fv.value) == fv.value) {
        out += (out.empty() ? "" : "+") + std::string(fv.value_nick);
        flags &= ~fv.value;
      }
    }
    return out;
  }
  GValue str = G_VALUE_INIT;
  g_value_init(&str, G_TYPE_STRING);
  std::string out;
  if (g_value_transform(v, &str)) {
    const char *s = g_value_get_string(&str);
    out = s ? s : "";
  }
  g_value_unset(&str);
  return out;
}

struct Setting {
  GParamSpec *pspec;
  GValue value = G_VALUE_INIT;
};

struct Settings {
  std::vector<Setting> items;
  ~Settings() {
    for (Setting &s : items)
      if (G_IS_VALUE(&s.value)) g_value_unset(&s.value);
  }
};

struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) close(fd);
  }
};

// A webhook payload file, at most kMaxWebhookFile bytes, read without ever
// blocking on or reading more of something that is not a regular file.
bool read_webhook_file(const char *path, std::string &out, GError **error) {
  const std::string what = std::string("webhook payload file ") + path;
  FdCloser f{open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)};
  if (f.fd < 0) return set_error(error, "cannot read the " + what + ": " + g_strerror(errno));
  struct stat st;
  if (fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode))
    return set_error(error, "the " + what + " is not a regular file");
  std::string data;
  char chunk[8192];
  for (;;) {
    ssize_t n = read(f.fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return set_error(error, "cannot read the " + what + ": " + g_strerror(errno));
    if (n == 0) break;
    data.append(chunk, size_t(n));
    if (data.size() > kMaxWebhookFile)
      return set_error(error, "the " + what + " is larger than " +
                                  std::to_string(kMaxWebhookFile) + " bytes");
  }
  if (data.empty()) return set_error(error, "the " + what + " is empty");
  rtms::Result<rtms::Webhook> parsed = rtms::parse_webhook(data);
  if (!parsed)
    return set_error(error, "the " + what +
                                " is not a webhook payload: " + parsed.error().describe());
  out = std::move(data);
  return true;
}

// Reads and checks the whole URI into `payload` and `out` before anything is
// set on the element, so that a bad URI leaves the element as it was.
bool parse_uri(GObjectClass *klass, const char *uri, std::string &payload, Settings &out,
               GError **error) {
  if (!uri) return set_error(error, "no URI");
  if (std::strlen(uri) > kMaxUriLength)
    return set_error(error, "URI longer than " + std::to_string(kMaxUriLength) + " characters");
  GError *perr = nullptr;
  auto parsed = rtms::adopt(
      g_uri_parse(uri, GUriFlags(G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_NON_DNS), &perr));
  if (!parsed) {
    auto owned = rtms::adopt(perr);
    return set_error(error, std::string("not a valid URI: ") + owned->message);
  }
  if (g_ascii_strcasecmp(g_uri_get_scheme(parsed.get()), "rtms") != 0)
    return set_error(error, std::string("scheme '") + g_uri_get_scheme(parsed.get()) +
                                "' is not rtms");
  const char *host = g_uri_get_host(parsed.get());
  if ((host && *host) || g_uri_get_userinfo(parsed.get()) || g_uri_get_port(parsed.get()) != -1)
    return set_error(error, "an rtms URI names no host: the servers go in server_urls "
                            "(rtms://?stream_id=...&meeting_uuid=...&server_urls=wss%3A%2F%2F...)");
  if (g_uri_get_fragment(parsed.get()))
    return set_error(error, "an rtms URI has no fragment ('#'): percent-encode '#' as %23");

  const char *path = g_uri_get_path(parsed.get());
  if (path && *path && std::strcmp(path, "/") != 0) {
    if (!read_webhook_file(path, payload, error)) return false;
  }

  const char *query = g_uri_get_query(parsed.get());
  if (!query || !*query) {
    if (payload.empty())
      return set_error(error, "an rtms URI needs query parameters (stream_id, meeting_uuid, "
                              "server_urls, ...) or the path of a webhook payload file");
    return true;
  }
  GError *qerr = nullptr;
  auto params = rtms::adopt(
      g_uri_parse_params(query, -1, "&", G_URI_PARAMS_NONE, &qerr));
  if (!params) {
    auto owned = rtms::adopt(qerr);
    return set_error(error, std::string("bad query: ") + owned->message);
  }
  if (g_hash_table_size(params.get()) > kMaxParams)
    return set_error(error, "more than " + std::to_string(kMaxParams) + " query parameters");
  // Repeated keys would silently keep one of the values: refuse them. The
  // table holds each key once, so count them in the raw query.
  guint raw_params = 1;
  for (const char *p = query; *p; p++)
    if (*p == '&') raw_params++;
  if (raw_params != g_hash_table_size(params.get()))
    return set_error(error, "a query parameter is empty or given more than once");

  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, params.get());
  while (g_hash_table_iter_next(&it, &k, &v)) {
    std::string key = static_cast<const char *>(k);
    std::string value = static_cast<const char *>(v);
    std::string prop = property_for_key(key);
    if (is_credential(prop))
      return set_error(error, "parameter '" + key + "': credentials never go in an rtms URI; "
                              "set ZM_RTMS_CLIENT and ZM_RTMS_SECRET in the environment or "
                              "the client-id and client-secret properties");
    if (prop == "webhook-payload" || prop == "webhook")
      return set_error(error, "parameter '" + key + "': give the path of a webhook payload "
                              "file as the URI path (rtms:///path/to/rtms_started.json)");
    GParamSpec *pspec = g_object_class_find_property(klass, prop.c_str());
    if (!pspec || !uri_settable(pspec))
      return set_error(error, "unknown parameter '" + key + "'");
    if (value.size() > kMaxValueLength || has_control_chars(value) ||
        !g_utf8_validate(value.data(), value.size(), nullptr))
      return set_error(error, "parameter '" + key + "': value too long, not UTF-8 or with "
                              "control characters");
    for (const Setting &s : out.items)
      if (s.pspec == pspec)
        return set_error(error, "parameter '" + key + "' sets " + prop + " twice");
    out.items.push_back(Setting{pspec});
    if (!value_from_string(pspec, value, &out.items.back().value, error)) return false;
  }
  return true;
}

GstURIType uri_get_type(GType) { return GST_URI_SRC; }

const gchar *const *uri_get_protocols(GType) {
  static const gchar *const protocols[] = {"rtms", nullptr};
  return protocols;
}

gchar *uri_get_uri(GstURIHandler *handler) {
  GObject *obj = G_OBJECT(handler);
  guint n = 0;
  GParamSpec **specs = g_object_class_list_properties(G_OBJECT_GET_CLASS(obj), &n);
  std::string query;
  for (guint i = 0; i < n; i++) {
    GParamSpec *pspec = specs[i];
    if (!uri_settable(pspec)) continue;
    GValue v = G_VALUE_INIT;
    g_value_init(&v, G_PARAM_SPEC_VALUE_TYPE(pspec));
    g_object_get_property(obj, pspec->name, &v);
    std::string text = value_to_string(&v);
    GValue dflt = G_VALUE_INIT;
    uri_default_value(pspec, &dflt);
    bool is_default = g_param_values_cmp(pspec, &v, &dflt) == 0;
    g_value_unset(&dflt);
    if (!is_default && !text.empty()) {
      // UUIDs hold '/', '+' and '='; only the ',' between server URLs and
      // the '+' between media stay readable.
      const char *keep = G_IS_PARAM_SPEC_FLAGS(pspec)                      ? "+"
                         : std::strcmp(pspec->name, "server-urls") == 0 ? ",:/"
                                                                        : nullptr;
      auto esc = rtms::adopt(g_uri_escape_string(text.c_str(), keep, FALSE));
      query += (query.empty() ? "" : "&") + key_for_property(pspec->name) + "=" + esc.get();
    }
    g_value_unset(&v);
  }
  g_free(specs);
  return g_strdup(("rtms://?" + query).c_str());
}

gboolean uri_set_uri(GstURIHandler *handler, const gchar *uri, GError **error) {
  GstElement *element = GST_ELEMENT(handler);
  GObject *obj = G_OBJECT(handler);
  GST_OBJECT_LOCK(element);
  bool running =
      GST_STATE(element) > GST_STATE_READY || GST_STATE_PENDING(element) > GST_STATE_READY;
  GST_OBJECT_UNLOCK(element);
  if (running) {
    g_set_error(error, GST_URI_ERROR, GST_URI_ERROR_BAD_STATE,
                "the URI of rtmssrc can only change in the NULL or READY state");
    return FALSE;
  }
  std::string payload;
  Settings settings;
  if (!parse_uri(G_OBJECT_GET_CLASS(obj), uri, payload, settings, error)) {
    GST_WARNING_OBJECT(element, "refused URI: %s", error && *error ? (*error)->message : "");
    return FALSE;
  }
  // A new URI replaces the previous one: everything it could have set goes
  // back to its default first. The credentials stay.
  guint n = 0;
  GParamSpec **specs = g_object_class_list_properties(G_OBJECT_GET_CLASS(obj), &n);
  g_object_freeze_notify(obj);
  g_object_set(obj, "webhook-payload", payload.c_str(), nullptr);
  for (guint i = 0; i < n; i++) {
    GParamSpec *pspec = specs[i];
    if (!uri_settable(pspec)) continue;
    // The payload just set the webhook fields; keep them unless the query
    // names them.
    if (!payload.empty()) {
      bool webhook_field = false;
      for (const Alias &a : kWebhookFields)
        if (std::strcmp(a.property, pspec->name) == 0) webhook_field = true;
      if (webhook_field) continue;
    }
    GValue dflt = G_VALUE_INIT;
    uri_default_value(pspec, &dflt);
    g_object_set_property(obj, pspec->name, &dflt);
    g_value_unset(&dflt);
  }
  g_free(specs);
  for (const Setting &s : settings.items) g_object_set_property(obj, s.pspec->name, &s.value);
  g_object_thaw_notify(obj);
  GST_INFO_OBJECT(element, "URI set: %zu parameter(s)%s", settings.items.size(),
                  payload.empty() ? "" : " and a webhook payload file");
  return TRUE;
}

}  // namespace

void gst_rtms_src_uri_handler_init(gpointer g_iface, gpointer) {
  GstURIHandlerInterface *iface = static_cast<GstURIHandlerInterface *>(g_iface);
  iface->get_type = uri_get_type;
  iface->get_protocols = uri_get_protocols;
  iface->get_uri = uri_get_uri;
  iface->set_uri = uri_set_uri;
}
