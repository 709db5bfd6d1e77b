// The session's state machine (reconnection, failover, the keep-alive
// watchdog, draining, refusals) against a scripted fake transport
// (fake_transport.h): in-process, no sockets. Delays are real but short
// (tens of milliseconds) and never asserted as performance: a test waits for
// what must happen, with a generous limit, and checks the order and numbers
// the session reports.
#include <gst/check/gstcheck.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "fake_transport.h"
#include "session/channel.h"
#include "session/session.h"

using rtms::Session;
using rtms::SessionConfig;
using rtms::SessionError;
using rtms::SessionErrorKind;
using rtms::StatusCode;
using rtms::StopReason;
using rtms::TransportFailure;

namespace {

// A limit for what must happen, never a measurement: generous, for
// sanitizer builds on a loaded machine.
constexpr int kWaitMs = 20000;
const char *const kSignalingUrl = "wss://sig-a.test/signaling";

// Records what the session tells its listener, one line per call.
class Recorder : public rtms::SessionListener {
 public:
  void on_signaling_ready(const rtms::SignalingHandshakeResp &) override { add("signaling-ready"); }
  void on_media_ready(uint32_t types, const rtms::MediaParams &) override {
    add("media-ready " + std::to_string(types));
  }
  void on_media(rtms::MediaData &&data) override { add("media " + data.data); }
  void on_event(const rtms::Event &event) override {
    add("event " + std::to_string(event.event_type));
  }
  void on_reconnecting(const std::string &socket, unsigned attempt, unsigned delay_ms,
                       const std::string &why) override {
    std::lock_guard<std::mutex> guard(lock_);
    delays_[socket].push_back(delay_ms);
    reasons_.push_back(why);
    lines_.push_back("reconnecting " + socket + " " + std::to_string(attempt));
    cond_.notify_all();
  }
  void on_reconnected(const std::string &socket) override { add("reconnected " + socket); }
  void on_warning(const rtms::SessionWarning &warning) override {
    add(std::string("warning ") + rtms::to_string(warning.kind) + " " + warning.socket);
  }
  void on_error(const SessionError &error) override {
    std::lock_guard<std::mutex> guard(lock_);
    error_ = error;
    lines_.push_back(std::string("error ") + rtms::to_string(error.kind) + " " + error.socket);
    cond_.notify_all();
  }
  void on_ended(StopReason reason, const std::string &) override {
    add(std::string("ended ") + rtms::to_string(reason));
  }

  // Waits until a line starts with prefix (count times); true if so.
  bool wait_for(const std::string &prefix, size_t count = 1, int ms = kWaitMs) {
    std::unique_lock<std::mutex> guard(lock_);
    return cond_.wait_for(guard, std::chrono::milliseconds(ms),
                          [&] { return count_locked(prefix) >= count; });
  }
  size_t count(const std::string &prefix) {
    std::lock_guard<std::mutex> guard(lock_);
    return count_locked(prefix);
  }
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> guard(lock_);
    return lines_;
  }
  std::vector<unsigned> delays(const std::string &socket) {
    std::lock_guard<std::mutex> guard(lock_);
    return delays_[socket];
  }
  std::vector<std::string> reasons() {
    std::lock_guard<std::mutex> guard(lock_);
    return reasons_;
  }
  SessionError error() {
    std::lock_guard<std::mutex> guard(lock_);
    return error_;
  }
  // Index of the first line starting with prefix (-1: none).
  int index_of(const std::string &prefix) {
    std::lock_guard<std::mutex> guard(lock_);
    for (size_t i = 0; i < lines_.size(); ++i)
      if (lines_[i].compare(0, prefix.size(), prefix) == 0) return int(i);
    return -1;
  }
  std::string dump() {
    std::string text;
    for (const auto &line : lines()) text += "  " + line + "\n";
    return text;
  }

 private:
  void add(std::string line) {
    std::lock_guard<std::mutex> guard(lock_);
    lines_.push_back(std::move(line));
    cond_.notify_all();
  }
  size_t count_locked(const std::string &prefix) const {
    size_t n = 0;
    for (const auto &line : lines_) n += line.compare(0, prefix.size(), prefix) == 0;
    return n;
  }

