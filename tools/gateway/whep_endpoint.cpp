#include "whep_endpoint.h"

#include <exception>

#include "log.h"
#include "turn_credentials.h"
#include "page_assets.h"

namespace gateway {

namespace {

void set_text(SoupServerMessage *msg, int status, const std::string &text) {
  soup_server_message_set_status(msg, status, nullptr);
  soup_server_message_set_response(msg, "text/plain", SOUP_MEMORY_COPY, text.data(), text.size());
}

template <typename Fn>
void guarded(SoupServerMessage *msg, Fn &&fn) {
  try {
    fn();
  } catch (const std::exception &e) {
    tools::log_error("internal error while answering a WHEP request: %s", e.what());
    set_text(msg, 500, "internal error\n");
  } catch (...) {
    tools::log_error("internal error while answering a WHEP request");
    set_text(msg, 500, "internal error\n");
  }
}

// Equal in time independent of where they differ.
bool same_secret(const std::string &a, const std::string &b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); i++) diff |= (unsigned char)(a[i] ^ b[i % (b.empty() ? 1 : b.size())]);
  return diff == 0 && !b.empty();
}

bool valid_id(const std::string &id) {
  if (id.empty() || id.size() > 256) return false;
  for (char c : id)
    if ((unsigned char)c <= 0x20 || c == '/' || (unsigned char)c >= 0x7f) return false;
  return true;
}

const char *method_of(SoupServerMessage *msg) { return soup_server_message_get_method(msg); }

}  // namespace

WhepEndpoint::WhepEndpoint(WhepConfig config, Hooks hooks)
    : config_(std::move(config)), hooks_(std::move(hooks)), counters_(std::make_shared<WebrtcCounters>()),
      alive_(std::make_shared<bool>(true)) {}

WhepEndpoint::~WhepEndpoint() { *alive_ = false; }

void WhepEndpoint::attach(SoupServer *server) {
  soup_server_add_handler(server, "/whep", on_resource, this, nullptr);
  soup_server_add_handler(server, "/page", on_page, this, nullptr);
  soup_server_add_handler(server, "/", on_page, this, nullptr);
}

int WhepEndpoint::total_viewers() const { return int(counters_->viewers); }

std::string WhepEndpoint::metrics_text() const {
  std::string out;
  out += "# HELP rtms_gateway_webrtc_viewers WebRTC viewers now (answered or being answered).\n";
  out += "# TYPE rtms_gateway_webrtc_viewers gauge\n";
  out += "rtms_gateway_webrtc_viewers " + std::to_string(counters_->viewers) + "\n";
  out += "# HELP rtms_gateway_webrtc_viewers_dropped_total Viewers whose connection failed or never came up.\n";
  out += "# TYPE rtms_gateway_webrtc_viewers_dropped_total counter\n";
  out += "rtms_gateway_webrtc_viewers_dropped_total " + std::to_string(counters_->dropped) + "\n";
  out += "# HELP rtms_gateway_webrtc_added_delay_seconds From a buffer leaving rtmssrc to its media entering a "
         "viewer's webrtcbin (each video frame, each Opus packet, per viewer).\n";
  out += "# TYPE rtms_gateway_webrtc_added_delay_seconds histogram\n";
  const std::string delay = "rtms_gateway_webrtc_added_delay_seconds";
  out += counters_->video_passthrough.render(delay, "media=\"video\",path=\"passthrough\"");
  out += counters_->video_encoded.render(delay, "media=\"video\",path=\"encoded\"");
  out += counters_->audio.render(delay, "media=\"audio\",path=\"mixed\"");
  out += "# HELP rtms_gateway_whep_requests_total WHEP requests by outcome.\n";
  out += "# TYPE rtms_gateway_whep_requests_total counter\n";
  for (const auto &r : requests_)
    out += "rtms_gateway_whep_requests_total{outcome=\"" + r.first + "\"} " + std::to_string(r.second) + "\n";
  return out;
}

