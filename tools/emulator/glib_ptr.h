// Owning holders for the GLib/GObject/json-glib/GStreamer references the
// emulator keeps beyond one function; g_autoptr covers the local ones.
#pragma once

#include <memory>

#include <gio/gio.h>
#include <glib-object.h>
#include <json-glib/json-glib.h>

namespace emulator {

struct GObjectUnref {
  void operator()(gpointer object) const {
    if (object != nullptr) g_object_unref(object);
  }
};
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

// Takes an extra reference on a borrowed object.
template <typename T>
GObjectPtr<T> ref_object(T *object) {
  return GObjectPtr<T>(static_cast<T *>(g_object_ref(object)));
}

struct GBytesUnref {
  void operator()(GBytes *bytes) const { g_bytes_unref(bytes); }
};
using GBytesPtr = std::unique_ptr<GBytes, GBytesUnref>;

struct JsonNodeFree {
  void operator()(JsonNode *node) const { json_node_unref(node); }
};
using JsonNodePtr = std::unique_ptr<JsonNode, JsonNodeFree>;

struct GChecksumFree {
  void operator()(GChecksum *checksum) const { g_checksum_free(checksum); }
};
using GChecksumPtr = std::unique_ptr<GChecksum, GChecksumFree>;

struct GFreeDeleter {
  void operator()(gpointer p) const { g_free(p); }
};
using GCharPtr = std::unique_ptr<gchar, GFreeDeleter>;

}  // namespace emulator
