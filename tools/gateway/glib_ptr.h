// Owning holders for the GLib/GObject/GStreamer references the gateway keeps
// beyond one function; g_autoptr covers the local ones.
#pragma once

#include <functional>
#include <memory>

#include <glib-object.h>
#include <gst/gst.h>

namespace gateway {

struct GObjectUnref {
  void operator()(gpointer object) const {
    if (object != nullptr) g_object_unref(object);
  }
};
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

struct GstObjectUnref {
  void operator()(gpointer object) const {
    if (object != nullptr) gst_object_unref(object);
  }
};
template <typename T>
using GstPtr = std::unique_ptr<T, GstObjectUnref>;

struct GFreeDeleter {
  void operator()(gpointer p) const { g_free(p); }
};
using GCharPtr = std::unique_ptr<gchar, GFreeDeleter>;

struct GBytesUnref {
  void operator()(GBytes *bytes) const { g_bytes_unref(bytes); }
};
using GBytesPtr = std::unique_ptr<GBytes, GBytesUnref>;

struct GErrorFree {
  void operator()(GError *error) const { g_error_free(error); }
};
using GErrorPtr = std::unique_ptr<GError, GErrorFree>;

// A GLib source id, removed when the holder goes away, so a callback can
// never outlive the object it points at.
class SourceId {
 public:
  SourceId() = default;
  explicit SourceId(guint id) : id_(id) {}
  ~SourceId() { reset(); }
  SourceId(const SourceId &) = delete;
  SourceId &operator=(const SourceId &) = delete;
  SourceId(SourceId &&other) noexcept : id_(other.release()) {}
  SourceId &operator=(SourceId &&other) noexcept {
    if (this != &other) {
      reset();
      id_ = other.release();
    }
    return *this;
  }
  void reset() {
    if (id_ != 0) g_source_remove(id_);
    id_ = 0;
  }
  // For a source whose callback is returning G_SOURCE_REMOVE itself.
  guint release() {
    guint id = id_;
    id_ = 0;
    return id;
  }
  explicit operator bool() const { return id_ != 0; }

 private:
  guint id_ = 0;
};

// Runs fn once from the default main context, at idle priority: the HTTP
// answer already queued goes out first.
void run_on_idle(std::function<void()> fn);

}  // namespace gateway
