#include "live_feed.h"

#include <algorithm>
#include <deque>
#include <exception>
#include <utility>

#include <sys/socket.h>

#include "feed_events.h"
#include "log.h"
#include "run_on_idle.h"

namespace gateway {

namespace {

// A write that has not completed for this long: the consumer stopped reading.
constexpr gint64 kStallSeconds = 30;
// At the end of a stream, or of the gateway, what is queued gets this long.
constexpr gint64 kFinishSeconds = 5;
// A consumer sends nothing after its request; more than this is not a feed
// consumer.
constexpr size_t kMaxInputBytes = 16 * 1024;
// What the kernel buffers for one consumer (Linux doubles it): with the
// queue, all a consumer that stops reading can hold.
constexpr int kSendBuffer = 32 * 1024;

const char *const kMetaName = "GstRtmsMeta";

int64_t field_int64(const GstStructure *s, const char *name, int64_t fallback = 0) {
  gint64 value = fallback;
  if (s && gst_structure_get_int64(s, name, &value)) return value;
  return fallback;
}

std::string field_string(const GstStructure *s, const char *name) {
  const char *value = s ? gst_structure_get_string(s, name) : nullptr;
  return value ? value : "";
}

std::string peer_of(SoupServerMessage *msg) {
  GSocketAddress *remote = soup_server_message_get_remote_address(msg);
  if (!remote) return "unknown";
  g_autofree gchar *text = g_socket_connectable_to_string(G_SOCKET_CONNECTABLE(remote));
  return text ? text : "unknown";
}

void set_text(SoupServerMessage *msg, int status, const std::string &text) {
  soup_server_message_set_status(msg, status, nullptr);
  soup_server_message_set_response(msg, "text/plain", SOUP_MEMORY_COPY, text.data(), text.size());
}

}  // namespace

// ---------------------------------------------------------------------------
// One stream as the feed sees it. Lives on the main loop; the pad probes and
// the bus observer reach it through weak references, so whatever outlives it
// (a probe on a pad being torn down, an idle callback) finds it gone.

class StreamFeed : public std::enable_shared_from_this<StreamFeed> {
 public:
  StreamFeed(LiveFeed *owner, const StreamInfo &info, GstElement *src)
      : owner_(owner),
        stream_id_(info.stream_id),
        meeting_(info.meeting),
        state_(info.stream_id, info.meeting),
        src_(rtms::share(src)),
        started_real_us_(g_get_real_time()),
        started_mono_us_(g_get_monotonic_time()) {}

  const std::string &stream_id() const { return stream_id_; }
  uint64_t last_id() const { return seq_; }
  const FeedState &state() const { return state_; }
  bool ended() const { return ended_; }

  StreamSummary summary() const {
    return StreamSummary{stream_id_, meeting_, state_.state(), iso8601_utc(started_real_us_), state_.participants()};
  }

  // The SSE frame of a new event, with the stream's next id.
  std::string frame(const char *type, const std::string &data) { return sse_event(++seq_, type, data); }

  void on_message(GstMessage *message);
  void on_text(const char *type, const std::string &data);
  void health();
  void end(const char *why);
  void detach() { owner_ = nullptr; }

 private:
  void emit(const char *type, const std::string &data);
  void streaming(const char *reason);

  LiveFeed *owner_;
  std::string stream_id_, meeting_;
  FeedState state_;
  rtms::GRef<GstElement> src_;
  int64_t started_real_us_, started_mono_us_;
  uint64_t seq_ = 0;
  std::string stop_reason_;  // rtms-stream-stopped's reason-name
  bool ended_ = false;
};

// ---------------------------------------------------------------------------
// One consumer's connection, taken from libsoup. Everything it is sent goes
// through queue_ and one asynchronous write at a time; an asynchronous read
// notices when the consumer goes away. Each pending operation holds a
// reference, so the object lives until its last callback.

class FeedConsumer : public std::enable_shared_from_this<FeedConsumer> {
 public:
  FeedConsumer(LiveFeed *feed, std::string stream_id, std::string peer, rtms::GRef<GIOStream> io)
      : feed_(feed),
        stream_id_(std::move(stream_id)),
        peer_(std::move(peer)),
        io_(std::move(io)),
        cancel_(rtms::adopt(g_cancellable_new())),
        last_ping_us_(g_get_monotonic_time()) {}

