// WHEP (the IETF WebRTC-HTTP egress protocol) and the viewing page on the
// gateway's SoupServer (docs/gateway.md, "Watching in the browser"):
//
//   POST    /streams/{rtms_stream_id}/whep   SDP offer in, 201 + SDP answer + Location
//   DELETE  /whep/{viewer}                   the viewer leaves
//   OPTIONS on both                          CORS preflight (--cors-origin); on
//                                            /streams/{id}/whep also the ICE servers
//                                            (Link rel="ice-server"; TURN only to a
//                                            viewer with the token)
//   GET     /, /page/app.js, /page/style.css the page (embedded in the binary)
//
// Viewers may need a token (--viewer-token-file): "Authorization: Bearer"
// or ?token=; it is never logged. Bounded: the offer's size, viewers per
// stream and in all; an answer within the branch's timeout.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include <libsoup/soup.h>

#include "webrtc_branch.h"
#include "whep_sdp.h"

namespace gateway {

struct WhepConfig {
  std::string cors_origin;   // empty: no CORS headers; "*" any origin
  std::string viewer_token;  // empty: no token needed. Never logged.
  int max_viewers_per_stream = 4;
  int max_viewers_total = 16;
  OfferLimits offer_limits;
  WebrtcConfig webrtc;
};

class WhepEndpoint {
 public:
  struct Hooks {
    // The running stream's WebRTC branch, or nullptr.
    std::function<WebrtcBranch *(const std::string &stream_id)> find;
  };
  WhepEndpoint(WhepConfig config, Hooks hooks);
  ~WhepEndpoint();
  WhepEndpoint(const WhepEndpoint &) = delete;
  WhepEndpoint &operator=(const WhepEndpoint &) = delete;

  // Adds the handlers of /whep, the page (/ and /page) (before or after the server listens).
  void attach(SoupServer *server);
  // POST and OPTIONS /streams/{id}/whep, from the server's /streams handler
  // (the live feed has the other paths); false for any other path.
  bool handle(SoupServerMessage *msg, const char *path);
  std::string metrics_text() const;

 private:
  static void on_resource(SoupServer *, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer self);
  static void on_page(SoupServer *, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer self);
  void handle_whep(SoupServerMessage *msg, const std::string &stream_id, GHashTable *query);
  void handle_resource(SoupServerMessage *msg, const char *path, GHashTable *query);
  void offer(SoupServerMessage *msg, const std::string &stream_id);
  bool authorized(SoupServerMessage *msg, GHashTable *query) const;
  void cors(SoupServerMessage *msg, const char *methods) const;
  // The Link headers; with a TURN secret a credential minted for resource_id
  // (the viewer's session), or with a random id when it is empty.
  void ice_server_links(SoupServerMessage *msg, bool with_turn, const std::string &resource_id) const;
  void count(const std::string &outcome) { requests_[outcome]++; }
  int total_viewers() const;

  WhepConfig config_;
  Hooks hooks_;
  std::shared_ptr<WebrtcCounters> counters_;
  std::map<std::string, uint64_t> requests_;
  std::map<std::string, std::string> viewers_;  // viewer id -> stream id
  std::shared_ptr<bool> alive_;                  // answers that come after we are gone are dropped
};

}  // namespace gateway
