// The HTTP proxy helpers (protocol/http_proxy.h) on arbitrary input: a proxy
// URL (from a property or the environment), a no_proxy list and a host, the
// proxy's answer to CONNECT (from the network), and the CONNECT request for
// a host taken from a server URL. Properties: nothing crashes; a parsed
// proxy has a host and a port in range and shows only them; an
// answer's reason is printable and bounded; a CONNECT request is one
// request head whatever the host (no line can be added).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "protocol/http_proxy.h"
#include "protocol/ws_frames.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider in(data, size);
  switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0: {
      std::string url = in.ConsumeRemainingBytesAsString();
      auto proxy = rtms::parse_http_proxy(url);
      if (!proxy.ok()) break;
      FUZZ_CHECK(!proxy->host.empty(), fuzz::printable(url));
      FUZZ_CHECK(proxy->port > 0 && proxy->port <= 65535, fuzz::printable(url));
      // What is shown is built from the host and port alone: no credential
      // can be in it (a password may still equal some part of host:port,
      // as in "http://:stt:80@stt", found by this target).
      std::string host = proxy->host.find(':') != std::string::npos ? "[" + proxy->host + "]"
                                                                     : proxy->host;
      FUZZ_CHECK(proxy->shown() == "http://" + host + ":" + std::to_string(proxy->port),
                 fuzz::printable(url));
      std::string req = rtms::http_connect_request(*proxy, "rtms.zoom.us", 443, "fuzz");
      FUZZ_CHECK(rtms::ws_response_head_length(req) == req.size(), fuzz::printable(url));
      break;
    }
    case 1: {
      std::string list = in.ConsumeRandomLengthString(512);
      std::string host = in.ConsumeRemainingBytesAsString();
      (void)rtms::no_proxy_matches(list, host);
      break;
    }
    case 2: {
      std::string head = in.ConsumeRemainingBytesAsString();
      auto answer = rtms::parse_connect_answer(head);
      if (!answer.ok()) break;
      FUZZ_CHECK(answer->status >= 100 && answer->status <= 999, fuzz::printable(head));
      FUZZ_CHECK(answer->reason.size() <= 83, fuzz::printable(head));
      for (char c : answer->reason)
        FUZZ_CHECK(c >= 0x20 && c < 0x7f, fuzz::printable(head));
      break;
    }
    default: {
      int port = in.ConsumeIntegralInRange<int>(-1, 70000);
      std::string host = in.ConsumeRemainingBytesAsString();
      auto proxy = rtms::parse_http_proxy("http://user:pw@proxy:3128");
      std::string req = rtms::http_connect_request(*proxy, host, port, "fuzz");
      if (req.empty()) break;
      // One head: its only blank line is its end, and it has exactly the
      // four lines we write.
      FUZZ_CHECK(rtms::ws_response_head_length(req) == req.size(), fuzz::printable(host));
      size_t lines = 0;
      for (size_t i = 0; i + 1 < req.size(); ++i)
        if (req[i] == '\r' && req[i + 1] == '\n') ++lines;
      FUZZ_CHECK(lines == 5, fuzz::printable(host));
      break;
    }
  }
  return 0;
}
