// Network threads shared by sessions. A thread per stream wakes once per
// TCP segment of its own; with hundreds of streams in one process those
// wake-ups cost more than the media itself. Sessions that lease the same
// NetworkThread share one GMainContext and one thread, so one wake-up can
// serve every stream whose data arrived meanwhile.
#pragma once

#include <glib.h>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "fd_watcher.h"
#include "timer_set.h"

namespace rtms {

class NetworkThread {
 public:
  // wake_interval_us > 0: after each wake-up the thread sleeps at least this
  // long before it polls again, so data arriving meanwhile is read in one
  // batch (at the price of up to that much latency).
  explicit NetworkThread(unsigned wake_interval_us);
  // Quits the loop, lets queued writes (close frames) go out, joins.
  ~NetworkThread();
  NetworkThread(const NetworkThread &) = delete;
  NetworkThread &operator=(const NetworkThread &) = delete;

  // The thread's context; it is also the thread-default context while the
  // thread runs, so asynchronous GIO calls made on it answer on it.
  GMainContext *context() const { return context_; }
  // The sockets of every session on this thread (one epoll set).
  FdWatcher &sockets() { return *sockets_; }
  bool is_current() const { return std::this_thread::get_id() == thread_.get_id(); }
  unsigned wake_interval_us() const { return wake_interval_us_; }
  // Names the thread (rtms-net-<serial>) in logs.
  unsigned serial() const { return serial_; }
  // Runs fn on the thread (at once when called on it).
  void invoke(std::function<void()> fn);
  // Runs fn on the thread and waits until it returned.
  void invoke_and_wait(std::function<void()> fn);
  // Runs fn once on the thread after ms; cancel_timeout(id) forgets it.
  // Both on the thread.
  TimerSet::Id add_timeout(unsigned ms, std::function<void()> fn) {
    return timers_->add(ms, std::move(fn));
  }
  void cancel_timeout(TimerSet::Id id) { timers_->cancel(id); }

  // How many sessions hold a lease (for placing the next one).
  std::atomic<unsigned> leases{0};

 private:
  void run();
  static gint batching_poll(GPollFD *fds, guint nfds, gint timeout_ms);

  unsigned wake_interval_us_;
  unsigned serial_;
  GMainContext *context_;
  GMainLoop *loop_;
  std::unique_ptr<FdWatcher> sockets_;
  std::unique_ptr<TimerSet> timers_;
  std::thread thread_;
};

// A session's hold on a network thread; the thread ends with its last lease.
class NetworkLease {
 public:
  NetworkLease() = default;
  explicit NetworkLease(std::shared_ptr<NetworkThread> thread);
  ~NetworkLease();
  NetworkLease(NetworkLease &&) noexcept = default;
  NetworkLease &operator=(NetworkLease &&other) noexcept;
  NetworkLease(const NetworkLease &) = delete;
  NetworkLease &operator=(const NetworkLease &) = delete;

  NetworkThread *operator->() const { return thread_.get(); }
  NetworkThread *get() const { return thread_.get(); }
  explicit operator bool() const { return bool(thread_); }
  void reset();

 private:
  std::shared_ptr<NetworkThread> thread_;
};

// Leases one of the process's network threads of that wake interval: a new
// one while there are fewer than the CPUs this process may use, else the
// one with the fewest sessions. dedicated: a thread of its own.
NetworkLease lease_network_thread(unsigned wake_interval_us, bool dedicated);

}  // namespace rtms
