#include "log.h"

#include <glib.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>

namespace rtms {
namespace log {

std::atomic<int> g_levels[kCategories] = {};

namespace {

std::atomic<Sink> g_sink{nullptr};
std::atomic<void *> g_sink_data{nullptr};
std::atomic<Refresh> g_refresh{nullptr};
std::atomic<void *> g_refresh_data{nullptr};

}  // namespace

const char *to_string(Category category) {
  switch (category) {
    case Category::Session: return "session";
    case Category::WebSocket: return "websocket";
    case Category::Tls: return "tls";
    case Category::Network: return "network";
  }
  return "?";
}

void set_sink(Sink sink, void *user_data) {
  g_sink_data.store(user_data, std::memory_order_relaxed);
  g_sink.store(sink, std::memory_order_release);
}

void set_level(Category category, Level level) {
  g_levels[int(category)].store(int(level), std::memory_order_relaxed);
}

void set_refresh(Refresh refresh, void *user_data) {
  g_refresh_data.store(user_data, std::memory_order_relaxed);
  g_refresh.store(refresh, std::memory_order_release);
}

void refresh_levels() {
  if (Refresh refresh = g_refresh.load(std::memory_order_acquire))
    refresh(g_refresh_data.load(std::memory_order_relaxed));
}

void write(Category category, Level level, const Context *context, const char *file,
           const char *function, int line, const char *format, ...) {
  Sink sink = g_sink.load(std::memory_order_acquire);
  if (!sink) return;
  // Most lines fit the stack buffer; longer ones are formatted again into
  // one of their size.
  char stack[512];
  int prefix = 0;
  if (context && !context->tag.empty())
    prefix = snprintf(stack, sizeof stack, "[%s] ", context->tag.c_str());
  if (prefix < 0 || size_t(prefix) >= sizeof stack) prefix = 0;
  va_list args;
  va_start(args, format);
  va_list again;
  va_copy(again, args);
  int n = vsnprintf(stack + prefix, sizeof stack - size_t(prefix), format, args);
  va_end(args);
  const char *text = stack;
  std::string long_text;
  if (n >= 0 && size_t(n) >= sizeof stack - size_t(prefix)) {
    long_text.assign(stack, size_t(prefix));
    long_text.resize(size_t(prefix) + size_t(n) + 1);
    vsnprintf(&long_text[size_t(prefix)], size_t(n) + 1, format, again);
    text = long_text.c_str();
  }
  va_end(again);
  if (n < 0) text = "(a log line that could not be formatted)";
  sink(category, level, context ? context->object : nullptr, file, function, line, text,
       g_sink_data.load(std::memory_order_relaxed));
}

std::string log_url(const std::string &url) {
  GUri *uri = g_uri_parse(url.c_str(), G_URI_FLAGS_ENCODED, nullptr);
  if (!uri) return "(a URL that does not parse)";
  std::string text = g_uri_get_scheme(uri);
  text += "://";
  const char *host = g_uri_get_host(uri);
  if (host) {
    bool ipv6 = std::strchr(host, ':') != nullptr;
    text += ipv6 ? std::string("[") + host + "]" : std::string(host);
  }
  if (g_uri_get_port(uri) > 0) text += ":" + std::to_string(g_uri_get_port(uri));
  const char *path = g_uri_get_path(uri);
  text += (path && *path) ? path : "/";
  g_uri_unref(uri);
  return text;
}

}  // namespace log
}  // namespace rtms