  const std::string &stream_id() const { return stream_id_; }
  const std::string &peer() const { return peer_; }
  // Neither closing nor closed: counted, and sent events.
  bool active() const { return !closing_; }
  bool closed() const { return closed_; }

  void start(std::string first) {
    queue_.push_back(Frame{std::move(first), false});
    queued_bytes_ += queue_.back().bytes.size();
    pump();
    read_more();
  }

  void push(const std::string &frame, bool event) {
    if (closing_ || finishing_) return;
    size_t limit = feed_ ? feed_->config().queue_bytes : 0;
    if (queued_bytes_ + frame.size() > limit) {
      drop(("it does not read: " + std::to_string(queued_bytes_) + " bytes not yet written, limit " +
            std::to_string(limit) + " (--feed-queue-bytes)")
               .c_str());
      return;
    }
    queue_.push_back(Frame{frame, event});
    queued_bytes_ += frame.size();
    pump();
  }

  // Writes what is queued, then closes (at most kFinishSeconds).
  void finish() {
    if (closing_ || finishing_) return;
    finishing_ = true;
    finish_deadline_us_ = g_get_monotonic_time() + kFinishSeconds * G_USEC_PER_SEC;
    if (!writing_ && queue_.empty()) shutdown();
  }

  // Disconnects a consumer that does not read: logged, counted.
  void drop(const char *why) {
    if (closing_) return;
    tools::log_warning("feed: consumer %s of stream %s dropped: %s", peer_.c_str(), tools::log_safe(stream_id_).c_str(),
                       why);
    if (feed_) feed_->counters().dropped++;
    shutdown();
  }

  void tick(gint64 now_us) {
    if (closing_) return;
    if (writing_ && now_us - write_started_us_ > kStallSeconds * G_USEC_PER_SEC) {
      drop(("it does not read: a write has not progressed for " + std::to_string(kStallSeconds) + " s").c_str());
      return;
    }
    if (finishing_ && now_us > finish_deadline_us_) {
      tools::log_warning("feed: consumer %s of stream %s closed with %zu bytes not written", peer_.c_str(),
                         tools::log_safe(stream_id_).c_str(), queued_bytes_);
      shutdown();
      return;
    }
    int ping = feed_ ? feed_->config().ping_interval_s : 15;
    if (!finishing_ && now_us - last_ping_us_ >= gint64(ping) * G_USEC_PER_SEC) {
      last_ping_us_ = now_us;
      push(sse_comment("ping"), false);
    }
  }

  // Closes at once, without flushing (the gateway is going away).
  void abandon() {
    feed_ = nullptr;
    shutdown();
  }

 private:
  struct Frame {
    std::string bytes;
    bool event;
  };
  using Hold = std::shared_ptr<FeedConsumer>;

  gpointer hold() { return std::make_unique<Hold>(shared_from_this()).release(); }
  static FeedConsumer *held(gpointer data, std::unique_ptr<Hold> *owner) {
    owner->reset(static_cast<Hold *>(data));
    return (*owner)->get();
  }

  void pump() {
    if (writing_ || closing_ || queue_.empty()) return;
    writing_ = true;
    write_started_us_ = g_get_monotonic_time();
    const std::string &bytes = queue_.front().bytes;
    g_output_stream_write_all_async(g_io_stream_get_output_stream(io_.get()), bytes.data(), bytes.size(),
                                    G_PRIORITY_DEFAULT, cancel_.get(), on_written, hold());
  }