  // Guards everything below: the network thread records, the test reads.
  std::mutex lock_;
  std::condition_variable cond_;
  std::vector<std::string> lines_;
  std::map<std::string, std::vector<unsigned>> delays_;
  std::vector<std::string> reasons_;
  SessionError error_;
};

SessionConfig config_for(fake::FakeServer &server) {
  SessionConfig config;
  config.signaling_urls = {kSignalingUrl};
  config.identity.instance_id = "meeting-1";
  config.rtms_stream_id = "stream-1";
  config.client_id = "client";
  config.client_secret = "secret";
  config.media_types = rtms::kMediaAudio;
  config.reconnect_delay_ms = 20;
  config.signaling_reconnect_window_ms = 5000;
  config.media_reconnect_window_ms = 5000;
  config.handshake_timeout_ms = 5000;
  config.silence_timeout_ms = 0;
  config.close_timeout_ms = 5000;
  config.dedicated_thread = true;
  // The fake has no certificates; and not loading the system's CA store
  // keeps each test's start quick.
  config.tls_strict = false;
  config.transport_factory = server.factory();
  return config;
}

// A session on a fake server: the server, what the listener heard, the
// configuration (change it before start()) and the session.
struct Harness {
  fake::FakeServer server;
  Recorder recorder;
  SessionConfig config = config_for(server);
  std::unique_ptr<Session> session;

  // Starts the session and waits until that many media sockets stream
  // (0: does not wait).
  bool start(size_t media_sockets = 1) {
    session = std::make_unique<Session>(config, recorder);
    session->start();
    return media_sockets == 0 || recorder.wait_for("media-ready", media_sockets);
  }
  void stop() { session->stop(); }
  // Starts the session (if not yet), waits for its error, stops it.
  SessionError error() {
    if (!session) start(0);
    fail_unless(recorder.wait_for("error"), "no error:\n%s", recorder.dump().c_str());
    stop();
    return recorder.error();
  }
  ~Harness() {
    if (session) session->stop();
  }
};

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

// The server sends a keep-alive request and then media on media(all): the
// media arrives, and a frame starting with `answer` (label, then what the
// codec puts first) answers the keep-alive with its timestamp.
void keep_alive_then_media(Harness &h, int64_t timestamp, const std::string &media,
                           const std::string &answer) {
  rtms::KeepAliveReq ka;
  ka.timestamp = timestamp;
  fail_unless(h.server.deliver("media(all)", ka));
  rtms::MediaData data;
  data.data = media;
  fail_unless(h.server.deliver("media(all)", data));
  fail_unless(h.recorder.wait_for("media " + media), "%s", h.recorder.dump().c_str());
  bool answered = false;
  for (const auto &frame : h.server.sent_json())
    answered |= frame.compare(0, answer.size(), answer) == 0 && contains(frame, std::to_string(timestamp));
  fail_unless(answered, "no KEEP_ALIVE_RESP with timestamp %lld in a frame starting \"%s\"",
              (long long)timestamp, answer.c_str());
}

}  // namespace

GST_START_TEST(backoff_doubles_up_to_thirty_seconds) {
  const unsigned expected[] = {3000, 6000, 12000, 24000, 30000, 30000};
  for (unsigned attempt = 1; attempt <= 6; ++attempt)
    fail_unless_equals_int(rtms::reconnect_backoff_ms(3000, attempt), expected[attempt - 1]);
  fail_unless_equals_int(rtms::reconnect_backoff_ms(3000, 1000), 30000);
  fail_unless_equals_int(rtms::reconnect_backoff_ms(40000, 3), 40000);
  fail_unless_equals_int(rtms::reconnect_backoff_ms(20, 3), 80);
}
GST_END_TEST;

GST_START_TEST(streams_and_answers_keep_alives_on_the_same_socket) {
  Harness h;
  fail_unless(h.start(), "%s", h.recorder.dump().c_str());
  keep_alive_then_media(h, 4242, "AAAA", "media(all) ");
  h.stop();
  fail_unless_equals_int(h.recorder.count("reconnecting"), 0);
}
GST_END_TEST;

