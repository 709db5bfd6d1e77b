#include "refusal.h"

#include <memory>

#include "common/gst_gref.h"
#include "log.h"

namespace gateway {

namespace {

// Lives until the connection is closed.
struct Refusal {
  rtms::GRef<GIOStream> stream;
  std::string bytes;
};

void on_closed(GObject *source, GAsyncResult *result, gpointer data) {
  std::unique_ptr<Refusal> refusal(static_cast<Refusal *>(data));
  g_io_stream_close_finish(G_IO_STREAM(source), result, nullptr);  // the peer may be gone already
}

void on_written(GObject *source, GAsyncResult *result, gpointer data) {
  auto *refusal = static_cast<Refusal *>(data);
  GError *raw_error = nullptr;
  if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result, nullptr, &raw_error)) {
    auto error = rtms::adopt(raw_error);
    tools::log_warning("could not send a refusal: %s", tools::log_safe(error->message).c_str());
  }
  g_io_stream_close_async(refusal->stream.get(), G_PRIORITY_DEFAULT, nullptr, on_closed, refusal);
}

}  // namespace

void answer_and_close(SoupServerMessage *msg, int status, const char *reason_phrase, const std::string &text) {
  auto refusal = std::make_unique<Refusal>();
  refusal->bytes = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase +
                   "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(text.size()) +
                   "\r\nConnection: close\r\n\r\n" + text;
  // From here on libsoup has nothing more to do with this connection (and
  // msg may be gone).
  refusal->stream = rtms::adopt(soup_server_message_steal_connection(msg));
  if (!refusal->stream) return;
  GOutputStream *out = g_io_stream_get_output_stream(refusal->stream.get());
  Refusal *pending = refusal.release();
  g_output_stream_write_all_async(out, pending->bytes.data(), pending->bytes.size(), G_PRIORITY_DEFAULT, nullptr,
                                  on_written, pending);
}

}  // namespace gateway