  static void on_written(GObject *source, GAsyncResult *result, gpointer data) {
    std::unique_ptr<Hold> owner;
    FeedConsumer *self = held(data, &owner);
    GError *raw_error = nullptr;
    gboolean ok = g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result, nullptr, &raw_error);
    auto error = rtms::adopt(raw_error);
    try {
      self->writing_ = false;
      if (!ok) {
        if (!self->closing_ && self->feed_ && self->feed_->may_log())
          tools::log_info("feed: consumer %s of stream %s went away (%s)", self->peer_.c_str(),
                          tools::log_safe(self->stream_id_).c_str(), tools::log_safe(error->message).c_str());
        self->shutdown();
        self->maybe_close();
        return;
      }
      Frame done = std::move(self->queue_.front());
      self->queue_.pop_front();
      self->queued_bytes_ -= done.bytes.size();
      if (done.event && self->feed_) self->feed_->counters().events_sent++;
      if (self->closing_) {
        self->maybe_close();
      } else if (self->finishing_ && self->queue_.empty()) {
        self->shutdown();
      } else {
        self->pump();
      }
    } catch (...) {
      tools::log_error("feed: writing to a consumer failed");
    }
  }

  void read_more() {
    if (closing_) return;
    reading_ = true;
    g_input_stream_read_async(g_io_stream_get_input_stream(io_.get()), input_, sizeof input_, G_PRIORITY_DEFAULT,
                              cancel_.get(), on_read, hold());
  }

  static void on_read(GObject *source, GAsyncResult *result, gpointer data) {
    std::unique_ptr<Hold> owner;
    FeedConsumer *self = held(data, &owner);
    GError *raw_error = nullptr;
    gssize n = g_input_stream_read_finish(G_INPUT_STREAM(source), result, &raw_error);
    auto error = rtms::adopt(raw_error);
    try {
      self->reading_ = false;
      if (n > 0 && !self->closing_) {
        self->input_bytes_ += size_t(n);
        if (self->input_bytes_ <= kMaxInputBytes) {
          self->read_more();
          return;
        }
        self->drop("it sent more than 16 KiB after its request");
      } else if (!self->closing_) {
        // End of file, or the connection failed: the consumer is gone.
        if (self->feed_ && self->feed_->may_log())
          tools::log_info("feed: consumer %s of stream %s disconnected", self->peer_.c_str(),
                        tools::log_safe(self->stream_id_).c_str());
        self->shutdown();
      }
      self->maybe_close();
    } catch (...) {
      tools::log_error("feed: reading from a consumer failed");
    }
  }

  // No more writes; pending operations are cancelled, and once they are
  // through the connection is closed.
  void shutdown() {
    if (closing_) return;
    closing_ = true;
    queue_.clear();
    queued_bytes_ = 0;
    g_cancellable_cancel(cancel_.get());
    maybe_close();
  }

  void maybe_close() {
    if (!closing_ || writing_ || reading_ || close_started_) return;
    close_started_ = true;
    g_io_stream_close_async(io_.get(), G_PRIORITY_DEFAULT, nullptr, on_closed, hold());
  }

  static void on_closed(GObject *source, GAsyncResult *result, gpointer data) {
    std::unique_ptr<Hold> owner;
    FeedConsumer *self = held(data, &owner);
    g_io_stream_close_finish(G_IO_STREAM(source), result, nullptr);  // the peer may be gone already
    self->closed_ = true;
  }

  LiveFeed *feed_;  // null once the feed is gone
  std::string stream_id_, peer_;
  rtms::GRef<GIOStream> io_;
  rtms::GRef<GCancellable> cancel_;
  std::deque<Frame> queue_;
  size_t queued_bytes_ = 0;
  bool writing_ = false, reading_ = false;
  bool finishing_ = false, closing_ = false, close_started_ = false, closed_ = false;
  gint64 write_started_us_ = 0, last_ping_us_ = 0, finish_deadline_us_ = 0;
  char input_[512];
  size_t input_bytes_ = 0;
};

// ---------------------------------------------------------------------------

void StreamFeed::emit(const char *type, const std::string &data) {
  if (owner_ && !data.empty()) owner_->publish(stream_id_, type, data);
}

void StreamFeed::streaming(const char *reason) {
  if (state_.state() == "connecting") emit("state", state_.set_state("streaming", reason));
}

