#!/bin/sh
# The numbers in docs/gateway.md, "Hardening": runs rtms-gateway under each
# attack of rtms-gateway-attack, on loopback, and prints what the attack saw,
# the gateway's descriptors and sockets afterwards, and whether it still
# answers. Usage (from the source tree, after building in BUILD):
#   tests/gateway/attack_measure.sh BUILD [GATEWAY_BINARY]
# Each attack gets a fresh gateway on its own port (18400-18403).
set -u
build=${1:?usage: $0 BUILD [GATEWAY]}
gateway=${2:-$build/tools/gateway/rtms-gateway}
attack=$build/tests/gateway/rtms-gateway-attack
export GST_PLUGIN_PATH=$build/gst/rtms ZM_WEBHOOK_SECRET=attack-measure
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# run PORT NOFILE_SOFT NOFILE_HARD ATTACK ARGS...: the gateway in a subshell
# with that descriptor limit; the attack client keeps the caller's.
run() {
  port=$1 soft=$2 hard=$3; shift 3
  (ulimit -Sn "$soft"; ulimit -Hn "$hard"; exec "$gateway" --port "$port" --output-dir "$out/rec" >"$out/ready" 2>"$out/log") &
  pid=$!
  sleep 1.5
  echo "== $* (gateway: soft/hard descriptor limit $soft/$hard)"
  "$attack" "$@"
  sleep 1
  echo "   gateway descriptors: $(ls /proc/$pid/fd | wc -l); its sockets: $(ss -tan "( sport = :$port )" | tail -n +2 | awk '{print $1}' | sort | uniq -c | tr -s ' \n' ' ')"
  kill "$pid"; wait "$pid" 2>/dev/null
}

run 18400 64 64 churn 18400 300
run 18404 64 64 slowloris 18404 200 15
run 18401 1024 20000 churn 18401 1500
run 18402 1024 20000 slowloris 18402 1000 15
run 18403 1024 20000 burst 18403 2000 30
