// Logging of the session layer through a hook. The session knows nothing of
// GStreamer: the plugin installs a sink that turns each line into a
// GStreamer debug message of the line's category, and keeps the levels here
// equal to its categories' thresholds. Until then (and in programs without
// a sink) nothing is logged and nothing is formatted.
//
// A disabled line costs one relaxed atomic load and a compare: the level is
// checked before any argument is evaluated or formatted (RTMS_LOG below).
// Lines on per-message paths stay at Trace.
//
// Secrets (the client secret, handshake signatures, tokens, URL queries)
// never go into a line: log_url() gives a URL without its query.
#pragma once

#include <atomic>
#include <string>

namespace rtms {
namespace log {

// The same numbers as GstDebugLevel (ERROR = 1 ... TRACE = 7).
enum class Level : int {
  None = 0,
  Error = 1,
  Warning = 2,
  Fixme = 3,
  Info = 4,
  Debug = 5,
  Log = 6,
  Trace = 7
};

enum class Category : int {
  Session = 0,  // handshakes, reconnect decisions, keep-alives, timers, the end
  WebSocket,    // connecting, the upgrade, frames, close codes
  Tls,          // contexts, handshakes, certificates, OpenSSL's errors
  Network,      // network threads, their leases, sockets and timers
};
constexpr int kCategories = 4;
const char *to_string(Category category);

// Who a line is about: lines of several streams in one process are told
// apart by tag (the session's stream id); object is handed to the sink as is
// (the element, for GStreamer's object column). Owned by the session; it
// outlives everything that logs with it.
struct Context {
  void *object = nullptr;
  std::string tag;
};

// file, function and line of the call; message is the formatted line,
// "[tag] " first when there is a context with a tag. Called on the thread
// that logs (often a network thread), with no lock of ours held.
using Sink = void (*)(Category category, Level level, void *object, const char *file,
                      const char *function, int line, const char *message, void *user_data);

// Installs the sink (once per process; later calls replace it). The levels
// stay None until set_level.
void set_sink(Sink sink, void *user_data);
// The most verbose level logged in category (None turns it off).
void set_level(Category category, Level level);

// Called by sessions when they start and then every few seconds, so that a
// sink can follow threshold changes made while streams run (set with
// set_refresh; it calls set_level). Cheap when there is nothing to refresh.
using Refresh = void (*)(void *user_data);
void set_refresh(Refresh refresh, void *user_data);
void refresh_levels();

extern std::atomic<int> g_levels[kCategories];

inline bool enabled(Category category, Level level) {
  return int(level) <= g_levels[int(category)].load(std::memory_order_relaxed);
}

void write(Category category, Level level, const Context *context, const char *file,
           const char *function, int line, const char *format, ...)
    __attribute__((format(printf, 7, 8)));

// scheme://host[:port]/path of a URL, without user info, query or fragment
// (a query could carry a token). Anything that does not parse is elided.
std::string log_url(const std::string &url);

}  // namespace log
}  // namespace rtms

// RTMS_LOG(category, level, context, format, ...): category and level without
// their enum prefix (RTMS_LOG(Session, Info, &ctx, "...")); context may be null.
#define RTMS_LOG(category, level, context, ...)                                           \
  do {                                                                                    \
    if (__builtin_expect(::rtms::log::enabled(::rtms::log::Category::category,            \
                                              ::rtms::log::Level::level), 0))             \
      ::rtms::log::write(::rtms::log::Category::category, ::rtms::log::Level::level,       \
                         (context), __FILE__, __func__, __LINE__, __VA_ARGS__);           \
  } while (0)
