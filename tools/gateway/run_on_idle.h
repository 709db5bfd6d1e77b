// Runs a function once from the default main context, at idle priority (so
// that work already queued, e.g. an HTTP answer, goes out first). No
// exception crosses into GLib: one is logged and dropped.
#pragma once

#include <functional>

namespace gateway {

void run_on_idle(std::function<void()> fn);

}  // namespace gateway
