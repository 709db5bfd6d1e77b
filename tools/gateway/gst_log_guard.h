// GStreamer's own debug log kept free of the gateway's secrets: Debian 12's
// libgstwebrtcnice logs the TURN server's URL, password included, at DEBUG
// (category webrtcnice, "validating turn server"), so GST_DEBUG=*:5 would
// print it. The gateway's own log never holds it (log.h's log_safe and the
// option code never print it).
#pragma once

#include <string>
#include <vector>

namespace gateway {

// The strings a turn(s)://user:password@host URL holds that must not be
// shown: the password as written and percent-decoded, and the URL itself.
std::vector<std::string> turn_url_secrets(const std::string &turn_url);

// Replaces GStreamer's default log function with one that hands every line
// to it as before (to stderr, or to GST_DEBUG_FILE's file), with each secret
// in it replaced by "***", and with minted (the TURN secret's credentials,
// made after start) the user info of every turn(s):// URL too. Call after
// gst_init, before any pipeline; once.
void keep_secrets_out_of_gst_log(std::vector<std::string> secrets, bool minted = false);

// text with the user info of every turn:// and turns:// URL in it
// ("user:password@") replaced by "***@".
std::string without_turn_userinfo(std::string text);

}  // namespace gateway
