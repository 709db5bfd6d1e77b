// rtms-floor: the least work any client must do per audio message over
// wss, measured the way rtms-bench measures rtmssrc (docs/benchmarks.md,
// "Eleventh pass: the physical floor"). Not a client anyone should use: it
// does nothing with the audio, checks next to nothing and never reconnects.
//
// Setup reuses the project's pure protocol layer (gst/rtms/protocol) with
// blocking sockets, one stream after the other: signaling handshake, media
// handshake (audio only, as rtms-bench's audio profile asks), CLIENT_READY_ACK.
// Then one thread, one epoll set, and per readiness of a media socket exactly
// one recv(), and only the work of the stages asked for (--stage):
//   recv    the recv() alone (the bytes are discarded; the TLS record
//           headers are walked to count messages, a few loads per record)
//   tls     + OpenSSL decrypts the records (SSL_read, as rtmssrc)
//   ws      + WebSocket unframing (header, length; no UTF-8 check)
//   json    + the payload's JSON scanned once: msg_type, user_id,
//           timestamp and the span of the base64 "data"
//   base64  + the base64 decoded into one reused buffer (the project's
//           decoder, as rtmssrc)
// The cost of a stage is the difference between two runs. Signaling
// sockets get the full path whatever the stage (keep-alives are answered).
//
// Same window as rtms-bench: every stream has delivered, 2 s settle, then
// --duration s in which CPU = getrusage(RUSAGE_SELF) user + sys and the
// messages counted at the last stage are read at both ends.
//
// Variants that put the project's own code in a stage instead of the
// minimal one, to attribute rtmssrc's cost of the same stage:
//   --ws-reader project    rtms::WsFrameReader (as the session's websocket.cpp)
//   --json-scan project    rtms::decode_message (the media fast path into a
//                          MediaData, as the session's channel.cpp)
//   --release-buffers      OpenSSL's SSL_MODE_RELEASE_BUFFERS (rtmssrc's setting)
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <glib.h>

#include "bench_run.h"
#include "callgrind.h"
#include "command_line.h"
#include "common/gref.h"
#include "emulator_process.h"
#include "proc_stats.h"
#include "profile.h"
#include "protocol/base64.h"
#include "protocol/enums.h"
#include "protocol/host_allowlist.h"
#include "protocol/messages.h"
#include "protocol/signature.h"
#include "protocol/webhook.h"
#include "protocol/ws_frames.h"
#include "temp_dir.h"

#ifndef RTMS_BENCH_EMULATOR
#define RTMS_BENCH_EMULATOR "rtms-emulator"
#endif

namespace {

enum class Stage { Recv = 0, Tls, Ws, Json, Base64 };
const char *const kStageNames[] = {"recv", "tls", "ws", "json", "base64"};

struct Options {
  int streams = 1;
  int duration_s = 8;
  Stage stage = Stage::Base64;
  bool pin = false;
  int emulator_poll_interval_ms = 0;
  std::string emulator = RTMS_BENCH_EMULATOR;
  bool project_ws_reader = false;
  bool project_json = false;
  bool release_buffers = false;
  int wake_interval_us = 0;  // sleep between wake-ups, as rtmssrc's wake-interval
  bool microbench = false;
  bool own_buffer = false;  // read-ahead off; the BIO buffers what one recv() brought
};

constexpr const char *kClientId = "emulator-client-id";
constexpr const char *kClientSecret = "emulator-client-secret";
constexpr size_t kRecvSize = 16 * 1024 + 512;  // about OpenSSL's read-ahead buffer
constexpr size_t kFrameBuffer = 64 * 1024;
constexpr int64_t kSecond = 1000000;

int64_t now_us() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * kSecond + ts.tv_nsec / 1000;
}

// Everything counted on the hot path, read at both ends of the window.
struct Counters {
  uint64_t messages = 0;      // media messages through the last stage
  uint64_t records = 0;       // TLS application-data records received on media sockets
  uint64_t recvs = 0;         // recv() calls on media sockets
  uint64_t empty_recvs = 0;   // of which found nothing (EAGAIN)
  uint64_t wakeups = 0;       // epoll_wait() calls that returned events
  uint64_t decoded_bytes = 0; // base64 stage
  uint64_t not_understood = 0;  // media messages the json stage could not read
};
Counters counters;

struct Conn {
  int fd = -1;
  bool media = false;
  bool hot = false;          // setup done: one recv per readiness
  bool may_recv = false;     // this readiness's recv not done yet
  bool got_media = false;    // a record arrived after the handshake
  SSL *ssl = nullptr;
  // Walking the TLS record headers of everything received (counts records).
  uint8_t header[5] = {};
  size_t header_have = 0;
  size_t record_left = 0;
  // Plaintext waiting to be unframed: [start, end) of buf.
  std::unique_ptr<char[]> buf{new char[kFrameBuffer]};
  size_t start = 0, end = 0;
  std::unique_ptr<rtms::WsFrameReader> reader;  // --ws-reader project
  // --bio-buffer: what the last recv() brought, served to OpenSSL record by record.
  std::unique_ptr<char[]> in;
  size_t in_start = 0, in_end = 0;
  std::string label;

  ~Conn() {
    if (ssl) SSL_free(ssl);
    if (fd >= 0) close(fd);
  }
};