// A wire format that is not JSON in text frames: binary frames, each JSON
// message behind an 8-byte tag. Nothing of the session may depend on the
// format (protocol/wire_codec.h): with this codec on both ends a whole
// session runs as it does with RTMS V1's.
class TaggedCodec final : public rtms::WireCodec {
 public:
  static constexpr std::string_view kTag{"RTMSTEST", 8};
  const char *name() const override { return "tagged test codec"; }
  rtms::FrameKind frame_kind() const override { return rtms::FrameKind::Binary; }
  std::string encode(const rtms::Message &message) const override {
    return std::string(kTag) + rtms::json_wire_codec().encode(message);
  }
  std::optional<rtms::MediaView> decode_media(std::string_view frame) const override {
    if (frame.substr(0, kTag.size()) != kTag) return std::nullopt;
    return rtms::json_wire_codec().decode_media(frame.substr(kTag.size()));
  }
  rtms::Result<rtms::Message> decode(std::string_view frame) const override {
    if (frame.substr(0, kTag.size()) != kTag)
      return rtms::Result<rtms::Message>(rtms::ProtocolError{"frame", "no tag"});
    return rtms::json_wire_codec().decode(frame.substr(kTag.size()));
  }
};

GST_START_TEST(another_wire_codec_runs_a_whole_session) {
  static const TaggedCodec codec;
  Harness h;
  h.config.codec = &codec;
  h.server.use_codec(codec);
  fail_unless(h.start(), "%s", h.recorder.dump().c_str());
  keep_alive_then_media(h, 4343, "BBBB", "media(all) RTMSTEST");
  h.session->request_close();
  fail_unless(h.recorder.wait_for("ended"), "%s", h.recorder.dump().c_str());
  h.stop();
  fail_unless_equals_int(h.recorder.count("ended RECEIVER_REQUEST_CLOSE"), 1);
  // Every frame the client sent was binary and tagged (else the fake
  // records "undecodable"), the close among them.
  auto sent = h.server.sent();
  fail_unless(std::find(sent.begin(), sent.end(), "signaling STREAM_CLOSE_REQ") != sent.end());
  for (const auto &line : sent) fail_if(contains(line, "undecodable"), "%s", line.c_str());
  fail_unless(contains(rtms::json_wire_codec().name(), "V1"));
}
GST_END_TEST;

GST_START_TEST(signaling_drop_reconnects_within_the_window) {
  Harness h;
  fail_unless(h.start(), "%s", h.recorder.dump().c_str());
  fail_unless(h.server.drop("signaling"));
  fail_unless(h.recorder.wait_for("reconnected signaling"), "%s", h.recorder.dump().c_str());
  // Media goes with signaling and comes back after it.
  fail_unless(h.recorder.wait_for("media-ready", 2), "%s", h.recorder.dump().c_str());
  h.stop();
  std::vector<unsigned> delays = h.recorder.delays("signaling");
  fail_unless_equals_int(delays.size(), 1);
  fail_unless_equals_int(delays[0], 20);
  fail_unless_equals_int(h.server.connects_of("signaling"), 2);
  fail_unless_equals_int(h.server.connects_of("media(all)"), 2);
  fail_unless(h.recorder.index_of("reconnecting signaling") < h.recorder.index_of("reconnected"));
  fail_unless_equals_int(h.recorder.count("error"), 0);
}
GST_END_TEST;

// The media socket closes with its signaling connection, but what the server
// sent on it before reading our close frame is still the stream's.
GST_START_TEST(media_in_flight_when_signaling_drops_is_delivered) {
  Harness h;
  fail_unless(h.start(), "%s", h.recorder.dump().c_str());
  rtms::MediaData data;
  data.data = "INFLIGHT";
  h.server.in_flight_at_close("media(all)", data);
  fail_unless(h.server.drop("signaling"));
  fail_unless(h.recorder.wait_for("reconnected signaling"), "%s", h.recorder.dump().c_str());
  fail_unless(h.recorder.wait_for("media-ready", 2), "%s", h.recorder.dump().c_str());
  h.stop();
  fail_unless(h.recorder.index_of("media INFLIGHT") >= 0, "%s", h.recorder.dump().c_str());
  fail_unless(h.recorder.index_of("media INFLIGHT") < h.recorder.index_of("reconnected"));
  fail_unless_equals_int(h.recorder.count("warning"), 0);
}
GST_END_TEST;

