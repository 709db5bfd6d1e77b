// A scripted stand-in for the RTMS servers behind the session's transport
// interface (session/transport.h), for in-process tests of the session's
// state machine: no sockets, no TLS, no emulator.
//
// Every fake connection answers like a well-behaved server unless the
// script says otherwise: it opens, answers the signaling handshake with
// media URLs on the same host, answers each media handshake, and answers
// STREAM_CLOSE_REQ. The test thread changes the script, and acts as the
// server (drop a connection, send a message) through run(), which executes
// on the session's network thread. Everything a connection does is
// delivered from a 0 ms timer on that thread, as a real socket's events
// come from its main loop, never from inside the session's own call.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "protocol/messages.h"
#include "protocol/wire_codec.h"
#include "session/network_thread.h"
#include "session/transport.h"

namespace fake {

class FakeServer;

class FakeTransport final : public rtms::Transport {
 public:
  FakeTransport(FakeServer &server, const rtms::TransportParams &params,
                rtms::TransportEvents &events);
  ~FakeTransport() override;

  void connect() override;
  bool is_open() const override { return open_; }
  bool tls_unverified() const override { return false; }
  const std::string &host() const override { return host_; }
  void read_pending() override {}
  void send(const std::string &text, rtms::FrameKind kind) override;
  void close() override;

  const std::string &label() const { return label_; }
  const std::string &url() const { return url_; }
  // Server side (network thread): a message to the client, or the end.
  void deliver(const rtms::Message &message);
  void drop(int code, const std::string &reason) {
    if (!open_) return;
    open_ = false;
    events_.on_transport_closed(code, reason);
  }

 private:
  // Runs fn on the network thread's next iteration, unless this is gone.
  void later(std::function<void()> fn, unsigned delay_ms = 0);

  FakeServer &server_;
  rtms::TransportEvents &events_;
  rtms::NetworkThread *network_;
  std::string url_, label_, host_;
  bool open_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

class FakeServer {
 public:
  rtms::TransportFactory factory() {
    return [this](const rtms::TransportParams &params, rtms::TransportEvents &events) {
      return std::unique_ptr<rtms::Transport>(std::make_unique<FakeTransport>(*this, params,
                                                                                events));
    };
  }

  // ---- the script (any thread) -------------------------------------------
  // Connections to url fail, with this kind, until allowed again.
  void refuse(const std::string &url, rtms::TransportFailure::Kind kind) {
    std::lock_guard<std::mutex> guard(lock_);
    refused_[url] = kind;
  }
  void allow(const std::string &url) {
    std::lock_guard<std::mutex> guard(lock_);
    refused_.erase(url);
  }
  // The next signaling (or media) handshakes are answered with these
  // statuses, one each; then Ok.
  void answer_signaling(std::vector<rtms::StatusCode> statuses) {
    std::lock_guard<std::mutex> guard(lock_);
    signaling_answers_.insert(signaling_answers_.end(), statuses.begin(), statuses.end());
  }
  void answer_media(std::vector<rtms::StatusCode> statuses) {
    std::lock_guard<std::mutex> guard(lock_);
    media_answers_.insert(media_answers_.end(), statuses.begin(), statuses.end());
  }
  // Whether the signaling handshake names one URL per media type instead
  // of a single "all" one.
  void split_media_urls(bool split) {
    std::lock_guard<std::mutex> guard(lock_);
    split_ = split;
  }
  // Whether handshakes get their answers at all.
  void answer_handshakes(bool answer) {
    std::lock_guard<std::mutex> guard(lock_);
    answer_handshakes_ = answer;
  }
  // A message the server sends on that label's connection after the client
  // closed it and before the server's close frame: it was in flight (once).
  void in_flight_at_close(const std::string &label, const rtms::Message &message,
                          unsigned close_echo_delay_ms = 0) {
    std::lock_guard<std::mutex> guard(lock_);
    in_flight_[label] = {message, close_echo_delay_ms};
  }
  // Whether STREAM_CLOSE_REQ gets its answer.
  void answer_close(bool answer) {
    std::lock_guard<std::mutex> guard(lock_);
    answer_close_ = answer;
  }
  // How the server reads and writes messages (the session's must match);
  // set before the session starts.
  void use_codec(const rtms::WireCodec &codec) { codec_ = &codec; }

