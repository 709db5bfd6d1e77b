#!/usr/bin/env bash
# Installs every Debian 12 package gst-rtms needs to build, test and run.
set -euo pipefail
packages=(
  build-essential g++ meson ninja-build pkg-config git ca-certificates
  libglib2.0-dev glib-networking
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-base-apps
  # textoverlay (the emulator labels its test video) lives in gstreamer1.0-x.
  gstreamer1.0-x fonts-dejavu-core
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav python3
  # The gateway's WebRTC viewers: webrtcbin (plugins-bad) needs libnice's
  # GStreamer elements; the browser tests (tests/browser) drive Debian's
  # Chromium with puppeteer-core from npm (Node 18 or later; npm below).
  gstreamer1.0-nice chromium nodejs
  # The Python example (examples/record_meeting.py) and its end-to-end test:
  # PyGObject and GStreamer's introspection data.
  python3-gi gir1.2-gstreamer-1.0
  libsoup-3.0-dev libjson-glib-dev libssl-dev openssl
  # The gateway's RTMP test starts its own nginx with the RTMP module.
  nginx-light libnginx-mod-rtmp
  # The gateway's scale-out on Redis (--role intake|worker; optional: built
  # when hiredis is found); its tests start their own redis-server.
  redis-server libhiredis-dev
  # The proxy test (tests/e2e/test_proxy.cpp) starts its own tinyproxy.
  tinyproxy
  # The TURN test (tests/browser, browser-turn) starts its own turnserver
  # on loopback with its own port and configuration; the package's service
  # (started by systemd, where it runs, with /etc/turnserver.conf) is not used.
  coturn
  # The libFuzzer targets (tests/fuzz, scripts/fuzz.sh): clang, and the
  # runtime libraries with libFuzzer and the sanitizers for it (a
  # Recommends of clang-14, so --no-install-recommends leaves it out).
  clang libclang-rt-14-dev
  # The Debian packages (debian/, tests/packaging/run.sh): Debian's build
  # tools, help2man for the manual pages, lintian, and systemd's verifier
  # (systemd-analyze) for the unit.
  debhelper dpkg-dev fakeroot help2man lintian systemd man-db
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Debian's npm, unless npm is there already (NodeSource's nodejs carries its
# own and conflicts with Debian's npm package).
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
