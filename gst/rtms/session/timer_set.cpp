#include "timer_set.h"

#include <map>
#include <memory>
#include <unordered_map>
#include <utility>

namespace rtms {

struct TimerSet::State {
  // Ordered by deadline, then by id: timers due together fire in the order
  // they were added, as GLib's own timeouts do.
  std::map<std::pair<gint64, Id>, std::function<void()>> by_deadline;
  std::unordered_map<Id, gint64> deadline_of;
  Id next_id = 1;

  void rearm(GSource *source) const {
    g_source_set_ready_time(source, by_deadline.empty() ? -1 : by_deadline.begin()->first.first);
  }
};

// The state lives in the source: a callback may destroy the TimerSet (its
// thread's last session going away) while the source is dispatching.
struct TimerSet::Source {
  GSource base;
  State *state;
};

TimerSet::TimerSet(GMainContext *context) {
  static GSourceFuncs funcs = {nullptr, nullptr, dispatch, finalize, nullptr, nullptr};
  source_ = g_source_new(&funcs, sizeof(Source));
  auto state = std::make_unique<State>();
  state_ = state.get();
  reinterpret_cast<Source *>(source_)->state = state.release();
  g_source_set_name(source_, "rtms-timers");
  g_source_attach(source_, context);
}

TimerSet::~TimerSet() {
  g_source_destroy(source_);
  g_source_unref(source_);
}

void TimerSet::finalize(GSource *source) {
  std::unique_ptr<State> owned(reinterpret_cast<Source *>(source)->state);
}

TimerSet::Id TimerSet::add(unsigned ms, std::function<void()> fn) {
  Id id = state_->next_id++;
  gint64 deadline = g_get_monotonic_time() + gint64(ms) * 1000;
  state_->by_deadline.emplace(std::make_pair(deadline, id), std::move(fn));
  state_->deadline_of.emplace(id, deadline);
  state_->rearm(source_);
  return id;
}

void TimerSet::cancel(Id id) {
  auto it = state_->deadline_of.find(id);
  if (it == state_->deadline_of.end()) return;
  state_->by_deadline.erase(std::make_pair(it->second, id));
  state_->deadline_of.erase(it);
  state_->rearm(source_);
}

size_t TimerSet::pending() const { return state_->by_deadline.size(); }

gboolean TimerSet::dispatch(GSource *source, GSourceFunc, gpointer) {
  State *state = reinterpret_cast<Source *>(source)->state;
  gint64 now = g_get_monotonic_time();
  // Only what is due now: a callback that adds a 0 ms timer waits for the
  // next iteration instead of keeping this one going.
  while (!state->by_deadline.empty() && state->by_deadline.begin()->first.first <= now &&
         !g_source_is_destroyed(source)) {
    auto node = state->by_deadline.extract(state->by_deadline.begin());
    state->deadline_of.erase(node.key().second);
    node.mapped()();
  }
  if (!g_source_is_destroyed(source)) state->rearm(source);
  return G_SOURCE_CONTINUE;
}

}  // namespace rtms