void WhepEndpoint::cors(SoupServerMessage *msg, const char *methods) const {
  if (config_.cors_origin.empty()) return;
  SoupMessageHeaders *in = soup_server_message_get_request_headers(msg);
  const char *origin = soup_message_headers_get_one(in, "Origin");
  if (!origin) return;
  SoupMessageHeaders *out = soup_server_message_get_response_headers(msg);
  if (config_.cors_origin == "*") {
    soup_message_headers_replace(out, "Access-Control-Allow-Origin", "*");
  } else if (config_.cors_origin == origin) {
    soup_message_headers_replace(out, "Access-Control-Allow-Origin", origin);
    soup_message_headers_append(out, "Vary", "Origin");
  } else {
    return;
  }
  soup_message_headers_replace(out, "Access-Control-Allow-Methods", methods);
  soup_message_headers_replace(out, "Access-Control-Allow-Headers", "Authorization, Content-Type");
  soup_message_headers_replace(out, "Access-Control-Expose-Headers", "Location, Link");
  soup_message_headers_replace(out, "Access-Control-Max-Age", "600");
}

// The STUN and TURN servers the gateway itself uses, for the player's own
// RTCPeerConnection (docs/gateway.md, "ICE, STUN, TURN"). The TURN server's
// credentials only to a viewer who showed the token: without
// --viewer-token-file (or --feed-token-file) they would be anyone's, and
// the relay open to whoever reaches this port.
void WhepEndpoint::ice_server_links(SoupServerMessage *msg, bool with_turn, const std::string &resource_id) const {
  SoupMessageHeaders *out = soup_server_message_get_response_headers(msg);
  bool secret = false;
  // With a TURN secret, a credential of the viewer's own, minted now: its id
  // names the viewer session (the 201), or is random (an OPTIONS, before
  // any session); turn_credentials.h.
  std::string turn;
  if (with_turn && !config_.webrtc.turn_secret.empty())
    turn = turn_url_for_use(config_.webrtc.turn_server, config_.webrtc.turn_secret, g_get_real_time() / G_USEC_PER_SEC,
                            config_.webrtc.turn_credential_ttl_s,
                            resource_id.empty() ? turn_id_for_request() : turn_id_for_viewer(resource_id));
  else if (with_turn)
    turn = config_.webrtc.turn_server;
  for (const std::string &link : gateway::ice_server_links(config_.webrtc.stun_server, turn, with_turn)) {
    soup_message_headers_append(out, "Link", link.c_str());
    secret = secret || link.find("credential=") != std::string::npos;
  }
  if (secret) soup_message_headers_replace(out, "Cache-Control", "no-store");
}

bool WhepEndpoint::authorized(SoupServerMessage *msg, GHashTable *query) const {
  if (config_.viewer_token.empty()) return true;
  const char *auth = soup_message_headers_get_one(soup_server_message_get_request_headers(msg), "Authorization");
  if (auth && g_ascii_strncasecmp(auth, "Bearer ", 7) == 0 && same_secret(auth + 7, config_.viewer_token))
    return true;
  const char *token = query ? static_cast<const char *>(g_hash_table_lookup(query, "token")) : nullptr;
  return token && same_secret(token, config_.viewer_token);
}

void WhepEndpoint::on_resource(SoupServer *, SoupServerMessage *msg, const char *path, GHashTable *query,
                               gpointer data) {
  auto *self = static_cast<WhepEndpoint *>(data);
  guarded(msg, [&] { self->handle_resource(msg, path, query); });
}

bool WhepEndpoint::handle(SoupServerMessage *msg, const char *path_c) {
  std::string path = path_c ? path_c : "";
  const std::string prefix = "/streams/", suffix = "/whep";
  if (path.size() <= prefix.size() + suffix.size() || path.compare(0, prefix.size(), prefix) != 0 ||
      path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0)
    return false;
  auto unescaped = rtms::adopt(g_uri_unescape_string(
      path.substr(prefix.size(), path.size() - prefix.size() - suffix.size()).c_str(), nullptr));
  std::string stream_id = unescaped ? unescaped.get() : "";
  if (!valid_id(stream_id)) return false;
  // ?token= is in the query, which this path of the server does not hand over.
  const char *raw_query = g_uri_get_query(soup_server_message_get_uri(msg));
  rtms::GRef<GHashTable> query;
  if (raw_query) query = rtms::adopt(g_uri_parse_params(raw_query, -1, "&", G_URI_PARAMS_NONE, nullptr));
  guarded(msg, [&] { handle_whep(msg, stream_id, query.get()); });
  return true;
}

