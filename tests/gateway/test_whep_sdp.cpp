// WHEP's pure parts (whep_sdp.h): offers checked and bounded, H.264 profiles
// read, and which format a viewer gets (passed through or re-encoded).
#include <gst/check/gstcheck.h>

#include <set>
#include <string>

#include "gst_log_guard.h"
#include "turn_credentials.h"
#include "whep_sdp.h"

using gateway::H264Profile;
using gateway::Offer;
using gateway::OfferLimits;
using gateway::VideoMode;

// The shape of Chromium's recvonly offer (trimmed): VP8 first, H.264 in
// four flavours with both packetization modes, Opus.
static const char *kChromiumOffer =
    "v=0\r\n"
    "o=- 123 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0 1\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 108 116 41\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:abcd\r\n"
    "a=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
    "a=fingerprint:sha-256 00:11\r\n"
    "a=setup:actpass\r\n"
    "a=mid:0\r\n"
    "a=recvonly\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=rtpmap:97 rtx/90000\r\n"
    "a=fmtp:97 apt=96\r\n"
    "a=rtpmap:102 H264/90000\r\n"
    "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f\r\n"
    "a=rtpmap:103 rtx/90000\r\n"
    "a=rtpmap:104 H264/90000\r\n"
    "a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f\r\n"
    "a=rtpmap:108 H264/90000\r\n"
    "a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
    "a=rtpmap:116 H264/90000\r\n"
    "a=fmtp:116 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f\r\n"
    "a=rtpmap:41 H264/90000\r\n"
    "a=fmtp:41 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=f4001f\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 63\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=mid:1\r\n"
    "a=recvonly\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
    "a=rtpmap:63 red/48000/2\r\n";

GST_START_TEST(chromium_offer_parsed) {
  Offer offer;
  std::string why;
  fail_unless(gateway::parse_offer(kChromiumOffer, OfferLimits{}, &offer, &why), "%s", why.c_str());
  fail_unless_equals_int(offer.media.size(), 2);
  fail_unless_equals_int(offer.video_index, 0);
  fail_unless_equals_int(offer.audio_index, 1);
  fail_unless_equals_int(offer.media[0].h264.size(), 5);
  fail_unless_equals_int(offer.media[0].h264[0].payload, 102);
  fail_unless_equals_int(offer.media[0].h264[0].packetization_mode, 1);
  fail_unless_equals_string(offer.media[0].h264[0].profile_level_id.c_str(), "42001f");
  fail_unless(offer.media[0].h264[0].level_asymmetry_allowed);
  fail_unless_equals_int(offer.media[1].opus_payload, 111);
  fail_unless_equals_string(offer.media[1].mid.c_str(), "1");
}
GST_END_TEST;

GST_START_TEST(bad_offers_refused) {
  Offer offer;
  std::string why;
  fail_if(gateway::parse_offer("", OfferLimits{}, &offer, &why));
  fail_if(gateway::parse_offer("hello", OfferLimits{}, &offer, &why));
  fail_unless(why.find("v=0") != std::string::npos, "%s", why.c_str());
  // No ICE credentials, no fingerprint.
  fail_if(gateway::parse_offer("v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 H264/90000\r\n", OfferLimits{},
                               &offer, &why));
  fail_unless(why.find("ice-ufrag") != std::string::npos, "%s", why.c_str());
  std::string no_fingerprint = kChromiumOffer;
  no_fingerprint.replace(no_fingerprint.find("a=fingerprint"), 2, "a=");
  no_fingerprint.replace(no_fingerprint.find("a=fingerprint"), 13, "a=x-something");
  fail_if(gateway::parse_offer(no_fingerprint, OfferLimits{}, &offer, &why));
  fail_unless(why.find("fingerprint") != std::string::npos, "%s", why.c_str());
  // Too large, too many lines, a line too long, control characters.
  OfferLimits small;
  small.max_bytes = 100;
  fail_if(gateway::parse_offer(kChromiumOffer, small, &offer, &why));
  fail_unless(why.find("over 100") != std::string::npos, "%s", why.c_str());
  std::string many = "v=0\r\n";
  for (int i = 0; i < 3000; i++) many += "a=x\r\n";
  fail_if(gateway::parse_offer(many, OfferLimits{}, &offer, &why));
  fail_unless(why.find("lines") != std::string::npos, "%s", why.c_str());
  fail_if(gateway::parse_offer("v=0\r\na=" + std::string(5000, 'x') + "\r\n", OfferLimits{}, &offer, &why));
  fail_if(gateway::parse_offer(std::string("v=0\r\na=\x1b[2J\r\n"), OfferLimits{}, &offer, &why));
  // Nothing the gateway sends: only VP8, or the player only sends.
  std::string vp8_only =
      "v=0\r\na=ice-ufrag:a\r\na=fingerprint:sha-256 00\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n";
  fail_if(gateway::parse_offer(vp8_only, OfferLimits{}, &offer, &why));
  std::string sendonly = kChromiumOffer;
  while (sendonly.find("a=recvonly") != std::string::npos) sendonly.replace(sendonly.find("a=recvonly"), 10, "a=sendonly");
  fail_if(gateway::parse_offer(sendonly, OfferLimits{}, &offer, &why));
  // Nine media sections: over the bound of eight.
  std::string nine = "v=0\r\na=ice-ufrag:a\r\na=fingerprint:sha-256 00\r\n";
  for (int i = 0; i < 9; i++) nine += "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n";
  fail_if(gateway::parse_offer(nine, OfferLimits{}, &offer, &why));
  fail_unless(why.find("media sections") != std::string::npos, "%s", why.c_str());
}
GST_END_TEST;

