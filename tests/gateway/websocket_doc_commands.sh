#!/bin/bash
# Runs docs/gateway.md's emulator block of "Event delivery: webhooks or
# WebSocket" as written (from a tree with build/ and tools/), then checks
# what a user would: a recording folder with a WAV file per speaker, each
# holding audio, and the gateway's log saying the events came over the
# event socket.
#   websocket_doc_commands.sh SOURCE_ROOT BUILD_ROOT
set -euo pipefail
src=$1
build=$2
work=$(mktemp -d /tmp/rtms-wsdoc-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

awk '/^Against the emulator, which plays both of Zoom/ {found=1}
     found && /^```/ {n++; next}
     found && n==1 {print}' "$src/docs/gateway.md" >"$work/run.sh"
grep -q -- "--intake websocket" "$work/run.sh" || {
  echo "docs/gateway.md: no websocket block found"
  exit 1
}
mkdir -p "$work/tree"
ln -s "$build" "$work/tree/build"
ln -s "$src/tools" "$work/tree/tools"
echo "--- running (from a tree with build/ and tools/):"
cat "$work/run.sh"
cd "$work/tree"
timeout 120 bash -e "$work/run.sh" >"$work/out.txt" 2>&1 || {
  cat "$work/out.txt"
  echo "the commands failed"
  exit 1
}
cat "$work/out.txt"
grep -q "event socket: events flow from" "$work/out.txt" || {
  echo "the event socket never connected"
  exit 1
}
grep -q "stream .* started" "$work/out.txt" || { echo "no stream started"; exit 1; }
n=0
for f in recordings/*/audio_*.wav; do
  size=$(stat -c %s "$f")
  # 44-byte header plus at least half a second of 16 kHz 16-bit mono.
  [ "$size" -gt 16044 ] || { echo "$f: $size bytes"; exit 1; }
  echo "$f: $size bytes"
  n=$((n + 1))
done
[ "$n" -eq 2 ] || { echo "expected 2 WAV files (short.json has two speakers), found $n"; exit 1; }