void StreamFeed::on_message(GstMessage *message) {
  if (ended_ || GST_MESSAGE_TYPE(message) != GST_MESSAGE_ELEMENT || GST_MESSAGE_SRC(message) != GST_OBJECT(src_.get()))
    return;
  const GstStructure *s = gst_message_get_structure(message);
  if (!s) return;
  const char *name = gst_structure_get_name(s);
  int64_t user = field_int64(s, "user-id");
  const char *user_name = gst_structure_get_string(s, "user-name");
  if (g_str_equal(name, "rtms-participant-join")) {
    streaming("connected");
    emit("participant_join", state_.join(user, user_name));
  } else if (g_str_equal(name, "rtms-participant-leave")) {
    streaming("connected");
    emit("participant_leave", state_.leave(user, user_name));
  } else if (g_str_equal(name, "rtms-active-speaker-change")) {
    streaming("connected");
    emit("active_speaker", state_.active_speaker(user, user_name));
  } else if (g_str_equal(name, "rtms-sharing-start") || g_str_equal(name, "rtms-sharing-stop")) {
    streaming("connected");
    emit("sharing", state_.sharing(g_str_equal(name, "rtms-sharing-start"), user, user_name));
  } else if (g_str_equal(name, "rtms-first-packet-timestamp")) {
    streaming("connected");
  } else if (g_str_equal(name, "rtms-reconnecting")) {
    guint attempt = 0;
    gst_structure_get_uint(s, "attempt", &attempt);
    std::string reason = field_string(s, "socket") + " socket lost (" + field_string(s, "reason") +
                         "); attempt " + std::to_string(attempt);
    emit("state", state_.set_state("reconnecting", reason));
  } else if (g_str_equal(name, "rtms-reconnected")) {
    if (state_.state() != "ended")
      emit("state", state_.set_state("streaming", "reconnected (" + field_string(s, "socket") + " socket)"));
  } else if (g_str_equal(name, "rtms-stream-stopped")) {
    stop_reason_ = field_string(s, "reason-name");
  }
}

void StreamFeed::on_text(const char *type, const std::string &data) {
  if (ended_) return;
  streaming("connected");
  emit(type, data);
}

void StreamFeed::health() {
  if (ended_ || state_.state() == "connecting") return;
  MediaStats stats = MediaStats::of_element(src_.get());
  FeedHealth h;
  h.reconnects = stats.reconnects;
  for (int k = 0; k < MediaStats::kKinds; k++) {
    h.bytes += stats.bytes[k];
    h.buffers += stats.buffers[k];
  }
  h.uptime_ms = (g_get_monotonic_time() - started_mono_us_) / 1000;
  emit("health", health_json(h));
}

void StreamFeed::end(const char *why) {
  if (ended_) return;
  std::string reason;
  // RECEIVER_REQUEST_CLOSE is the server confirming our own close (SIGTERM,
  // rtms_stopped): the gateway stopped it, whether that answer or our EOS
  // came first.
  if (!stop_reason_.empty() && stop_reason_ != "RECEIVER_REQUEST_CLOSE")
    reason = stop_reason_;  // the server ended it (MEETING_ENDED, ...)
  else if (!stop_reason_.empty())
    reason = "stopped";
  else if (g_str_equal(why, "eos"))
    reason = "stopped";  // rtms_stopped, or the gateway shutting down
  else
    reason = why;
  emit("state", state_.set_state("ended", reason));
  ended_ = true;
  src_.reset();  // the pipeline is going away
}

// ---------------------------------------------------------------------------