GST_START_TEST(profiles) {
  fail_unless(gateway::parse_profile_level_id("42e01f").profile == H264Profile::ConstrainedBaseline);
  fail_unless(gateway::parse_profile_level_id("42c01f").profile == H264Profile::ConstrainedBaseline);
  fail_unless(gateway::parse_profile_level_id("42001f").profile == H264Profile::Baseline);
  fail_unless(gateway::parse_profile_level_id("4d001f").profile == H264Profile::Main);
  fail_unless(gateway::parse_profile_level_id("4d801f").profile == H264Profile::ConstrainedBaseline);
  fail_unless(gateway::parse_profile_level_id("640c1f").profile == H264Profile::High);
  fail_unless(gateway::parse_profile_level_id("f4001f").profile == H264Profile::Unknown);
  fail_unless(gateway::parse_profile_level_id("zz").profile == H264Profile::Unknown);
  fail_unless_equals_int(gateway::parse_profile_level_id("42e01f").level_idc, 31);
  fail_unless_equals_int(gateway::parse_profile_level_id("42f00b").level_idc, 9);  // level 1b
  // An SPS after an access unit delimiter, in Annex B.
  const uint8_t au[] = {0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40};
  // Held in variables: the check macro keeps the pointer past the statement.
  const std::string found = gateway::sps_profile_level_id(au, sizeof au);
  fail_unless_equals_string(found.c_str(), "42c01f");
  const uint8_t no_sps[] = {0, 0, 0, 1, 0x41, 0x9a, 0x00, 0x11, 0x22};
  const std::string none = gateway::sps_profile_level_id(no_sps, sizeof no_sps);
  fail_unless_equals_string(none.c_str(), "");
}
GST_END_TEST;

GST_START_TEST(video_choice) {
  Offer offer;
  std::string why;
  fail_unless(gateway::parse_offer(kChromiumOffer, OfferLimits{}, &offer, &why));
  const gateway::OfferMedia &video = offer.media[0];
  // Constrained baseline (the emulator's, most cameras'): passed through in the first mode-1 format.
  auto c = gateway::choose_video(video, "42c01f", VideoMode::Auto);
  fail_unless_equals_int(c.payload, 102);
  fail_unless(c.passthrough);
  // Not seen yet: taken for constrained baseline.
  fail_unless(gateway::choose_video(video, "", VideoMode::Auto).passthrough);
  // Main: passed through as 4d001f.
  c = gateway::choose_video(video, "4d0028", VideoMode::Auto);
  fail_unless_equals_int(c.payload, 116);
  fail_unless(c.passthrough);
  // High: Chromium offers no High format of its own here: re-encoded to constrained baseline.
  c = gateway::choose_video(video, "640028", VideoMode::Auto);
  fail_if(c.passthrough);
  fail_unless_equals_int(c.payload, 102);
  // ... and refused with --webrtc-video passthrough.
  fail_unless_equals_int(gateway::choose_video(video, "640028", VideoMode::Passthrough).payload, -1);
  // Encode: always the encoder, even when the camera's would do.
  c = gateway::choose_video(video, "42c01f", VideoMode::Encode);
  fail_if(c.passthrough);
  fail_unless_equals_int(c.payload, 102);
  // Level 4 without level-asymmetry-allowed is over the offered 3.1.
  gateway::OfferMedia strict = video;
  for (auto &f : strict.h264) f.level_asymmetry_allowed = false;
  c = gateway::choose_video(strict, "42c028", VideoMode::Auto);
  fail_if(c.passthrough);
  // Only packetization-mode 0: nothing.
  gateway::OfferMedia mode0 = video;
  for (auto &f : mode0.h264) f.packetization_mode = 0;
  fail_unless_equals_int(gateway::choose_video(mode0, "42c01f", VideoMode::Auto).payload, -1);
}
GST_END_TEST;

