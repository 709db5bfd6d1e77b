# What tools/bench/floor_compare.sh, js_compare.sh and streams_per_core.sh
# share: their first three arguments and the checks on them, the summary
# file, and one log per run. Sourced (`. "$(dirname "$0")/lib.sh"`), not run.
#
# bench_args USAGE_TAIL "$@"
#   Needs BUILD_DIR RTMS_MANAGER_DIR OUT_DIR first (else the usage line, with
#   USAGE_TAIL for the script's own optional arguments, and exit 2), and sets
#     build rtmsm out   those three
#     duration          $DURATION, default 8 (the window of every run, s)
#     here              tools/bench
#     bench floor emulator   rtms-bench, rtms-floor, rtms-emulator of BUILD_DIR
# bench_need_built FILE...    exit 2 unless each FILE is an executable
# bench_need_rtms_manager     exit 2 unless RTMS_MANAGER_DIR holds index.js
# bench_need_out              exit 2 unless OUT_DIR exists or can be made
# bench_summary CONDITIONS COLUMN...
#   Starts OUT_DIR/summary.tsv: date and commit, the CPU, "# CONDITIONS",
#   then the column names.
# bench_row FIELD...          one tab-separated line added to the summary
# bench_load                  the 1-minute load average
# bench_logged LOG COMMAND... runs COMMAND (at most 900 s) with its output in
#   LOG, between a line with the command and start time and a line with its
#   exit status and end time, each with the load average.
# bench_value LOG PATTERN     the value of the first `key=value` PATTERN in LOG

bench_args() {
  local usage_tail=$1
  shift
  if [ $# -lt 3 ]; then
    echo "usage: $0 BUILD_DIR RTMS_MANAGER_DIR OUT_DIR $usage_tail" >&2
    exit 2
  fi
  build=$1
  rtmsm=$2
  out=$3
  duration=${DURATION:-8}
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  bench="$build/tools/bench/rtms-bench"
  floor="$build/tools/bench/rtms-floor"
  emulator="$build/tools/emulator/rtms-emulator"
}

bench_need_built() {
  local f
  for f in "$@"; do [ -x "$f" ] || { echo "$f: not built" >&2; exit 2; }; done
}

bench_need_rtms_manager() {
  [ -f "$rtmsm/index.js" ] ||
    { echo "$rtmsm: no RTMSManager there (tools/bench/rtmsmanager-baseline/README.md)" >&2; exit 2; }
}

bench_need_out() {
  mkdir -p "$out" || exit 2
}

bench_summary() {
  local conditions=$1
  shift
  {
    echo "# $(date -u +%FT%TZ) $(git -C "$here" rev-parse --short HEAD 2>/dev/null)"
    echo "# cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), nproc $(nproc)"
    echo "# $conditions"
  } > "$out/summary.tsv"
  bench_row "$@"
}

bench_row() {
  local IFS=$'\t'
  printf '%s\n' "$*" >> "$out/summary.tsv"
}

bench_load() { cut -d' ' -f1 /proc/loadavg; }

bench_logged() {
  local log=$1 rc
  shift
  {
    echo "## $*"
    echo "# start $(date -u +%T), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    timeout 900 "$@" 2>&1
    rc=$?
    echo "# exit $rc, end $(date -u +%T), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  } > "$log"
}

bench_value() {
  grep -o "$2" "$1" | head -1 | cut -d= -f2
}