namespace {

struct PadTarget {
  std::weak_ptr<StreamFeed> feed;
  bool chat = false;
};

// On the pad's streaming thread: one line of text and its GstRtmsMeta
// become one event, built here and published from the main loop.
void on_text_buffer(GstBuffer *buffer, const PadTarget &target) {
  GstCustomMeta *meta = gst_buffer_get_custom_meta(buffer, kMetaName);
  const GstStructure *s = meta ? gst_custom_meta_get_structure(meta) : nullptr;
  std::string text;
  GstMapInfo map;
  if (gst_buffer_map(buffer, &map, GST_MAP_READ)) {
    text.assign(reinterpret_cast<const char *>(map.data), map.size);
    gst_buffer_unmap(buffer, &map);
  }
  std::string data;
  const char *type;
  if (target.chat) {
    type = "chat";
    ChatLine line;
    line.user_id = field_int64(s, "sender-id");
    line.user_name = field_string(s, "sender-name");
    line.text = std::move(text);
    line.timestamp_ms = field_int64(s, "timestamp-ms");
    line.private_message = s && gst_structure_has_field(s, "receiver-id");
    line.to_user_id = field_int64(s, "receiver-id");
    line.to_user_name = field_string(s, "receiver-name");
    data = chat_json(line);
  } else {
    type = "transcript";
    TranscriptLine line;
    line.user_id = field_int64(s, "user-id");
    line.user_name = field_string(s, "user-name");
    line.text = std::move(text);
    gint language = -1;
    if (s) gst_structure_get_int(s, "language", &language);
    line.language = language;
    line.language_name = field_string(s, "language-name");
    line.start_ms = field_int64(s, "start-ms");
    line.end_ms = field_int64(s, "end-ms");
    data = transcript_json(line);
  }
  run_on_idle([feed = target.feed, type, data = std::move(data)] {
    if (auto f = feed.lock()) f->on_text(type, data);
  });
}

GstPadProbeReturn on_text_probe(GstPad *, GstPadProbeInfo *info, gpointer data) {
  try {
    const auto &target = *static_cast<const PadTarget *>(data);
    if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
      on_text_buffer(GST_PAD_PROBE_INFO_BUFFER(info), target);
    } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
      GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST(info);
      for (guint i = 0; i < gst_buffer_list_length(list); i++) on_text_buffer(gst_buffer_list_get(list, i), target);
    }
  } catch (const std::exception &e) {
    tools::log_error("feed: reading a text buffer failed: %s", e.what());
  } catch (...) {
    tools::log_error("feed: reading a text buffer failed");
  }
  return GST_PAD_PROBE_OK;
}

// Runs after the pad router's handler (connected earlier): a text pad that
// nothing took goes into a fakesink, so that its lines flow (and reach the
// probe) without "not linked" warnings.
void on_pad_added(GstElement *src, GstPad *pad, gpointer data) {
  try {
    auto name = rtms::adopt(gst_pad_get_name(pad));
    bool chat = g_str_has_prefix(name.get(), "chat_");
    if (!chat && !g_str_has_prefix(name.get(), "transcript_")) return;
    const auto *feed = static_cast<const std::weak_ptr<StreamFeed> *>(data);
    auto target = std::make_unique<PadTarget>(PadTarget{*feed, chat});
    gst_pad_add_probe(pad, GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
                      on_text_probe, target.release(), [](gpointer p) { std::unique_ptr<PadTarget>(static_cast<PadTarget *>(p)); });
    if (gst_pad_is_linked(pad)) return;
    auto parent = rtms::adopt(gst_element_get_parent(src));
    if (!parent || !GST_IS_BIN(parent.get())) return;
    GstElement *sink = gst_element_factory_make("fakesink", nullptr);
    if (!sink) return;
    g_object_set(sink, "sync", FALSE, "async", FALSE, nullptr);
    gst_bin_add(GST_BIN(parent.get()), sink);
    auto sink_pad = rtms::adopt(gst_element_get_static_pad(sink, "sink"));
    if (gst_pad_link(pad, sink_pad.get()) != GST_PAD_LINK_OK)
      tools::log_warning("feed: cannot link %s to a fakesink", name.get());
    gst_element_sync_state_with_parent(sink);
  } catch (const std::exception &e) {
    tools::log_error("feed: a new pad: %s", e.what());
  } catch (...) {
    tools::log_error("feed: a new pad failed");
  }
}

}  // namespace

// ---------------------------------------------------------------------------