  // ---- what happened (any thread) ------------------------------------------
  // "<label> <url>" per connection attempt, in order.
  std::vector<std::string> connects() {
    std::lock_guard<std::mutex> guard(lock_);
    return connects_;
  }
  size_t connects_of(const std::string &label) {
    std::lock_guard<std::mutex> guard(lock_);
    return size_t(std::count_if(connects_.begin(), connects_.end(), [&](const std::string &c) {
      return c.compare(0, label.size() + 1, label + " ") == 0;
    }));
  }
  // "<label> <message type>" per message the client sent, in order.
  std::vector<std::string> sent() {
    std::lock_guard<std::mutex> guard(lock_);
    return sent_;
  }
  std::vector<std::string> sent_json() {
    std::lock_guard<std::mutex> guard(lock_);
    return sent_json_;
  }

  // ---- acting as the server (test thread) ----------------------------------
  // Runs fn on the session's network thread and waits for it.
  void run(std::function<void()> fn) {
    rtms::NetworkThread *network;
    {
      std::lock_guard<std::mutex> guard(lock_);
      network = network_;
    }
    if (network) network->invoke_and_wait(fn);
  }
  // The open connection of that label (null if none); network thread only.
  FakeTransport *open_connection(const std::string &label) {
    for (auto it = live_.rbegin(); it != live_.rend(); ++it)
      if ((*it)->label() == label && (*it)->is_open()) return *it;
    return nullptr;
  }
  // The server closes the connection of that label (code 1006: it was lost).
  bool drop(const std::string &label, int code = 1006, const std::string &reason = "") {
    bool dropped = false;
    run([&] {
      if (FakeTransport *t = open_connection(label)) {
        t->drop(code, reason);
        dropped = true;
      }
    });
    return dropped;
  }
  bool deliver(const std::string &label, const rtms::Message &message) {
    bool delivered = false;
    run([&] {
      if (FakeTransport *t = open_connection(label)) {
        t->deliver(message);
        delivered = true;
      }
    });
    return delivered;
  }

 private:
  friend class FakeTransport;

  // Guards the script and the records: the test thread writes the one and
  // reads the other while the network thread does the opposite.
  std::mutex lock_;
  std::map<std::string, rtms::TransportFailure::Kind> refused_;
  std::deque<rtms::StatusCode> signaling_answers_, media_answers_;
  bool split_ = false;
  bool answer_close_ = true;
  bool answer_handshakes_ = true;
  std::map<std::string, std::pair<rtms::Message, unsigned>> in_flight_;
  std::vector<std::string> connects_, sent_, sent_json_;
  rtms::NetworkThread *network_ = nullptr;
  const rtms::WireCodec *codec_ = &rtms::json_wire_codec();
  // The connections that exist; network thread only.
  std::vector<FakeTransport *> live_;

  static rtms::StatusCode next(std::deque<rtms::StatusCode> &answers) {
    if (answers.empty()) return rtms::StatusCode::Ok;
    rtms::StatusCode status = answers.front();
    answers.pop_front();
    return status;
  }

