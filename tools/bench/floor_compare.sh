#!/bin/bash
# The physical floor against rtmssrc and Zoom's RTMSManager (issue 16;
# docs/benchmarks.md, eleventh pass): in each round, for each N, one run each
# of
#   rtms-floor --stage recv | tls | ws | json | base64   (the least work, stage by stage)
#   rtms-floor --stage base64 with the project's WebSocket reader, JSON path
#              and OpenSSL buffer setting (rtmssrc's protocol code, no GStreamer)
#   rtmssrc    (rtms-bench --push-mode network-thread, then shared-threads)
#   RTMSManager (tools/bench/rtmsmanager-baseline, loaded from RTMS_MANAGER_DIR)
# one after the other, alternating, on equal terms: wss, the audio profile, no
# compression, emulator --socket-poll-interval 10, client on CPU 0, emulator
# on CPU 1. One log per run in OUT_DIR with the load average before and after
# (the machine may be shared), and OUT_DIR/summary.tsv with one line per run.
#
#   tools/bench/floor_compare.sh BUILD_DIR RTMS_MANAGER_DIR OUT_DIR [ROUNDS] [NS]
#   e.g. tools/bench/floor_compare.sh build-rel /tmp/rtmsm/javascript/rtmsManager /tmp/floor 3 "50 200"
#
# Environment: DURATION (window, s; default 8), SKIP_JS=1 (no RTMSManager runs).
# The argument checks, the summary and the per-run logs are tools/bench/lib.sh's.
set -u
. "$(dirname "$0")/lib.sh"
bench_args "[ROUNDS] [NS]" "$@"
rounds=${4:-3}
ns=${5:-"50 200"}
bench_need_built "$bench" "$floor" "$emulator"
[ "${SKIP_JS:-0}" = 1 ] || bench_need_rtms_manager
bench_need_out
bench_summary "duration $duration s, wss, emulator poll interval 10 ms, client CPU 0, emulator CPU 1" \
  round client N us_per_msg msg_per_s expected load_before load_after

# run NAME CLIENT N ROUND COMMAND...
run() {
  local name=$1 client=$2 n=$3 round=$4
  shift 4
  local log="$out/$name.log" l0 l1 us rate
  l0=$(bench_load)
  bench_logged "$log" "$@"
  l1=$(bench_load)
  case $client in
    floor-*)
      us=$(bench_value "$log" ' us/msg=[0-9.]*')
      rate=$(bench_value "$log" 'msg/s=[0-9.]*')
      ;;
    rtmssrc-*)
      read -r us rate < <(awk '$1 == "wss" && $2 ~ /^[0-9]+$/ { print $7, $4; exit }' "$log")
      ;;
    *)
      us=$(bench_value "$log" 'us/msg=[0-9.]*')
      rate=$(bench_value "$log" 'msg/s=[0-9.]*')
      ;;
  esac
  bench_row "$round" "$client" "$n" "${us:-FAILED}" "${rate:-}" "$((n * 150))" "$l0" "$l1"
  echo "$name: us/msg ${us:-FAILED} (load $l0 -> $l1)"
}

common=(--duration "$duration" --pin --emulator-poll-interval 10)
for r in $(seq 1 "$rounds"); do
  for n in $ns; do
    for stage in recv tls ws json base64; do
      run "r$r-$n-floor-$stage" "floor-$stage" "$n" "$r" "$floor" --streams "$n" --stage "$stage" "${common[@]}"
    done
    run "r$r-$n-floor-project" floor-project "$n" "$r" "$floor" --streams "$n" --stage base64 \
      --ws-reader project --json-scan project --release-buffers "${common[@]}"
    run "r$r-$n-rtmssrc-nt" rtmssrc-network-thread "$n" "$r" "$bench" --profile audio --streams "$n" --tls \
      --push-mode network-thread "${common[@]}"
    run "r$r-$n-rtmssrc-shared" rtmssrc-shared-threads "$n" "$r" "$bench" --profile audio --streams "$n" --tls \
      --push-mode shared-threads "${common[@]}"
    [ "${SKIP_JS:-0}" = 1 ] && continue
    run "r$r-$n-rtmsmanager" rtmsmanager "$n" "$r" node "$here/rtmsmanager-baseline/rtms-rtmsmanager-baseline.mjs" \
      --rtms-manager "$rtmsm" --emulator "$emulator" --streams "$n" --duration "$duration" --tls \
      --emulator-poll-interval 10
  done
done
grep -v "^#" "$out/summary.tsv" | column -t -s $'\t'