void WhepEndpoint::handle_whep(SoupServerMessage *msg, const std::string &stream_id, GHashTable *query) {
  const char *method = method_of(msg);
  if (g_strcmp0(method, "OPTIONS") == 0) {
    cors(msg, "POST, OPTIONS");
    soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Accept-Post", "application/sdp");
    // A player asks before its offer (its candidates go in the offer: no
    // trickle); a CORS preflight carries no token and gets STUN only.
    ice_server_links(msg, !config_.viewer_token.empty() && authorized(msg, query), std::string());
    soup_server_message_set_status(msg, 204, nullptr);
    return;
  }
  cors(msg, "POST, OPTIONS");
  if (g_strcmp0(method, "POST") != 0) {
    count("method");
    soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Allow", "POST, OPTIONS");
    return set_text(msg, 405, "method\n");
  }
  if (!authorized(msg, query)) {
    count("unauthorized");
    soup_message_headers_replace(soup_server_message_get_response_headers(msg), "WWW-Authenticate", "Bearer");
    return set_text(msg, 401, "unauthorized\n");
  }
  offer(msg, stream_id);
}

void WhepEndpoint::offer(SoupServerMessage *msg, const std::string &stream_id) {
  const char *type =
      soup_message_headers_get_content_type(soup_server_message_get_request_headers(msg), nullptr);
  if (g_strcmp0(type, "application/sdp") != 0) {
    count("unsupported_media_type");
    return set_text(msg, 415, "the offer must be Content-Type: application/sdp\n");
  }
  WebrtcBranch *branch = hooks_.find ? hooks_.find(stream_id) : nullptr;
  if (!branch) {
    count("not_found");
    return set_text(msg, 404, "no running stream " + tools::log_safe(stream_id) + "\n");
  }
  if (int(branch->viewers()) >= config_.max_viewers_per_stream || total_viewers() >= config_.max_viewers_total) {
    count("limit");
    soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Retry-After", "10");
    return set_text(msg, 503,
                    "viewer limit reached (" + std::to_string(config_.max_viewers_per_stream) + " per stream, " +
                        std::to_string(config_.max_viewers_total) + " in all)\n");
  }
  auto body = rtms::adopt(soup_message_body_flatten(soup_server_message_get_request_body(msg)));
  gsize size = 0;
  const char *data = static_cast<const char *>(g_bytes_get_data(body.get(), &size));
  std::string sdp(data ? data : "", size);
  Offer parsed;
  std::string why;
  if (!parse_offer(sdp, config_.offer_limits, &parsed, &why)) {
    count("bad_offer");
    tools::log_warning("WHEP offer for stream %s refused: %s", tools::log_safe(stream_id).c_str(),
                       tools::log_safe(why).c_str());
    return set_text(msg, 400, why + "\n");
  }
  // Forget viewers that went away by themselves (dropped, or their stream ended).
  for (auto it = viewers_.begin(); it != viewers_.end();) {
    WebrtcBranch *b = hooks_.find ? hooks_.find(it->second) : nullptr;
    if (!b || !b->has_viewer(it->first))
      it = viewers_.erase(it);
    else
      ++it;
  }
  // The answer comes later (negotiation, ICE gathering): the message waits.
  soup_server_message_pause(msg);
  struct Held {
    rtms::GRef<SoupServerMessage> msg;
    bool finished = false;
  };
  auto held = std::make_shared<Held>();
  held->msg = rtms::share(msg);
  using HeldData = rtms::CallbackData<std::shared_ptr<Held>>;
  g_signal_connect_data(
      msg, "finished", G_CALLBACK(+[](SoupServerMessage *, gpointer p) { HeldData::of(p)->finished = true; }),
      HeldData::give(held), HeldData::free_closure, GConnectFlags(0));
  std::weak_ptr<bool> alive = alive_;
  auto viewer_id = std::make_shared<std::string>();
  auto answer = [this, alive, held, stream_id, viewer_id](int status, const std::string &text) {
    auto still = alive.lock();
    if (!still || !*still) return;
    if (status == 201) count("created");
    else if (status == 400) count("bad_offer");
    else count("failed");
    if (held->finished) return;  // the client is gone
    SoupServerMessage *m = held->msg.get();
    cors(m, "POST, OPTIONS");
    if (status == 201) {
      SoupMessageHeaders *out = soup_server_message_get_response_headers(m);
      std::string location = "/whep/" + *viewer_id;
      soup_message_headers_replace(out, "Location", location.c_str());
      ice_server_links(m, !config_.viewer_token.empty(), *viewer_id);  // RFC 9725 section 4.6: on the 201 as well
      soup_server_message_set_status(m, 201, nullptr);
      soup_server_message_set_response(m, "application/sdp", SOUP_MEMORY_COPY, text.data(), text.size());
      viewers_[*viewer_id] = stream_id;
    } else {
      set_text(m, status, text + "\n");
    }
    soup_server_message_unpause(m);
  };
  // add_viewer may answer at once (a failure): the id is known before the
  // loop runs the answer's callback only when it comes later, so the
  // answer reads it through the shared string.
  std::string id = branch->add_viewer(parsed, sdp, config_.webrtc, counters_, answer);
  *viewer_id = id;
}

