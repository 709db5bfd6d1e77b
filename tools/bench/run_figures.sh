#!/bin/bash
# Runs every figure of docs/benchmarks.md's results section, one after the
# other (never two benchmarks at once: they would measure each other), and
# leaves one log per run in OUT_DIR, each with the load average before and
# after (the machine may be shared).
#
#   [RTMS_MANAGER_DIR=DIR] tools/bench/run_figures.sh BUILD_DIR OUT_DIR
set -u
if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR OUT_DIR" >&2
  exit 2
fi
bench="$1/tools/bench/rtms-bench"
out="$2"
[ -x "$bench" ] || { echo "$bench: not built" >&2; exit 2; }
mkdir -p "$out" || exit 2

run() {
  local name=$1
  shift
  {
    echo "## rtms-bench $*"
    echo "# start $(date +%T), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    timeout 1800 "$bench" "$@" 2>&1
    echo "# exit $?, end $(date +%T), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  } > "$out/$name.log"
  echo "$name done"
}

for n in 1 50 200; do run audio-ws-$n --profile audio --streams $n --duration 20; done
for n in 1 50 200; do run audio-wss-$n --profile audio --streams $n --duration 20 --tls; done
for n in 10 50; do run meeting-ws-$n --profile meeting --streams $n --duration 20; done
for n in 10 50; do run meeting-wss-$n --profile meeting --streams $n --duration 20 --tls; done
for n in 1 5; do run video-heavy-ws-$n --profile video-heavy --streams $n --duration 20; done
for n in 1 5; do run video-heavy-wss-$n --profile video-heavy --streams $n --duration 20 --tls; done
run scaling-ws --profile audio --scaling --duration 10
run scaling-wss --profile audio --scaling --duration 10 --tls
run scaling-ws-pinned --profile audio --scaling --duration 10 --pin
# Second pass (shared network threads, own WebSocket/TLS client): rtmssrc within one core.
run scaling-wss-pinned-nt --profile audio --scaling --duration 10 --tls --pin --push-mode network-thread --max-streams 800
run scaling-wss-pinned-nt-wake3000 --profile audio --scaling --duration 10 --tls --pin --push-mode network-thread --wake-interval 3000 --max-streams 800
run meeting-wss-50-pinned-nt-wake3000 --profile meeting --streams 50 --duration 20 --tls --pin --push-mode network-thread --wake-interval 3000
# Third pass (cache footprint, system calls): the same two runs as the second pass, plus ws.
run scaling-ws-pinned-nt-wake3000 --profile audio --scaling --duration 8 --pin --push-mode network-thread --wake-interval 3000 --max-streams 800
# Sixth pass (the emulator's socket-poll interval): 400 and 800 audio streams
# within one core at both wake intervals, then meeting and video-heavy.
for w in 0 3000; do
  for n in 400 800; do
    run audio-wss-$n-pinned-nt-wake$w-poll10 --profile audio --streams $n --duration 8 --tls --pin \
      --push-mode network-thread --wake-interval $w --emulator-poll-interval 10
  done
done
run meeting-wss-100-pinned-nt-wake3000-poll10 --profile meeting --streams 100 --duration 8 --tls --pin \
  --push-mode network-thread --wake-interval 3000 --emulator-poll-interval 10
run video-heavy-wss-5-pinned-nt-wake3000-poll10 --profile video-heavy --streams 5 --duration 8 --tls --pin \
  --push-mode network-thread --wake-interval 3000 --emulator-poll-interval 10
# Seventh pass (issue 16): rtmssrc against node-baseline and Zoom's RTMSManager on equal terms
# (no WebSocket compression on either side), alternated in one run. Needs RTMSManager installed as
# tools/bench/rtmsmanager-baseline/README.md says, and npm install in tools/bench/node-baseline.
if [ -n "${RTMS_MANAGER_DIR:-}" ]; then
  "$(dirname "$0")/js_compare.sh" "$1" "$RTMS_MANAGER_DIR" "$out/js-compare" 3 "wss ws" "50 200" \
    > "$out/js-compare.log" 2>&1
  echo "js-compare done"
else
  echo "js-compare skipped: set RTMS_MANAGER_DIR (tools/bench/rtmsmanager-baseline/README.md)"
fi
