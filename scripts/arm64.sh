#!/usr/bin/env bash
# Cross-builds gst-rtms for arm64 (aarch64) with Debian 12's multiarch
# packages and runs its unit and element tests as real arm64 binaries under
# qemu-user (docs/install.md, "arm64"). Run as root (it apt-get installs the
# arm64 libraries); builds in ./build-arm64.
#
# What is built: the protocol and session libraries, the plugin (rtmssrc,
# rtmstextenc) and every unit and element test. What is not: the tools
# (rtms-emulator, rtms-gateway, rtms-bench) and the end-to-end tests, which
# need libsoup: Debian 12's libsoup-3.0-dev:arm64 depends on
# gobject-introspection:arm64, which cannot be installed next to the amd64
# toolchain (it needs python3:arm64). element-media-helpers is left out: it
# encodes H.264 with x264, which does not finish within the test's 120 s
# under emulation. The portable code paths that x86-64 does not take (base64
# without AVX2/SSSE3, the media fast path without SSE2) are what the arm64
# unit tests exercise.
set -uo pipefail
cd "$(dirname "$0")/.."
# No stale results: scripts/test.sh counts build-arm64's test log.
rm -rf build-arm64
packages=(
  crossbuild-essential-arm64 qemu-user
  libglib2.0-dev:arm64 libjson-glib-dev:arm64 libssl-dev:arm64
  libgstreamer1.0-dev:arm64 libgstreamer-plugins-base1.0-dev:arm64
  libgstreamer-plugins-bad1.0-dev:arm64 gstreamer1.0-plugins-base:arm64
)
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64 || exit 1
  apt-get update -qq || exit 1
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq || exit 1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    exit 1
fi

# plain: no -O, no -g; the quickest compile (the run is under emulation).
meson setup build-arm64 --cross-file scripts/cross/aarch64-linux-gnu.ini --buildtype=plain \
  -Dtools=disabled -Dexamples=disabled >/dev/null || exit 1
ninja -C build-arm64 || exit 1
file build-arm64/gst/rtms/libgstrtms.so | grep -q 'ARM aarch64' || {
  echo "arm64: the plugin is not an arm64 binary" >&2
  exit 1
}
tests=$(meson test -C build-arm64 --list 2>/dev/null | grep -v '^element-media-helpers$')
# shellcheck disable=SC2086 # one word per test name
meson test -C build-arm64 --print-errorlogs --num-processes 2 --timeout-multiplier 3 $tests
