// unique_ptr owners for the GLib, GObject and GStreamer references the bench
// holds, so that every exit path (errors, Ctrl-C) releases them.
#pragma once

#include <memory>

#include <gio/gio.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>

namespace bench {

struct GObjectUnref {
  void operator()(gpointer p) const { g_object_unref(p); }
};
struct GstObjectUnref {
  void operator()(gpointer p) const { gst_object_unref(p); }
};
struct GFreeDeleter {
  void operator()(gpointer p) const { g_free(p); }
};

template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;
template <typename T>
using GstPtr = std::unique_ptr<T, GstObjectUnref>;
using GCharPtr = std::unique_ptr<gchar, GFreeDeleter>;

// Collects a GError out-parameter: `GErrorOut e; f(..., e.out()); if (e) ...`.
class GErrorOut {
 public:
  GErrorOut() = default;
  GErrorOut(const GErrorOut &) = delete;
  GErrorOut &operator=(const GErrorOut &) = delete;
  GError **out() { return &raw_; }
  ~GErrorOut() {
    if (raw_) g_error_free(raw_);
  }
  explicit operator bool() const { return raw_ != nullptr; }
  const char *message() const { return raw_ ? raw_->message : ""; }

 private:
  GError *raw_ = nullptr;
};

}  // namespace bench
