#!/bin/bash
# Compares two builds of the plugin under the same load. Runs on this VM vary
# by 10-15 % from one minute to the next, more than most single changes are
# worth, so the builds take turns (A, B, A, B, ...) and the means and medians
# of their CPU per message are compared, never one run against another.
#
#   tools/bench/ab_compare.sh [-b BENCH] ROUNDS PLUGIN_DIR_A PLUGIN_DIR_B -- RTMS_BENCH_ARGS...
#
# A plugin dir holds a libgstrtms.so, e.g. a copy of build/gst/rtms/ taken
# before a change. Example:
#   tools/bench/ab_compare.sh 4 /tmp/before /tmp/after -- --profile audio \
#       --streams 200 --tls --pin --push-mode network-thread --duration 6
set -u
bench="$(dirname "$0")/../../build/tools/bench/rtms-bench"
if [ "${1:-}" = "-b" ]; then
  bench=$2
  shift 2
fi
if [ $# -lt 4 ] || [ "$4" != "--" ]; then
  sed -n '2,13p' "$0" >&2
  exit 2
fi
rounds=$1 a=$2 b=$3
shift 4
[ -x "$bench" ] || { echo "$bench: not built (use -b BENCH)" >&2; exit 2; }
for dir in "$a" "$b"; do
  [ -f "$dir/libgstrtms.so" ] || { echo "$dir: no libgstrtms.so" >&2; exit 2; }
done

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for round in $(seq "$rounds"); do
  for dir in "$a" "$b"; do
    # The result row is the one that starts with the protocol.
    row=$("$bench" --plugin-dir "$dir" "$@" 2>&1 | grep -E '^wss? ' | head -1)
    if [ -z "$row" ]; then
      echo "round $round, $dir: the bench printed no result" >&2
      exit 1
    fi
    us=$(echo "$row" | awk '{print $7}')
    latency=$(echo "$row" | awk '{print $8}')
    lost=$(echo "$row" | awk '{print $NF}')
    echo "round $round  $dir  $us us/msg  latency p50/p99/max $latency ms  lost/sent $lost"
    echo "$dir $us" >> "$results"
  done
done
for dir in "$a" "$b"; do
  grep -F "$dir " "$results" | awk '{print $2}' | sort -n |
    awk -v d="$dir" '{v[NR] = $1; s += $1}
      END {m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
           printf "%s: mean %.2f, median %.2f us/msg over %d runs\n", d, s / NR, m, NR}'
done