LiveFeed::LiveFeed(FeedConfig config, HoldOpen hold_open)
    : config_(std::move(config)), hold_open_(std::move(hold_open)) {
  tick_ = rtms::SourceId(g_timeout_add(guint(config_.health_interval_ms), on_tick, this));
  tools::log_info("live feed at /streams/{id}/events: %s; at most %d consumers per stream, %d in all, %zu bytes "
                  "queued each%s%s",
                  config_.token.empty() ? "no token (--feed-token-file), open to whoever reaches the port"
                                        : "token required",
                  config_.max_per_stream, config_.max_total, config_.queue_bytes,
                  config_.cors_origin.empty() ? "" : "; CORS for ",
                  config_.cors_origin.empty() ? "" : tools::log_safe(config_.cors_origin).c_str());
}

LiveFeed::~LiveFeed() {
  tick_.reset();
  // Streams still running when the gateway stops (their shutdown timed
  // out): their consumers hear the end too.
  for (auto &[id, stream] : streams_) stream->end("shutdown");
  for (auto &[id, stream] : streams_) stream->detach();
  streams_.clear();
  // Flush what is queued (a stream's last `state` event) for a moment, then
  // close what is left; the loop is not running any more, so turn it here.
  for (auto &consumer : consumers_) consumer->finish();
  gint64 deadline = g_get_monotonic_time() + G_USEC_PER_SEC;
  auto all_closed = [this] {
    return std::all_of(consumers_.begin(), consumers_.end(), [](const auto &c) { return c->closed(); });
  };
  auto turn_until = [&](gint64 until) {
    while (!all_closed() && g_get_monotonic_time() < until) {
      if (!g_main_context_iteration(nullptr, FALSE)) g_usleep(1000);
    }
  };
  turn_until(deadline);
  for (auto &consumer : consumers_) consumer->abandon();
  turn_until(g_get_monotonic_time() + G_USEC_PER_SEC / 2);
  consumers_.clear();
}

void LiveFeed::attach(StreamPipeline &pipeline) {
  auto stream = std::make_shared<StreamFeed>(this, pipeline.info(), pipeline.source());
  streams_[pipeline.info().stream_id] = stream;
  std::weak_ptr<StreamFeed> weak = stream;
  pipeline.set_observer([weak](GstMessage *message) {
    if (auto f = weak.lock()) f->on_message(message);
  });
  using Weak = std::weak_ptr<StreamFeed>;
  g_signal_connect_data(pipeline.source(), "pad-added", G_CALLBACK(on_pad_added),
                        std::make_unique<Weak>(weak).release(),
                        [](gpointer p, GClosure *) { std::unique_ptr<Weak>(static_cast<Weak *>(p)); },
                        GConnectFlags(0));
}

void LiveFeed::stream_ended(const std::string &stream_id, const char *why) {
  auto found = streams_.find(stream_id);
  if (found == streams_.end()) return;
  std::shared_ptr<StreamFeed> stream = found->second;
  stream->end(why);
  for (auto &consumer : consumers_)
    if (consumer->stream_id() == stream_id) consumer->finish();
  stream->detach();
  streams_.erase(found);
}

void LiveFeed::publish(const std::string &stream_id, const char *type, const std::string &data) {
  auto found = streams_.find(stream_id);
  if (found == streams_.end()) return;
  std::string frame = found->second->frame(type, data);
  for (auto &consumer : consumers_)
    if (consumer->stream_id() == stream_id && consumer->active()) consumer->push(frame, true);
}

gboolean LiveFeed::on_tick(gpointer data) {
  auto *self = static_cast<LiveFeed *>(data);
  try {
    self->tick();
  } catch (const std::exception &e) {
    tools::log_error("feed: %s", e.what());
  } catch (...) {
    tools::log_error("feed: periodic work failed");
  }
  return G_SOURCE_CONTINUE;
}

void LiveFeed::tick() {
  for (auto &[id, stream] : streams_) stream->health();
  gint64 now = g_get_monotonic_time();
  for (auto &consumer : consumers_) consumer->tick(now);
  sweep();
}

void LiveFeed::sweep() {
  consumers_.erase(std::remove_if(consumers_.begin(), consumers_.end(), [](const auto &c) { return c->closed(); }),
                   consumers_.end());
}

