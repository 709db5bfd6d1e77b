#include "run_on_idle.h"

#include <glib.h>

#include <exception>
#include <memory>
#include <utility>

#include "log.h"

namespace gateway {

void run_on_idle(std::function<void()> fn) {
  using Fn = std::function<void()>;
  auto trampoline = [](gpointer data) -> gboolean {
    // The closure is owned by the source, which frees it afterwards.
    try {
      (*static_cast<Fn *>(data))();
    } catch (const std::exception &e) {
      // No exception may cross into GLib.
      tools::log_error("unexpected exception in idle callback: %s", e.what());
    } catch (...) {
      tools::log_error("unexpected exception in idle callback");
    }
    return G_SOURCE_REMOVE;
  };
  auto destroy = [](gpointer data) { std::unique_ptr<Fn>(static_cast<Fn *>(data)); };
  auto owned = std::make_unique<Fn>(std::move(fn));
  g_idle_add_full(G_PRIORITY_DEFAULT_IDLE, trampoline, owned.release(), destroy);
}

}  // namespace gateway
