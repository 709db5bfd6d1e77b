#include "ws_frames.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "base64.h"
#include "untrusted_text.h"

namespace rtms {

namespace {

constexpr std::string_view kAcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Whether a comma separated header value lists token (case-insensitive).
bool lists_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    if (equals_ignoring_case(trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

std::string printable(std::string_view text, size_t limit) {
  std::string out;
  for (char c : text.substr(0, limit)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

}  // namespace

std::string ws_upgrade_request(std::string_view host_header, std::string_view path_and_query,
                               std::string_view key, std::string_view user_agent) {
  std::string req;
  req.reserve(256);
  req.append("GET ").append(path_and_query.empty() ? "/" : path_and_query).append(" HTTP/1.1\r\n");
  req.append("Host: ").append(host_header).append("\r\n");
  req.append("Upgrade: websocket\r\nConnection: Upgrade\r\n");
  req.append("Sec-WebSocket-Key: ").append(key).append("\r\n");
  req.append("Sec-WebSocket-Version: 13\r\n");
  if (!user_agent.empty()) req.append("User-Agent: ").append(user_agent).append("\r\n");
  req.append("\r\n");
  return req;
}

std::string ws_accept_value(std::string_view key) {
  std::string joined(key);
  joined.append(kAcceptGuid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char *>(joined.data()), joined.size(), digest);
  return base64_encode(digest, sizeof digest);
}

size_t ws_response_head_length(std::string_view received) {
  size_t end = received.find("\r\n\r\n");
  return end == std::string_view::npos ? 0 : end + 4;
}

std::string ws_check_upgrade_response(std::string_view head, std::string_view key) {
  size_t line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  // "HTTP/1.1 101 Switching Protocols"
  if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/")
    return "the server did not answer with HTTP (got \"" + printable(status_line, 60) + "\")";
  size_t space = status_line.find(' ');
  std::string_view status = space == std::string_view::npos ? std::string_view()
                                                            : trim(status_line.substr(space + 1));
  if (status.substr(0, 3) != "101")
    return "the server answered HTTP " + printable(status, 60) +
           " instead of switching to WebSocket";
  bool upgrade = false, connection = false;
  std::string_view accept;
  std::string_view rest = line_end == std::string_view::npos ? std::string_view()
                                                             : head.substr(line_end + 2);
  while (!rest.empty()) {
    size_t end = rest.find("\r\n");
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 2);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
    if (equals_ignoring_case(name, "upgrade")) upgrade = equals_ignoring_case(value, "websocket");
    else if (equals_ignoring_case(name, "connection")) connection = lists_token(value, "upgrade");
    else if (equals_ignoring_case(name, "sec-websocket-accept")) accept = value;
  }
  if (!upgrade) return "the server's 101 answer lacks \"Upgrade: websocket\"";
  if (!connection) return "the server's 101 answer lacks \"Connection: Upgrade\"";
  if (accept != ws_accept_value(key))
    return "the server's Sec-WebSocket-Accept does not match our key";
  return std::string();
}

std::string ws_encode_frame(WsOpcode opcode, std::string_view payload, uint32_t mask) {
  std::string frame;
  size_t n = payload.size();
  frame.reserve(n + 14);
  frame.push_back(char(0x80 | uint8_t(opcode)));
  if (n < 126) {
    frame.push_back(char(0x80 | n));
  } else if (n <= 0xFFFF) {
    frame.push_back(char(0x80 | 126));
    frame.push_back(char(n >> 8));
    frame.push_back(char(n));
  } else {
    frame.push_back(char(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) frame.push_back(char(uint64_t(n) >> shift));
  }
  unsigned char key[4] = {uint8_t(mask >> 24), uint8_t(mask >> 16), uint8_t(mask >> 8),
                          uint8_t(mask)};
  frame.append(reinterpret_cast<const char *>(key), 4);
  size_t start = frame.size();
  frame.append(payload);
  for (size_t i = 0; i < n; ++i) frame[start + i] = char(frame[start + i] ^ key[i & 3]);
  return frame;
}

std::string ws_close_payload(uint16_t code, std::string_view reason) {
  std::string payload;
  payload.push_back(char(code >> 8));
  payload.push_back(char(code));
  // 125 bytes at most in a control frame; do not cut a UTF-8 sequence.
  size_t room = std::min<size_t>(reason.size(), 123);
  while (room > 0 && room < reason.size() && (uint8_t(reason[room]) & 0xC0) == 0x80) --room;
  payload.append(reason.substr(0, room));
  return payload;
}

void WsFrameReader::Free::operator()(char *p) const { std::free(p); }

char *WsFrameReader::write_area(size_t min_size, size_t *available) {
  if (consumed_ == end_) consumed_ = end_ = 0;
  if (capacity_ - end_ < min_size) {
    size_t pending = end_ - consumed_;
    if (consumed_ > 0 && capacity_ - pending >= min_size) {
      std::memmove(buffer_.get(), buffer_.get() + consumed_, pending);
    } else {
      size_t capacity = std::max(capacity_ * 2, pending + min_size);
      std::unique_ptr<char, Free> grown(static_cast<char *>(std::malloc(capacity)));
      if (!grown) throw std::bad_alloc();
      if (pending) std::memcpy(grown.get(), buffer_.get() + consumed_, pending);
      buffer_ = std::move(grown);
      capacity_ = capacity;
    }
    consumed_ = 0;
    end_ = pending;
  }
  *available = capacity_ - end_;
  return buffer_.get() + end_;
}

void WsFrameReader::feed(const char *data, size_t size) {
  if (size == 0) return;  // data may be null then, which memcpy must not see
  size_t available = 0;
  char *area = write_area(size, &available);
  std::memcpy(area, data, size);
  commit(size);
}

WsFrameReader::Status WsFrameReader::reject(Item *item, uint16_t code, std::string error) {
  failed_ = true;
  item->close_code = code;
  item->error = std::move(error);
  return Status::Error;
}

WsFrameReader::Status WsFrameReader::need_more() {
  if (consumed_ == end_ && capacity_ > 0) {
    // Nothing pending: give the buffer back. The next reader on this thread
    // (another socket) then gets the same, still cached, memory from the
    // allocator instead of touching a cold buffer of its own, and an idle
    // connection holds no receive buffer.
    buffer_.reset();
    capacity_ = consumed_ = end_ = 0;
  }
  return Status::NeedMore;
}

WsFrameReader::Status WsFrameReader::next(Item *item) {
  if (failed_) return Status::NeedMore;
  for (;;) {
    const uint8_t *p = reinterpret_cast<const uint8_t *>(buffer_.get()) + consumed_;
    size_t avail = end_ - consumed_;
    if (avail < 2) return need_more();
    bool fin = p[0] & 0x80;
    uint8_t rsv = p[0] & 0x70;
    auto opcode = WsOpcode(p[0] & 0x0F);
    bool masked = p[1] & 0x80;
    uint64_t len = p[1] & 0x7F;
    size_t header = 2;
    if (len == 126) {
      if (avail < 4) return need_more();
      len = (uint64_t(p[2]) << 8) | p[3];
      header = 4;
    } else if (len == 127) {
      if (avail < 10) return need_more();
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
      header = 10;
    }
    bool control = uint8_t(opcode) & 0x08;
    // RFC 6455 5.1: a client closes the connection when it sees a masked
    // frame. Unmasking would cost nothing, but a server that masks is not
    // one we know how to read, so we fail it (1002) rather than guess.
    if (masked)
      return reject(item, kWsCloseProtocolError, "the server sent a masked frame (RFC 6455 5.1: servers must not mask)");
    if (rsv)
      return reject(item, kWsCloseProtocolError, "the server set reserved bits in a frame header");
    if (opcode != WsOpcode::Continuation && opcode != WsOpcode::Text &&
        opcode != WsOpcode::Binary && opcode != WsOpcode::Close && opcode != WsOpcode::Ping &&
        opcode != WsOpcode::Pong)
      return reject(item, kWsCloseProtocolError,
                  "the server sent a frame with unknown opcode " + std::to_string(int(opcode)));
    if (control && (!fin || len > 125))
      return reject(item, kWsCloseProtocolError,
                  "the server sent a fragmented or oversized control frame");
    size_t so_far = in_fragmented_ && !control ? fragments_.size() : 0;
    if (!control && len > max_message_size_ - std::min(so_far, max_message_size_))
      return reject(item, kWsCloseTooBig,
                  "the server sent a message larger than the limit of " +
                      std::to_string(max_message_size_) + " bytes");
    // Written so that nothing overflows, whatever len and the limit are.
    if (avail < header || len > avail - header) return need_more();
    char *payload = buffer_.get() + consumed_ + header;
    std::string_view data(payload, size_t(len));
    if (control) {
      if (opcode == WsOpcode::Close) {
        std::string bad;
        if (uint16_t code = ws_check_close_payload(data, &bad)) return reject(item, code, std::move(bad));
      }
      consumed_ += header + size_t(len);
      item->opcode = opcode;
      item->payload = data;
      return Status::Control;
    }
    consumed_ += header + size_t(len);
    if (opcode == WsOpcode::Continuation) {
      if (!in_fragmented_)
        return reject(item, kWsCloseProtocolError, "the server sent a continuation frame "
                                                 "without a message to continue");
      fragments_.append(data);
      if (!fin) continue;
      in_fragmented_ = false;
      if (fragment_opcode_ == WsOpcode::Text && !utf8_is_valid(fragments_))
        return reject_text(item);
      item->opcode = fragment_opcode_;
      item->payload = fragments_;
      return Status::Message;
    }
    if (in_fragmented_)
      return reject(item, kWsCloseProtocolError,
                  "the server started a new message inside a fragmented one");
    if (!fin) {
      in_fragmented_ = true;
      fragment_opcode_ = opcode;
      fragments_.assign(data);
      continue;
    }
    if (opcode == WsOpcode::Text && !utf8_is_valid(data)) return reject_text(item);
    item->opcode = opcode;
    item->payload = data;
    return Status::Message;
  }
}

WsFrameReader::Status WsFrameReader::reject_text(Item *item) {
  // RFC 6455 8.1: a text message that is not UTF-8 fails the connection
  // with 1007. RTMS text is JSON, which must be UTF-8 (RFC 8259 8.1); a
  // server that sends anything else is broken, and the session reconnects.
  return reject(item, kWsCloseInvalidData, "the server sent a text message that is not valid UTF-8");
}

uint16_t ws_check_close_payload(std::string_view payload, std::string *error) {
  if (payload.empty()) return 0;
  if (payload.size() == 1) {
    *error = "the server sent a close frame with a 1-byte body (a code takes 2 bytes)";
    return kWsCloseProtocolError;
  }
  unsigned code = (unsigned(uint8_t(payload[0])) << 8) | uint8_t(payload[1]);
  // RFC 6455 7.4: 1000-1003 and 1007-1011 are defined, 1012-1014 registered
  // since; 1004-1006 and 1015 must never be sent; 3000-4999 belong to
  // libraries and applications.
  bool valid = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
  if (!valid) {
    *error = "the server sent a close frame with the invalid code " + std::to_string(code);
    return kWsCloseProtocolError;
  }
  if (!utf8_is_valid(payload.substr(2))) {
    *error = "the server sent a close reason that is not valid UTF-8";
    return kWsCloseInvalidData;
  }
  return 0;
}

}  // namespace rtms