// The ICE servers offered to players (Link rel="ice-server", RFC 9725 4.6).
GST_START_TEST(ice_server_links) {
  using gateway::ice_server_links;
  std::vector<std::string> l = ice_server_links("stun://stun.example.org:3478", "", true);
  fail_unless_equals_int(l.size(), 1);
  std::string stun = l[0];
  fail_unless_equals_string(stun.c_str(), "<stun:stun.example.org:3478>; rel=\"ice-server\"");
  // TURN: the credentials percent-decoded and quoted; transport kept.
  l = ice_server_links("", "turn://al%40ice:p%22a%5Css:w@127.0.0.1:3478?transport=tcp", true);
  fail_unless_equals_int(l.size(), 1);
  std::string turn = l[0];
  fail_unless_equals_string(turn.c_str(),
                            "<turn:127.0.0.1:3478?transport=tcp>; rel=\"ice-server\"; username=\"al@ice\"; "
                            "credential=\"p\\\"a\\\\ss:w\"; credential-type=\"password\"");
  l = ice_server_links("stun://s:1", "turns://u:p@turn.example.org", true);
  fail_unless_equals_int(l.size(), 2);
  std::string turns = l[1];
  fail_unless_equals_string(turns.c_str(),
                            "<turns:turn.example.org>; rel=\"ice-server\"; username=\"u\"; credential=\"p\"; "
                            "credential-type=\"password\"");
  // Not for this viewer (no token): STUN only.
  fail_unless_equals_int(ice_server_links("stun://s:1", "turn://u:p@h:1", false).size(), 1);
  // What cannot be said safely is left out: no credentials, control
  // characters, a broken escape, a host that would end the <URI>, another scheme.
  for (const char *bad : {"turn://h:1", "turn://u@h:1", "turn://u:p%0a@h:1", "turn://u:p%4@h:1", "turn://u:p@h>x:1",
                          "turn://u:p@", "http://u:p@h:1", "turn://:p@h:1"})
    fail_unless_equals_int(ice_server_links("", bad, true).size(), 0);
  fail_unless_equals_int(ice_server_links("stun://a b", "", true).size(), 0);
  fail_unless_equals_int(ice_server_links("stun:h:1", "", true).size(), 0);
}
GST_END_TEST;

// Short-lived TURN credentials (coturn's use-auth-secret). The vector from
// the command line:
//   printf '%s' '1700000000:viewer' | openssl dgst -sha1 -hmac 'north-wind-secret' -binary | base64
GST_START_TEST(turn_rest_credentials) {
  gateway::TurnCredential c = gateway::turn_rest_credential("north-wind-secret", 1700000000, "viewer");
  fail_unless_equals_string(c.username.c_str(), "1700000000:viewer");
  fail_unless_equals_string(c.password.c_str(), "QxXEEma48nBWIQRlQE2/0j8WZIg=");
  // Into the URL webrtcbin reads: ':' '/' '+' '=' escaped; the Link header
  // gives them back as they are.
  std::string url = gateway::turn_url_with_credential("turn://127.0.0.1:3478?transport=udp", c);
  fail_unless_equals_string(url.c_str(),
                            "turn://1700000000%3Aviewer:QxXEEma48nBWIQRlQE2%2F0j8WZIg%3D@127.0.0.1:3478?transport=udp");
  std::vector<std::string> l = gateway::ice_server_links("", url, true);
  fail_unless_equals_int(l.size(), 1);
  std::string link = l[0];
  fail_unless_equals_string(link.c_str(),
                            "<turn:127.0.0.1:3478?transport=udp>; rel=\"ice-server\"; username=\"1700000000:viewer\"; "
                            "credential=\"QxXEEma48nBWIQRlQE2/0j8WZIg=\"; credential-type=\"password\"");
  // Minted from now + ttl; without a secret the URL as it is.
  std::string now = gateway::turn_url_for_use("turns://t.example.org", "north-wind-secret", 1699996400, 3600, "viewer");
  fail_unless_equals_string(now.c_str(), "turns://1700000000%3Aviewer:QxXEEma48nBWIQRlQE2%2F0j8WZIg%3D@t.example.org");
  std::string as_is = gateway::turn_url_for_use("turn://u:p@h:1", "", 1, 3600, "viewer");
  fail_unless_equals_string(as_is.c_str(), "turn://u:p@h:1");
  // A URL that already has user info, or is not TURN, gets none.
  fail_unless(gateway::turn_url_with_credential("turn://u:p@h:1", c).empty());
  fail_unless(gateway::turn_url_with_credential("stun://h:1", c).empty());
  fail_unless(gateway::turn_url_has_userinfo("turns://u:p@h:1"));
  fail_unless(!gateway::turn_url_has_userinfo("turn://h:1?x=a@b"));
  // Another secret, another password; the empty secret still gives one.
  fail_unless(gateway::turn_rest_credential("other", 1700000000, "viewer").password != c.password);
  fail_unless(!gateway::turn_rest_credential("", 1700000000, "viewer").password.empty());
}
GST_END_TEST;