void walk_records(Conn *c, const uint8_t *p, size_t n) {
  while (n > 0) {
    if (c->record_left > 0) {
      size_t skip = std::min(c->record_left, n);
      c->record_left -= skip;
      p += skip;
      n -= skip;
      continue;
    }
    c->header[c->header_have++] = *p++;
    n--;
    if (c->header_have == 5) {
      c->header_have = 0;
      c->record_left = size_t(c->header[3]) << 8 | c->header[4];
      if (c->media && c->hot && c->header[0] == 23) counters.records++;
    }
  }
}

// ---- the socket BIO: one recv per readiness once hot --------------------------

constexpr size_t kBioBuffer = 64 * 1024;

// One recv() for OpenSSL into data. Once hot, only the first of a readiness
// reaches the socket (the others, like EAGAIN, ask OpenSSL to retry); the
// TLS records received are walked.
ssize_t bio_recv(BIO *bio, Conn *c, char *data, size_t size) {
  if (c->hot) {
    if (!c->may_recv) {
      BIO_set_retry_read(bio);
      return -1;
    }
    c->may_recv = false;
    if (c->media) counters.recvs++;
  }
  ssize_t n = recv(c->fd, data, size, 0);
  if (n > 0) {
    walk_records(c, reinterpret_cast<const uint8_t *>(data), size_t(n));
  } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
    if (c->media && c->hot) counters.empty_recvs++;
    BIO_set_retry_read(bio);
  }
  return n;
}

int bio_read(BIO *bio, char *data, int size) {
  auto *c = static_cast<Conn *>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (!c->in) return int(bio_recv(bio, c, data, size_t(size)));
  // Read-ahead is off: OpenSSL asks for a header, then a body. Serve them
  // from one recv() per readiness, one copy each, never moving the rest.
  if (c->in_start == c->in_end) {
    c->in_start = c->in_end = 0;
    ssize_t n = bio_recv(bio, c, c->in.get(), kBioBuffer);
    if (n <= 0) return int(n);
    c->in_end = size_t(n);
  }
  size_t take = std::min(size_t(size), c->in_end - c->in_start);
  std::memcpy(data, c->in.get() + c->in_start, take);
  c->in_start += take;
  return int(take);
}

int bio_write(BIO *bio, const char *data, int size) {
  auto *c = static_cast<Conn *>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  ssize_t n = send(c->fd, data, size_t(size), MSG_NOSIGNAL);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) BIO_set_retry_write(bio);
  return int(n);
}

long bio_ctrl(BIO *, int cmd, long, void *) { return cmd == BIO_CTRL_FLUSH ? 1 : 0; }

int bio_create(BIO *bio) {
  BIO_set_init(bio, 1);
  return 1;
}

BIO_METHOD *floor_bio_method() {
  static BIO_METHOD *method = [] {
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "rtms-floor socket");
    BIO_meth_set_read(m, bio_read);
    BIO_meth_set_write(m, bio_write);
    BIO_meth_set_ctrl(m, bio_ctrl);
    BIO_meth_set_create(m, bio_create);
    return m;
  }();
  return method;
}

// ---- setup: blocking, with the project's protocol layer ------------------------

bool own_bio_buffer = false;  // --bio-buffer, set before the first connection

struct Url {
  std::string host, path;
  int port = 0;
};

bool split_url(const std::string &url, Url *out, std::string *error) {
  rtms::WsUrl parsed;
  if (!rtms::parse_ws_url(url, &parsed, error)) return false;
  if (!parsed.secure) {
    *error = url + ": rtms-floor measures wss:// only";
    return false;
  }
  size_t authority = url.find("//");
  size_t slash = url.find('/', authority + 2);
  out->host = parsed.host;
  out->port = parsed.port;
  out->path = slash == std::string::npos ? "/" : url.substr(slash);
  return true;
}

bool send_all(Conn *c, const std::string &bytes, std::string *error) {
  size_t done = 0;
  while (done < bytes.size()) {
    int n = SSL_write(c->ssl, bytes.data() + done, int(bytes.size() - done));
    if (n <= 0) {
      int e = SSL_get_error(c->ssl, n);
      if (c->hot && (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)) continue;
      *error = c->label + ": TLS write failed";
      return false;
    }
    done += size_t(n);
  }
  return true;
}

bool send_message(Conn *c, const rtms::Message &message, std::string *error) {
  uint32_t mask = 0;
  RAND_bytes(reinterpret_cast<unsigned char *>(&mask), sizeof mask);
  return send_all(c, rtms::ws_encode_frame(rtms::WsOpcode::Text, rtms::encode_message(message), mask), error);
}

// The next complete frame in c->buf: its opcode and payload; false when
// more bytes are needed. Minimal: header and length only (the server does
// not mask; no UTF-8 check, no fragments).
inline bool next_frame(Conn *c, uint8_t *opcode, std::string_view *payload) {
  const size_t have = c->end - c->start;
  if (have < 2) return false;
  const auto *p = reinterpret_cast<const uint8_t *>(c->buf.get() + c->start);
  size_t header = 2;
  uint64_t length = p[1] & 0x7f;
  if (length == 126) {
    if (have < 4) return false;
    length = uint64_t(p[2]) << 8 | p[3];
    header = 4;
  } else if (length == 127) {
    if (have < 10) return false;
    length = 0;
    for (int i = 2; i < 10; ++i) length = length << 8 | p[i];
    header = 10;
  }
  if (have < header + length) return false;
  *opcode = p[0] & 0x0f;
  *payload = std::string_view(c->buf.get() + c->start + header, size_t(length));
  c->start += header + size_t(length);
  if (c->start == c->end) c->start = c->end = 0;
  return true;
}

