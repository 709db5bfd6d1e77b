#!/bin/bash
# Runs the README's "Against the emulator instead of Zoom" commands as
# written (but for the build step: the build under test is used, and /tmp is
# a private directory), then checks what a user would: three WAV files with
# audio in them, and no warning from gst-launch.
#   readme_commands.sh SOURCE_ROOT BUILD_ROOT
set -euo pipefail
src=$1
build=$2
work=$(mktemp -d /tmp/rtms-readme-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

# The fenced block after the sentence that introduces it.
awk '/^Against the emulator instead of Zoom/ {found=1} found && /^```/ {n++; next} found && n==1 {print}' \
  "$src/README.md" >"$work/block.sh"
grep -q "rtms-emulator" "$work/block.sh" || { echo "README: no emulator block found"; exit 1; }
# The block's own build step is the build under test; its /tmp is ours.
grep -v "^meson setup build" "$work/block.sh" | sed "s#/tmp/#$work/tmp/#g" >"$work/run.sh"
mkdir -p "$work/tmp" "$work/tree"
ln -s "$build" "$work/tree/build"
ln -s "$src/tools" "$work/tree/tools"
echo "--- running (from a tree with build/ and tools/):"
cat "$work/run.sh"
cd "$work/tree"
timeout 120 bash -e "$work/run.sh" >"$work/out.txt" 2>&1 || { cat "$work/out.txt"; echo "the commands failed"; exit 1; }
cat "$work/out.txt"
if grep -q "WARNING" "$work/out.txt"; then echo "gst-launch printed a warning"; exit 1; fi
for f in p0.wav p1.wav p2.wav; do
  size=$(stat -c %s "$f" 2>/dev/null || echo 0)
  # 44-byte header plus at least a second of 16 kHz 16-bit mono.
  [ "$size" -gt 32044 ] || { echo "$f: $size bytes"; exit 1; }
  echo "$f: $size bytes"
done
