#include "whep_sdp.h"

#include <cstdlib>
#include <map>

namespace gateway {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// A decimal number of at most 9 digits, or -1.
int small_number(std::string_view s) {
  if (s.empty() || s.size() > 9) return -1;
  int n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char &c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

bool is_hex6(std::string_view s) {
  if (s.size() != 6) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

// One m= section while it is read.
struct Section {
  OfferMedia media;
  std::map<int, std::string> rtpmap;  // payload -> "H264/90000"
  std::map<int, std::string> fmtp;    // payload -> parameters
  std::vector<int> formats;
};

void finish(Section &s, std::vector<OfferMedia> *out) {
  for (int pt : s.formats) {
    auto map = s.rtpmap.find(pt);
    if (map == s.rtpmap.end()) continue;
    std::string codec = lower(map->second);
    if (codec == "opus/48000/2" && s.media.opus_payload < 0) s.media.opus_payload = pt;
    if (codec != "h264/90000") continue;
    H264Format f;
    f.payload = pt;
    f.profile_level_id = "420010";  // RFC 6184's default: baseline, level 1
    auto params = s.fmtp.find(pt);
    std::string_view rest = params == s.fmtp.end() ? std::string_view() : std::string_view(params->second);
    while (!rest.empty()) {
      size_t semi = rest.find(';');
      std::string_view item = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      size_t eq = item.find('=');
      if (eq == std::string_view::npos) continue;
      std::string key = lower(item.substr(0, eq));
      std::string_view value = item.substr(eq + 1);
      if (key == "packetization-mode") f.packetization_mode = small_number(value);
      else if (key == "profile-level-id" && is_hex6(value)) f.profile_level_id = lower(value);
      else if (key == "level-asymmetry-allowed") f.level_asymmetry_allowed = value == "1";
    }
    s.media.h264.push_back(f);
  }
  out->push_back(std::move(s.media));
}

int level_rank(int level_idc) { return level_idc == 9 ? 10 : level_idc; }  // 1b sits between 1 and 1.1

// Whether a player that decodes `offered` plays a stream of `stream`.
bool decodes(H264Profile offered, H264Profile stream) {
  switch (stream) {
    case H264Profile::ConstrainedBaseline:
      return offered != H264Profile::Unknown;
    case H264Profile::Baseline:
      return offered == H264Profile::Baseline;
    case H264Profile::Main:
      return offered == H264Profile::Main || offered == H264Profile::High;
    case H264Profile::High:
      return offered == H264Profile::High;
    default:
      return false;
  }
}

}  // namespace

bool parse_offer(std::string_view sdp, const OfferLimits &limits, Offer *out, std::string *why) {
  *out = Offer{};
  if (sdp.size() > limits.max_bytes) {
    *why = "offer of " + std::to_string(sdp.size()) + " bytes is over " + std::to_string(limits.max_bytes);
    return false;
  }
  if (!starts_with(sdp, "v=0")) {
    *why = "not an SDP offer (does not start with v=0)";
    return false;
  }
  // ICE credentials and a fingerprint somewhere: at session level or in a
  // section (with BUNDLE, the first one carries them for all).
  bool session_ufrag = false, session_fingerprint = false, media_ufrag = false, media_fingerprint = false;
  bool in_media = false, this_ufrag = false, this_fingerprint = false;
  size_t lines = 0;
  Section current;
  std::vector<OfferMedia> media;
  auto close_section = [&] {
    if (!in_media) return;
    media_ufrag = media_ufrag || this_ufrag || session_ufrag;
    media_fingerprint = media_fingerprint || this_fingerprint || session_fingerprint;
    finish(current, &media);
    current = Section{};
  };
  while (!sdp.empty()) {
    size_t end = sdp.find('\n');
    std::string_view line = sdp.substr(0, end);
    sdp = end == std::string_view::npos ? std::string_view() : sdp.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (++lines > limits.max_lines) {
      *why = "offer has more than " + std::to_string(limits.max_lines) + " lines";
      return false;
    }
    if (line.size() > limits.max_line_bytes) {
      *why = "offer has a line over " + std::to_string(limits.max_line_bytes) + " bytes";
      return false;
    }
    if (line.empty()) continue;
    if (line.size() < 2 || line[1] != '=') {
      *why = "offer has a line that is not <type>=<value>";
      return false;
    }
    for (char c : line)
      if ((unsigned char)c < 0x20 && c != '\t') {
        *why = "offer has control characters";
        return false;
      }
    if (line[0] == 'm') {
      close_section();
      if (media.size() >= limits.max_media) {
        *why = "offer has more than " + std::to_string(limits.max_media) + " media sections";
        return false;
      }
      in_media = true;
      this_ufrag = this_fingerprint = false;
      // m=<kind> <port> <proto> <fmt> ...
      std::string_view rest = line.substr(2);
      std::vector<std::string_view> words;
      while (!rest.empty() && words.size() < 200) {
        size_t sp = rest.find(' ');
        if (sp != 0) words.push_back(rest.substr(0, sp));
        rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
      }
      if (words.size() < 3) {
        *why = "offer has a malformed m= line";
        return false;
      }
      current.media.kind = std::string(words[0]);
      current.media.rejected = words[1] == "0";
      for (size_t i = 3; i < words.size(); i++) {
        int pt = small_number(words[i]);
        if (pt >= 0 && pt <= 127) current.formats.push_back(pt);
      }
      continue;
    }
    if (line[0] != 'a') continue;
    std::string_view attr = line.substr(2);
    if (starts_with(attr, "ice-ufrag:")) (in_media ? this_ufrag : session_ufrag) = true;
    else if (starts_with(attr, "fingerprint:")) (in_media ? this_fingerprint : session_fingerprint) = true;
    if (!in_media) continue;
    if (attr == "sendonly" || attr == "inactive") current.media.wants_media = false;
    else if (starts_with(attr, "mid:")) current.media.mid = std::string(attr.substr(4, 64));
    else if (starts_with(attr, "rtpmap:") || starts_with(attr, "fmtp:")) {
      bool is_rtpmap = attr[0] == 'r';
      std::string_view value = attr.substr(is_rtpmap ? 7 : 5);
      size_t sp = value.find(' ');
      if (sp == std::string_view::npos) continue;
      int pt = small_number(value.substr(0, sp));
      if (pt < 0 || pt > 127) continue;
      (is_rtpmap ? current.rtpmap : current.fmtp)[pt] = std::string(value.substr(sp + 1, 512));
    }
  }
  close_section();
  if (media.empty()) {
    *why = "offer has no media sections";
    return false;
  }
  if (!media_ufrag) {
    *why = "offer lacks ICE credentials (a=ice-ufrag)";
    return false;
  }
  if (!media_fingerprint) {
    *why = "offer lacks a DTLS fingerprint (a=fingerprint)";
    return false;
  }
  out->media = std::move(media);
  for (size_t i = 0; i < out->media.size(); i++) {
    const OfferMedia &m = out->media[i];
    if (m.rejected || !m.wants_media) continue;
    if (m.kind == "video" && out->video_index < 0 && !m.h264.empty()) out->video_index = int(i);
    if (m.kind == "audio" && out->audio_index < 0 && m.opus_payload >= 0) out->audio_index = int(i);
  }
  if (out->video_index < 0 && out->audio_index < 0) {
    *why = "offer receives neither H.264 video nor Opus audio";
    return false;
  }
  return true;
}

ProfileLevel parse_profile_level_id(std::string_view hex) {
  ProfileLevel out;
  if (!is_hex6(hex)) return out;
  unsigned long value = std::strtoul(std::string(hex).c_str(), nullptr, 16);
  int profile_idc = int(value >> 16), iop = int((value >> 8) & 0xff), level_idc = int(value & 0xff);
  out.level_idc = level_idc;
  // Level 1b in baseline-family profiles: level_idc 11 with constraint_set3.
  if (level_idc == 11 && (iop & 0x10) && (profile_idc == 66 || profile_idc == 77)) out.level_idc = 9;
  if (profile_idc == 66) out.profile = (iop & 0x40) ? H264Profile::ConstrainedBaseline : H264Profile::Baseline;
  else if (profile_idc == 77) out.profile = (iop & 0x80) ? H264Profile::ConstrainedBaseline : H264Profile::Main;
  else if (profile_idc == 88) out.profile = ((iop & 0xc0) == 0xc0) ? H264Profile::ConstrainedBaseline
                                                                    : H264Profile::Unknown;
  else if (profile_idc == 100) out.profile = H264Profile::High;
  return out;
}

std::string sps_profile_level_id(const uint8_t *data, size_t size) {
  for (size_t i = 0; i + 7 < size; i++) {
    if (data[i] != 0 || data[i + 1] != 0 || data[i + 2] != 1) continue;
    if ((data[i + 3] & 0x1f) != 7) continue;
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (size_t k = 4; k < 7; k++) {
      out += digits[data[i + k] >> 4];
      out += digits[data[i + k] & 0xf];
    }
    return out;
  }
  return {};
}

VideoChoice choose_video(const OfferMedia &video, const std::string &stream_profile, VideoMode mode) {
  VideoChoice choice;
  ProfileLevel stream = parse_profile_level_id(stream_profile.empty() ? "42e01f" : stream_profile);
  if (mode != VideoMode::Encode && stream.profile != H264Profile::Unknown) {
    for (const H264Format &f : video.h264) {
      if (f.packetization_mode != 1) continue;
      ProfileLevel offered = parse_profile_level_id(f.profile_level_id);
      if (!decodes(offered.profile, stream.profile)) continue;
      if (!f.level_asymmetry_allowed && level_rank(stream.level_idc) > level_rank(offered.level_idc)) continue;
      choice.payload = f.payload;
      choice.passthrough = true;
      choice.why = "H.264 passed through as payload " + std::to_string(f.payload) + " (profile-level-id " +
                   f.profile_level_id + ", stream " + (stream_profile.empty() ? "not seen yet" : stream_profile) + ")";
      return choice;
    }
  }
  if (mode == VideoMode::Passthrough) {
    choice.why = "the offer accepts the stream's H.264 (" + (stream_profile.empty() ? std::string("?") : stream_profile) +
                 ") in no packetization-mode=1 format, and --webrtc-video passthrough does not re-encode";
    return choice;
  }
  // The encoder makes constrained baseline at the offered level.
  for (const H264Format &f : video.h264) {
    if (f.packetization_mode != 1) continue;
    ProfileLevel offered = parse_profile_level_id(f.profile_level_id);
    if (!decodes(offered.profile, H264Profile::ConstrainedBaseline)) continue;
    choice.payload = f.payload;
    choice.passthrough = false;
    choice.why = "H.264 re-encoded (constrained baseline) as payload " + std::to_string(f.payload);
    return choice;
  }
  choice.why = "the offer has no packetization-mode=1 H.264 format the gateway can send";
  return choice;
}

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoded; false on a broken escape or a control character.
bool percent_decode(std::string_view in, std::string *out) {
  out->clear();
  for (size_t i = 0; i < in.size(); i++) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hex_digit(in[i + 1]), lo = hex_digit(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      c = char(hi * 16 + lo);
      i += 2;
    }
    if ((unsigned char)c < 0x20 || c == 0x7f) return false;
    out->push_back(c);
  }
  return true;
}

// An HTTP quoted-string (RFC 9110 section 5.6.4).
std::string quoted(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

// host, host:port or [v6]:port: nothing that could end the <URI>.
bool plain_host(std::string_view host) {
  if (host.empty() || host.size() > 300) return false;
  for (char c : host) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && c != '.' && c != '-' && c != ':' && c != '[' && c != ']' && c != '_') return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> ice_server_links(const std::string &stun_url, const std::string &turn_url, bool with_turn) {
  std::vector<std::string> links;
  std::string_view stun = stun_url;
  if (starts_with(stun, "stun://") && plain_host(stun.substr(7)))
    links.push_back("<stun:" + std::string(stun.substr(7)) + ">; rel=\"ice-server\"");
  if (!with_turn || turn_url.empty()) return links;
  std::string_view turn = turn_url;
  std::string scheme;
  if (starts_with(turn, "turn://")) scheme = "turn";
  else if (starts_with(turn, "turns://")) scheme = "turns";
  else return links;
  turn.remove_prefix(scheme.size() + 3);
  std::string_view query;
  if (size_t q = turn.find('?'); q != std::string_view::npos) {
    query = turn.substr(q + 1);
    turn = turn.substr(0, q);
  }
  size_t at = turn.rfind('@');
  if (at == std::string_view::npos) return links;  // no credentials: of no use to a browser
  std::string_view userinfo = turn.substr(0, at), host = turn.substr(at + 1);
  size_t colon = userinfo.find(':');
  std::string user, password;
  if (colon == std::string_view::npos || !percent_decode(userinfo.substr(0, colon), &user) ||
      !percent_decode(userinfo.substr(colon + 1), &password) || user.empty() || !plain_host(host))
    return links;
  std::string uri = scheme + ":" + std::string(host);
  // The one parameter RFC 7065 gives TURN URIs.
  if (query == "transport=udp" || query == "transport=tcp") uri += "?" + std::string(query);
  links.push_back("<" + uri + ">; rel=\"ice-server\"; username=" + quoted(user) + "; credential=" + quoted(password) +
                  "; credential-type=\"password\"");
  return links;
}

}  // namespace gateway