// Room for an SSL_read at c->buf + c->end.
inline size_t make_room(Conn *c) {
  if (kFrameBuffer - c->end < kRecvSize && c->start > 0) {
    std::memmove(c->buf.get(), c->buf.get() + c->start, c->end - c->start);
    c->end -= c->start;
    c->start = 0;
  }
  return kFrameBuffer - c->end;
}

// Blocking: the next text message on c (setup only).
bool read_message(Conn *c, std::string *text, std::string *error) {
  for (;;) {
    uint8_t opcode;
    std::string_view payload;
    if (next_frame(c, &opcode, &payload)) {
      if (opcode == 1 || opcode == 2) {
        text->assign(payload);
        return true;
      }
      continue;  // pings and the like: not sent by the emulator
    }
    size_t room = make_room(c);
    int n = SSL_read(c->ssl, c->buf.get() + c->end, int(room));
    if (n <= 0) {
      *error = c->label + ": the connection ended during the handshake";
      return false;
    }
    c->end += size_t(n);
  }
}

// Reads messages until an answer of type Resp comes; false on a read error
// or when the server refused ("<what> refused: <status>").
template <typename Resp>
bool await_answer(Conn *c, const char *what, Resp *out, std::string *error) {
  for (;;) {
    std::string text;
    if (!read_message(c, &text, error)) return false;
    rtms::Result<rtms::Message> m = rtms::decode_message(text);
    if (!m) continue;
    auto *resp = std::get_if<Resp>(&m.value());
    if (!resp) continue;
    if (resp->status_code != rtms::StatusCode::Ok) {
      *error = std::string(what) + " refused: " + rtms::describe(resp->status_code);
      return false;
    }
    *out = *resp;
    return true;
  }
}

std::unique_ptr<Conn> open_wss(SSL_CTX *ctx, const std::string &url, const std::string &label, bool media,
                               std::string *error) {
  Url u;
  if (!split_url(url, &u, error)) return nullptr;
  auto c = std::make_unique<Conn>();
  if (own_bio_buffer) c->in = std::make_unique<char[]>(kBioBuffer);
  c->media = media;
  c->label = label;
  addrinfo hints{}, *found = nullptr;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(u.host.c_str(), std::to_string(u.port).c_str(), &hints, &found) != 0 || !found) {
    *error = "cannot resolve " + u.host;
    return nullptr;
  }
  c->fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int rc = c->fd < 0 ? -1 : connect(c->fd, found->ai_addr, found->ai_addrlen);
  freeaddrinfo(found);
  if (rc != 0) {
    *error = "cannot connect to " + url + ": " + std::strerror(errno);
    return nullptr;
  }
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval timeout{10, 0};  // setup never hangs
  setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  c->ssl = SSL_new(ctx);
  BIO *bio = BIO_new(floor_bio_method());
  BIO_set_data(bio, c.get());
  SSL_set_bio(c->ssl, bio, bio);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), u.host.c_str());
  if (SSL_connect(c->ssl) != 1) {
    char why[256];
    ERR_error_string_n(ERR_get_error(), why, sizeof why);
    *error = label + ": TLS handshake failed: " + why;
    return nullptr;
  }
  unsigned char raw[16];
  RAND_bytes(raw, sizeof raw);
  std::string key = rtms::base64_encode(raw, sizeof raw);
  std::string host_header = u.host + ":" + std::to_string(u.port);
  if (!send_all(c.get(), rtms::ws_upgrade_request(host_header, u.path, key, "rtms-floor"), error)) return nullptr;
  std::string head;
  for (;;) {
    char chunk[4096];
    int n = SSL_read(c->ssl, chunk, sizeof chunk);
    if (n <= 0) {
      *error = label + ": no answer to the WebSocket upgrade";
      return nullptr;
    }
    head.append(chunk, size_t(n));
    if (size_t len = rtms::ws_response_head_length(head)) {
      std::string why = rtms::ws_check_upgrade_response(std::string_view(head).substr(0, len), key);
      if (!why.empty()) {
        *error = label + ": " + why;
        return nullptr;
      }
      std::memcpy(c->buf.get(), head.data() + len, head.size() - len);
      c->end = head.size() - len;
      return c;
    }
  }
}

struct Stream {
  std::unique_ptr<Conn> signaling, media;
};