  // The server's answer to what the client sent, if any (network thread).
  bool answer(const FakeTransport &t, const rtms::Message &request, rtms::Message *reply) {
    std::lock_guard<std::mutex> guard(lock_);
    bool handshake = std::holds_alternative<rtms::SignalingHandshakeReq>(request) ||
                     std::holds_alternative<rtms::DataHandshakeReq>(request);
    if (handshake && !answer_handshakes_) return false;
    if (std::holds_alternative<rtms::SignalingHandshakeReq>(request)) {
      rtms::SignalingHandshakeResp resp;
      resp.status_code = next(signaling_answers_);
      if (resp.status_code == rtms::StatusCode::Ok) {
        std::string base = "wss://" + t.host() + "/media/";
        if (split_)
          for (const char *type : {"audio", "video", "transcript"})
            resp.media_urls[type] = base + type;
        else
          resp.media_urls["all"] = base + "all";
      }
      *reply = resp;
      return true;
    }
    if (std::holds_alternative<rtms::DataHandshakeReq>(request)) {
      rtms::DataHandshakeResp resp;
      resp.status_code = next(media_answers_);
      *reply = resp;
      return true;
    }
    if (auto *close = std::get_if<rtms::StreamCloseReq>(&request)) {
      if (!answer_close_) return false;
      rtms::StreamCloseResp resp;
      resp.rtms_stream_id = close->rtms_stream_id;
      *reply = resp;
      return true;
    }
    return false;
  }
};

inline FakeTransport::FakeTransport(FakeServer &server, const rtms::TransportParams &params,
                                    rtms::TransportEvents &events)
    : server_(server), events_(events), network_(params.network), url_(params.url),
      label_(params.label) {
  // scheme://host[:port]/...: the host is what lies between.
  size_t start = url_.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t stop = url_.find_first_of(":/", start);
  host_ = url_.substr(start, stop == std::string::npos ? std::string::npos : stop - start);
  server_.live_.push_back(this);
  std::lock_guard<std::mutex> guard(server_.lock_);
  server_.network_ = network_;
}

inline FakeTransport::~FakeTransport() {
  *alive_ = false;
  auto &live = server_.live_;
  live.erase(std::remove(live.begin(), live.end(), this), live.end());
}

inline void FakeTransport::later(std::function<void()> fn, unsigned delay_ms) {
  std::shared_ptr<bool> alive = alive_;
  network_->add_timeout(delay_ms, [alive, fn] {
    if (*alive) fn();
  });
}

inline void FakeTransport::connect() {
  bool refused = false;
  rtms::TransportFailure failure;
  {
    std::lock_guard<std::mutex> guard(server_.lock_);
    server_.connects_.push_back(label_ + " " + url_);
    auto it = server_.refused_.find(url_);
    if (it != server_.refused_.end()) {
      refused = true;
      failure.kind = it->second;
      failure.message = "cannot open the " + label_ + " WebSocket " + url_ + ": refused (" +
                        rtms::to_string(it->second) + ")";
      if (it->second == rtms::TransportFailure::Kind::TlsUntrusted)
        failure.tls_cause = "certificate verify failed";
      if (it->second == rtms::TransportFailure::Kind::Upgrade) failure.http_status = 403;
    }
  }
  later([this, refused, failure] {
    if (refused) {
      events_.on_transport_failed(failure);
      return;
    }
    open_ = true;
    events_.on_transport_open();
  });
}

inline void FakeTransport::deliver(const rtms::Message &message) {
  if (open_) events_.on_transport_message(server_.codec_->encode(message));
}

inline void FakeTransport::send(const std::string &text, rtms::FrameKind kind) {
  if (!open_) return;
  // A frame of another kind than the codec's is not understood.
  auto decoded = kind == server_.codec_->frame_kind()
                     ? server_.codec_->decode(text)
                     : rtms::Result<rtms::Message>(rtms::ProtocolError{"frame", "a frame of the wrong kind"});
  {
    std::lock_guard<std::mutex> guard(server_.lock_);
    server_.sent_.push_back(label_ + " " +
                            (decoded ? rtms::to_string(rtms::message_type_of(*decoded))
                                     : "undecodable"));
    server_.sent_json_.push_back(label_ + " " + text);
  }
  rtms::Message reply;
  if (decoded && server_.answer(*this, *decoded, &reply)) later([this, reply] { deliver(reply); });
}

inline void FakeTransport::close() {
  if (!open_) return;
  std::optional<rtms::Message> in_flight;
  unsigned delay_ms = 0;
  {
    std::lock_guard<std::mutex> guard(server_.lock_);
    auto it = server_.in_flight_.find(label_);
    if (it != server_.in_flight_.end()) {
      in_flight = it->second.first;
      delay_ms = it->second.second;
      server_.in_flight_.erase(it);
    }
  }
  // The server echoes the close frame, after what it had sent meanwhile.
  later(
      [this, in_flight] {
        if (in_flight) deliver(*in_flight);
        drop(1000, "");
      },
      delay_ms);
}

}  // namespace fake
