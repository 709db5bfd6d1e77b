// rtms::GRef<T>: the one RAII holder for GLib, GObject, GIO and json-glib
// references, shared by the session layer, the element and the tools (as
// WebKit's GRefPtr<T> is for WebKit). GStreamer's types are in gst_gref.h.
//
// GRef<T> holds one reference, or nothing. What taking and dropping one
// means for T is given by GRefTraits<T>:
//   * GObject and every type derived from it (GIO, libsoup, json-glib's
//     JsonParser, GStreamer's GstObject types): the primary template,
//     g_object_ref / g_object_unref;
//   * reference-counted boxed types (GBytes, JsonNode, GMainContext, ...):
//     a specialisation below with their own ref and unref;
//   * plain owned memory (g_free strings, GError, GChecksum, ...): a
//     specialisation with unref (the free function) and no ref. Such a GRef
//     cannot be copied or shared, only moved.
//
//   auto parser = rtms::adopt(json_parser_new());         // takes a "transfer full" return
//   auto same = rtms::share(connection);                  // adds a reference of its own
//   rtms::GRef<GError> error;
//   g_file_get_contents(path, &text, nullptr, error.out());
//   rtms::GRef<char> text = rtms::adopt(g_strdup("x"));   // g_free'd
//
// Copying takes a reference, moving never does; get() borrows, release()
// hands the reference back to the caller. A floating reference is sunk by
// its owner (g_object_ref_sink, gst_object_ref_sink) before it is adopted.
// Local variables may use g_autoptr as well; GRef is for what outlives a
// scope, goes into containers or is handed between functions.
#pragma once

#include <glib-object.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include <memory>
#include <type_traits>
#include <utility>

// The GStreamer types whose traits gst_gref.h defines (below).
#define RTMS_GREF_GST_TYPES(X)                                                             \
  X(GstMiniObject) X(GstCaps) X(GstBuffer) X(GstBufferList) X(GstEvent) X(GstMessage)     \
  X(GstQuery) X(GstSample) X(GstTagList) X(GstContext) X(GstMemory) X(GstStructure)
#define RTMS_GREF_STRUCT(Type) struct _##Type;
RTMS_GREF_GST_TYPES(RTMS_GREF_STRUCT)
#undef RTMS_GREF_STRUCT

namespace rtms {

// How to take (ref) and drop (unref) one reference to a T. The primary
// template is for GObject types.
template <typename T>
struct GRefTraits {
  static void ref(T *p) { g_object_ref(p); }
  static void unref(T *p) { g_object_unref(p); }
};

// A reference-counted type that is no GObject.
#define RTMS_GREF_TRAITS(Type, ref_fn, unref_fn)  \
  template <>                                     \
  struct GRefTraits<Type> {                       \
    static void ref(Type *p) { ref_fn(p); }       \
    static void unref(Type *p) { unref_fn(p); }   \
  }

// Memory with one owner, freed by free_fn: moved, never copied.
#define RTMS_GREF_OWNED(Type, free_fn)             \
  template <>                                      \
  struct GRefTraits<Type> {                        \
    static void unref(Type *p) { free_fn(p); }     \
  }

RTMS_GREF_TRAITS(GBytes, g_bytes_ref, g_bytes_unref);
RTMS_GREF_TRAITS(GMainContext, g_main_context_ref, g_main_context_unref);
RTMS_GREF_TRAITS(GMainLoop, g_main_loop_ref, g_main_loop_unref);
RTMS_GREF_TRAITS(GSource, g_source_ref, g_source_unref);
RTMS_GREF_TRAITS(GHashTable, g_hash_table_ref, g_hash_table_unref);
RTMS_GREF_TRAITS(GPtrArray, g_ptr_array_ref, g_ptr_array_unref);
RTMS_GREF_TRAITS(GVariant, g_variant_ref, g_variant_unref);
RTMS_GREF_TRAITS(GDateTime, g_date_time_ref, g_date_time_unref);
RTMS_GREF_TRAITS(GKeyFile, g_key_file_ref, g_key_file_unref);
RTMS_GREF_TRAITS(GUri, g_uri_ref, g_uri_unref);
RTMS_GREF_TRAITS(JsonNode, json_node_ref, json_node_unref);
RTMS_GREF_TRAITS(JsonObject, json_object_ref, json_object_unref);
RTMS_GREF_TRAITS(JsonArray, json_array_ref, json_array_unref);

RTMS_GREF_OWNED(char, g_free);  // also gchar
RTMS_GREF_OWNED(guchar, g_free);
RTMS_GREF_OWNED(char *, g_strfreev);  // a GStrv: GRef<char *>
RTMS_GREF_OWNED(GError, g_error_free);
RTMS_GREF_OWNED(GChecksum, g_checksum_free);
RTMS_GREF_OWNED(GDir, g_dir_close);
RTMS_GREF_OWNED(GOptionContext, g_option_context_free);

// GStreamer's mini objects and structures are no GObjects: their traits are
// in gst_gref.h. Declared here so that GRef<GstCaps> without that header
// does not compile (instead of calling g_object_ref on a GstCaps).
#define RTMS_GREF_DECLARE(Type) \
  template <>                   \
  struct GRefTraits<::_##Type>;
RTMS_GREF_GST_TYPES(RTMS_GREF_DECLARE)
#undef RTMS_GREF_DECLARE

namespace gref_detail {

template <typename Traits, typename = void>
struct HasRef : std::false_type {};
template <typename Traits>
struct HasRef<Traits, std::void_t<decltype(Traits::ref(nullptr))>> : std::true_type {};

// The pointer and its release; moves only.
template <typename T, typename Traits, bool kCopyable = HasRef<Traits>::value>
class Storage {
 public:
  Storage() = default;
  Storage(Storage &&other) noexcept : ptr_(std::exchange(other.ptr_, nullptr)) {}
  Storage &operator=(Storage &&other) noexcept {
    if (this != &other) drop(std::exchange(ptr_, std::exchange(other.ptr_, nullptr)));
    return *this;
  }
  ~Storage() { drop(ptr_); }

