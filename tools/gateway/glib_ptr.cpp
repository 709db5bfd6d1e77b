#include "glib_ptr.h"

#include <cstdio>
#include <exception>

namespace gateway {

namespace {

gboolean idle_trampoline(gpointer data) {
  // The closure is owned by the source; destroy_closure frees it.
  auto *fn = static_cast<std::function<void()> *>(data);
  try {
    (*fn)();
  } catch (const std::exception &e) {
    // No exception may cross into GLib.
    std::fprintf(stderr, "rtms-gateway: unexpected exception in idle callback: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "rtms-gateway: unexpected exception in idle callback\n");
  }
  return G_SOURCE_REMOVE;
}

void destroy_closure(gpointer data) {
  std::unique_ptr<std::function<void()>> owned(static_cast<std::function<void()> *>(data));
}

}  // namespace

void run_on_idle(std::function<void()> fn) {
  auto owned = std::make_unique<std::function<void()>>(std::move(fn));
  g_idle_add_full(G_PRIORITY_DEFAULT_IDLE, idle_trampoline, owned.release(), destroy_closure);
}

}  // namespace gateway
