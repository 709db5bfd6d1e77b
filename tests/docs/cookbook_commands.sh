#!/bin/bash
# Runs every gst-launch recipe of docs/cookbook.md as written, each after the
# cookbook's own "start the emulator" block, in an empty folder of its own (a
# tree with only build/ and tools/, like the source tree a user runs them in),
# then checks what a user would: the pipeline ends with EOS (exit 0) within a
# time limit, prints no WARNING or ERROR, and writes every file it names, not
# empty; meeting.mkv has one video, one audio and one subtitle track.
#
# What is substituted, and why:
#   - build/ is the build under test (a link), not one the user built;
#   - the meeting: a recipe that does not depend on the meeting plays the 4 s
#     short-av.json (three speakers of two picture sizes, a share, transcript
#     and chat) instead of the 30 s default.json, to keep the test short; the
#     Matroska recipe runs on default.json as written (the meeting it must
#     survive), its passthrough variant on default-one-size.json, the meeting
#     the cookbook says it needs. Recipes not listed below play default.json.
#   - TMPDIR is a private folder, for what the emulator writes there (its
#     manifest);
#   - a last line `wait $!` waits for the emulator (which ends with its
#     meeting) so that none is left behind and its exit status is checked.
#   cookbook_commands.sh SOURCE_ROOT BUILD_ROOT
set -euo pipefail
src=$1
build=$2
doc=$src/docs/cookbook.md
work=$(mktemp -d /tmp/rtms-cookbook-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

# The meeting each recipe plays, by the heading it is under.
meeting_for() {
  case "$1" in
    "One Matroska file: "*) echo default.json ;;
    "Passing the H.264 through, "*) echo default-one-size.json ;;
    "One WAV file per participant" | "Transcript as WebVTT, "* | "Live captions "* | \
      "Screen share to PNG slides" | "Mixed audio to an Opus/Ogg file, "* | \
      "RTP for a WebRTC media server"*) echo short-av.json ;;
    *) echo default.json ;;
  esac
}

# The emulator block: the fenced block that starts rtms-emulator.
awk '/^```/ {if (inside) {if (block ~ /rtms-emulator/) {printf "%s", block; exit} block=""} inside=!inside; next}
     inside {block = block $0 "\n"}' "$doc" >"$work/emulator.sh"
grep -q "meetings/default.json" "$work/emulator.sh" || { echo "cookbook: no emulator block with default.json"; exit 1; }
# Every fenced block that runs gst-launch-1.0, one file each, with its heading.
awk -v dir="$work" '
  /^#+ / && !inside {heading = $0; sub(/^#+ /, "", heading); next}
  /^```/ {
    if (inside && block ~ /gst-launch-1\.0/) {
      n++; printf "%s", block >(dir "/recipe-" n ".sh"); print heading >(dir "/recipe-" n ".title")
    }
    inside = !inside; block = ""; next
  }
  inside {block = block $0 "\n"}' "$doc"
count=$(find "$work" -maxdepth 1 -name 'recipe-*.sh' | wc -l)
[ "$count" -gt 0 ] || { echo "cookbook: no gst-launch-1.0 recipe found"; exit 1; }
echo "$count recipes in $doc"

mkdir -p "$work/tmp"
failed=0
for i in $(seq "$count"); do
  n=recipe-$i
  recipe=$work/$n.sh
  title=$(cat "$work/$n.title")
  echo
  echo "=== $n: $title"
  # What CI cannot have: say so rather than pass quietly.
  if grep -qE "autovideosink|autoaudiosink|ximagesink|xvimagesink|glimagesink|waylandsink" "$recipe"; then
    echo "SKIPPED: needs a display or a sound card"; continue
  fi
  if grep -qE "rtmpsink|rtmp2sink|rtmp://" "$recipe"; then
    echo "SKIPPED: needs an RTMP server"; continue
  fi
  meeting=$(meeting_for "$title")
  dir=$work/$n
  mkdir -p "$dir"
  ln -s "$build" "$dir/build"
  ln -s "$src/tools" "$dir/tools"
  { sed "s#meetings/default\.json#meetings/$meeting#" "$work/emulator.sh"; cat "$recipe"; echo 'wait $!'; } >"$dir.run.sh"
  echo "--- running in an empty folder (meeting $meeting):"
  cat "$dir.run.sh"
  limit=60
  [ "$meeting" = short-av.json ] || limit=120
  start=$SECONDS
  rc=0
  # timeout leads a process group of its own: what the recipe left running
  # (the emulator, when gst-launch fails) goes with it.
  (cd "$dir" && TMPDIR=$work/tmp exec timeout $limit bash -e "$dir.run.sh") >"$dir.out" 2>&1 &
  group=$!
  wait $group || rc=$?
  kill -- -$group 2>/dev/null || true
  echo "--- output ($((SECONDS - start)) s, exit $rc):"
  grep -v '^{"event"' "$dir.out" || true
  problems=()
  [ $rc -eq 0 ] || problems+=("exit status $rc")
  grep -q "^Got EOS from element" "$dir.out" || problems+=("no EOS")
  if grep -qE "WARNING|ERROR" "$dir.out"; then problems+=("a warning or error was printed"); fi
  # Every file the recipe names (location=...), patterns as globs.
  for location in $(grep -oE "location=[^ ]+" "$recipe" | sed 's/^location=//'); do
    pattern=$(echo "$location" | sed -E 's/%0?[0-9]*d/*/g')
    found=0
    for f in "$dir"/$pattern; do
      [ -e "$f" ] || continue
      found=1
      size=$(stat -c %s "$f")
      echo "$(basename "$f"): $size bytes"
      [ "$size" -gt 0 ] || problems+=("$(basename "$f") is empty")
    done
    [ $found -eq 1 ] || problems+=("no $location written")
  done
  if [ -e "$dir/meeting.mkv" ]; then
    gst-discoverer-1.0 "$dir/meeting.mkv" >"$dir.discoverer" 2>&1 || true
    tracks=$(grep -oE "^ +(video|audio|subtitles) #" "$dir.discoverer" | sed -E 's/^ +//; s/ #//' | sort | tr '\n' ' ')
    echo "meeting.mkv tracks: $tracks"
    [ "$tracks" = "audio subtitles video " ] || { cat "$dir.discoverer"; problems+=("meeting.mkv tracks: $tracks"); }
  fi
  if [ ${#problems[@]} -gt 0 ]; then
    printf 'FAILED: %s\n' "${problems[@]}"
    failed=$((failed + 1))
  else
    echo "OK"
  fi
done
echo
[ $failed -eq 0 ] || { echo "$failed of $count cookbook recipes failed"; exit 1; }
echo "all $count cookbook recipes ran as written"
