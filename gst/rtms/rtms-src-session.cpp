#include "rtms-src-session.h"

#include <chrono>

#include "protocol/webhook.h"

namespace rtms {

// How long stop() waits for the server to answer the close request.
static constexpr auto kCloseWait = std::chrono::milliseconds(2500);

void SessionHandle::start(SessionConfig config, SessionListener &listener) {
  {
    std::lock_guard<std::mutex> guard(end_lock_);
    over_ = false;
  }
  reconnects_.store(0, std::memory_order_relaxed);
  std::lock_guard<std::mutex> guard(lock_);
  session_ = std::make_unique<Session>(std::move(config), listener);
  session_->start();
}

void SessionHandle::stop() {
  std::unique_ptr<Session> session;
  {
    std::lock_guard<std::mutex> guard(lock_);
    session = std::move(session_);
  }
  if (!session) return;
  session->request_close();
  {
    std::unique_lock<std::mutex> guard(end_lock_);
    end_cond_.wait_for(guard, kCloseWait, [this] { return over_; });
  }
  session->stop();
}

void SessionHandle::stop_now() {
  std::unique_ptr<Session> session;
  {
    std::lock_guard<std::mutex> guard(lock_);
    session = std::move(session_);
  }
  if (session) session->stop();
}

bool SessionHandle::request_close() {
  std::lock_guard<std::mutex> guard(lock_);
  if (!session_) return false;
  session_->request_close();
  return true;
}

bool SessionHandle::fail_over(const std::string &server_urls) {
  std::lock_guard<std::mutex> guard(lock_);
  if (!session_) return false;
  session_->fail_over(split_server_urls(server_urls));
  return true;
}

bool SessionHandle::send_signaling(Message message) {
  std::lock_guard<std::mutex> guard(lock_);
  if (!session_) return false;
  session_->send_signaling(std::move(message));
  return true;
}

void SessionHandle::mark_over() {
  std::lock_guard<std::mutex> guard(end_lock_);
  over_ = true;
  end_cond_.notify_all();
}

}  // namespace rtms
