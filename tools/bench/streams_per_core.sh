#!/bin/bash
# How many audio streams one core sustains: rtmssrc against Zoom's RTMSManager
# (issue 16; docs/benchmarks.md, "Streams per core"). For each N, in rising
# order, one run each of
#   rtmssrc shared-threads   (rtms-bench, the element's default push mode)
#   rtmssrc network-thread   (rtms-bench --push-mode network-thread)
#   RTMSManager              (tools/bench/rtmsmanager-baseline, Zoom's library
#                             loaded from RTMS_MANAGER_DIR, not in this repository)
# one after the other, alternating, on equal terms: wss, audio profile, no
# compression, emulator --socket-poll-interval 10, the client pinned to CPU 0
# (one core) and the emulator to CPU 1. A client sustains N when, in its
# window, p99 wire-to-application latency is under 10 ms and nothing was lost
# (rtms-bench: lost = 0 against the emulator's manifest; the JavaScript
# driver: no stream short of its expected messages). Once a client fails at
# some N it is not run at larger N. The latency includes the emulator's own
# lateness, which is printed with each rtmssrc run.
#
#   tools/bench/streams_per_core.sh BUILD_DIR RTMS_MANAGER_DIR OUT_DIR [NS]
#   e.g. tools/bench/streams_per_core.sh /tmp/build-rel /tmp/rtmsm/javascript/rtmsManager /tmp/spc "100 200 400"
#
# Environment: DURATION (window, s; default 8). OUT_DIR/summary.tsv gets one
# line per run and the last lines of stdout the largest N each client sustained.
# The argument checks and the summary are tools/bench/lib.sh's.
set -u
. "$(dirname "$0")/lib.sh"
bench_args "[NS]" "$@"
ns=${4:-"100 200 300 400 500 600 700 800"}
bench_need_built "$bench" "$emulator"
bench_need_rtms_manager
bench_need_out
bench_summary "duration $duration s, wss, emulator poll interval 10 ms, client CPU 0, emulator CPU 1" \
  client N us_per_msg msg_per_s expected p50_ms p99_ms lost emulator_late_p99_ms load_before sustained

declare -A failed best
clients="rtmssrc-shared rtmssrc-network rtmsmanager"
for c in $clients; do failed[$c]=0; best[$c]=0; done

for n in $ns; do
  for c in $clients; do
    [ "${failed[$c]}" = 1 ] && continue
    log="$out/$c-$n.log"
    load=$(bench_load)
    case $c in
      rtmssrc-*)
        mode=shared-threads
        [ "$c" = rtmssrc-network ] && mode=network-thread
        timeout 900 "$bench" --profile audio --streams "$n" --duration "$duration" --tls --pin \
          --emulator-poll-interval 10 --push-mode "$mode" > "$log" 2>&1
        # proto N window msg/s MB/s CPU-s/s/strm us/msg p50/p99/max RSS MiB 1st ms lost/sent
        read -r us rate lat lost < <(awk '$1 == "wss" && $2 ~ /^[0-9]+$/ { print $7, $4, $8, $NF; exit }' "$log")
        p50=$(echo "${lat:-}" | cut -d/ -f1)
        p99=$(echo "${lat:-}" | cut -d/ -f2)
        lost=${lost%%/*}
        late=$(grep -o 'late by p50/p99/max [0-9.]*/[0-9.]*' "$log" | head -1 | awk '{print $4}' | cut -d/ -f2)
        ;;
      rtmsmanager)
        timeout 900 node "$here/rtmsmanager-baseline/rtms-rtmsmanager-baseline.mjs" --rtms-manager "$rtmsm" \
          --emulator "$emulator" --streams "$n" --duration "$duration" --tls --emulator-poll-interval 10 \
          --json > "$log" 2>&1
        read -r us rate p50 p99 lost < <(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    print(round(r["cpu_us_per_msg"], 2), round(r["msg_per_s"], 1), r["latency_p50_ms"], r["latency_p99_ms"],
          r["shortfall_msgs"])
    break' "$log")
        late=n/a
        ;;
    esac
    expected=$((n * 150))
    ok=no
    if [ -n "${p99:-}" ] && [ -n "${lost:-}" ] &&
       awk -v p="$p99" -v l="$lost" 'BEGIN { exit !(p < 10 && l == 0) }'; then
      ok=yes
      best[$c]=$n
    else
      failed[$c]=1
    fi
    bench_row "$c" "$n" "${us:-?}" "${rate:-?}" "$expected" "${p50:-?}" "${p99:-?}" "${lost:-?}" "${late:-?}" \
      "$load" "$ok"
    echo "$c N=$n us/msg=${us:-?} msg/s=${rate:-?}/$expected p99=${p99:-?} ms lost=${lost:-?} sustained=$ok (load $load)"
    unset us rate lat p50 p99 lost late
  done
done
echo "largest N sustained on one core (p99 < 10 ms, nothing lost):"
for c in $clients; do echo "  $c: ${best[$c]}"; done
