// The WebSocket wire format (RFC 6455) as the client side sees it: the
// upgrade request and the check of the server's answer, frames we send
// (always masked) and an incremental reader for the frames we receive.
// Pure: bytes in, bytes or messages out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace rtms {

enum class WsOpcode : uint8_t {
  Continuation = 0x0,
  Text = 0x1,
  Binary = 0x2,
  Close = 0x8,
  Ping = 0x9,
  Pong = 0xA,
};

// Close codes we send or interpret.
constexpr uint16_t kWsCloseNormal = 1000;
constexpr uint16_t kWsCloseGoingAway = 1001;
constexpr uint16_t kWsCloseProtocolError = 1002;
constexpr uint16_t kWsCloseNoStatus = 1005;
constexpr uint16_t kWsCloseAbnormal = 1006;
constexpr uint16_t kWsCloseInvalidData = 1007;
constexpr uint16_t kWsCloseTooBig = 1009;

// The GET request that asks the server to switch to WebSocket. key is the
// base64 of 16 random bytes (Sec-WebSocket-Key).
std::string ws_upgrade_request(std::string_view host_header, std::string_view path_and_query,
                               std::string_view key, std::string_view user_agent);

// What the server must put in Sec-WebSocket-Accept for key.
std::string ws_accept_value(std::string_view key);

// Looks for the end of the HTTP response head ("\r\n\r\n"); returns its
// length including the blank line, or 0 while it is incomplete.
size_t ws_response_head_length(std::string_view received);

// Checks the server's answer to the upgrade request (the head only).
// Returns an empty string when it accepted, else what was wrong, e.g.
// "the server answered HTTP 403 Forbidden instead of switching to WebSocket".
std::string ws_check_upgrade_response(std::string_view head, std::string_view key);

// One frame as we send it: FIN set, masked with mask (the client must mask).
std::string ws_encode_frame(WsOpcode opcode, std::string_view payload, uint32_t mask);
// A close frame's payload: the code, then the UTF-8 reason (cut to fit 125).
std::string ws_close_payload(uint16_t code, std::string_view reason);

// Checks a received close frame's payload (RFC 6455 5.5.1, 7.4): empty, or
// a valid code and a UTF-8 reason. Returns 0 when it is, else the close code
// to fail the connection with (1002, or 1007 for a reason that is not UTF-8)
// and what was wrong in *error.
uint16_t ws_check_close_payload(std::string_view payload, std::string *error);

// Reads frames out of the byte stream and joins fragmented messages.
// Usage: append what arrived with feed(), then call next() until it says
// NeedMore. Views it returns stay valid until the next feed() or next().
//
// What fails the connection (Status::Error, with the close code to send),
// as RFC 6455 asks of a client: reserved bits or opcodes, a fragmented or
// oversized control frame, a masked frame (5.1), a continuation without a
// message or a new message inside one (5.4), a text message that is not
// UTF-8 (8.1, code 1007), a close frame with a 1-byte body, an invalid code
// or a reason that is not UTF-8 (5.5.1, 7.4), and a message over
// max_message_size (1009). Once failed, the reader returns nothing more.
class WsFrameReader {
 public:
  explicit WsFrameReader(size_t max_message_size) : max_message_size_(max_message_size) {}

  enum class Status { NeedMore, Message, Control, Error };
  struct Item {
    WsOpcode opcode = WsOpcode::Text;  // Text/Binary for messages, else the control
    std::string_view payload;
    // Error: the close code to send and what was wrong.
    uint16_t close_code = 0;
    std::string error;
  };

  void feed(const char *data, size_t size);
  // Zero-copy feeding: space for at least min_size bytes to read into, then
  // commit() how many were written there.
  char *write_area(size_t min_size, size_t *available);
  void commit(size_t size) { end_ += size; }
  Status next(Item *item);
  // Bytes received but not yet returned (for tests and diagnostics).
  size_t buffered() const { return end_ - consumed_; }

 private:
  Status reject(Item *item, uint16_t code, std::string error);
  Status reject_text(Item *item);
  Status need_more();

  size_t max_message_size_;
  // Received bytes: [consumed_, end_) are not parsed yet.
  // malloc'ed, not new[]'ed: a new buffer needs no zeroing.
  struct Free {
    void operator()(char *p) const;
  };
  std::unique_ptr<char, Free> buffer_;
  size_t capacity_ = 0;
  size_t end_ = 0;
  size_t consumed_ = 0;
  std::string fragments_;   // a fragmented message being joined
  WsOpcode fragment_opcode_ = WsOpcode::Text;
  bool in_fragmented_ = false;
  bool failed_ = false;
};

}  // namespace rtms