bool LiveFeed::may_log() {
  constexpr int kLines = 20;
  constexpr gint64 kWindowUs = 10 * G_USEC_PER_SEC;
  gint64 now = g_get_monotonic_time();
  if (now - log_window_us_ >= kWindowUs) {
    log_window_us_ = now;
    log_lines_ = 0;
  }
  if (log_lines_ >= kLines) {
    log_suppressed_++;
    return false;
  }
  log_lines_++;
  if (log_suppressed_ > 0) {
    tools::log_warning("feed: %llu lines about consumers left out (more than %d in 10 s)",
                       (unsigned long long)log_suppressed_, kLines);
    log_suppressed_ = 0;
  }
  return true;
}

size_t LiveFeed::consumer_count() const {
  return size_t(std::count_if(consumers_.begin(), consumers_.end(), [](const auto &c) { return c->active(); }));
}

bool LiveFeed::handle(SoupServerMessage *msg, const char *path) {
  std::string stream_id;
  bool is_list = g_strcmp0(path, "/streams") == 0 || g_strcmp0(path, "/streams/") == 0;
  bool is_feed = !is_list && feed_events_path(path ? path : "", &stream_id);
  if (!is_list && !is_feed) return false;
  SoupMessageHeaders *response = soup_server_message_get_response_headers(msg);
  if (!config_.cors_origin.empty()) {
    soup_message_headers_replace(response, "Access-Control-Allow-Origin", config_.cors_origin.c_str());
    soup_message_headers_replace(response, "Vary", "Origin");
  }
  const char *method = soup_server_message_get_method(msg);
  if (g_strcmp0(method, SOUP_METHOD_OPTIONS) == 0) {
    // The CORS preflight of a page that sends the token in a header.
    soup_message_headers_replace(response, "Access-Control-Allow-Methods", "GET, OPTIONS");
    soup_message_headers_replace(response, "Access-Control-Allow-Headers", "Authorization");
    soup_message_headers_replace(response, "Access-Control-Max-Age", "600");
    soup_message_headers_replace(response, "Allow", "GET, OPTIONS");
    soup_server_message_set_status(msg, 204, nullptr);
    return true;
  }
  if (g_strcmp0(method, SOUP_METHOD_GET) != 0) {
    soup_message_headers_replace(response, "Allow", "GET, OPTIONS");
    set_text(msg, 405, "method not allowed\n");
    return true;
  }
  std::string peer = peer_of(msg);
  if (!config_.token.empty()) {
    const char *authorization =
        soup_message_headers_get_one(soup_server_message_get_request_headers(msg), "Authorization");
    std::string query_token;
    bool has_query_token = false;
    if (const char *query = g_uri_get_query(soup_server_message_get_uri(msg))) {
      GHashTable *params = g_uri_parse_params(query, -1, "&", G_URI_PARAMS_NONE, nullptr);
      auto owned = rtms::adopt(params);
      if (owned) {
        if (const char *value = static_cast<const char *>(g_hash_table_lookup(owned.get(), "token"))) {
          query_token = value;
          has_query_token = true;
        }
      }
    }
    if (!feed_token_ok(config_.token, authorization, has_query_token ? query_token.c_str() : nullptr)) {
      counters_.refused["unauthorized"]++;
      // Never the token, nor the query it may be in.
      if (may_log())
        tools::log_warning("feed: request from %s refused with 401: %s", peer.c_str(),
                         authorization || has_query_token ? "wrong token" : "no token");
      soup_message_headers_replace(response, "WWW-Authenticate", "Bearer realm=\"rtms-gateway feed\"");
      set_text(msg, 401, "unauthorized\n");
      return true;
    }
  }
  if (is_list) {
    answer_list(msg);
    return true;
  }
  open_feed(msg, stream_id, peer);
  return true;
}

void LiveFeed::answer_list(SoupServerMessage *msg) {
  std::vector<StreamSummary> list;
  for (const auto &[id, stream] : streams_) list.push_back(stream->summary());
  std::string body = streams_json(list) + "\n";
  soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Cache-Control", "no-store");
  soup_server_message_set_status(msg, 200, nullptr);
  soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_COPY, body.data(), body.size());
}

