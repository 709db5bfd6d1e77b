// The pure parts of WHEP (tools/gateway/whep_sdp.cpp, compiled in): every
// SDP offer a player POSTs to /streams/{id}/whep reaches parse_offer first,
// and the sections it keeps reach choose_video.
//
// Input: the offer's bytes, parsed with the gateway's limits and with tight
// ones.
//  * parse_offer: a refusal has a reason of printable ASCII, one bounded line
//    (it is logged and sent back to the player). An accepted offer is within
//    the limits, has 1 .. max_media sections, its chosen video and audio
//    sections are usable (not rejected, receiving, H.264 or Opus present),
//    its payload types are 0 .. 127, profile-level-ids six lower-case hex
//    digits, mids at most 64 bytes.
//  * choose_video, for the chosen video section, every mode and a set of
//    camera profiles (plus the one of an SPS found in the input): the payload
//    is -1 or a packetization-mode=1 H.264 format of the section; encode never
//    passes through, passthrough never re-encodes; a reason is always given.
//  * sps_profile_level_id on the raw input: empty or six lower-case hex digits.
//  * parse_profile_level_id on every six-byte window at the input's start:
//    Unknown unless the window is hex.
//  * ice_server_links with the input as the STUN and as the TURN URL (up to
//    its first line, and again with each scheme in front): every value
//    starts with one <URI> followed by rel="ice-server" and holds no control
//    character (nothing can add a header); a TURN value only when asked for.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "whep_sdp.h"

