// RAII owner of one GObject reference, for the session layer and up.
#pragma once

#include <glib-object.h>

#include <utility>

namespace rtms {

template <typename T>
class GRef {
 public:
  GRef() = default;
  // Takes over a reference the caller owns (a "transfer full" return).
  static GRef adopt(T *ptr) {
    GRef r;
    r.ptr_ = ptr;
    return r;
  }
  // Adds a reference of its own.
  static GRef share(T *ptr) {
    return adopt(ptr ? static_cast<T *>(g_object_ref(ptr)) : nullptr);
  }
  ~GRef() { reset(); }
  GRef(const GRef &other) : ptr_(other.ptr_ ? static_cast<T *>(g_object_ref(other.ptr_)) : nullptr) {}
  GRef(GRef &&other) noexcept : ptr_(std::exchange(other.ptr_, nullptr)) {}
  GRef &operator=(GRef other) noexcept {
    std::swap(ptr_, other.ptr_);
    return *this;
  }
  void reset() {
    if (ptr_) g_object_unref(std::exchange(ptr_, nullptr));
  }
  T *get() const { return ptr_; }
  T *operator->() const { return ptr_; }
  explicit operator bool() const { return ptr_ != nullptr; }

 private:
  T *ptr_ = nullptr;
};

}  // namespace rtms