// The same when signaling is back before the server answered the old media
// socket's close: that socket goes on delivering until its close frame.
GST_START_TEST(media_in_flight_after_signaling_is_back_is_delivered) {
  Harness h;
  fail_unless(h.start(), "%s", h.recorder.dump().c_str());
  rtms::MediaData data;
  data.data = "LATE";
  h.server.in_flight_at_close("media(all)", data, 300);
  fail_unless(h.server.drop("signaling"));
  fail_unless(h.recorder.wait_for("reconnected signaling"), "%s", h.recorder.dump().c_str());
  fail_unless(h.recorder.wait_for("media LATE"), "%s", h.recorder.dump().c_str());
  fail_unless(h.recorder.wait_for("media-ready", 2), "%s", h.recorder.dump().c_str());
  h.stop();
  fail_unless(h.recorder.index_of("reconnected signaling") < h.recorder.index_of("media LATE"),
              "%s", h.recorder.dump().c_str());
  // The old socket's close is no loss.
  fail_unless_equals_int(h.recorder.count("reconnecting media"), 0);
  fail_unless_equals_int(h.recorder.count("warning"), 0);
  fail_unless_equals_int(h.recorder.count("error"), 0);
  fail_unless_equals_int(h.server.connects_of("media(all)"), 2);
}
GST_END_TEST;

GST_START_TEST(duplicate_signal_request_while_reconnecting_is_retried) {
  Harness h;
  fail_unless(h.start(), "%s", h.recorder.dump().c_str());
  h.server.answer_signaling({StatusCode::DuplicateSignalRequest});
  fail_unless(h.server.drop("signaling"));
  fail_unless(h.recorder.wait_for("reconnected signaling"), "%s", h.recorder.dump().c_str());
  h.stop();
  std::vector<unsigned> delays = h.recorder.delays("signaling");
  fail_unless(delays.size() >= 2, "%s", h.recorder.dump().c_str());
  fail_unless_equals_int(delays[0], 20);
  fail_unless_equals_int(delays[1], 40);
  fail_unless_equals_int(h.recorder.count("error"), 0);
}
GST_END_TEST;

GST_START_TEST(media_drop_reconnects_that_socket_only) {
  Harness h;
  h.server.split_media_urls(true);
  h.config.split_sockets = true;
  h.config.media_types = rtms::kMediaAudio | rtms::kMediaTranscript;
  fail_unless(h.start(2), "%s", h.recorder.dump().c_str());
  fail_unless(h.server.drop("media(audio)"));
  fail_unless(h.recorder.wait_for("reconnected media(audio)"), "%s", h.recorder.dump().c_str());
  h.stop();
  fail_unless_equals_int(h.server.connects_of("signaling"), 1);
  fail_unless_equals_int(h.server.connects_of("media(transcript)"), 1);
  fail_unless_equals_int(h.server.connects_of("media(audio)"), 2);
  fail_unless_equals_int(h.recorder.count("reconnecting signaling"), 0);
  // A new media handshake, and the ready acknowledgement after it.
  size_t acks = 0;
  for (const auto &line : h.server.sent()) acks += line == "signaling CLIENT_READY_ACK";
  fail_unless_equals_int(acks, 3);
}
GST_END_TEST;

GST_START_TEST(failover_moves_every_socket_to_the_new_servers) {
  Harness h;
  fail_unless(h.start(), "%s", h.recorder.dump().c_str());
  h.session->fail_over({"ws://sig-b.test/plain", "wss://sig-b.test/signaling"});
  fail_unless(h.recorder.wait_for("media-ready", 2), "%s", h.recorder.dump().c_str());
  h.stop();
  std::vector<std::string> connects = h.server.connects();
  fail_unless_equals_int(connects.size(), 4);
  // wss:// first, and media from the server the new signaling server names.
  fail_unless_equals_string(connects[2].c_str(), "signaling wss://sig-b.test/signaling");
  fail_unless_equals_string(connects[3].c_str(), "media(all) wss://sig-b.test/media/all");
  fail_unless(h.recorder.reasons().size() == 1 &&
              contains(h.recorder.reasons()[0], "server failover to wss://sig-b.test/signaling"));
  fail_unless_equals_int(h.recorder.count("error"), 0);
}
GST_END_TEST;