namespace {

bool lower_hex6(const std::string &s) {
  if (s.size() != 6) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool hex_char(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

void check_reason(const std::string &why) {
  FUZZ_CHECK(!why.empty(), "a refusal without a reason");
  FUZZ_CHECK(why.size() <= 200, "a reason of " + std::to_string(why.size()) + " bytes");
  for (char c : why)
    FUZZ_CHECK(c >= 0x20 && c < 0x7f, "a reason with a byte that is not printable ASCII: " + fuzz::printable(why));
}

void check_choice(const gateway::OfferMedia &video, const std::string &profile, gateway::VideoMode mode) {
  gateway::VideoChoice choice = gateway::choose_video(video, profile, mode);
  FUZZ_CHECK(!choice.why.empty(), "a video choice without a reason");
  if (choice.payload < 0) return;
  bool found = false;
  for (const gateway::H264Format &f : video.h264)
    if (f.payload == choice.payload && f.packetization_mode == 1) found = true;
  FUZZ_CHECK(found, "payload " + std::to_string(choice.payload) + " is no packetization-mode=1 H.264 format");
  if (mode == gateway::VideoMode::Encode) FUZZ_CHECK(!choice.passthrough, "encode mode passed the camera through");
  if (mode == gateway::VideoMode::Passthrough) FUZZ_CHECK(choice.passthrough, "passthrough mode re-encodes");
}

void check_offer(std::string_view sdp, const gateway::OfferLimits &limits, const std::string &sps_profile) {
  gateway::Offer offer;
  std::string why;
  if (!gateway::parse_offer(sdp, limits, &offer, &why)) {
    check_reason(why);
    return;
  }
  FUZZ_CHECK(sdp.size() <= limits.max_bytes, "an offer over max_bytes accepted");
  FUZZ_CHECK(!offer.media.empty() && offer.media.size() <= limits.max_media,
             std::to_string(offer.media.size()) + " media sections accepted");
  FUZZ_CHECK(offer.video_index >= 0 || offer.audio_index >= 0, "accepted with neither video nor audio");
  for (const gateway::OfferMedia &m : offer.media) {
    FUZZ_CHECK(m.mid.size() <= 64, "a mid of " + std::to_string(m.mid.size()) + " bytes");
    FUZZ_CHECK(m.opus_payload >= -1 && m.opus_payload <= 127, "Opus payload " + std::to_string(m.opus_payload));
    for (const gateway::H264Format &f : m.h264) {
      FUZZ_CHECK(f.payload >= 0 && f.payload <= 127, "H.264 payload " + std::to_string(f.payload));
      FUZZ_CHECK(lower_hex6(f.profile_level_id), "profile-level-id " + fuzz::printable(f.profile_level_id));
    }
  }
  if (offer.audio_index >= 0) {
    FUZZ_CHECK(size_t(offer.audio_index) < offer.media.size(), "audio index out of range");
    const gateway::OfferMedia &a = offer.media[offer.audio_index];
    FUZZ_CHECK(a.kind == "audio" && !a.rejected && a.wants_media && a.opus_payload >= 0,
               "the chosen audio section is not usable");
  }
  if (offer.video_index < 0) return;
  FUZZ_CHECK(size_t(offer.video_index) < offer.media.size(), "video index out of range");
  const gateway::OfferMedia &v = offer.media[offer.video_index];
  FUZZ_CHECK(v.kind == "video" && !v.rejected && v.wants_media && !v.h264.empty(),
             "the chosen video section is not usable");
  static const char *const kProfiles[] = {"", "42e01f", "42001f", "4d001f", "640028", "f4001f", "42f00b", "zzzzzz"};
  for (gateway::VideoMode mode : {gateway::VideoMode::Auto, gateway::VideoMode::Passthrough, gateway::VideoMode::Encode}) {
    for (const char *p : kProfiles) check_choice(v, p, mode);
    if (!sps_profile.empty()) check_choice(v, sps_profile, mode);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view input(reinterpret_cast<const char *>(data), size);

  std::string sps = gateway::sps_profile_level_id(data, size);
  FUZZ_CHECK(sps.empty() || lower_hex6(sps), "SPS profile " + fuzz::printable(sps));

  for (size_t i = 0; i + 6 <= input.size() && i < 4; i++) {
    std::string_view window = input.substr(i, 6);
    gateway::ProfileLevel pl = gateway::parse_profile_level_id(window);
    bool hex = true;
    for (char c : window) hex = hex && hex_char(c);
    if (!hex) FUZZ_CHECK(pl.profile == gateway::H264Profile::Unknown && pl.level_idc == 0,
                         "a profile from " + fuzz::printable(window));
    FUZZ_CHECK(pl.level_idc >= 0 && pl.level_idc <= 255, "level_idc " + std::to_string(pl.level_idc));
  }

  std::string_view first_line = input.substr(0, std::min<size_t>(input.find('\n'), 600));
  for (const std::string &url : {std::string(first_line), "turn://" + std::string(first_line),
                                 "stun://" + std::string(first_line)}) {
    for (bool with_turn : {false, true}) {
      std::vector<std::string> links = gateway::ice_server_links(url, url, with_turn);
      FUZZ_CHECK(links.size() <= 2, std::to_string(links.size()) + " links");
      for (const std::string &link : links) {
        constexpr std::string_view kRel = ">; rel=\"ice-server\"";
        size_t close = link.find('>');
        FUZZ_CHECK(!link.empty() && link[0] == '<' && close != std::string::npos &&
                       link.find('<', 1) > close && std::string_view(link).substr(close).rfind(kRel, 0) == 0,
                   "a link that does not start with one <URI>; rel=\"ice-server\": " + fuzz::printable(link));
        for (char c : link)
          FUZZ_CHECK((unsigned char)c >= 0x20 && c != 0x7f, "a control character in a link: " + fuzz::printable(link));
        if (!with_turn) FUZZ_CHECK(link.rfind("<turn", 0) != 0, "a TURN link not asked for");
      }
    }
  }

  check_offer(input, gateway::OfferLimits{}, sps);
  gateway::OfferLimits tight;
  tight.max_bytes = 600;
  tight.max_lines = 24;
  tight.max_line_bytes = 90;
  tight.max_media = 2;
  check_offer(input, tight, sps);
  return 0;
}