// The ids in the minted usernames (turn_credentials.h): per request
// "viewer-" and 16 random hex digits, two requests two ids; per viewer
// session the first 16 hex digits of SHA-256 of its resource id, as
//   printf '%s' 1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b | sha256sum | cut -c1-16
// gives them, for the viewer's 201 and the gateway's own webrtcbin alike;
// the password of such a username as
//   printf '%s' '1700000000:viewer-0123456789abcdef' | openssl dgst -sha1 -hmac 'north-wind-secret' -binary | base64
static bool lower_hex(const std::string &s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

GST_START_TEST(turn_ids) {
  std::string a = gateway::turn_id_for_request(), b = gateway::turn_id_for_request();
  for (const std::string &id : {a, b}) {
    fail_unless_equals_int(id.size(), 7 + 16);
    fail_unless(id.rfind("viewer-", 0) == 0 && lower_hex(id.substr(7)), "not viewer-<16 hex>: %s", id.c_str());
  }
  fail_unless(a != b, "two requests, one id: %s", a.c_str());
  // Many requests, no repeat (64 random bits each).
  std::set<std::string> seen;
  for (int i = 0; i < 1000; i++) seen.insert(gateway::turn_id_for_request());
  fail_unless_equals_int(seen.size(), 1000);

  const char *resource = "1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b";
  // (Each result in a variable: the check keeps the pointer past the statement.)
  std::string tag = gateway::turn_session_tag(resource), viewer = gateway::turn_id_for_viewer(resource),
              own = gateway::turn_id_for_gateway(resource);
  fail_unless_equals_string(tag.c_str(), "8ab9dda621599661");
  fail_unless_equals_string(viewer.c_str(), "viewer-8ab9dda621599661");
  fail_unless_equals_string(own.c_str(), "rtms-gateway-8ab9dda621599661");
  // Another session, another id; the resource id itself is not in it.
  std::string other = gateway::turn_id_for_viewer("1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633c");
  fail_unless(other != viewer && other.size() == 7 + 16 && lower_hex(other.substr(7)));
  fail_unless(viewer.find("1b4e28ba") == std::string::npos);

  gateway::TurnCredential c = gateway::turn_rest_credential("north-wind-secret", 1700000000, "viewer-0123456789abcdef");
  fail_unless_equals_string(c.username.c_str(), "1700000000:viewer-0123456789abcdef");
  fail_unless_equals_string(c.password.c_str(), "wshjUmXzRK13VuohQ7fRvC8DRDI=");
  // '-' is unreserved: the username goes into webrtcbin's URL with only ':' escaped.
  std::string url = gateway::turn_url_with_credential("turn://h:1", c);
  fail_unless_equals_string(url.c_str(),
                            "turn://1700000000%3Aviewer-0123456789abcdef:wshjUmXzRK13VuohQ7fRvC8DRDI%3D@h:1");
}
GST_END_TEST;

// GStreamer's log without the minted credentials (gst_log_guard.h).
GST_START_TEST(turn_userinfo_hidden) {
  std::string line = gateway::without_turn_userinfo(
      "validating turn server, turn://1700000000%3Aviewer:QxXE%2F0%3D@127.0.0.1:3478 and turns://u:p@h/x, "
      "'turn://a@b@c:1' turn://h:1");
  fail_unless_equals_string(line.c_str(),
                            "validating turn server, turn://***@127.0.0.1:3478 and turns://***@h/x, "
                            "'turn://***@c:1' turn://h:1");
}
GST_END_TEST;

static Suite *whep_sdp_suite() {
  Suite *s = suite_create("whep_sdp");
  TCase *tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, chromium_offer_parsed);
  tcase_add_test(tc, bad_offers_refused);
  tcase_add_test(tc, profiles);
  tcase_add_test(tc, video_choice);
  tcase_add_test(tc, ice_server_links);
  tcase_add_test(tc, turn_rest_credentials);
  tcase_add_test(tc, turn_ids);
  tcase_add_test(tc, turn_userinfo_hidden);
  return s;
}

GST_CHECK_MAIN(whep_sdp);
