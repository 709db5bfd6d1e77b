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
set -u
if [ $# -lt 3 ]; then
  echo "usage: $0 BUILD_DIR RTMS_MANAGER_DIR OUT_DIR [ROUNDS] [PROTOS] [NS]" >&2
  exit 2
fi
build=$1
rtmsm=$2
out=$3
rounds=${4:-3}
protos=${5:-wss}
ns=${6:-"50 200"}
duration=${DURATION:-8}
poll=${POLL:-10}
here=$(cd "$(dirname "$0")" && pwd)
bench="$build/tools/bench/rtms-bench"
emulator="$build/tools/emulator/rtms-emulator"
[ -x "$bench" ] || { echo "$bench: not built" >&2; exit 2; }
[ -x "$emulator" ] || { echo "$emulator: not built" >&2; exit 2; }
[ -f "$rtmsm/index.js" ] || { echo "$rtmsm: no RTMSManager there (tools/bench/rtmsmanager-baseline/README.md)" >&2; exit 2; }
[ -d "$here/node-baseline/node_modules/ws" ] || { echo "run npm install in $here/node-baseline first" >&2; exit 2; }
mkdir -p "$out" || exit 2

{
  echo "# $(date -u +%FT%TZ) $(git -C "$here" rev-parse --short HEAD 2>/dev/null)"
  echo "# cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), nproc $(nproc)"
  echo "# duration $duration s, emulator poll interval $poll ms, client CPU 0, emulator CPU 1"
  printf 'round\tclient\tproto\tN\tus_per_msg\tmsg_per_s\texpected\tRSS_MiB_per_stream\tload_before\tload_after\textensions\n'
} > "$out/summary.tsv"

load() { cut -d' ' -f1 /proc/loadavg; }

# run NAME CLIENT PROTO N ROUND COMMAND...
run() {
  local name=$1 client=$2 proto=$3 n=$4 round=$5
  shift 5
  local log="$out/$name.log" l0 l1 rc
  l0=$(load)
  {
    echo "## $*"
    echo "# start $(date -u +%T), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    timeout 900 "$@" 2>&1
    rc=$?
    echo "# exit $rc, end $(date -u +%T), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  } > "$log"
  l1=$(load)
  local us rate rss ext
  case $client in
    rtmssrc-*)
      # the table row: proto N window msg/s MB/s CPU-s/s/strm us/msg latency RSS MiB ...
      read -r us rate rss < <(awk -v p="$proto" '$1 == p && $2 ~ /^[0-9]+$/ { print $7, $4, $9; exit }' "$log")
      ext=none # rtmssrc offers no extension
      ;;
    *)
      us=$(grep -o 'us/msg=[0-9.]*' "$log" | head -1 | cut -d= -f2)
      rate=$(grep -o 'msg/s=[0-9.]*' "$log" | head -1 | cut -d= -f2)
      rss=$(grep -o 'RSS/strm=[0-9.]*' "$log" | head -1 | cut -d= -f2)
      ext=$(grep -o 'extensions=[^ ]*' "$log" | head -1 | cut -d= -f2)
      ;;
  esac
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$client" "$proto" "$n" "${us:-FAILED}" \
    "${rate:-}" "$((n * 150))" "${rss:-}" "$l0" "$l1" "${ext:-?}" >> "$out/summary.tsv"
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
