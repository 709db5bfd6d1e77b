#!/usr/bin/env bash
# Cross-builds gst-rtms for arm64 (aarch64) and runs its unit and element
# tests as real arm64 binaries under qemu-user (docs/development.md, "arm64").
# Run as root on Debian 12 (it apt-get installs the cross compiler, qemu-user
# and mmdebstrap); builds in ./build-arm64, the arm64 libraries in
# ./build-arm64/sysroot. Nothing of arm64 is installed on the machine itself:
# Debian 12's libgstreamer-plugins-base1.0-dev is not Multi-Arch: same, so
# installing its arm64 package would remove the amd64 one.
#
# What is built: everything (the protocol, session and common libraries, the
# plugin with rtmssrc and rtmstextenc, rtms-emulator, rtms-gateway,
# rtms-bench and every test). What runs: the unit and element tests and the
# gateway's pure tests, as arm64 binaries. Not run: the end-to-end, emulator
# and gateway tests that start the emulator (it encodes H.264 and Opus per
# meeting, minutes under emulation), and element-media-helpers, whose H.264
# case (x264) does not finish within the test's 120 s under emulation.
# x86-64 takes SIMD paths (base64 with AVX2/SSSE3, the media fast path with
# SSE2); arm64 runs the portable code, so these unit tests prove the
# fallbacks.
set -uo pipefail
cd "$(dirname "$0")/.."
# No stale results: scripts/test.sh counts build-arm64's test log.
rm -rf build-arm64
packages=(g++-aarch64-linux-gnu qemu-user mmdebstrap file)
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
  --include=libc6-dev,libglib2.0-dev,libjson-glib-dev,libssl-dev,libgstreamer1.0-dev,libgstreamer-plugins-base1.0-dev,libgstreamer-plugins-bad1.0-dev,gstreamer1.0-plugins-base,libsoup-3.0-dev \
  bookworm "$sysroot" "${sources[@]}" || exit 1
printf "[constants]\nsysroot = '%s'\n" "$sysroot" > build-arm64/sysroot.ini

# plain: no -O, no -g; the quickest compile (the run is under emulation).
meson setup build-arm64/build --cross-file build-arm64/sysroot.ini \
  --cross-file scripts/cross/aarch64-linux-gnu.ini --buildtype=plain \
  -Dtools=enabled -Dexamples=disabled >/dev/null || exit 1
# The plugin, the tools and the test programs that run here (the others
# would only cost compile time).
# "project:suite / name" or "project / name" or "name": the names, then the
# ones that run here.
tests=$(meson test -C build-arm64/build --list 2>/dev/null | sed 's|.* / ||' |
        grep -E '^(unit-|element-|gateway-units$|gateway-event-frames$)' |
        grep -v '^element-media-helpers$')
programs=$(meson introspect build-arm64/build --tests | python3 -c '
import json, os, sys
wanted = set(sys.argv[1].split())
for t in json.load(sys.stdin):
    if t["name"] in wanted:
        print(os.path.relpath(t["cmd"][0], sys.argv[2]))' "$tests" "$PWD/build-arm64/build")
# shellcheck disable=SC2086 # one word per target
ninja -C build-arm64/build gst/rtms/libgstrtms.so tools/gateway/rtms-gateway \
  tools/emulator/rtms-emulator tools/bench/rtms-bench $programs || exit 1
for binary in gst/rtms/libgstrtms.so tools/gateway/rtms-gateway tools/emulator/rtms-emulator \
              tools/bench/rtms-bench; do
  file "build-arm64/build/$binary" | grep -q 'ARM aarch64' || {
    echo "arm64: $binary is not an arm64 binary" >&2
    exit 1
  }
done
# shellcheck disable=SC2086 # one word per test name
meson test -C build-arm64/build --no-rebuild --print-errorlogs --num-processes 2 --timeout-multiplier 3 $tests
