#include "fd_watcher.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <utility>

namespace rtms {

struct FdWatcher::Watch {
  int fd;
  Callback callback;
  bool removed = false;
};

struct FdWatcher::Source {
  GSource base;
  FdWatcher *owner;
};

namespace {

uint32_t to_epoll(GIOCondition events) {
  uint32_t e = 0;
  if (events & G_IO_IN) e |= EPOLLIN;
  if (events & G_IO_OUT) e |= EPOLLOUT;
  return e;
}

GIOCondition from_epoll(uint32_t e) {
  int c = 0;
  if (e & EPOLLIN) c |= G_IO_IN;
  if (e & EPOLLOUT) c |= G_IO_OUT;
  if (e & EPOLLERR) c |= G_IO_ERR;
  if (e & EPOLLHUP) c |= G_IO_HUP;
  return GIOCondition(c);
}

}  // namespace

FdWatcher::FdWatcher(GMainContext *context) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  static GSourceFuncs funcs = {nullptr, nullptr, dispatch, nullptr, nullptr, nullptr};
  source_ = g_source_new(&funcs, sizeof(Source));
  reinterpret_cast<Source *>(source_)->owner = this;
  g_source_set_name(source_, "rtms-fd-watcher");
  // GLib blocks a source that may not recurse while it runs by taking its
  // descriptors out of the poll set and putting them back afterwards, and
  // each of those steps writes the context's wake-up eventfd: two writes, a
  // read and an extra poll per wake-up of the thread, for nothing. run_ready
  // copes with being re-entered, so the source may recurse.
  g_source_set_can_recurse(source_, TRUE);
  if (epoll_fd_ >= 0) g_source_add_unix_fd(source_, epoll_fd_, G_IO_IN);
  g_source_attach(source_, context);
}

FdWatcher::~FdWatcher() {
  g_source_destroy(source_);
  g_source_unref(source_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

FdWatcher::Watch *FdWatcher::add(int fd, GIOCondition events, Callback callback) {
  if (epoll_fd_ < 0) return nullptr;
  auto watch = std::make_unique<Watch>(Watch{fd, std::move(callback)});
  struct epoll_event ev = {};
  ev.events = to_epoll(events);
  ev.data.ptr = watch.get();
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) return nullptr;
  return watch.release();
}

void FdWatcher::modify(Watch *watch, GIOCondition events) {
  struct epoll_event ev = {};
  ev.events = to_epoll(events);
  ev.data.ptr = watch;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, watch->fd, &ev);
}

void FdWatcher::remove(Watch *watch) {
  if (!watch) return;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, watch->fd, nullptr);
  std::unique_ptr<Watch> owned(watch);
  if (dispatching_) {
    // Its event may still be in the batch being run: keep it, marked.
    owned->removed = true;
    removed_.push_back(std::move(owned));
  }
}

gboolean FdWatcher::dispatch(GSource *source, GSourceFunc, gpointer) {
  reinterpret_cast<Source *>(source)->owner->run_ready();
  return G_SOURCE_CONTINUE;
}

void FdWatcher::run_ready() {
  struct epoll_event events[256];
  int n = epoll_wait(epoll_fd_, events, 256, 0);
  ++dispatching_;
  for (int i = 0; i < n; ++i) {
    auto *watch = static_cast<Watch *>(events[i].data.ptr);
    // A watch removed during this batch is only freed after it.
    if (!watch->removed) watch->callback(from_epoll(events[i].events));
  }
  // Only the outermost batch frees: an inner one (a callback iterating the
  // context) must not free watches the outer batch still has events for.
  if (--dispatching_ == 0) removed_.clear();
}

}  // namespace rtms
