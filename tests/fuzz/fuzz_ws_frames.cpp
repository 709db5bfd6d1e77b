// rtms::WsFrameReader (protocol/ws_frames.h) on arbitrary bytes from the
// server. The input is read whole (one feed) and again in pieces of random
// sizes through feed() and through write_area()/commit(); both readings
// must return the same items, and every item must respect the reader's
// promises (message size limit, control frames of at most 125 bytes, an
// error names its close code and reason, nothing after an error). The same
// bytes are also checked as the server's answer to the upgrade request.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "protocol/ws_frames.h"

namespace {

struct Record {
  rtms::WsFrameReader::Status status;
  rtms::WsOpcode opcode;
  std::string payload;
  uint16_t close_code;
  std::string error;
  bool operator==(const Record &o) const {
    return status == o.status && opcode == o.opcode && payload == o.payload &&
           close_code == o.close_code && error == o.error;
  }
};

std::string describe(const Record &r) {
  return "status " + std::to_string(int(r.status)) + " opcode " + std::to_string(int(r.opcode)) +
         " payload[" + std::to_string(r.payload.size()) + "] \"" + fuzz::printable(r.payload) +
         "\" close " + std::to_string(r.close_code) + " error \"" + r.error + "\"";
}

// Takes every item the reader has; false once it reported an error.
bool drain(rtms::WsFrameReader &reader, size_t max_size, std::vector<Record> *out) {
  for (;;) {
    rtms::WsFrameReader::Item item;
    auto status = reader.next(&item);
    if (status == rtms::WsFrameReader::Status::NeedMore) return true;
    Record r{status, item.opcode, std::string(item.payload), item.close_code, item.error};
    switch (status) {
      case rtms::WsFrameReader::Status::Message:
        FUZZ_CHECK(r.opcode == rtms::WsOpcode::Text || r.opcode == rtms::WsOpcode::Binary, describe(r));
        FUZZ_CHECK(r.payload.size() <= max_size, describe(r));
        break;
      case rtms::WsFrameReader::Status::Control:
        FUZZ_CHECK(r.opcode == rtms::WsOpcode::Close || r.opcode == rtms::WsOpcode::Ping ||
                       r.opcode == rtms::WsOpcode::Pong,
                   describe(r));
        FUZZ_CHECK(r.payload.size() <= 125, describe(r));
        break;
      case rtms::WsFrameReader::Status::Error:
        FUZZ_CHECK(r.close_code >= 1000 && r.close_code < 5000, describe(r));
        FUZZ_CHECK(!r.error.empty(), describe(r));
        break;
      case rtms::WsFrameReader::Status::NeedMore:
        break;
    }
    out->push_back(std::move(r));
    if (status == rtms::WsFrameReader::Status::Error) return false;
  }
}

// A small deterministic generator for piece sizes, seeded by the input.
struct Pieces {
  uint32_t state;
  uint32_t next() {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  }
};

// The same bytes read as the server's answer to the upgrade request (its
// head, then frames), checked against RFC 6455 1.3's sample key: a verdict
// without control characters, and "accepted" only for an HTTP head that
// carries the key's accept value.
void check_upgrade_answer(const std::string &stream) {
  static const std::string key = "dGhlIHNhbXBsZSBub25jZQ==";
  const size_t head_len = rtms::ws_response_head_length(stream);
  FUZZ_CHECK(head_len == 0 || (head_len >= 4 && head_len <= stream.size() &&
                               stream.compare(head_len - 4, 4, "\r\n\r\n") == 0),
             "head length " + std::to_string(head_len) + " of " + std::to_string(stream.size()));
  const std::string_view head = std::string_view(stream).substr(0, head_len ? head_len : stream.size());
  const std::string why = rtms::ws_check_upgrade_response(head, key);
  for (char c : why)
    FUZZ_CHECK(uint8_t(c) >= 0x20 && uint8_t(c) != 0x7f, "a control character in: " + fuzz::printable(why));
  if (why.empty()) {
    FUZZ_CHECK(head.substr(0, 5) == "HTTP/", "accepted without HTTP: " + fuzz::printable(std::string(head)));
    FUZZ_CHECK(head.find(rtms::ws_accept_value(key)) != std::string_view::npos,
               "accepted without the accept value: " + fuzz::printable(std::string(head)));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  // Up to SIZE_MAX: header + length must not overflow whatever the limit.
  static const size_t kLimits[] = {0,       1,       125,      126,          127,         65535,
                                   65536,   1 << 20, 16 << 20, SIZE_MAX / 2, SIZE_MAX - 1, SIZE_MAX};
  const size_t max_size = kLimits[fdp.ConsumeIntegralInRange<size_t>(0, std::size(kLimits) - 1)];
  Pieces pieces{fdp.ConsumeIntegral<uint32_t>() | 1u};
  const size_t max_piece = fdp.ConsumeIntegralInRange<size_t>(1, 300);
  const std::string stream = fdp.ConsumeRemainingBytesAsString();
  check_upgrade_answer(stream);

  std::vector<Record> whole;
  {
    rtms::WsFrameReader reader(max_size);
    // An empty input is fed as (nullptr, 0), which must be harmless.
    reader.feed(stream.empty() ? nullptr : stream.data(), stream.size());
    drain(reader, max_size, &whole);
  }

  std::vector<Record> split;
  {
    rtms::WsFrameReader reader(max_size);
    size_t at = 0;
    bool alive = true;
    while (alive && at < stream.size()) {
      uint32_t r = pieces.next();
      size_t n = std::min<size_t>(stream.size() - at, 1 + r % max_piece);
      if ((r >> 24) % 16 == 0) reader.feed(nullptr, 0);  // nothing arrived
      switch ((r >> 16) % 3) {
        case 0:
          reader.feed(stream.data() + at, n);
          break;
        case 1: {
          // Ask for exactly n bytes of room.
          size_t available = 0;
          char *area = reader.write_area(n, &available);
          FUZZ_CHECK(area != nullptr && available >= n, "write_area gave less room than asked");
          std::memcpy(area, stream.data() + at, n);
          reader.commit(n);
          break;
        }
        default: {
          // Ask for one byte of room and fill what is offered, up to n.
          size_t available = 0;
          char *area = reader.write_area(1, &available);
          FUZZ_CHECK(area != nullptr && available >= 1, "write_area gave no room");
          n = std::min(n, available);
          std::memcpy(area, stream.data() + at, n);
          reader.commit(n);
          break;
        }
      }
      at += n;
      alive = drain(reader, max_size, &split);
    }
  }

  FUZZ_CHECK(whole.size() == split.size(),
             "one feed gave " + std::to_string(whole.size()) + " items, pieces gave " +
                 std::to_string(split.size()));
  for (size_t i = 0; i < whole.size(); i++)
    FUZZ_CHECK(whole[i] == split[i],
               "item " + std::to_string(i) + ": whole " + describe(whole[i]) + " / pieces " + describe(split[i]));
  return 0;
}
