// The pure parts of WHEP (docs/gateway.md, "Watching in the browser"): what
// an SDP offer from a player asks for, checked and bounded, and which of its
// formats the gateway answers with. No GStreamer, no I/O: unit-tested.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gateway {

// Bounds on an offer (untrusted input).
struct OfferLimits {
  size_t max_bytes = 32 * 1024;
  size_t max_lines = 2000;
  size_t max_line_bytes = 4096;
  size_t max_media = 8;
};

// One H.264 format of an m=video section.
struct H264Format {
  int payload = -1;
  int packetization_mode = 0;
  std::string profile_level_id;  // six hex digits, lower case ("42e01f"); default 420010
  bool level_asymmetry_allowed = false;
};

struct OfferMedia {
  std::string kind;       // "audio", "video", ...
  std::string mid;
  bool rejected = false;  // port 0
  bool wants_media = true;  // the player receives (recvonly, sendrecv): not sendonly or inactive
  std::vector<H264Format> h264;
  int opus_payload = -1;  // opus/48000/2
};

struct Offer {
  std::vector<OfferMedia> media;
  // The first usable section of each kind, or -1.
  int video_index = -1, audio_index = -1;
};

// Parses an offer; false with a one-line reason (safe to log and to send back)
// when it is too large, not SDP, lacks ICE credentials or a fingerprint, or
// has no audio or video the gateway can send.
bool parse_offer(std::string_view sdp, const OfferLimits &limits, Offer *out, std::string *why);

// H.264 profiles as RFC 6184 names them, enough to decide who can decode
// what: a constrained baseline stream plays in every one of these.
enum class H264Profile { Unknown, ConstrainedBaseline, Baseline, Main, High };
struct ProfileLevel {
  H264Profile profile = H264Profile::Unknown;
  int level_idc = 0;  // 31 for level 3.1; 9 for 1b
};
ProfileLevel parse_profile_level_id(std::string_view hex);
// profile_idc, constraint flags and level_idc from an SPS in an Annex B
// H.264 access unit, as profile-level-id hex; empty when there is none.
std::string sps_profile_level_id(const uint8_t *data, size_t size);

// How the video goes out to one player.
enum class VideoMode { Auto, Passthrough, Encode };
struct VideoChoice {
  int payload = -1;  // -1: the offer has no H.264 format the gateway can send
  bool passthrough = false;
  std::string why;   // for the log: which format and why
};
// stream_profile: the camera's profile-level-id when known (empty: not seen
// yet; taken for constrained baseline). Passthrough when a
// packetization-mode=1 format accepts the stream's profile and level,
// otherwise the format the encoder's constrained baseline fits.
VideoChoice choose_video(const OfferMedia &video, const std::string &stream_profile, VideoMode mode);

// The gateway's STUN and TURN servers for the player, as the values of
// "Link" headers with rel="ice-server" (WHIP, RFC 9725 section 4.6, which
// WHEP follows): "<stun:host:port>; rel=\"ice-server\"" and, when with_turn,
// "<turn:host:port[?transport=udp|tcp]>; rel=\"ice-server\"; username=\"...\";
// credential=\"...\"; credential-type=\"password\"" (user and password
// percent-decoded from turn(s)://user:password@host:port, quoted). A URL
// that cannot be expressed (no host, no credentials, control characters)
// is left out. The TURN value holds a secret: never log it.
std::vector<std::string> ice_server_links(const std::string &stun_url, const std::string &turn_url, bool with_turn);

}  // namespace gateway