bool start_stream(SSL_CTX *ctx, const std::string &webhook_json, int index, Stream *s, std::string *error) {
  rtms::Result<rtms::Webhook> hook = rtms::parse_webhook(webhook_json);
  if (!hook || hook->server_urls.empty()) {
    *error = "stream " + std::to_string(index) + ": unreadable webhook";
    return false;
  }
  std::string signature =
      rtms::handshake_signature(kClientId, hook->identity.instance_id, hook->rtms_stream_id, kClientSecret);
  s->signaling = open_wss(ctx, hook->server_urls[0], "signaling " + std::to_string(index), false, error);
  if (!s->signaling) return false;
  rtms::SignalingHandshakeReq req;
  req.identity = hook->identity;
  req.rtms_stream_id = hook->rtms_stream_id;
  req.signature = signature;
  if (!send_message(s->signaling.get(), req, error)) return false;
  rtms::SignalingHandshakeResp signaling;
  if (!await_answer(s->signaling.get(), "signaling handshake", &signaling, error)) return false;
  auto it = signaling.media_urls.find("audio");
  if (it == signaling.media_urls.end()) it = signaling.media_urls.find("all");
  if (it == signaling.media_urls.end()) {
    *error = "no media URL for audio";
    return false;
  }
  std::string media_url = it->second;
  s->media = open_wss(ctx, media_url, "media " + std::to_string(index), true, error);
  if (!s->media) return false;
  rtms::DataHandshakeReq media_req;
  media_req.identity = hook->identity;
  media_req.rtms_stream_id = hook->rtms_stream_id;
  media_req.signature = signature;
  media_req.media_type = rtms::kMediaAudio;
  media_req.payload_encryption = false;
  rtms::AudioParams audio;  // rtms-bench's audio profile
  audio.content_type = rtms::ContentType::RawAudio;
  audio.sample_rate = rtms::SampleRate::SR16K;
  audio.channel = rtms::AudioChannel::Mono;
  audio.codec = rtms::Codec::L16;
  audio.data_opt = rtms::DataOption::AudioMultiStreams;
  audio.send_rate_ms = 20;
  media_req.media_params.audio = audio;
  if (!send_message(s->media.get(), media_req, error)) return false;
  rtms::DataHandshakeResp media;
  if (!await_answer(s->media.get(), "media handshake", &media, error)) return false;
  return send_message(s->signaling.get(), rtms::ClientReadyAck{hook->rtms_stream_id}, error);
}

// ---- the hot path ---------------------------------------------------------------

std::unique_ptr<uint8_t[]> decoded = std::make_unique<uint8_t[]>(64 * 1024);