void LiveFeed::open_feed(SoupServerMessage *msg, const std::string &stream_id, const std::string &peer) {
  auto found = streams_.find(stream_id);
  if (found == streams_.end()) {
    set_text(msg, 404, "no such stream\n");
    return;
  }
  size_t total = consumer_count();
  size_t of_stream = size_t(std::count_if(consumers_.begin(), consumers_.end(), [&](const auto &c) {
    return c->active() && c->stream_id() == stream_id;
  }));
  const char *limit = nullptr;
  if (total >= size_t(config_.max_total))
    limit = "--feed-max-total";
  else if (of_stream >= size_t(config_.max_per_stream))
    limit = "--feed-max-consumers";
  if (limit) {
    counters_.refused["limit"]++;
    if (may_log())
      tools::log_warning("feed: consumer %s of stream %s refused with 503: %s reached", peer.c_str(),
                       tools::log_safe(stream_id).c_str(), limit);
    soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Retry-After", "5");
    set_text(msg, 503, "too many feed consumers\n");
    return;
  }
  // The answer is ours from here: a head, then events until the stream
  // ends; no length, the end of the connection ends it.
  std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\n"
      "X-Accel-Buffering: no\r\nConnection: close\r\n";
  if (!config_.cors_origin.empty())
    head += "Access-Control-Allow-Origin: " + config_.cors_origin + "\r\nVary: Origin\r\n";
  head += "\r\n";
  // The current roster first, with the id of the last event it includes.
  const StreamFeed &stream = *found->second;
  head += sse_event(stream.last_id(), "roster", stream.state().roster());
  GSocket *socket = hold_open_ ? hold_open_(msg) : nullptr;
  // What the kernel holds for a consumer is bounded too (a consumer that
  // stops reading would otherwise let it grow to megabytes).
  if (socket) g_socket_set_option(socket, SOL_SOCKET, SO_SNDBUF, kSendBuffer, nullptr);
  auto io = rtms::adopt(soup_server_message_steal_connection(msg));  // msg may be gone now
  if (!io) return;
  auto consumer = std::make_shared<FeedConsumer>(this, stream_id, peer, std::move(io));
  consumers_.push_back(consumer);
  counters_.accepted++;
  if (may_log())
    tools::log_info("feed: consumer %s of stream %s connected (%zu consumers)", peer.c_str(),
                  tools::log_safe(stream_id).c_str(), total + 1);
  consumer->start(std::move(head));
}

std::string LiveFeed::metrics_text() const {
  std::string out;
  auto metric = [&out](const char *name, const char *type, const char *help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  metric("rtms_gateway_feed_consumers", "gauge", "Live feed consumers connected now.");
  out += "rtms_gateway_feed_consumers " + std::to_string(consumer_count()) + "\n";
  metric("rtms_gateway_feed_consumers_total", "counter", "Live feed consumers accepted.");
  out += "rtms_gateway_feed_consumers_total " + std::to_string(counters_.accepted) + "\n";
  metric("rtms_gateway_feed_events_sent_total", "counter",
         "Live feed events written to consumers (each event once per consumer).");
  out += "rtms_gateway_feed_events_sent_total " + std::to_string(counters_.events_sent) + "\n";
  metric("rtms_gateway_feed_consumers_dropped_total", "counter",
         "Live feed consumers disconnected because they did not read.");
  out += "rtms_gateway_feed_consumers_dropped_total " + std::to_string(counters_.dropped) + "\n";
  metric("rtms_gateway_feed_refused_total", "counter", "Live feed requests refused: unauthorized, limit.");
  for (const char *reason : {"unauthorized", "limit"}) {
    auto found = counters_.refused.find(reason);
    out += std::string("rtms_gateway_feed_refused_total{reason=\"") + reason + "\"} " +
           std::to_string(found == counters_.refused.end() ? 0 : found->second) + "\n";
  }
  return out;
}

}  // namespace gateway
