#!/usr/bin/env bash
# Cross-builds gst-rtms for arm64 (aarch64) and runs its unit and element
# tests as real arm64 binaries under qemu-user (docs/development.md, "arm64").
# Run as root on Debian 12 (it apt-get installs the cross compiler, qemu-user
# and mmdebstrap); builds in ./build-arm64, the arm64 libraries in
# ./build-arm64/sysroot. Nothing of arm64 is installed on the machine itself:
# Debian 12's libgstreamer-plugins-base1.0-dev is not Multi-Arch: same, so
# installing its arm64 package would remove the amd64 one.
#
# What is built: the protocol and session libraries, the plugin (rtmssrc,
# rtmstextenc) and every unit and element test. What is not: the tools
# (rtms-emulator, rtms-gateway, rtms-bench) and the end-to-end tests, which
# need libsoup, left out to keep the stage short (meson.build asks for libsoup
# only with the tools). element-media-helpers is not run: its H.264 case
# (x264) does not finish within the test's 120 s under emulation. x86-64 takes
# SIMD paths (base64 with AVX2/SSSE3, the media fast path with SSE2); arm64
# runs the portable code, so these unit tests prove the fallbacks.
set -uo pipefail
cd "$(dirname "$0")/.."
# No stale results: scripts/test.sh counts build-arm64's test log.
rm -rf build-arm64
packages=(g++-aarch64-linux-gnu qemu-user mmdebstrap)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq || exit 1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    exit 1
fi

# The arm64 tree: the libraries the plugin and the tests link, from the same
# archive apt uses here (extracted only: no maintainer scripts run).
mkdir -p build-arm64
sysroot=$PWD/build-arm64/sysroot
sources=()
while read -r uri suite; do
  sources+=("deb $uri $suite main")
done < <(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Identifier: Packages' 'Architecture: amd64' \
           'Component: main' 2>/dev/null | sort -u)
[ ${#sources[@]} -gt 0 ] || sources=("deb http://deb.debian.org/debian bookworm main")
mmdebstrap --quiet --variant=extract --architectures=arm64 \
  --include=libc6-dev,libglib2.0-dev,libjson-glib-dev,libssl-dev,libgstreamer1.0-dev,libgstreamer-plugins-base1.0-dev,libgstreamer-plugins-bad1.0-dev,gstreamer1.0-plugins-base \
  bookworm "$sysroot" "${sources[@]}" || exit 1
printf "[constants]\nsysroot = '%s'\n" "$sysroot" > build-arm64/sysroot.ini

# plain: no -O, no -g; the quickest compile (the run is under emulation).
meson setup build-arm64/build --cross-file build-arm64/sysroot.ini \
  --cross-file scripts/cross/aarch64-linux-gnu.ini --buildtype=plain \
  -Dtools=disabled -Dexamples=disabled >/dev/null || exit 1
ninja -C build-arm64/build || exit 1
file build-arm64/build/gst/rtms/libgstrtms.so | grep -q 'ARM aarch64' || {
  echo "arm64: the plugin is not an arm64 binary" >&2
  exit 1
}
tests=$(meson test -C build-arm64/build --list 2>/dev/null | grep -v '^element-media-helpers$')
# shellcheck disable=SC2086 # one word per test name
meson test -C build-arm64/build --print-errorlogs --num-processes 2 --timeout-multiplier 3 $tests
