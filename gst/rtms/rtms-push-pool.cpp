#include "rtms-push-pool.h"

#include <condition_variable>
#include <chrono>
#include <deque>
#include <mutex>
#include <utility>
#include <vector>

GST_DEBUG_CATEGORY_STATIC(rtms_push_pool_debug);
#define GST_CAT_DEFAULT rtms_push_pool_debug

namespace rtms {
namespace {

struct Scheduled {
  GstPad *pad;  // owned reference
  void (*drain)(GstPad *pad);
  gint64 since_us;  // monotonic time it was scheduled
};

class PushPool {
 public:
  void acquire();
  void release();
  bool schedule(GstPad *pad, void (*drain)(GstPad *pad));

 private:
  static gpointer worker_main(gpointer pool);
  static gpointer monitor_main(gpointer pool);
  void work();
  void watch();
  // Under lock_.
  bool start_worker_locked();

  // Held across start and stop (users_ and the thread lists' lifetime), so
  // that an element stopping the pool and another starting it take turns.
  // Never taken by the pool's own threads.
  std::mutex lifecycle_;
  unsigned users_ = 0;

  // Guards everything below.
  std::mutex lock_;
  std::condition_variable work_ready_;   // idle workers wait here
  std::condition_variable watch_wake_;   // the monitor, when it has nothing to watch
  std::deque<Scheduled> ready_;
  std::vector<GThread *> workers_;
  GThread *monitor_ = nullptr;
  unsigned idle_ = 0;
  // Wake-ups owed to idle workers: each idle worker that leaves its wait
  // takes one (whichever worker that is), so no wake-up is lost or counted
  // twice, and at most one idle worker is woken per idle worker needed.
  unsigned wake_tokens_ = 0;
  bool monitor_waiting_ = false;
  bool stopping_ = false;
};

PushPool &pool() {
  // Never destroyed: pool threads may outlive static destructors' order.
  static PushPool *instance = new PushPool();
  return *instance;
}

void PushPool::acquire() {
  std::lock_guard<std::mutex> life(lifecycle_);
  if (users_++ > 0) return;
  std::lock_guard<std::mutex> guard(lock_);
  stopping_ = false;
  start_worker_locked();
  monitor_ = g_thread_try_new("rtms-push-mon", monitor_main, this, nullptr);
  if (!monitor_) GST_ERROR("could not start the push pool's monitor thread");
}

void PushPool::release() {
  std::lock_guard<std::mutex> life(lifecycle_);
  if (users_ == 0 || --users_ > 0) return;
  std::vector<GThread *> threads;
  {
    std::lock_guard<std::mutex> guard(lock_);
    stopping_ = true;
    threads.swap(workers_);
    if (monitor_) threads.push_back(std::exchange(monitor_, nullptr));
  }
  work_ready_.notify_all();
  watch_wake_.notify_all();
  // No element uses the pool any more: every pad it scheduled was
  // deactivated, which waited for its push in progress.
  for (GThread *thread : threads) g_thread_join(thread);
  std::deque<Scheduled> left;
  {
    std::lock_guard<std::mutex> guard(lock_);
    left.swap(ready_);
    idle_ = 0;
    wake_tokens_ = 0;
  }
  for (Scheduled &s : left) gst_object_unref(s.pad);
  GST_DEBUG("push pool stopped (%zu thread(s) joined)", threads.size());
}

bool PushPool::start_worker_locked() {
  if (workers_.size() >= kPushPoolMaxThreads) return false;
  GThread *thread = g_thread_try_new("rtms-push", worker_main, this, nullptr);
  if (!thread) {
    GST_ERROR("could not start a push pool thread");
    return false;
  }
  workers_.push_back(thread);
  return true;
}

bool PushPool::schedule(GstPad *pad, void (*drain)(GstPad *pad)) {
  bool wake = false, wake_monitor = false;
  {
    std::lock_guard<std::mutex> guard(lock_);
    if (stopping_ || workers_.empty()) {
      GST_WARNING_OBJECT(pad, "the push pool has no thread: pushing on the caller's");
      return false;
    }
    ready_.push_back(Scheduled{GST_PAD(gst_object_ref(pad)), drain, g_get_monotonic_time()});
    if (idle_ > 0 && wake_tokens_ == 0) {
      // One idle worker at a time: once awake it drains everything queued
      // (a wake-up already owed covers this entry too).
      wake_tokens_++;
      wake = true;
    } else if (idle_ == 0 && monitor_waiting_) {
      // Every worker is busy: from now on the monitor watches the queue.
      monitor_waiting_ = false;
      wake_monitor = true;
    }
  }
  if (wake) work_ready_.notify_one();
  if (wake_monitor) watch_wake_.notify_one();
  return true;
}

gpointer PushPool::worker_main(gpointer pool) {
  static_cast<PushPool *>(pool)->work();
  return nullptr;
}

void PushPool::work() {
  std::unique_lock<std::mutex> guard(lock_);
  while (!stopping_) {
    if (ready_.empty()) {
      idle_++;
      work_ready_.wait(guard, [this] { return stopping_ || wake_tokens_ > 0; });
      idle_--;
      if (stopping_) break;
      wake_tokens_--;
      // Woken from idle: let the packets of the next moment join this one.
      guard.unlock();
      g_usleep(kPushPoolLingerUs);
      guard.lock();
      continue;
    }
    Scheduled next = ready_.front();
    ready_.pop_front();
    guard.unlock();
    next.drain(next.pad);
    gst_object_unref(next.pad);
    guard.lock();
  }
}

gpointer PushPool::monitor_main(gpointer pool) {
  static_cast<PushPool *>(pool)->watch();
  return nullptr;
}

// Ticks only while work waits and every worker is busy; a few quiet ticks
// in a row and it waits to be told again.
void PushPool::watch() {
  constexpr auto kTick = std::chrono::microseconds(kPushPoolStallUs / 4);
  constexpr int kQuietTicks = 20;
  int quiet = 0;
  std::unique_lock<std::mutex> guard(lock_);
  while (!stopping_) {
    if (quiet >= kQuietTicks) {
      monitor_waiting_ = true;
      watch_wake_.wait(guard, [this] { return stopping_ || !monitor_waiting_; });
      quiet = 0;
      continue;
    }
    watch_wake_.wait_for(guard, kTick, [this] { return stopping_; });
    if (stopping_) break;
    bool stalled = !ready_.empty() && idle_ == 0 &&
                   g_get_monotonic_time() - ready_.front().since_us > gint64(kPushPoolStallUs);
    if (!stalled) {
      quiet = ready_.empty() || idle_ > 0 ? quiet + 1 : 0;
      continue;
    }
    quiet = 0;
    if (start_worker_locked())
      GST_INFO("a push has waited %" G_GINT64_FORMAT " us with every pool thread busy: "
               "started pool thread %zu",
               g_get_monotonic_time() - ready_.front().since_us, workers_.size());
  }
}

}  // namespace

void push_pool_acquire() {
  static gsize init = 0;
  if (g_once_init_enter(&init)) {
    GST_DEBUG_CATEGORY_INIT(rtms_push_pool_debug, "rtmspushpool", 0,
                            "rtmssrc's shared streaming threads (push-mode=shared-threads)");
    g_once_init_leave(&init, 1);
  }
  pool().acquire();
}

void push_pool_release() { pool().release(); }

bool push_pool_schedule(GstPad *pad, void (*drain)(GstPad *pad)) {
  return pool().schedule(pad, drain);
}

}  // namespace rtms
