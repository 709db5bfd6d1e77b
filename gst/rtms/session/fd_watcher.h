// Many sockets watched through one epoll set that is itself one GSource.
// GLib's main loop polls every source's descriptors and walks every source
// on each iteration; with hundreds of sockets on a network thread those
// walks cost more than reading the data. Here GLib sees a single
// descriptor, and one epoll_wait names exactly the sockets that are ready.
#pragma once

#include <glib.h>

#include <functional>
#include <memory>
#include <vector>

namespace rtms {

class FdWatcher {
 public:
  using Callback = std::function<void(GIOCondition ready)>;
  struct Watch;

  // Attaches to context; every callback runs on the thread that runs it.
  explicit FdWatcher(GMainContext *context);
  ~FdWatcher();
  FdWatcher(const FdWatcher &) = delete;
  FdWatcher &operator=(const FdWatcher &) = delete;

  // Level-triggered like poll(): events of G_IO_IN and G_IO_OUT; errors
  // and hang-ups are always reported. Returns null if fd cannot be watched.
  Watch *add(int fd, GIOCondition events, Callback callback);
  void modify(Watch *watch, GIOCondition events);
  // Stops watching (call before closing fd). Safe from any callback, also
  // for a watch whose event is still pending in the current batch.
  void remove(Watch *watch);

 private:
  struct Source;
  static gboolean dispatch(GSource *source, GSourceFunc, gpointer);
  void run_ready();

  int epoll_fd_ = -1;
  GSource *source_ = nullptr;
  int dispatching_ = 0;  // depth of run_ready calls
  std::vector<std::unique_ptr<Watch>> removed_;  // freed after the batch
};

}  // namespace rtms