GST_START_TEST(unreachable_signaling_url_moves_on_to_the_next) {
  Harness h;
  h.server.refuse(kSignalingUrl, TransportFailure::Kind::Connect);
  h.config.signaling_urls.push_back("wss://sig-b.test/signaling");
  fail_unless(h.start(), "%s", h.recorder.dump().c_str());
  h.stop();
  fail_unless_equals_int(h.recorder.count("warning server-unreachable signaling"), 1);
  fail_unless_equals_int(h.server.connects_of("signaling"), 2);
}
GST_END_TEST;

GST_START_TEST(untrusted_certificate_is_a_typed_tls_error) {
  Harness h;
  h.server.refuse(kSignalingUrl, TransportFailure::Kind::TlsUntrusted);
  SessionError error = h.error();
  fail_unless(error.kind == SessionErrorKind::Tls);
  fail_unless_equals_string(error.tls_cause.c_str(), "certificate verify failed");
  fail_unless_equals_string(error.socket.c_str(), "signaling");
}
GST_END_TEST;

GST_START_TEST(keepalive_watchdog_presumes_a_silent_socket_dead) {
  Harness h;
  h.config.silence_timeout_ms = 120;
  h.start(0);
  // The fake server sends nothing after the handshakes: both sockets go
  // silent; signaling is presumed dead first and takes media with it.
  fail_unless(h.recorder.wait_for("reconnecting signaling"), "%s", h.recorder.dump().c_str());
  h.stop();
  std::vector<std::string> reasons = h.recorder.reasons();
  fail_unless(!reasons.empty() && contains(reasons[0], "nothing arrived on the signaling socket") &&
                  contains(reasons[0], "presumed dead"),
              "%s", reasons.empty() ? "" : reasons[0].c_str());
}
GST_END_TEST;

GST_START_TEST(keepalives_keep_the_watchdog_quiet) {
  Harness h;
  h.config.silence_timeout_ms = 500;
  fail_unless(h.start(), "%s", h.recorder.dump().c_str());
  rtms::KeepAliveReq ka;
  for (int i = 0; i < 16; ++i) {  // one every 50 ms on each socket, for 800 ms
    ka.timestamp = i;
    h.server.deliver("signaling", ka);
    h.server.deliver("media(all)", ka);
    g_usleep(50 * 1000);
  }
  h.stop();
  fail_unless_equals_int(h.recorder.count("reconnecting"), 0);
}
GST_END_TEST;

GST_START_TEST(stop_drains_media_before_ending) {
  Harness h;
  fail_unless(h.start(), "%s", h.recorder.dump().c_str());
  h.server.answer_close(false);
  h.session->request_close();
  // Wait until the request is out, then answer it, and send the last media
  // before closing the media socket as a server does.
  gint64 deadline = g_get_monotonic_time() + gint64(kWaitMs) * 1000;
  for (;;) {
    auto sent = h.server.sent();
    if (std::find(sent.begin(), sent.end(), "signaling STREAM_CLOSE_REQ") != sent.end()) break;
    fail_unless(g_get_monotonic_time() < deadline, "no STREAM_CLOSE_REQ");
    g_usleep(5000);
  }
  bool both_open = false;
  h.server.run([&] {
    auto *signaling = h.server.open_connection("signaling");
    auto *media = h.server.open_connection("media(all)");
    both_open = signaling && media;
    if (!both_open) return;
    rtms::StreamCloseResp resp;
    signaling->deliver(resp);
    rtms::MediaData data;
    data.data = "LAST";
    media->deliver(data);
    media->drop(1000, "");
  });
  fail_unless(both_open);
  fail_unless(h.recorder.wait_for("ended"), "%s", h.recorder.dump().c_str());
  h.stop();
  fail_unless(h.recorder.index_of("media LAST") >= 0, "%s", h.recorder.dump().c_str());
  fail_unless(h.recorder.index_of("media LAST") < h.recorder.index_of("ended"));
  fail_unless_equals_int(h.recorder.count("ended RECEIVER_REQUEST_CLOSE"), 1);
  fail_unless_equals_int(h.recorder.count("reconnecting"), 0);
}
GST_END_TEST;

