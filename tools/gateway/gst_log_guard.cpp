#include "gst_log_guard.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>

#include <gst/gst.h>

#include "common/gref.h"
#include "log.h"

namespace gateway {

namespace {

// Set once before any pipeline runs, read by GStreamer's threads after.
std::vector<std::string> &held_secrets() {
  static std::vector<std::string> secrets;
  return secrets;
}
bool &hide_turn_userinfo() {
  static bool hide = false;
  return hide;
}

// Set while this thread hands GStreamer a line it has already cleaned.
thread_local bool passing_cleaned_line = false;

// Every line goes on to GStreamer's default log function, which writes it in
// its own format to destination (a FILE*; null: stderr); a line holding a
// secret is cleaned first and logged again as a literal, which comes back
// here and passes straight through.
void log_without_secrets(GstDebugCategory *category, GstDebugLevel level, const gchar *file, const gchar *function,
                         gint line, GObject *object, GstDebugMessage *message, gpointer destination) {
  const gchar *text = passing_cleaned_line ? nullptr : gst_debug_message_get(message);
  bool holds = false;
  for (const std::string &s : held_secrets()) holds = holds || (text && std::strstr(text, s.c_str()));
  holds = holds || (hide_turn_userinfo() && text && (std::strstr(text, "turn://") || std::strstr(text, "turns://")));
  if (!holds) {
    gst_debug_log_default(category, level, file, function, line, object, message, destination);
    return;
  }
  std::string cleaned = text;
  for (const std::string &s : held_secrets())
    for (size_t at = cleaned.find(s); at != std::string::npos; at = cleaned.find(s, at + 3))
      cleaned.replace(at, s.size(), "***");
  if (hide_turn_userinfo()) cleaned = without_turn_userinfo(std::move(cleaned));
  passing_cleaned_line = true;
  gst_debug_log_literal(category, level, file, function, line, object, cleaned.c_str());
  passing_cleaned_line = false;
}

std::string percent_decoded(const std::string &s) {
  auto decoded = rtms::adopt(g_uri_unescape_string(s.c_str(), nullptr));
  return decoded ? decoded.get() : s;
}

}  // namespace

std::string without_turn_userinfo(std::string text) {
  for (const char *scheme : {"turn://", "turns://"}) {
    size_t from = 0;
    for (size_t at = text.find(scheme, from); at != std::string::npos; at = text.find(scheme, from)) {
      size_t start = at + std::strlen(scheme);
      // The authority ends at white space, a quote, '/', '?' or '#'; its last '@' ends the user info.
      size_t end = text.find_first_of(" \t\r\n'\"/?#", start);
      if (end == std::string::npos) end = text.size();
      size_t sign = text.rfind('@', end == 0 ? 0 : end - 1);
      if (sign != std::string::npos && sign >= start && sign < end) {
        text.replace(start, sign - start, "***");
        end = start + 3 + (end - sign);
      }
      from = end;
    }
  }
  return text;
}

std::vector<std::string> turn_url_secrets(const std::string &turn_url) {
  std::vector<std::string> out;
  size_t scheme = turn_url.find("://");
  if (scheme == std::string::npos) return out;
  std::string rest = turn_url.substr(scheme + 3);
  size_t at = rest.rfind('@');
  if (at == std::string::npos) return out;
  std::string userinfo = rest.substr(0, at);
  size_t colon = userinfo.find(':');
  if (colon == std::string::npos || colon + 1 == userinfo.size()) return out;
  std::string password = userinfo.substr(colon + 1);
  out.push_back(turn_url);
  out.push_back(password);
  std::string decoded = percent_decoded(password);
  if (decoded != password && !decoded.empty()) out.push_back(decoded);
  return out;
}

void keep_secrets_out_of_gst_log(std::vector<std::string> secrets, bool minted) {
  if (secrets.empty() && !minted) return;
  held_secrets() = std::move(secrets);
  hide_turn_userinfo() = minted;
  FILE *destination = nullptr;  // stderr
  if (const char *name = g_getenv("GST_DEBUG_FILE"); name && *name) {
    // GStreamer opened this file at gst_init and writes each line through
    // with a flush; from here on only this function writes to it, appending.
    std::string path = name;
    for (size_t at = path.find("%p"); at != std::string::npos; at = path.find("%p", at))
      path.replace(at, 2, std::to_string(getpid()));
    if (path == "-") {
      destination = stdout;
    } else if (path.find("%r") != std::string::npos || !(destination = std::fopen(path.c_str(), "a"))) {
      // Not the file GStreamer chose (a random part), or not writable: the
      // lines go to stderr, cleaned, rather than to the file as they are.
      tools::log_warning("GST_DEBUG_FILE '%s': GStreamer's debug lines go to stderr instead (the gateway "
                         "cleans them of secrets and cannot %s that file)",
                         name, path.find("%r") != std::string::npos ? "name" : "append to");
      destination = nullptr;
    }
  }
  gst_debug_remove_log_function(gst_debug_log_default);
  gst_debug_add_log_function(log_without_secrets, destination, nullptr);
}

}  // namespace gateway