 protected:
  static void drop(T *p) {
    if (p != nullptr) Traits::unref(p);
  }
  T *ptr_ = nullptr;
};

// A copy takes a reference of its own.
template <typename T, typename Traits>
class Storage<T, Traits, true> : public Storage<T, Traits, false> {
  using Base = Storage<T, Traits, false>;

 public:
  Storage() = default;
  Storage(Storage &&) noexcept = default;
  Storage &operator=(Storage &&) noexcept = default;
  ~Storage() = default;
  Storage(const Storage &other) : Base() {
    if (other.ptr_ != nullptr) Traits::ref(other.ptr_);
    this->ptr_ = other.ptr_;
  }
  Storage &operator=(const Storage &other) {
    if (other.ptr_ != nullptr) Traits::ref(other.ptr_);  // before the drop: other may be *this
    Base::drop(std::exchange(this->ptr_, other.ptr_));
    return *this;
  }
};

}  // namespace gref_detail

template <typename T, typename Traits = GRefTraits<T>>
class GRef : public gref_detail::Storage<T, Traits> {
 public:
  static constexpr bool kShared = gref_detail::HasRef<Traits>::value;

  GRef() = default;
  GRef(std::nullptr_t) {}  // NOLINT: null converts, as for a pointer

  // Takes over a reference the caller owns (a "transfer full" return).
  static GRef adopt(T *ptr) {
    GRef r;
    r.ptr_ = ptr;
    return r;
  }
  // Adds a reference of its own to a borrowed pointer ("transfer none").
  static GRef share(T *ptr) {
    static_assert(kShared, "this type has one owner: adopt it, or copy what it points at");
    if (ptr != nullptr) Traits::ref(ptr);
    return adopt(ptr);
  }

  T *get() const { return this->ptr_; }
  T *operator->() const { return this->ptr_; }
  explicit operator bool() const { return this->ptr_ != nullptr; }

  // Drops the reference held, if any.
  void reset() { this->drop(std::exchange(this->ptr_, nullptr)); }
  // Gives the reference to the caller, who must drop it.
  [[nodiscard]] T *release() { return std::exchange(this->ptr_, nullptr); }
  // For an out parameter that returns a reference ("transfer full"): drops
  // what is held and lets the callee fill it in, e.g. a GError **.
  T **out() {
    reset();
    return &this->ptr_;
  }
  void swap(GRef &other) noexcept { std::swap(this->ptr_, other.ptr_); }
};

// rtms::adopt(p) and rtms::share(p) deduce T from p.
template <typename T>
GRef<T> adopt(T *ptr) {
  return GRef<T>::adopt(ptr);
}
template <typename T>
GRef<T> share(T *ptr) {
  return GRef<T>::share(ptr);
}

// A GLib source id (g_timeout_add, g_idle_add, g_unix_signal_add, a bus
// watch...), removed from the default main context when the holder goes
// away, so that a callback never outlives the object it points at.
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
    if (id_ != 0) g_source_remove(std::exchange(id_, 0u));
  }
  // For a source whose callback is returning G_SOURCE_REMOVE itself.
  guint release() { return std::exchange(id_, 0u); }
  guint get() const { return id_; }
  explicit operator bool() const { return id_ != 0; }

 private:
  guint id_ = 0;
};

// C++ data that C code owns for a while: a signal's or a probe's user data,
// g_object_set_data_full. give() moves a T onto the heap and hands over the
// pointer; free / free_closure are the matching destroy notifies (GDestroyNotify,
// GClosureNotify); of() reads it in the callback.
//
//   g_signal_connect_data(src, "pad-added", G_CALLBACK(on_pad), rtms::CallbackData<Hook>::give({tap, true}),
//                         rtms::CallbackData<Hook>::free_closure, GConnectFlags(0));
template <typename T>
struct CallbackData {
  static gpointer give(T value) { return std::make_unique<T>(std::move(value)).release(); }
  static T &of(gpointer data) { return *static_cast<T *>(data); }
  static void free(gpointer data) { std::unique_ptr<T> owned(static_cast<T *>(data)); }
  static void free_closure(gpointer data, GClosure *) { free(data); }
};

}  // namespace rtms