GST_START_TEST(server_termination_drains_then_ends_with_its_reason) {
  Harness h;
  fail_unless(h.start(), "%s", h.recorder.dump().c_str());
  rtms::StreamStateUpdate update;
  update.state = rtms::StreamState::Terminated;
  update.reason = StopReason::MeetingEnded;
  fail_unless(h.server.deliver("signaling", update));
  // Media still open: the session waits for it (at most a second).
  fail_unless_equals_int(h.recorder.count("ended"), 0);
  fail_unless(h.server.drop("media(all)", 1000));
  fail_unless(h.recorder.wait_for("ended"), "%s", h.recorder.dump().c_str());
  h.stop();
  fail_unless(h.recorder.count("ended MEETING_ENDED") == 1, "%s", h.recorder.dump().c_str());
  fail_unless_equals_int(h.recorder.count("reconnecting"), 0);
}
GST_END_TEST;

GST_START_TEST(unanswered_handshake_times_out) {
  Harness h;
  h.server.answer_handshakes(false);
  h.config.handshake_timeout_ms = 100;
  SessionError error = h.error();
  fail_unless(error.kind == SessionErrorKind::Timeout);
  fail_unless_equals_string(error.socket.c_str(), "signaling");
  fail_unless(contains(error.message, "no answer to the signaling handshake within 100 ms"),
              "%s", error.message.c_str());
}
GST_END_TEST;

GST_START_TEST(signaling_closed_before_its_answer_is_a_handshake_error) {
  Harness h;
  h.server.answer_handshakes(false);
  h.start(0);
  gint64 deadline = g_get_monotonic_time() + gint64(kWaitMs) * 1000;
  while (!h.server.drop("signaling", 1008, "bad signature")) {
    fail_unless(g_get_monotonic_time() < deadline, "signaling never opened");
    g_usleep(5000);
  }
  SessionError error = h.error();
  fail_unless(error.kind == SessionErrorKind::Handshake);
  fail_unless_equals_int(error.close_code, 1008);
  fail_unless(contains(error.message, "before answering the handshake; check the client id"),
              "%s", error.message.c_str());
  fail_unless_equals_int(h.recorder.count("reconnecting"), 0);
}
GST_END_TEST;

GST_START_TEST(refused_handshake_is_an_error_with_its_status) {
  Harness h;
  h.server.answer_signaling({StatusCode::InvalidSignature});
  h.start(0);
  fail_unless(h.recorder.wait_for("error"));
  g_usleep(100 * 1000);  // long enough for a (wrong) retry to show
  SessionError error = h.error();
  fail_unless(error.kind == SessionErrorKind::Handshake);
  fail_unless(error.has_status && error.status == StatusCode::InvalidSignature);
  fail_unless_equals_string(error.socket.c_str(), "signaling");
  fail_unless_equals_int(h.recorder.count("reconnecting"), 0);
  fail_unless_equals_int(h.server.connects_of("signaling"), 1);
}
GST_END_TEST;

GST_START_TEST(refused_media_handshake_is_an_error_with_its_status) {
  Harness h;
  h.server.answer_media({StatusCode::InvalidMediaAudioParams});
  SessionError error = h.error();
  fail_unless(error.kind == SessionErrorKind::Handshake);
  fail_unless(error.has_status && error.status == StatusCode::InvalidMediaAudioParams);
  fail_unless_equals_string(error.socket.c_str(), "media(all)");
}
GST_END_TEST;

GST_START_TEST(reconnect_window_expiry_is_a_connection_lost_error) {
  Harness h;
  h.config.signaling_reconnect_window_ms = 150;
  fail_unless(h.start(), "%s", h.recorder.dump().c_str());
  h.server.refuse(kSignalingUrl, TransportFailure::Kind::Connect);
  fail_unless(h.server.drop("signaling"));
  SessionError error = h.error();
  fail_unless(error.kind == SessionErrorKind::ConnectionLost);
  fail_unless_equals_string(error.socket.c_str(), "signaling");
  fail_unless(contains(error.message, "could not be re-established within 150 ms; last: "),
              "%s", error.message.c_str());
  fail_unless(contains(error.message, "refused"), "%s", error.message.c_str());
}
GST_END_TEST;

