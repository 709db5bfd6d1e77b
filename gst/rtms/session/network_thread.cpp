#include "network_thread.h"

#include <time.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "log.h"

#if defined(__linux__)
#include <sched.h>
#include <sys/prctl.h>
#endif

namespace rtms {

namespace {

struct Task {
  std::function<void()> fn;
  static gboolean run(gpointer data) {
    static_cast<Task *>(data)->fn();
    return G_SOURCE_REMOVE;
  }
  static void destroy(gpointer data) { std::unique_ptr<Task> owned(static_cast<Task *>(data)); }
};

// Per network thread: the wake interval and when the thread may next poll.
thread_local gint64 tl_wake_interval_us = 0;
thread_local gint64 tl_next_poll_us = 0;

void sleep_us(gint64 us) {
  struct timespec ts;
  ts.tv_sec = time_t(us / G_USEC_PER_SEC);
  ts.tv_nsec = long((us % G_USEC_PER_SEC) * 1000);
  while (nanosleep(&ts, &ts) != 0) {
  }
}

std::atomic<unsigned> thread_serial{0};

}  // namespace

// GLib's poll with a minimum gap between wake-ups. A thread woken right
// away for every segment spends most of its time waking; sleeping out the
// rest of the interval first lets the segments of many sockets pile up so
// the next poll returns them all. Commands from other threads wait too, which
// is at most one interval.
gint NetworkThread::batching_poll(GPollFD *fds, guint nfds, gint timeout_ms) {
  if (tl_wake_interval_us > 0 && timeout_ms != 0) {
    gint64 wait = tl_next_poll_us - g_get_monotonic_time();
    if (wait > 0) {
      if (timeout_ms > 0) wait = std::min<gint64>(wait, gint64(timeout_ms) * 1000);
      sleep_us(wait);
      if (timeout_ms > 0) timeout_ms = std::max<gint>(0, timeout_ms - gint(wait / 1000));
    }
  }
  gint ready = g_poll(fds, nfds, timeout_ms);
  if (tl_wake_interval_us > 0) tl_next_poll_us = g_get_monotonic_time() + tl_wake_interval_us;
  return ready;
}

NetworkThread::NetworkThread(unsigned wake_interval_us)
    : wake_interval_us_(wake_interval_us),
      serial_(thread_serial++),
      context_(g_main_context_new()),
      loop_(g_main_loop_new(context_, FALSE)),
      sockets_(std::make_unique<FdWatcher>(context_)),
      timers_(std::make_unique<TimerSet>(context_)) {
  if (wake_interval_us_ > 0) g_main_context_set_poll_func(context_, batching_poll);
  unsigned serial = serial_;
  // The thread holds its own references: it may outlive this object when the
  // last lease is dropped on the thread itself.
  GMainContext *context = g_main_context_ref(context_);
  GMainLoop *loop = g_main_loop_ref(loop_);
  thread_ = std::thread([context, loop, serial, wake_interval_us] {
#if defined(__linux__)
    std::string name = "rtms-net-" + std::to_string(serial);
    prctl(PR_SET_NAME, name.c_str(), 0, 0, 0);
#else
    (void)serial;
#endif
    tl_wake_interval_us = wake_interval_us;
    RTMS_LOG(Network, Info, nullptr, "network thread rtms-net-%u started (wake interval %u us)",
             serial, wake_interval_us);
    g_main_context_push_thread_default(context);
    g_main_loop_run(loop);
    // Let queued writes (close frames of sessions just stopped) go out.
    tl_wake_interval_us = 0;
    while (g_main_context_iteration(context, FALSE)) {
    }
    g_main_context_pop_thread_default(context);
    RTMS_LOG(Network, Info, nullptr, "network thread rtms-net-%u ended", serial);
    g_main_loop_unref(loop);
    g_main_context_unref(context);
  });
}

NetworkThread::~NetworkThread() {
  GMainLoop *loop = loop_;
  invoke([loop] { g_main_loop_quit(loop); });
  if (is_current())
    thread_.detach();
  else if (thread_.joinable())
    thread_.join();
  sockets_.reset();
  timers_.reset();
  g_main_loop_unref(loop_);
  g_main_context_unref(context_);
}

void NetworkThread::invoke(std::function<void()> fn) {
  auto task = std::make_unique<Task>(Task{std::move(fn)});
  g_main_context_invoke_full(context_, G_PRIORITY_DEFAULT, Task::run, task.release(),
                             Task::destroy);
}

void NetworkThread::invoke_and_wait(std::function<void()> fn) {
  if (is_current()) {
    fn();
    return;
  }
  std::mutex lock;
  std::condition_variable cond;
  bool done = false;
  invoke([&] {
    fn();
    std::lock_guard<std::mutex> guard(lock);
    done = true;
    cond.notify_one();
  });
  std::unique_lock<std::mutex> guard(lock);
  cond.wait(guard, [&] { return done; });
}

NetworkLease::NetworkLease(std::shared_ptr<NetworkThread> thread) : thread_(std::move(thread)) {
  if (thread_) thread_->leases++;
}

NetworkLease::~NetworkLease() { reset(); }

NetworkLease &NetworkLease::operator=(NetworkLease &&other) noexcept {
  if (this != &other) {
    reset();
    thread_ = std::move(other.thread_);
  }
  return *this;
}

void NetworkLease::reset() {
  if (!thread_) return;
  thread_->leases--;
  thread_.reset();
}

namespace {

// The CPUs this process may run on (GLib 2.74's count ignores affinity, so a
// process pinned to one core would still get a thread per core).
unsigned usable_cpus() {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
#endif
  return std::max(1u, g_get_num_processors());
}

std::mutex pool_lock;
// Weak: a thread lives exactly as long as some session holds a lease.
std::map<unsigned, std::vector<std::weak_ptr<NetworkThread>>> pool;

}  // namespace

NetworkLease lease_network_thread(unsigned wake_interval_us, bool dedicated) {
  if (dedicated) return NetworkLease(std::make_shared<NetworkThread>(wake_interval_us));
  std::lock_guard<std::mutex> guard(pool_lock);
  auto &threads = pool[wake_interval_us];
  std::vector<std::shared_ptr<NetworkThread>> live;
  for (auto &weak : threads)
    if (auto thread = weak.lock()) live.push_back(std::move(thread));
  threads.assign(live.begin(), live.end());
  if (live.size() < usable_cpus()) {
    auto thread = std::make_shared<NetworkThread>(wake_interval_us);
    threads.push_back(thread);
    return NetworkLease(std::move(thread));
  }
  auto least = std::min_element(live.begin(), live.end(), [](const auto &a, const auto &b) {
    return a->leases.load() < b->leases.load();
  });
  return NetworkLease(*least);
}

}  // namespace rtms