void WhepEndpoint::handle_resource(SoupServerMessage *msg, const char *path_c, GHashTable *query) {
  std::string path = path_c ? path_c : "";
  const std::string prefix = "/whep/";
  if (path.size() <= prefix.size() || path.compare(0, prefix.size(), prefix) != 0)
    return set_text(msg, 404, "not found\n");
  std::string id = path.substr(prefix.size());
  const char *method = method_of(msg);
  if (g_strcmp0(method, "OPTIONS") == 0) {
    cors(msg, "DELETE, OPTIONS");
    soup_server_message_set_status(msg, 204, nullptr);
    return;
  }
  cors(msg, "DELETE, OPTIONS");
  if (g_strcmp0(method, "DELETE") != 0) {
    count("method");
    soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Allow", "DELETE, OPTIONS");
    return set_text(msg, 405, "method\n");
  }
  if (!authorized(msg, query)) {
    count("unauthorized");
    return set_text(msg, 401, "unauthorized\n");
  }
  auto it = viewers_.find(id);
  WebrtcBranch *branch = it == viewers_.end() || !hooks_.find ? nullptr : hooks_.find(it->second);
  if (it != viewers_.end()) viewers_.erase(it);
  if (!branch || !branch->remove_viewer(id)) {
    count("not_found");
    return set_text(msg, 404, "no such viewer\n");
  }
  count("deleted");
  soup_server_message_set_status(msg, 200, nullptr);
}

void WhepEndpoint::on_page(SoupServer *, SoupServerMessage *msg, const char *path, GHashTable *, gpointer) {
  guarded(msg, [&] {
    std::string p = path ? path : "";
    if (p == "/" || p == "/index.html") p = "/page/index.html";
    const PageAsset *asset = find_page_asset(p);
    if (!asset) return set_text(msg, 404, "not found\n");
    const char *method = method_of(msg);
    if (g_strcmp0(method, "GET") != 0 && g_strcmp0(method, "HEAD") != 0) {
      soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Allow", "GET, HEAD");
      return set_text(msg, 405, "method\n");
    }
    SoupMessageHeaders *out = soup_server_message_get_response_headers(msg);
    soup_message_headers_replace(out, "Cache-Control", "no-cache");
    soup_message_headers_replace(out, "X-Content-Type-Options", "nosniff");
    soup_message_headers_replace(out, "Content-Security-Policy",
                                 "default-src 'self'; media-src 'self' blob:; img-src 'self' data:");
    soup_server_message_set_status(msg, 200, nullptr);
    soup_server_message_set_response(msg, asset->content_type, SOUP_MEMORY_STATIC, reinterpret_cast<const char *>(asset->data), asset->size);
  });
}

}  // namespace gateway
