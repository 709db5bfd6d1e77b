#!/usr/bin/env bash
# Sets up everything and runs every test: installs the Debian packages, builds
# from scratch (plus an ASan/UBSan build, leak detection on), runs meson test,
# runs each libFuzzer target for a bounded time (scripts/fuzz.sh; each target
# counts as one test), builds, lints, installs and purges the Debian packages
# (tests/packaging/run.sh, as root; each check counts as one test), and prints
# "N passed, N failed" as the last line.
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

summary() {
  # meson's testlog.json has one JSON object per test; a results file (.txt:
  # scripts/fuzz.sh's, tests/packaging/run.sh's) one "<name> ok|failed" line
  # per fuzz target or packaging check.
  python3 - "$@" <<'PY'
import json, sys
passed = failed = 0
for path in sys.argv[1:]:
    if path.endswith(".txt"):
        try:
            lines = [l.split() for l in open(path) if l.strip()]
        except FileNotFoundError:
            lines = [["fuzz", "failed"]]
        if not lines:
            lines = [["fuzz", "failed"]]
        for words in lines:
            if words[-1] == "ok":
                passed += 1
            else:
                failed += 1
        continue
    try:
        for line in open(path):
            line = line.strip()
            if not line:
                continue
            r = json.loads(line).get("result")
            if r in ("OK", "EXPECTEDFAIL", "SKIP"):
                passed += 1
            else:
                failed += 1
    except FileNotFoundError:
        failed += 1
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
}

status=0
rm -rf build build-asan build-fuzz build-packages
meson setup build --buildtype=debugoptimized >/dev/null || status=1
if [ $status -eq 0 ]; then
  ninja -C build || status=1
fi
# The sanitizer build compiles while the normal build's tests run, at the
# lowest priority: those tests mostly wait on real-time meetings, and the
# compiler only takes the CPU they leave.
mkdir -p build
asan_build=
if [ "${RTMS_SKIP_SANITIZERS:-0}" != "1" ]; then
  (meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debug >/dev/null &&
     nice -n 19 ninja -C build-asan) >build/asan-build.log 2>&1 &
  asan_build=$!
fi
if [ $status -eq 0 ]; then
  # Suite long (the cluster's failure and recovery tests, two browsers at
  # once) runs in the sanitizer build only.
  meson test -C build --print-errorlogs --num-processes 2 --no-suite long || status=1
fi

logs=(build/meson-logs/testlog.json)
if [ -n "$asan_build" ]; then
  # The same tests again under AddressSanitizer and UndefinedBehaviorSanitizer.
  if wait "$asan_build" || { cat build/asan-build.log; false; }; then
    # Leak detection is on. tests/lsan.supp lists the one-time allocations of
    # GLib, GStreamer and the libraries below them, each with its proof.
    # intercept_tls_get_addr=0: with it, LeakSanitizer's thread suspender
    # reads a bogus dynamic TLS range of GStreamer's threads on this glibc
    # and crashes ("Tracer caught signal 11") at the exit of the emulator,
    # the gateway and the example.
    asan="detect_leaks=1:abort_on_error=1:intercept_tls_get_addr=0"
    ubsan="halt_on_error=1:print_stacktrace=1"
    # Unit, element and emulator tests with the DWARF unwinder: GLib has no
    # frame pointers, and only full stacks tell GLib's own allocations (the
    # suppressions) from ours.
    ASAN_OPTIONS=$asan:fast_unwind_on_malloc=0:malloc_context_size=8 UBSAN_OPTIONS=$ubsan \
    LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0 \
      meson test -C build-asan --print-errorlogs --num-processes 2 --timeout-multiplier 3 \
        --no-suite e2e --no-suite gateway --no-suite browser --logbase testlog-unit || status=1
    # End-to-end, gateway and browser tests with the fast unwinder (the DWARF one slows
    # the emulator, rtmssrc and the gateway past the tests' timing), so GLib's
    # allocations are matched as tests/lsan-fast-unwind.supp explains.
    # The browser suite (tests/browser: Chromium against the gateway's page and
    # WHEP) runs here, against the ASan gateway and emulator like the gateway
    # suite and for the same reason (real-time media: the fast unwinder), not
    # in the unit stage above.
    cat tests/lsan.supp tests/lsan-fast-unwind.supp >build-asan/lsan-fast-unwind.supp
    ASAN_OPTIONS=$asan UBSAN_OPTIONS=$ubsan \
    LSAN_OPTIONS=suppressions=$PWD/build-asan/lsan-fast-unwind.supp:print_suppressions=0 \
      meson test -C build-asan --print-errorlogs --num-processes 2 --timeout-multiplier 3 \
        --suite e2e --suite gateway --suite browser --logbase testlog-e2e || status=1
    logs+=(build-asan/meson-logs/testlog-unit.json build-asan/meson-logs/testlog-e2e.json)
  else
    status=1
  fi
fi
if [ "${RTMS_SKIP_FUZZ:-0}" != "1" ]; then
  # Each libFuzzer target (tests/fuzz) for 12 s on a copy of its seed corpus,
  # clang + ASan + UBSan. A crash or broken property prints the input as hex
  # and base64; scripts/fuzz.sh 600 is the longer run.
  fuzz_results=$PWD/build-fuzz/fuzz-results.txt
  rm -f "$fuzz_results"
  FUZZ_RESULTS=$fuzz_results ./scripts/fuzz.sh "${RTMS_FUZZ_SECONDS:-12}" || status=1
  logs+=("$fuzz_results")
fi
if [ "${RTMS_SKIP_PACKAGES:-0}" != "1" ] && [ "$(id -u)" -eq 0 ]; then
  # The Debian packages built from a copy of the tree, checked with lintian,
  # installed, proven (plugin found, the gateway run as its unit runs it
  # records a meeting, SIGTERM finalizes) and purged (docs/install.md).
  package_results=$PWD/build-packages/package-results.txt
  ./tests/packaging/run.sh "$package_results" || status=1
  logs+=("$package_results")
fi
if [ "${RTMS_SKIP_ARM64:-0}" != "1" ] && [ "$(id -u)" -eq 0 ]; then
  # The plugin and its unit and element tests cross-built for arm64 and run
  # under qemu-user (scripts/arm64.sh says what is left out and why).
  ./scripts/arm64.sh || status=1
  logs+=(build-arm64/build/meson-logs/testlog.json)
elif [ "${RTMS_SKIP_ARM64:-0}" != "1" ]; then
  echo "arm64 stage skipped: scripts/arm64.sh installs packages and needs root" >&2
fi
summary "${logs[@]}" || status=1
exit $status