GST_START_TEST(reconnection_off_makes_a_loss_fatal) {
  Harness h;
  h.config.media_reconnect_window_ms = 0;
  fail_unless(h.start(), "%s", h.recorder.dump().c_str());
  fail_unless(h.server.drop("media(all)", 1006, "gone"));
  SessionError error = h.error();
  fail_unless(error.kind == SessionErrorKind::ConnectionLost);
  fail_unless_equals_int(error.close_code, 1006);
  fail_unless_equals_string(error.reason.c_str(), "gone");
  fail_unless_equals_int(h.recorder.count("reconnecting"), 0);
}
GST_END_TEST;

GST_START_TEST(refused_reconnections_back_off_without_a_storm) {
  Harness h;
  fail_unless(h.start(), "%s", h.recorder.dump().c_str());
  h.server.refuse(kSignalingUrl, TransportFailure::Kind::Connect);
  fail_unless(h.server.drop("signaling"));
  // 20 + 40 + 80 + 160 ms: the fifth attempt is scheduled after about 300 ms.
  fail_unless(h.recorder.wait_for("reconnecting signaling", 5), "%s", h.recorder.dump().c_str());
  h.stop();
  std::vector<unsigned> delays = h.recorder.delays("signaling");
  fail_unless(delays.size() >= 5);
  for (size_t i = 0; i < delays.size(); ++i)
    fail_unless_equals_int(delays[i], 20u << i);
  // One connection attempt per scheduled retry, never more.
  fail_unless(h.server.connects_of("signaling") <= delays.size() + 1);
  fail_unless_equals_int(h.recorder.count("error"), 0);
}
GST_END_TEST;

GST_START_TEST(nothing_reaches_the_listener_after_stop) {
  Harness h;
  fail_unless(h.start(), "%s", h.recorder.dump().c_str());
  h.server.refuse(kSignalingUrl, TransportFailure::Kind::Connect);
  h.server.drop("signaling");
  h.stop();
  size_t lines = h.recorder.lines().size();
  g_usleep(150 * 1000);
  fail_unless_equals_int(h.recorder.lines().size(), lines);
}
GST_END_TEST;

static Suite *session_machine_suite() {
  Suite *s = suite_create("session-machine");
  TCase *tc = tcase_create("machine");
  tcase_set_timeout(tc, 30);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, backoff_doubles_up_to_thirty_seconds);
  tcase_add_test(tc, streams_and_answers_keep_alives_on_the_same_socket);
  tcase_add_test(tc, another_wire_codec_runs_a_whole_session);
  tcase_add_test(tc, signaling_drop_reconnects_within_the_window);
  tcase_add_test(tc, media_in_flight_when_signaling_drops_is_delivered);
  tcase_add_test(tc, media_in_flight_after_signaling_is_back_is_delivered);
  tcase_add_test(tc, duplicate_signal_request_while_reconnecting_is_retried);
  tcase_add_test(tc, media_drop_reconnects_that_socket_only);
  tcase_add_test(tc, failover_moves_every_socket_to_the_new_servers);
  tcase_add_test(tc, unreachable_signaling_url_moves_on_to_the_next);
  tcase_add_test(tc, untrusted_certificate_is_a_typed_tls_error);
  tcase_add_test(tc, keepalive_watchdog_presumes_a_silent_socket_dead);
  tcase_add_test(tc, keepalives_keep_the_watchdog_quiet);
  tcase_add_test(tc, stop_drains_media_before_ending);
  tcase_add_test(tc, server_termination_drains_then_ends_with_its_reason);
  tcase_add_test(tc, unanswered_handshake_times_out);
  tcase_add_test(tc, signaling_closed_before_its_answer_is_a_handshake_error);
  tcase_add_test(tc, refused_handshake_is_an_error_with_its_status);
  tcase_add_test(tc, refused_media_handshake_is_an_error_with_its_status);
  tcase_add_test(tc, reconnect_window_expiry_is_a_connection_lost_error);
  tcase_add_test(tc, reconnection_off_makes_a_loss_fatal);
  tcase_add_test(tc, refused_reconnections_back_off_without_a_storm);
  tcase_add_test(tc, nothing_reaches_the_listener_after_stop);
  return s;
}

GST_CHECK_MAIN(session_machine);
