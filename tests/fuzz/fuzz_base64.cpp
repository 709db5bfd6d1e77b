// Base64 (protocol/base64.h) on arbitrary text and bytes:
//  * every decoding kernel this build and CPU can run (Scalar, SSSE3, AVX2,
//    Auto) gives the same result as Scalar: the same bytes, or the same error,
//    for any output capacity;
//  * what decodes, decodes as GLib's g_base64_decode reads the same text with
//    the whitespace taken out and the padding completed;
//  * base64_encode equals g_base64_encode, and every kernel decodes it back;
//  * strip_data_url_prefix only ever returns a suffix of its input.
#include <fuzzer/FuzzedDataProvider.h>
#include <glib.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "protocol/base64.h"

namespace {

const rtms::Base64Kernel kKernels[] = {rtms::Base64Kernel::Auto, rtms::Base64Kernel::Ssse3,
                                       rtms::Base64Kernel::Avx2};

struct Decoded {
  bool ok = false;
  std::string bytes;  // the decoded bytes, or the error
};

Decoded decode(rtms::Base64Kernel kernel, const std::string &text, size_t capacity) {
  // A buffer of exactly `capacity` bytes, so ASan sees any write past it.
  std::unique_ptr<uint8_t[]> out(new uint8_t[capacity ? capacity : 1]);
  auto r = rtms::base64_decode_into_with(kernel, text, out.get(), capacity);
  Decoded d;
  d.ok = r.ok();
  if (r.ok()) {
    FUZZ_CHECK(*r <= capacity, "decoded more than the capacity");
    d.bytes.assign(reinterpret_cast<const char *>(out.get()), *r);
  } else {
    d.bytes = r.error().describe();
  }
  return d;
}

std::string kernel_name(rtms::Base64Kernel k) {
  switch (k) {
    case rtms::Base64Kernel::Auto: return "auto";
    case rtms::Base64Kernel::Scalar: return "scalar";
    case rtms::Base64Kernel::Ssse3: return "ssse3";
    case rtms::Base64Kernel::Avx2: return "avx2";
  }
  return "?";
}

void check_kernels_agree(const std::string &text, size_t capacity, Decoded *scalar_out) {
  Decoded scalar = decode(rtms::Base64Kernel::Scalar, text, capacity);
  for (auto k : kKernels) {
    if (!rtms::base64_kernel_available(k)) continue;
    Decoded other = decode(k, text, capacity);
    FUZZ_CHECK(other.ok == scalar.ok && other.bytes == scalar.bytes,
               "kernel " + kernel_name(k) + " differs from scalar at capacity " + std::to_string(capacity) +
                   ": " + (other.ok ? "ok " : "error ") + fuzz::printable(other.bytes) + " / " +
                   (scalar.ok ? "ok " : "error ") + fuzz::printable(scalar.bytes) +
                   "\ninput: " + fuzz::printable(text));
  }
  if (scalar_out) *scalar_out = std::move(scalar);
}

// GLib skips every character outside the alphabet and drops an unpadded
// last quantum, so it is given the text as we read it: no whitespace, and
// padded to whole quanta.
std::string glib_decode(const std::string &text) {
  std::string clean;
  for (char c : text)
    if (g_ascii_isalnum(c) || c == '+' || c == '/' || c == '=') clean += c;
  while (clean.size() % 4) clean += '=';
  gsize len = 0;
  guchar *bytes = g_base64_decode(clean.c_str(), &len);
  std::string out(reinterpret_cast<const char *>(bytes), len);
  g_free(bytes);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  const bool as_text = fdp.ConsumeBool();
  const size_t capacity_cut = fdp.ConsumeIntegralInRange<size_t>(0, 8);
  const std::string input = fdp.ConsumeRemainingBytesAsString();

  if (as_text) {
    // The input is base64 text (valid or not).
    const size_t max = rtms::base64_max_decoded_size(input.size());
    Decoded full;
    check_kernels_agree(input, max, &full);
    // A capacity a little short of the bound: same agreement, and an
    // accepted result must be the same bytes.
    const size_t short_capacity = max > capacity_cut ? max - capacity_cut : 0;
    Decoded cut;
    check_kernels_agree(input, short_capacity, &cut);
    if (cut.ok) FUZZ_CHECK(full.ok && cut.bytes == full.bytes, "a smaller capacity changed the bytes");
    if (full.ok) {
      // Whitespace accepted by us must be what GLib's skipping would drop.
      bool only_alphabet = true;
      for (char c : input)
        if (!(g_ascii_isalnum(c) || c == '+' || c == '/' || c == '=' || (c != 0 && std::strchr(" \t\n\r\f\v", c))))
          only_alphabet = false;
      FUZZ_CHECK(only_alphabet, "accepted a character outside the alphabet: " + fuzz::printable(input));
      const std::string glib = glib_decode(input);
      FUZZ_CHECK(glib == full.bytes, "GLib decodes " + fuzz::printable(glib) + ", we decode " +
                                         fuzz::printable(full.bytes) + "\ninput: " + fuzz::printable(input));
    }
    std::string_view stripped = rtms::strip_data_url_prefix(input);
    FUZZ_CHECK(stripped.size() <= input.size() &&
                   stripped == std::string_view(input).substr(input.size() - stripped.size()),
               "strip_data_url_prefix returned something that is not a suffix");
  } else {
    // The input is bytes to encode.
    const auto *bytes = reinterpret_cast<const uint8_t *>(input.data());
    const std::string ours = rtms::base64_encode(bytes, input.size());
    gchar *theirs = g_base64_encode(bytes, input.size());
    const bool same = ours == theirs;
    g_free(theirs);
    FUZZ_CHECK(same, "base64_encode differs from g_base64_encode\ninput: " + fuzz::printable(input));
    FUZZ_CHECK(rtms::base64_max_decoded_size(ours.size()) >= input.size(), "max decoded size too small");
    Decoded back;
    check_kernels_agree(ours, input.size(), &back);
    FUZZ_CHECK(back.ok && back.bytes == input, "encode then decode does not give the bytes back");
  }
  return 0;
}
