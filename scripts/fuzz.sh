#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang + ASan + UBSan) in
# build-fuzz and runs each one for a bounded time on a copy of its checked-in
# seed corpus (tests/fuzz/corpus/<target>/; the repository is never written).
#
#   scripts/fuzz.sh                 # every target, 20 s each (CI: 12 s each)
#   scripts/fuzz.sh 600             # every target, 10 minutes each
#   scripts/fuzz.sh 3600 messages   # one target for an hour
#   FUZZ_JOBS=2 scripts/fuzz.sh 600 base64   # two processes of one target
#
# Prints "fuzz <target>: ok|FAILED ..." per target, then exec/s and coverage.
# A crash, a broken property (the targets abort naming it), a timeout or an
# out-of-memory fails the target: its input is printed as hex and base64 and
# kept under $FUZZ_OUT (default build-fuzz/fuzz-out/<target>/). Reproduce with
#   build-fuzz/tests/fuzz/fuzz_<target> <file>
# Results go to $FUZZ_RESULTS (one "<target> ok|failed" line each) if set.
# Exit status: 0 when every target passed.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(ws_frames messages base64 webhook gateway http_proxy event_frames whep_sdp)
build=${FUZZ_BUILD:-build-fuzz}
out=${FUZZ_OUT:-$build/fuzz-out}
jobs=${FUZZ_JOBS:-1}

if [ ! -f "$build/build.ninja" ]; then
  CC=clang CXX=clang++ meson setup "$build" -Dfuzzing=enabled \
    -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debugoptimized \
    -Drtms=disabled -Dtools=disabled -Dtests=disabled -Dexamples=disabled >/dev/null || exit 1
fi
ninja -C "$build" >/dev/null || { ninja -C "$build"; exit 1; }

# One target: its report on stdout, its result line in $FUZZ_RESULTS.
run_target() {
  local t=$1 status=0
  local bin="$build_abs/tests/fuzz/fuzz_$t"
  local seeds="$PWD/tests/fuzz/corpus/$t"
  if [ ! -x "$bin" ] || [ ! -d "$seeds" ]; then
    echo "fuzz $t: FAILED (no such target)"
    return 1
  fi
  local work
  work=$(mktemp -d)
  cp -r "$seeds/." "$work/"
  rm -rf "$out/$t"
  mkdir -p "$out/$t"
  local log="$out/$t/fuzz.log"
  local dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="$PWD/tests/fuzz/$t.dict")
  # -rss_limit_mb: ASan's quarantine counts too. -timeout: one input taking
  # 10 s is a hang. The corpus grows in $work only.
  # GLib's slice allocator hides json-glib's nodes, lists and hash tables
  # from LeakSanitizer; G_SLICE=always-malloc in the environment shows them
  # (not the default while tests/fuzz/repro/ holds an open json-glib leak).
  # With -jobs the workers log to fuzz-<n>.log in the working folder: each
  # target runs in its own.
  (cd "$out/$t" &&
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:allocator_may_return_null=0 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      "$bin" "$work" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$out/$t/" -print_final_stats=1 "${dict[@]}" \
        $([ "$jobs" -gt 1 ] && echo "-jobs=$jobs -workers=$jobs") >"$log" 2>&1)
  local rc=$?
  [ "$jobs" -gt 1 ] && cat "$out/$t"/fuzz-*.log >>"$log" 2>/dev/null && rm -f "$out/$t"/fuzz-*.log
  local stats artifacts
  stats=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -1 | sed -E 's/^#([0-9]+)[[:space:]]+[A-Z]+[[:space:]]+/\1 runs, /')
  artifacts=$(find "$out/$t" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
  if [ $rc -eq 0 ] && [ -z "$artifacts" ]; then
    echo "fuzz $t: ok ($seconds s; $stats; corpus $(ls "$work" | wc -l) files)"
  else
    status=1
    echo "fuzz $t: FAILED (exit $rc)"
    # What went wrong, and the input that did it.
    grep -E -A40 '==fuzz==|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer|UndefinedBehaviorSanitizer)|runtime error:|ALARM|out-of-memory' "$log" | head -80
    for a in $artifacts; do
      echo "--- input $a ($(stat -c %s "$a") bytes), hex:"
      od -A x -t x1z -v "$a" | head -64
      echo "--- base64:"
      base64 -w 76 "$a" | head -64
      echo "--- reproduce: $bin $a"
    done
  fi
  rm -rf "$work"
  return $status
}

# FUZZ_PARALLEL targets at a time (default: one per CPU), each one process
# (or FUZZ_JOBS); the reports are printed in the targets' order.
parallel=${FUZZ_PARALLEL:-$(nproc)}
[ "$parallel" -ge 1 ] 2>/dev/null || parallel=1
mkdir -p "$out"
out=$(cd "$out" && pwd)
build_abs=$(cd "$build" && pwd)
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n; done
  mkdir -p "$out/.reports"
  (run_target "$t" >"$out/.reports/$t" 2>&1; echo $? >"$out/.reports/$t.rc") &
done
wait
status=0
for t in "${targets[@]}"; do
  if [ "$(cat "$out/.reports/$t.rc" 2>/dev/null)" = 0 ]; then result=ok; else result=failed; status=1; fi
  cat "$out/.reports/$t"
  [ -n "${FUZZ_RESULTS:-}" ] && echo "$t $result" >>"$FUZZ_RESULTS"
done
rm -rf "$out/.reports"
exit $status
