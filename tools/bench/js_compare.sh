#!/bin/bash
# rtmssrc against JavaScript RTMS clients on equal terms (issue 16;
# docs/benchmarks.md, seventh pass): in each round, for each protocol and N,
# one run each of
#   rtmssrc   (rtms-bench --push-mode network-thread)
#   rtmssrc   (rtms-bench --push-mode shared-threads, the element's default)
#   rtmssrc   (rtms-bench --push-mode pad-threads; skipped with SKIP_PAD=1)
#   node-baseline   (tools/bench/node-baseline: Node 20 + ws, our own client)
#   RTMSManager     (tools/bench/rtmsmanager-baseline: Zoom's library, loaded
#                    from RTMS_MANAGER_DIR, which is not part of this repository)
# one after the other (never two at once), alternating, with the same emulator
# settings (audio profile, --emulator-poll-interval 10, compression refused:
# the emulator's default) and the same pinning (client on CPU 0, emulator on
# CPU 1). One log per run in OUT_DIR, with the load average before and after
# (the machine may be shared), and OUT_DIR/summary.tsv with one line per run.
#
#   tools/bench/js_compare.sh BUILD_DIR RTMS_MANAGER_DIR OUT_DIR [ROUNDS] [PROTOS] [NS]
#   e.g. tools/bench/js_compare.sh /tmp/build-rel /tmp/rtmsm/javascript/rtmsManager /tmp/js 3 "wss ws" "50 200"
#
# Environment: DURATION (window, s; default 8), POLL (emulator poll interval,
# ms; default 10), SKIP_PAD=1 (no pad-threads runs).
# The argument checks, the summary and the per-run logs are tools/bench/lib.sh's.
set -u
. "$(dirname "$0")/lib.sh"
bench_args "[ROUNDS] [PROTOS] [NS]" "$@"
rounds=${4:-3}
protos=${5:-wss}
ns=${6:-"50 200"}
poll=${POLL:-10}
bench_need_built "$bench" "$emulator"
bench_need_rtms_manager
[ -d "$here/node-baseline/node_modules/ws" ] || { echo "run npm install in $here/node-baseline first" >&2; exit 2; }
bench_need_out
bench_summary "duration $duration s, emulator poll interval $poll ms, client CPU 0, emulator CPU 1" \
  round client proto N us_per_msg msg_per_s expected RSS_MiB_per_stream load_before load_after extensions

# run NAME CLIENT PROTO N ROUND COMMAND...
run() {
  local name=$1 client=$2 proto=$3 n=$4 round=$5
  shift 5
  local log="$out/$name.log" l0 l1
  l0=$(bench_load)
  bench_logged "$log" "$@"
  l1=$(bench_load)
  local us rate rss ext
  case $client in
    rtmssrc-*)
      # the table row: proto N window msg/s MB/s CPU-s/s/strm us/msg latency RSS MiB ...
      read -r us rate rss < <(awk -v p="$proto" '$1 == p && $2 ~ /^[0-9]+$/ { print $7, $4, $9; exit }' "$log")
      ext=none # rtmssrc offers no extension
      ;;
    *)
      us=$(bench_value "$log" 'us/msg=[0-9.]*')
      rate=$(bench_value "$log" 'msg/s=[0-9.]*')
      rss=$(bench_value "$log" 'RSS/strm=[0-9.]*')
      ext=$(bench_value "$log" 'extensions=[^ ]*')
      ;;
  esac
  bench_row "$round" "$client" "$proto" "$n" "${us:-FAILED}" "${rate:-}" "$((n * 150))" "${rss:-}" "$l0" "$l1" \
    "${ext:-?}"
  echo "$name: us/msg ${us:-FAILED} (load $l0 -> $l1)"
}

for r in $(seq 1 "$rounds"); do
  for proto in $protos; do
    tls=()
    [ "$proto" = wss ] && tls=(--tls)
    for n in $ns; do
      run "r$r-$proto-$n-rtmssrc-nt" rtmssrc-network-thread "$proto" "$n" "$r" \
        "$bench" --profile audio --streams "$n" --duration "$duration" "${tls[@]}" --pin \
        --push-mode network-thread --emulator-poll-interval "$poll"
      run "r$r-$proto-$n-rtmssrc-shared" rtmssrc-shared-threads "$proto" "$n" "$r" \
        "$bench" --profile audio --streams "$n" --duration "$duration" "${tls[@]}" --pin \
        --push-mode shared-threads --emulator-poll-interval "$poll"
      run "r$r-$proto-$n-node" node-baseline "$proto" "$n" "$r" \
        node "$here/node-baseline/rtms-node-baseline.mjs" --emulator "$emulator" --streams "$n" \
        --duration "$duration" "${tls[@]}" --emulator-poll-interval "$poll"
      run "r$r-$proto-$n-rtmsmanager" rtmsmanager "$proto" "$n" "$r" \
        node "$here/rtmsmanager-baseline/rtms-rtmsmanager-baseline.mjs" --rtms-manager "$rtmsm" \
        --emulator "$emulator" --streams "$n" --duration "$duration" "${tls[@]}" --emulator-poll-interval "$poll"
      [ "${SKIP_PAD:-0}" = 1 ] && continue
      run "r$r-$proto-$n-rtmssrc-pad" rtmssrc-pad-threads "$proto" "$n" "$r" \
        "$bench" --profile audio --streams "$n" --duration "$duration" "${tls[@]}" --pin \
        --push-mode pad-threads --emulator-poll-interval "$poll"
    done
  done
done
grep -v "^#" "$out/summary.tsv" | column -t -s $'\t'