bool skip_int(const char *&p, const char *end, int64_t *value) {
  bool negative = p < end && *p == '-';
  if (negative) ++p;
  const char *first = p;
  int64_t v = 0;
  while (p < end && *p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
  *value = negative ? -v : v;
  return p != first;
}

// The least a client must read of a media message, in one pass: msg_type,
// and in content user_id, timestamp and the span of data. Strings are
// skipped with memchr to their closing quote (escapes are not handled: the
// emulator's media messages have none; a real client must).
struct Media {
  int64_t msg_type = -1, user_id = -1, timestamp = -1;
  std::string_view data;
};

bool scan_media(std::string_view text, Media *m) {
  const char *p = text.data(), *end = p + text.size();
  int depth = 0;
  while (p < end) {
    char ch = *p++;
    if (ch == '{') {
      ++depth;
    } else if (ch == '}') {
      --depth;
    } else if (ch == '"') {
      const char *key = p;
      const char *close = static_cast<const char *>(std::memchr(p, '"', size_t(end - p)));
      if (!close) return false;
      std::string_view name(key, size_t(close - key));
      p = close + 1;
      while (p < end && (*p == ' ' || *p == ':')) ++p;
      if (p >= end) return false;
      if (*p == '"') {  // a string value
        const char *value = p + 1;
        const char *vclose = static_cast<const char *>(std::memchr(value, '"', size_t(end - value)));
        if (!vclose) return false;
        if (name == "data" && depth == 2) m->data = std::string_view(value, size_t(vclose - value));
        p = vclose + 1;
      } else if (*p == '-' || (*p >= '0' && *p <= '9')) {
        int64_t v;
        if (!skip_int(p, end, &v)) return false;
        if (depth == 1 && name == "msg_type") m->msg_type = v;
        else if (depth == 2 && name == "user_id") m->user_id = v;
        else if (depth == 2 && name == "timestamp") m->timestamp = v;
      }
      // objects, literals: the next loop turn deals with them
    }
  }
  return m->msg_type >= 0 && m->timestamp >= 0 && !m->data.empty();
}

void on_media_message(const Options &o, std::string_view payload) {
  if (o.stage == Stage::Ws) {
    counters.messages++;
    return;
  }
  std::string_view data;
  rtms::MediaData owned;
  if (o.project_json) {
    rtms::Result<rtms::Message> m = rtms::decode_message(payload);
    auto *media = m ? std::get_if<rtms::MediaData>(&m.value()) : nullptr;
    if (!media || media->type != rtms::MessageType::MediaDataAudio) {
      counters.not_understood++;
      return;
    }
    owned = std::move(*media);
    data = owned.data;
  } else {
    Media m;
    if (!scan_media(payload, &m) || m.msg_type != int64_t(rtms::MessageType::MediaDataAudio)) {
      counters.not_understood++;
      return;
    }
    data = m.data;
  }
  if (o.stage == Stage::Base64) {
    rtms::Result<size_t> n = rtms::base64_decode_into(data, decoded.get(), 64 * 1024);
    if (!n) {
      counters.not_understood++;
      return;
    }
    counters.decoded_bytes += *n;
  }
  counters.messages++;
}

// Signaling: every message decoded; keep-alives answered.
void on_signaling_message(Conn *c, std::string_view payload) {
  rtms::Result<rtms::Message> m = rtms::decode_message(payload);
  if (!m) return;
  if (auto *ka = std::get_if<rtms::KeepAliveReq>(&m.value())) {
    std::string error;
    send_message(c, rtms::KeepAliveResp{ka->timestamp}, &error);
  }
}

// false when the connection ended.
bool on_readable(const Options &o, Conn *c, char *scratch) {
  c->may_recv = true;
  if (c->media && o.stage == Stage::Recv) {
    counters.recvs++;
    ssize_t n = recv(c->fd, scratch, kRecvSize, 0);
    if (n > 0) {
      walk_records(c, reinterpret_cast<const uint8_t *>(scratch), size_t(n));
      c->got_media = true;
      return true;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      counters.empty_recvs++;
      return true;
    }
    return false;
  }
  const bool unframe = !c->media || o.stage >= Stage::Ws;
  for (;;) {
    int n;
    if (!unframe) {
      n = SSL_read(c->ssl, scratch, int(kRecvSize));
    } else if (c->reader) {
      size_t available = 0;
      char *area = c->reader->write_area(kRecvSize / 4, &available);
      n = SSL_read(c->ssl, area, int(std::min(available, kFrameBuffer)));
      if (n > 0) c->reader->commit(size_t(n));
    } else {
      size_t room = make_room(c);
      n = SSL_read(c->ssl, c->buf.get() + c->end, int(room));
      if (n > 0) c->end += size_t(n);
    }
    if (n <= 0) {
      int e = SSL_get_error(c->ssl, n);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return true;
      return false;
    }
    if (c->media) c->got_media = true;
    if (!unframe) continue;
    if (c->reader) {
      rtms::WsFrameReader::Item item;
      for (;;) {
        auto status = c->reader->next(&item);
        if (status == rtms::WsFrameReader::Status::NeedMore) break;
        if (status == rtms::WsFrameReader::Status::Error) return false;
        if (status != rtms::WsFrameReader::Status::Message) continue;
        if (c->media)
          on_media_message(o, item.payload);
        else
          on_signaling_message(c, item.payload);
      }
    } else {
      uint8_t opcode;
      std::string_view payload;
      while (next_frame(c, &opcode, &payload)) {
        if (opcode == 8) return false;  // close
        if (opcode != 1 && opcode != 2) continue;
        if (c->media)
          on_media_message(o, payload);
        else
          on_signaling_message(c, payload);
      }
    }
  }
}

bool parse_options(int argc, char **argv, Options *o) {
  gchar *stage = nullptr, *emulator = nullptr, *ws_reader = nullptr, *json_scan = nullptr;
  gboolean pin = FALSE, release = FALSE;
  GOptionEntry entries[] = {
      {"streams", 0, 0, G_OPTION_ARG_INT, &o->streams, "Concurrent audio streams (default 1)", "N"},
      {"duration", 0, 0, G_OPTION_ARG_INT, &o->duration_s, "Seconds of the measured window (default 8)", "S"},
      {"stage", 0, 0, G_OPTION_ARG_STRING, &stage,
       "Stop after this stage: recv, tls, ws, json or base64 (default base64)", "STAGE"},
      {"pin", 0, 0, G_OPTION_ARG_NONE, &pin, "The emulator on the last CPU, this process on the others", nullptr},
      {"emulator-poll-interval", 0, 0, G_OPTION_ARG_INT, &o->emulator_poll_interval_ms,
       "The emulator's --socket-poll-interval (as rtms-bench)", "MS"},
      {"emulator", 0, 0, G_OPTION_ARG_FILENAME, &emulator, "rtms-emulator binary (default: this build's)", "PATH"},
      {"ws-reader", 0, 0, G_OPTION_ARG_STRING, &ws_reader,
       "minimal (default) or project: rtms::WsFrameReader, as rtmssrc", "KIND"},
      {"json-scan", 0, 0, G_OPTION_ARG_STRING, &json_scan,
       "minimal (default) or project: rtms::decode_message, as rtmssrc", "KIND"},
      {"wake-interval", 0, 0, G_OPTION_ARG_INT, &o->wake_interval_us,
       "Microseconds between wake-ups (default 0: at once), as rtmssrc's wake-interval: separates what a "
       "wake-up costs from what a message costs", "US"},
      {"microbench", 0, 0, G_OPTION_ARG_NONE, &o->microbench,
       "No emulator: time each user-space stage on one audio message in a loop (hot caches)", nullptr},
      {"bio-buffer", 0, 0, G_OPTION_ARG_NONE, &o->own_buffer,
       "OpenSSL's read-ahead off; the socket BIO keeps what one recv() brought and hands it over record by "
       "record (no re-alignment memmove)", nullptr},
      {"release-buffers", 0, 0, G_OPTION_ARG_NONE, &release,
       "OpenSSL's SSL_MODE_RELEASE_BUFFERS, as rtmssrc sets it", nullptr},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  bool ok = bench::parse_command_line("rtms-floor", "- the least CPU per audio message over wss (docs/benchmarks.md)",
                                      entries, &argc, &argv);
  auto owned_stage = rtms::adopt(stage), owned_emulator = rtms::adopt(emulator),
       owned_reader = rtms::adopt(ws_reader), owned_json = rtms::adopt(json_scan);
  if (!ok) return false;
  if (stage) {
    bool known = false;
    for (int s = 0; s < 5; ++s) {
      if (std::string(stage) == kStageNames[s]) {
        o->stage = Stage(s);
        known = true;
      }
    }
    if (!known) {
      g_printerr("rtms-floor: unknown --stage %s\n", stage);
      return false;
    }
  }
  if (emulator) o->emulator = emulator;
  o->pin = pin;
  o->release_buffers = release;
  o->project_ws_reader = ws_reader && std::string(ws_reader) == "project";
  o->project_json = json_scan && std::string(json_scan) == "project";
  if (o->streams < 1 || o->streams > bench::kMaxStreams || o->duration_s < 1 || o->duration_s > 600 ||
      o->wake_interval_us < 0 || o->wake_interval_us > 100000) {
    g_printerr("rtms-floor: --streams 1...%d, --duration 1...600, --wake-interval 0...100000\n", bench::kMaxStreams);
    return false;
  }
  return true;
}

// Runs the default main context (the emulator's pipes) until done or the deadline.
template <typename Done>
bool iterate_until(Done done, int64_t deadline_us) {
  while (!done()) {
    if (now_us() >= deadline_us) return false;
    g_main_context_iteration(nullptr, FALSE);
    g_usleep(2000);
  }
  return true;
}

// ---- --microbench: each user-space stage alone, hot caches ----------------------

// ns per call of fn: the best of 7 rounds of `iterations` calls.
template <typename Fn>
double time_ns(int iterations, Fn fn) {
  double best = 1e18;
  for (int round = 0; round < 7; ++round) {
    int64_t t0 = now_us();
    for (int i = 0; i < iterations; ++i) fn();
    best = std::min(best, double(now_us() - t0) * 1000.0 / iterations);
  }
  return best;
}

int microbench() {
  // An audio message as the emulator sends it: 20 ms of L16 16 kHz mono.
  std::vector<uint8_t> pcm(640);
  RAND_bytes(pcm.data(), int(pcm.size()));
  rtms::MediaData media;
  media.type = rtms::MessageType::MediaDataAudio;
  media.user.user_id = 16778240;
  media.user.user_name = "Alice";
  media.user.has_user_name = true;
  media.data = rtms::base64_encode(pcm.data(), pcm.size());
  media.has_length = true;
  media.length = 640;
  media.timestamp = 1764979200000;
  const std::string json = rtms::encode_message(media);
  std::string frame;  // as the server frames it: unmasked, 16-bit length
  frame.push_back(char(0x81));
  frame.push_back(char(126));
  frame.push_back(char(json.size() >> 8));
  frame.push_back(char(json.size() & 0xff));
  frame += json;
  Conn c;
  volatile size_t sink = 0;
  const int n = 200000;
  double unframe = time_ns(n, [&] {
    std::memcpy(c.buf.get(), frame.data(), 4);  // the header only: the payload stays in place
    c.start = 0;
    c.end = frame.size();
    uint8_t opcode;
    std::string_view payload;
    if (next_frame(&c, &opcode, &payload)) sink = sink + payload.size();
  });
  std::memcpy(c.buf.get(), frame.data(), frame.size());
  rtms::WsFrameReader reader(64 * 1024 * 1024);
  double unframe_project = time_ns(n, [&] {
    size_t available = 0;
    char *area = reader.write_area(kRecvSize / 4, &available);
    std::memcpy(area, frame.data(), frame.size());  // stands for SSL_read's copy into it
    reader.commit(frame.size());
    rtms::WsFrameReader::Item item;
    while (reader.next(&item) == rtms::WsFrameReader::Status::Message) sink = sink + item.payload.size();
  });
  double copy = time_ns(n, [&] {
    std::memcpy(c.buf.get() + 4096, frame.data(), frame.size());
    sink = sink + size_t(c.buf[4096]);
  });
  std::string_view data;
  double scan = time_ns(n, [&] {
    Media m;
    scan_media(json, &m);
    data = m.data;
    sink = sink + size_t(m.timestamp);
  });
  double scan_project = time_ns(n, [&] {
    rtms::Result<rtms::Message> m = rtms::decode_message(json);
    sink = sink + std::get<rtms::MediaData>(m.value()).data.size();
  });
  double b64 = time_ns(n, [&] {
    rtms::Result<size_t> r = rtms::base64_decode_into(data, decoded.get(), 64 * 1024);
    sink = sink + *r;
  });
  // The record's AES-256-GCM decryption alone (the cipher TLS 1.3 chose
  // with the emulator), on a record of this message's size.
  const size_t record = frame.size() + 1;  // + the inner content type
  std::vector<uint8_t> key(32), iv(12), plain(record), cipher(record), out(record + 32), tag(16);
  RAND_bytes(key.data(), 32);
  RAND_bytes(iv.data(), 12);
  std::memcpy(plain.data(), frame.data(), frame.size());
  EVP_CIPHER_CTX *enc = EVP_CIPHER_CTX_new();
  int len = 0;
  EVP_EncryptInit_ex(enc, EVP_aes_256_gcm(), nullptr, key.data(), iv.data());
  uint8_t aad[5] = {23, 3, 3, uint8_t((record + 16) >> 8), uint8_t(record + 16)};
  EVP_EncryptUpdate(enc, nullptr, &len, aad, 5);
  EVP_EncryptUpdate(enc, cipher.data(), &len, plain.data(), int(record));
  EVP_EncryptFinal_ex(enc, cipher.data() + len, &len);
  EVP_CIPHER_CTX_ctrl(enc, EVP_CTRL_GCM_GET_TAG, 16, tag.data());
  EVP_CIPHER_CTX_free(enc);
  EVP_CIPHER_CTX *dec = EVP_CIPHER_CTX_new();
  EVP_DecryptInit_ex(dec, EVP_aes_256_gcm(), nullptr, key.data(), nullptr);
  bool tag_ok = true;
  double aes = time_ns(n, [&] {
    EVP_DecryptInit_ex(dec, nullptr, nullptr, nullptr, iv.data());
    EVP_DecryptUpdate(dec, nullptr, &len, aad, 5);
    EVP_DecryptUpdate(dec, out.data(), &len, cipher.data(), int(record));
    EVP_CIPHER_CTX_ctrl(dec, EVP_CTRL_GCM_SET_TAG, 16, tag.data());
    tag_ok = EVP_DecryptFinal_ex(dec, out.data() + len, &len) == 1 && tag_ok;
  });
  EVP_CIPHER_CTX_free(dec);
  std::printf("machine: %s\n", bench::machine_description().c_str());
  std::printf("microbench: one audio message (%zu bytes of JSON, %zu of base64, TLS record %zu + 22 bytes), "
              "ns per message, best of 7 x %d, hot caches\n",
              json.size(), media.data.size(), record, n);
  std::printf("  tls: AES-256-GCM decrypt of the record (EVP, no record layer)  %7.1f%s\n", aes,
              tag_ok ? "" : " (TAG CHECK FAILED)");
  std::printf("  tls: copy of the plaintext out of OpenSSL's buffer (memcpy)     %7.1f\n", copy);
  std::printf("  ws: minimal unframe                                           %7.1f\n", unframe);
  std::printf("  ws: rtms::WsFrameReader (write_area, copy in, next)           %7.1f\n", unframe_project);
  std::printf("  json: minimal one-pass scan                                   %7.1f\n", scan);
  std::printf("  json: rtms::decode_message (media fast path, MediaData)       %7.1f\n", scan_project);
  std::printf("  base64: rtms::base64_decode_into, %zu bytes                   %7.1f\n", size_t(640), b64);
  return sink == 0 ? 1 : 0;
}

double seconds(const timeval &tv) { return double(tv.tv_sec) + double(tv.tv_usec) / 1e6; }

}  // namespace

int main(int argc, char **argv) {
  Options o;
  if (!parse_options(argc, argv, &o)) return 2;
  if (o.microbench) return microbench();
  bench::raise_fd_limit();
  if (o.pin) bench::pin_bench_away_from_emulators();

  bench::TempDir temp;
  std::string error;
  auto profile = bench::profile_named("audio", &error);
  // The meeting lasts as long as rtms-bench's would (start spread, settle,
  // window, margin): the setup below is sequential but far shorter.
  const int64_t spread_s = 10 + o.streams / 20;
  const int64_t meeting_ms = (spread_s + 2 + o.duration_s) * 1000 + 2000;
  std::string dir = temp.path() + "/emulator";
  g_mkdir_with_parents(dir.c_str(), 0700);
  if (!bench::write_file(dir + "/script.json", bench::meeting_script(*profile, meeting_ms, 0))) {
    g_printerr("rtms-floor: cannot write the script\n");
    return 1;
  }
  bench::EmulatorProcess::Config config;
  config.binary = o.emulator;
  config.dir = dir;
  config.tls = true;
  config.streams = o.streams;
  config.wait_client_s = int(spread_s) + 60;
  config.cpu = o.pin ? bench::pin_cpu_for_emulators() : -1;
  config.socket_poll_interval_ms = o.emulator_poll_interval_ms;
  auto emulator = bench::EmulatorProcess::spawn(config, &error);
  if (!emulator) {
    g_printerr("rtms-floor: %s\n", error.c_str());
    return 1;
  }
  iterate_until([&] { return emulator->ready() || !emulator->failure().empty(); },
                now_us() + (20 + o.streams / 100) * kSecond);
  if (!emulator->ready() || emulator->webhooks().size() != size_t(o.streams)) {
    g_printerr("rtms-floor: the emulator is not ready: %s\n", emulator->failure().c_str());
    return 1;
  }

  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_read_ahead(ctx, o.own_buffer ? 0 : 1);  // as rtmssrc: whole segments per recv
  own_bio_buffer = o.own_buffer;
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_load_verify_locations(ctx, emulator->ca_file().c_str(), nullptr) != 1) {
    g_printerr("rtms-floor: cannot load the emulator's CA\n");
    return 1;
  }
  if (o.release_buffers) SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);

  int ep = epoll_create1(EPOLL_CLOEXEC);
  std::vector<Stream> streams(size_t(o.streams));
  int64_t setup_start = now_us();
  for (int i = 0; i < o.streams; ++i) {
    if (!start_stream(ctx, emulator->webhooks()[size_t(i)], i, &streams[size_t(i)], &error)) {
      g_printerr("rtms-floor: %s\n", error.c_str());
      return 1;
    }
    for (Conn *c : {streams[size_t(i)].signaling.get(), streams[size_t(i)].media.get()}) {
      c->hot = true;
      fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
      if (o.project_ws_reader) {
        c->reader = std::make_unique<rtms::WsFrameReader>(64 * 1024 * 1024);
        c->reader->feed(c->buf.get() + c->start, c->end - c->start);
        c->start = c->end = 0;
      }
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.ptr = c;
      epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    }
  }
  const double setup_s = double(now_us() - setup_start) / kSecond;
  const std::string cipher = std::string(SSL_get_version(streams[0].media->ssl)) + " " +
                             SSL_get_cipher_name(streams[0].media->ssl);

  // Startup (every media socket delivered), settle, window.
  auto scratch = std::make_unique<char[]>(kRecvSize);
  epoll_event events[256];
  enum class Phase { Startup, Settle, Window } phase = Phase::Startup;
  int64_t phase_end = now_us() + (spread_s + 10) * kSecond;
  int64_t window_start = 0, window_end = 0;
  rusage usage0{}, usage1{};
  Counters at_open;
  double emulator0 = 0, emulator1 = 0;
  int64_t next_wake = 0;
  for (;;) {
    int64_t t = now_us();
    if (t >= phase_end) {
      if (phase == Phase::Startup) {
        g_printerr("rtms-floor: not every stream delivered audio in time\n");
        return 1;
      }
      if (phase == Phase::Settle) {
        phase = Phase::Window;
        emulator->open_lateness_window();
        emulator0 = bench::process_cpu_seconds(emulator->pid());
        at_open = counters;
        window_start = now_us();
        CALLGRIND_ZERO_STATS;  // under callgrind the counts cover the window only
        getrusage(RUSAGE_SELF, &usage0);
        phase_end = window_start + int64_t(o.duration_s) * kSecond;
      } else {
        getrusage(RUSAGE_SELF, &usage1);
        CALLGRIND_DUMP_STATS_AT("window");
        window_end = now_us();
        emulator1 = bench::process_cpu_seconds(emulator->pid());
        emulator->close_lateness_window();
        break;
      }
      continue;
    }
    if (o.wake_interval_us > 0 && next_wake > t) {
      timespec pause{0, long(next_wake - t) * 1000};
      nanosleep(&pause, nullptr);
      t = now_us();
    }
    int timeout_ms = int((phase_end - t + 999) / 1000);
    int n = epoll_wait(ep, events, 256, timeout_ms);
    if (o.wake_interval_us > 0) next_wake = now_us() + o.wake_interval_us;
    if (n > 0) counters.wakeups++;
    for (int k = 0; k < n; ++k) {
      auto *c = static_cast<Conn *>(events[k].data.ptr);
      if (!on_readable(o, c, scratch.get())) {
        g_printerr("rtms-floor: %s ended\n", c->label.c_str());
        return 1;
      }
    }
    if (phase == Phase::Startup) {
      bool all = std::all_of(streams.begin(), streams.end(), [](const Stream &s) { return s.media->got_media; });
      if (all) {
        phase = Phase::Settle;
        phase_end = now_us() + 2 * kSecond;
      }
    }
  }

  const double window = double(window_end - window_start) / kSecond;
  const double user = seconds(usage1.ru_utime) - seconds(usage0.ru_utime);
  const double sys = seconds(usage1.ru_stime) - seconds(usage0.ru_stime);
  const double records = double(counters.records - at_open.records);
  // recv and tls stop before any frame is read: one record is one message
  // (the ws and later stages print records/msg to show it).
  const double messages = o.stage < Stage::Ws ? records : double(counters.messages - at_open.messages);
  const double per = messages > 0 ? 1e6 / messages : 0;
  const double recvs = double(counters.recvs - at_open.recvs);
  std::printf("machine: %s\n", bench::machine_description().c_str());
  std::printf("rtms-floor: wss %s, %d streams (setup %.1f s), stage %s%s%s%s%s, emulator poll interval %d ms%s%s\n",
              cipher.c_str(), o.streams, setup_s, kStageNames[int(o.stage)],
              o.project_ws_reader ? ", ws-reader project" : "", o.project_json ? ", json-scan project" : "",
              o.release_buffers ? ", release-buffers" : "", o.own_buffer ? ", bio-buffer" : "", o.emulator_poll_interval_ms, o.pin ? ", pinned" : "",
              o.wake_interval_us > 0 ? (", wake interval " + std::to_string(o.wake_interval_us) + " us").c_str() : "");
  std::printf("floor stage=%s N=%d window=%.2fs msgs=%.0f msg/s=%.1f (expected %d) us/msg=%.2f records/msg=%.3f recv/msg=%.3f empty-recv/msg=%.3f wakeups/msg=%.3f "
              "decoded-B/msg=%.1f page-faults/msg=%.3f not-understood=%llu emulator-us/msg=%.2f\n",
              kStageNames[int(o.stage)], o.streams, window, messages, messages / window, o.streams * 150,
              (user + sys) * per, messages > 0 ? records / messages : 0, recvs / std::max(messages, 1.0),
              double(counters.empty_recvs - at_open.empty_recvs) / std::max(messages, 1.0),
              double(counters.wakeups - at_open.wakeups) / std::max(messages, 1.0),
              double(counters.decoded_bytes - at_open.decoded_bytes) / std::max(messages, 1.0),
              double(usage1.ru_minflt - usage0.ru_minflt) / std::max(messages, 1.0),
              (unsigned long long)(counters.not_understood - at_open.not_understood),
              (emulator1 - emulator0) * per);
  std::fflush(stdout);
  // The emulator is terminated by its destructor; the sockets close with us.
  emulator->terminate();
  iterate_until([&] { return emulator->exited(); }, now_us() + 5 * kSecond);
  streams.clear();
  SSL_CTX_free(ctx);
  close(ep);
  return 0;
}
