#!/usr/bin/env bash
# The installed product, proven as a user gets it (docs/install.md): builds
# the Debian packages from a clean copy of the tree (the tracked files only)
# with dpkg-buildpackage, checks them and the source package with lintian (no
# error, no warning), checks that a --prefix=/usr meson build installs the
# plugin in GStreamer's directory, installs the packages with apt, then
# checks, with installed files only:
#   - gst-inspect-1.0 finds rtmssrc without GST_PLUGIN_PATH;
#   - the installed unit passes systemd-analyze verify, and its exposure
#     (systemd-analyze security) stays at 2.0 or below;
#   - the installed gateway without the plugin names the fix;
#   - the service user, the recordings directory and the root-only secrets;
#   - the gateway, started the way the unit starts it (its User, Group,
#     EnvironmentFile, WorkingDirectory, UMask, LimitNOFILE and ExecStart read
#     from the installed unit; the installed config, edited as an
#     administrator would), records a meeting played by the installed
#     rtms-emulator, and SIGTERM in the middle of a second one finalizes its
#     files within the unit's TimeoutStopSec;
#   - the installed rtms-bench runs with its defaults;
#   - a reinstall keeps the administrator's config and secrets;
#   - apt purge leaves nothing behind.
# The commands of docs/install.md marked "<!-- packaging: NAME -->" run as
# written (sudo is a no-op for root).
#
#   tests/packaging/run.sh [RESULTS_FILE]
#   RTMS_PACKAGES_REUSE=1 tests/packaging/run.sh   # the packages of the last run
#
# Root only: it installs and purges packages (and purges them again if it is
# stopped). One line per check, "<name> ok|failed", goes to RESULTS_FILE
# (default build-packages/package-results.txt); scripts/test.sh counts them.
# Exit status 0 when every check passed.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
work=$root/build-packages
results=${1:-$work/package-results.txt}
packages=(gstreamer1.0-rtms rtms-gateway rtms-tools)
checks=(build lintian source-prefix install gst-inspect unit-verify service-files gateway-no-plugin cluster-roles
        gateway-record gateway-sigterm bench reinstall-keeps-config purge)

if [ "$(id -u)" -ne 0 ]; then
  echo "tests/packaging/run.sh: needs root (it installs packages)" >&2
  exit 1
fi
mkdir -p "$(dirname "$results")"
: >"$results"
status=0
declare -A done_checks=()
result() {  # result NAME ok|failed
  done_checks[$1]=1
  echo "$1 $2" >>"$results"
  echo "=== $1: $2"
  [ "$2" = ok ] || status=1
}
# Runs the check function in a subshell with errexit: any command failing in
# it fails the check. (State for later checks goes through files in $run.)
check() {
  local name=$1
  shift
  echo "=== $name"
  # Not inside "if": bash ignores errexit in a condition, subshells included.
  ( set -e; "$@" )
  if [ $? -eq 0 ]; then result "$name" ok; else result "$name" failed; fi
}
# Marks every check not run yet as failed (after a step the rest needs).
give_up() {
  echo "=== giving up: $1"
  for c in "${checks[@]}"; do [ -n "${done_checks[$c]:-}" ] || result "$c" failed; done
  finish
}
apt_quiet() {
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -y -q "$@" \
    >"$work/apt.log" 2>&1 ||
    { tail -20 "$work/apt.log"; return 1; }
}
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }
purge_all() {
  local p present=()
  for p in "${packages[@]}"; do dpkg-query -W "$p" >/dev/null 2>&1 && present+=("$p"); done
  [ ${#present[@]} -eq 0 ] || apt_quiet purge "${present[@]}"
}
run=$work/run
# Processes this script started, by their pid files.
stop_started() {
  local f
  for f in "$run"/*.pid; do [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null; rm -f "$f"; done
}
cleanup() {
  stop_started
  purge_all >/dev/null 2>&1
}
finish() {
  trap - EXIT INT TERM
  cleanup
  echo "packaging: $(grep -c ' ok$' "$results") ok," \
    "$(grep -c ' failed$' "$results") failed ($results)"
  exit $status
}
trap 'give_up "stopped"' INT TERM
trap cleanup EXIT

# A fenced block of docs/install.md, the one after "<!-- packaging: NAME -->".
doc_block() {
  awk -v tag="<!-- packaging: $1 -->" '$0 == tag {found=1; next}
    found && /^```/ {n++; if (n == 2) exit; next} found && n == 1 {print}' "$root/docs/install.md"
}
# Runs a block of docs/install.md as written in directory $2: root needs no
# sudo, and apt answers yes (as a user at the prompt would).
run_doc_block() {
  local block
  block=$(doc_block "$1")
  [ -n "$block" ] || { echo "docs/install.md has no block '$1'"; return 1; }
  printf 'APT::Get::Assume-Yes "true";\nDPkg::Lock::Timeout "600";\n' >"$work/apt.conf"
  echo "--- docs/install.md, $1 (in $2):"
  echo "$block"
  (cd "$2" && APT_CONFIG=$work/apt.conf DEBIAN_FRONTEND=noninteractive \
    bash -euo pipefail -c "sudo() { \"\$@\"; }; $block")
}

reuse=0
if [ "${RTMS_PACKAGES_REUSE:-0}" = "1" ] && ls "$work/src"/rtms-gateway_*.deb >/dev/null 2>&1; then
  reuse=1
else
  rm -rf "$work/src"
fi
rm -rf "$run"
mkdir -p "$work/src" "$run"
# Programs run from here keep their GStreamer registry here, not in ~/.cache.
export GST_REGISTRY_1_0=$run/registry.bin
unset GST_PLUGIN_PATH GST_PLUGIN_PATH_1_0
purge_all || give_up "cannot purge an earlier installation"

# --- build: the docs' build commands on a clean copy of the tree (its
# tracked files, as a git clone has them; uncommitted edits included).
src=$work/src/gst-rtms
build_packages() {
  if [ "$reuse" = 1 ]; then echo "reusing $(ls "$work/src"/*.deb)"; return 0; fi
  mkdir -p "$src"
  git -C "$root" ls-files -z | (cd "$root" && tar --null -T - -cf -) | tar -xf - -C "$src"
  local started=$SECONDS
  # The source package too, for lintian's checks of debian/.
  (cd "$work/src" && dpkg-source --build gst-rtms) >"$work/source.log" 2>&1 ||
    { cat "$work/source.log"; return 1; }
  run_doc_block build "$src" >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; return 1; }
  echo "built in $((SECONDS - started)) s:"
  ls "$work/src"/*.deb
}
check build build_packages
[ -n "$(ls "$work/src"/rtms-gateway_*.deb 2>/dev/null)" ] || give_up "no packages"

# --- lintian: no error and no warning (overrides in debian/*.lintian-overrides say why).
run_lintian() {
  local changes dsc
  changes=$(ls "$work/src"/gst-rtms_*.changes)
  dsc=$(ls "$work/src"/gst-rtms_*.dsc)
  lintian --fail-on error,warning --display-info "$dsc" "$changes" >"$work/lintian.txt" 2>&1 ||
    { cat "$work/lintian.txt"; return 1; }
  cat "$work/lintian.txt"
}
check lintian run_lintian

# --- from source: a build configured with --prefix=/usr installs the plugin
# in GStreamer's own directory; with the default prefix, meson's summary
# names the GST_PLUGIN_PATH to set (docs/install.md, "From source").
source_prefix() {
  local pluginsdir
  pluginsdir=$(pkg-config --variable=pluginsdir gstreamer-1.0)
  meson setup "$run/prefix-usr" "$src" --prefix=/usr -Dtools=disabled -Dtests=disabled \
    -Dexamples=disabled >"$run/prefix-usr.log" 2>&1 || { cat "$run/prefix-usr.log"; return 1; }
  meson introspect --installed "$run/prefix-usr" | python3 -c '
import json, sys
dest = [d for s, d in json.load(sys.stdin).items() if s.endswith("/libgstrtms.so")]
print("meson installs the plugin as", dest)
sys.exit(0 if dest == [sys.argv[1] + "/libgstrtms.so"] else 1)' "$pluginsdir"
  grep -q "GStreamer searches it: yes" "$run/prefix-usr.log"
  meson setup "$run/prefix-default" "$src" -Dtools=disabled -Dtests=disabled \
    -Dexamples=disabled >"$run/prefix-default.log" 2>&1 ||
    { cat "$run/prefix-default.log"; return 1; }
  grep "GStreamer searches it" "$run/prefix-default.log"
  grep -q "GStreamer searches it: no: set GST_PLUGIN_PATH=/usr/local/lib/.*/gstreamer-1.0" \
    "$run/prefix-default.log"
}
check source-prefix source_prefix

# --- install: the docs' install command, as written, from where the .debs are.
install_packages() {
  run_doc_block install "$src"
  for p in "${packages[@]}"; do installed "$p"; done
  for p in "${packages[@]}"; do dpkg -L "$p" >"$work/files-$p.txt"; done
}
check install install_packages
installed rtms-gateway || give_up "the packages did not install"

# --- gst-inspect finds the plugin with GStreamer's own paths only (and a
# fresh registry, as a new user has).
gst_env() { env -u GST_PLUGIN_PATH -u GST_PLUGIN_PATH_1_0 -u GST_PLUGIN_SYSTEM_PATH \
  -u GST_PLUGIN_SYSTEM_PATH_1_0 GST_REGISTRY_1_0="$run/registry-$1.bin" "${@:2}"; }
gst_inspect() {
  gst_env fresh gst-inspect-1.0 rtmssrc >"$run/inspect.txt"
  local expected
  expected="$(pkg-config --variable=pluginsdir gstreamer-1.0 2>/dev/null ||
    echo "/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/gstreamer-1.0")/libgstrtms.so"
  local found
  found=$(sed -n 's/^  Filename  *//p' "$run/inspect.txt")
  echo "found $found"
  # (/lib is /usr/lib on a merged-/usr system: GStreamer may name either.)
  [ "$(readlink -f "$found")" = "$(readlink -f "$expected")" ]
  gst_env fresh gst-inspect-1.0 rtmstextenc >/dev/null
  run_doc_block inspect "$run"
}
check gst-inspect gst_inspect

unit=$(grep -E '/systemd/system/rtms-gateway\.service$' "$work/files-rtms-gateway.txt" | head -1)
unit_key() { sed -n "s/^$1=//p" "$unit" | tail -1; }
unit_verify() {
  [ -f "$unit" ]
  echo "unit: $unit"
  systemd-analyze verify "$unit"
  # Exposure 2.0 of 10 at most (the shipped unit: 1.7).
  systemd-analyze security --offline=true --threshold=20 "$unit" >"$run/security.txt" ||
    { cat "$run/security.txt"; return 1; }
  grep "Overall exposure" "$run/security.txt"
  run_doc_block verify "$run" >/dev/null
}
check unit-verify unit_verify

user=$(unit_key User)
group=$(unit_key Group)
service_files() {
  [ -n "$user" ]
  [ -n "$group" ]
  getent passwd "$user"
  local uid shell
  uid=$(id -u "$user")
  [ "$uid" -lt 1000 ]                      # a system user
  shell=$(getent passwd "$user" | cut -d: -f7)
  [ "$shell" = /usr/sbin/nologin ]
  local secrets
  secrets=$(unit_key EnvironmentFile)
  [ "$(stat -c '%a %U %G' "$secrets")" = "600 root root" ]
  # The service's user cannot read its secrets; systemd hands them over.
  if setpriv --reuid="$user" --regid="$group" --init-groups cat "$secrets" >/dev/null 2>&1; then
    echo "$user can read $secrets"
    return 1
  fi
  [ "$(stat -c '%a %U %G' /var/lib/rtms-gateway/recordings)" = "750 $user $group" ]
  [ "$(stat -c '%a %U %G' /var/lib/rtms-gateway)" = "750 $user $group" ]
  grep -q "^output-dir=/var/lib/rtms-gateway/recordings$" /etc/rtms-gateway/gateway.conf
  grep -q " /etc/rtms-gateway/gateway.conf " <<<"$(dpkg-query -W -f='${Conffiles}\n' rtms-gateway)"
}
check service-files service_files

# --- the installed gateway, without the plugin: the error names the fix.
gateway_no_plugin() {
  local empty=$run/no-plugins
  mkdir -p "$empty"
  local code=0
  env -u GST_PLUGIN_PATH GST_PLUGIN_SYSTEM_PATH_1_0="$empty" \
    GST_REGISTRY_1_0="$run/registry-empty.bin" \
    ZM_WEBHOOK_SECRET=x /usr/bin/rtms-gateway --port 0 --output-dir "$run/unused" \
    >/dev/null 2>"$run/no-plugin.log" || code=$?
  cat "$run/no-plugin.log"
  [ "$code" -eq 1 ]
  grep -q "GST_PLUGIN_PATH" "$run/no-plugin.log"
  grep -q "gstreamer1.0-rtms" "$run/no-plugin.log"
  grep -q "docs/install.md" "$run/no-plugin.log"
}
check gateway-no-plugin gateway_no_plugin

# --- the packaged gateway has the scale-out roles (built with hiredis):
# --role worker gets past the build check to the Redis URL check.
cluster_roles() {
  ldd /usr/bin/rtms-gateway | grep -q 'libhiredis'
  local code=0
  ZM_WEBHOOK_SECRET=x /usr/bin/rtms-gateway --role worker --redis 'http://not-redis' --port 0 \
    --output-dir "$run/unused" >/dev/null 2>"$run/cluster-roles.log" || code=$?
  cat "$run/cluster-roles.log"
  [ "$code" -ne 0 ]
  ! grep -q "no hiredis" "$run/cluster-roles.log"
  grep -q -- "--redis" "$run/cluster-roles.log"
}
check cluster-roles cluster_roles

# --- the gateway as the unit starts it. The administrator's edits: the
# emulator's credentials in the secrets file, and in the config a free port,
# the emulator's host and its CA (it serves wss:// on loopback).
emu=$run/emulator
mkdir -p "$emu"
chmod 0755 "$work" "$run" "$emu"   # the CA must be readable by the service user
configure_like_an_admin() {
  local secrets
  secrets=$(unit_key EnvironmentFile)
  cat >"$secrets" <<'EOF'
# Edited by tests/packaging/run.sh: the emulator's demo credentials.
ZM_WEBHOOK_SECRET=emulator-webhook-secret
ZM_RTMS_CLIENT="emulator-client-id"
ZM_RTMS_SECRET='emulator-client-secret'
EOF
  sed -i 's/^port=.*/port=0/' /etc/rtms-gateway/gateway.conf
  printf 'allow-host=127.0.0.1\nssl-ca-file=%s/ca.pem\n' "$emu" >>/etc/rtms-gateway/gateway.conf
}
# systemd's EnvironmentFile syntax, as far as the shipped file and the docs
# use it: KEY=VALUE lines, # comments, a value in single or double quotes.
read_env_file() {
  local line key value
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in '' | '#'* | ';'*) continue ;; esac
    key=${line%%=*}
    value=${line#*=}
    case "$value" in \"*\") value=${value:1:-1} ;; \'*\') value=${value:1:-1} ;; esac
    printf '%s=%s\n' "$key" "$value"
  done <"$1"
}
start_gateway() {
  local envfile exec_start wd umask nofile home
  envfile=$(unit_key EnvironmentFile)
  exec_start=$(unit_key ExecStart)
  wd=$(unit_key WorkingDirectory)
  umask=$(unit_key UMask)
  nofile=$(unit_key LimitNOFILE)
  home=$(getent passwd "$user" | cut -d: -f6)
  local -a cmd envs
  read -r -a cmd <<<"$exec_start"
  mapfile -t envs < <(read_env_file "$envfile")
  # systemd raises the limit as PID 1; root without CAP_SYS_RESOURCE (a
  # container) cannot go past its own hard limit.
  if ! prlimit --nofile="$nofile:$nofile" true 2>/dev/null; then
    echo "LimitNOFILE=$nofile not allowed here; using the hard limit, $(ulimit -Hn)"
    nofile=$(ulimit -Hn)
  fi
  echo "as $user:$group in $wd, umask $umask, nofile $nofile: ${cmd[*]}"
  rm -f "$run/gateway-ready.jsonl" "$run/gateway.code"
  # The environment file is read as root, like systemd does, then the
  # process drops to the service's user. The exit code goes to a file: a
  # later check sends SIGTERM and reads it.
  (
    (cd "$wd" && umask "$umask" &&
     exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
       HOME="$home" USER="$user" LOGNAME="$user" SHELL=/usr/sbin/nologin "${envs[@]}" \
       prlimit --nofile="$nofile:$nofile" \
       setpriv --reuid="$user" --regid="$group" --init-groups --no-new-privs \
         --inh-caps=-all --bounding-set=-all -- "${cmd[@]}") \
      >"$run/gateway-ready.jsonl" 2>"$run/gateway.log" &
    echo $! >"$run/gateway.pid"
    code=0
    wait $! || code=$?
    echo "$code" >"$run/gateway.code"
  ) &
  for _ in $(seq 150); do [ -s "$run/gateway-ready.jsonl" ] && break; sleep 0.2; done
  [ -s "$run/gateway-ready.jsonl" ] || { cat "$run/gateway.log"; return 1; }
  python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["url"])' \
    "$run/gateway-ready.jsonl" >"$run/gateway.url"
  echo "gateway $(cat "$run/gateway.pid") ready: $(cat "$run/gateway.url")"
  # The process really runs as the service's user.
  [ "$(ps -o user= -p "$(cat "$run/gateway.pid")")" = "$user" ]
}
# Plays a meeting script on the installed emulator, webhooks to the gateway.
play() {  # play NAME SCRIPT
  /usr/bin/rtms-emulator --tls --cert-dir "$emu" --script "/usr/share/gst-rtms/meetings/$2" \
    --manifest "$emu/$1-manifest.json" --webhook-url "$(cat "$run/gateway.url")" \
    >"$emu/$1-ready.jsonl" 2>"$emu/$1.log" &
  echo $! >"$run/emulator-$1.pid"
}
# The stream folder a meeting got: the one not there before it (the
# emulator's meetings may share a stream id).
recordings() { find /var/lib/rtms-gateway/recordings -mindepth 1 -maxdepth 1 -type d | sort; }
new_stream_dir() {  # new_stream_dir LIST_BEFORE
  recordings | comm -13 "$1" - | head -1
}
# Checks a stream folder's files: owned by the service's user, not readable
# by others (UMask), finalized WAV headers, a Matroska file with a duration
# of at least $2 seconds and its tracks, a transcript.
check_recording() {  # check_recording DIR MIN_SECONDS
  local dir=$1
  ls -l "$dir"
  [ -n "$dir" ]
  [ -n "$(find "$dir" -maxdepth 0 -user "$user")" ]
  [ -z "$(find "$dir" -perm /o=rwx)" ] || { echo "world-accessible files"; return 1; }
  [ -z "$(find "$dir" ! -user "$user")" ]
  python3 - "$dir" <<'PY'
import glob, os, struct, sys
wavs = glob.glob(os.path.join(sys.argv[1], "audio_*.wav"))
assert wavs, "no WAV file"
for path in wavs:
    data = open(path, "rb").read()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE", path
    riff = struct.unpack("<I", data[4:8])[0]
    assert riff == len(data) - 8, f"{path}: RIFF size {riff}, file {len(data)}: not finalized"
    at = data.find(b"data")
    size = struct.unpack("<I", data[at + 4:at + 8])[0]
    assert size > 0 and at + 8 + size <= len(data), f"{path}: data chunk {size}"
    print(f"{os.path.basename(path)}: {size} bytes of audio, header finalized")
PY
  local info seconds
  info=$(gst-discoverer-1.0 "$dir/meeting.mkv")
  echo "$info" | grep -E "Duration|video #|audio #|subtitles #|Seekable"
  seconds=$(echo "$info" | sed -n 's/^ *Duration: \([0-9]*\):\([0-9]*\):\([0-9.]*\)$/\1 \2 \3/p' |
    awk '{print int($1 * 3600 + $2 * 60 + $3)}')
  [ -n "$seconds" ]
  [ "$seconds" -ge "$2" ]
  grep -Eq "^ *Seekable: yes" <<<"$info"
  grep -Eq "video #[0-9]+: H.264" <<<"$info"
  grep -Eq "audio #[0-9]+: Opus" <<<"$info"
  [ -s "$dir/transcript.vtt" ]
}
gateway_record() {
  configure_like_an_admin
  start_gateway
  # short-av.json: 4 s, every media type; rtms_stopped ends the stream.
  recordings >"$run/before-record.txt"
  play record short-av.json
  wait "$(cat "$run/emulator-record.pid")" || { tail "$emu/record.log"; return 1; }
  rm -f "$run/emulator-record.pid"
  for _ in $(seq 100); do grep -q "end of stream" "$run/gateway.log" && break; sleep 0.2; done
  grep "end of stream" "$run/gateway.log"
  check_recording "$(new_stream_dir "$run/before-record.txt")" 3
}
check gateway-record gateway_record

gateway_sigterm() {
  local pid
  pid=$(cat "$run/gateway.pid")
  kill -0 "$pid"
  # default.json: 30 s; SIGTERM (what systemctl stop sends) 6 s into it.
  recordings >"$run/before-sigterm.txt"
  play sigterm default.json
  local dir=
  for _ in $(seq 100); do
    dir=$(new_stream_dir "$run/before-sigterm.txt")
    [ -n "$dir" ] && break
    sleep 0.2
  done
  [ -n "$dir" ]
  sleep 6
  local timeout started code
  timeout=$(unit_key TimeoutStopSec)
  timeout=${timeout%s}
  started=$SECONDS
  kill -TERM "$pid"
  # Like systemd: SIGKILL once TimeoutStopSec has passed.
  while [ ! -s "$run/gateway.code" ] && [ $((SECONDS - started)) -le "$timeout" ]; do
    sleep 0.2
  done
  [ -s "$run/gateway.code" ] || kill -KILL "$pid"
  for _ in $(seq 25); do [ -s "$run/gateway.code" ] && break; sleep 0.2; done
  code=$(cat "$run/gateway.code")
  rm -f "$run/gateway.pid"
  echo "gateway exited with $code $((SECONDS - started)) s after SIGTERM (TimeoutStopSec=$timeout)"
  tail -5 "$run/gateway.log"
  kill "$(cat "$run/emulator-sigterm.pid")" 2>/dev/null || true
  [ "$code" -eq 0 ]
  check_recording "$dir" 4
}
check gateway-sigterm gateway_sigterm
stop_started

# --- the installed rtms-bench with its defaults: rtms-emulator from PATH and
# the system's plugin.
bench() {
  (cd "$run" && gst_env bench timeout 120 rtms-bench --streams 1 --duration 2) \
    >"$run/bench.txt" 2>&1 || { cat "$run/bench.txt"; return 1; }
  cat "$run/bench.txt"
}
check bench bench

# --- the docs' upgrade command (the same version again here) keeps the
# administrator's config and secrets.
reinstall_keeps_config() {
  local secrets before_conf before_secrets
  secrets=$(unit_key EnvironmentFile)
  before_conf=$(sha256sum </etc/rtms-gateway/gateway.conf)
  before_secrets=$(sha256sum <"$secrets")
  run_doc_block upgrade "$work/src"
  # The same version again is no upgrade for apt; dpkg runs the maintainer
  # scripts' upgrade path all the same.
  (cd "$work/src" && dpkg -i gstreamer1.0-rtms_*.deb rtms-gateway_*.deb rtms-tools_*.deb) \
    >"$run/reinstall.log" 2>&1 || { cat "$run/reinstall.log"; return 1; }
  [ "$(sha256sum </etc/rtms-gateway/gateway.conf)" = "$before_conf" ]
  [ "$(sha256sum <"$secrets")" = "$before_secrets" ]
  [ "$(stat -c '%a %U' "$secrets")" = "600 root" ]
}
check reinstall-keeps-config reinstall_keeps_config

# --- purge: the docs' command, then nothing of ours is left.
purge() {
  run_doc_block purge "$run"
  local p f left=0
  for p in "${packages[@]}"; do
    ! dpkg-query -W "$p" >/dev/null 2>&1 || { echo "$p still known to dpkg"; left=1; }
    while IFS= read -r f; do
      [ -d "$f" ] && continue     # directories shared with other packages
      if [ -e "$f" ] || [ -L "$f" ]; then echo "left: $f"; left=1; fi
    done <"$work/files-$p.txt"
  done
  for f in /etc/rtms-gateway /var/lib/rtms-gateway /usr/share/gst-rtms /usr/share/rtms-gateway \
           /var/lib/systemd/deb-systemd-helper-enabled/rtms-gateway.service.dsh-also \
           /etc/systemd/system/multi-user.target.wants/rtms-gateway.service; do
    if [ -e "$f" ] || [ -L "$f" ]; then echo "left: $f"; left=1; fi
  done
  if gst_env purged gst-inspect-1.0 rtmssrc >/dev/null 2>&1; then
    echo "rtmssrc still found"
    left=1
  fi
  # The system user stays, as Debian keeps system users (docs/install.md).
  getent passwd "$user" >/dev/null && echo "user $user kept (Debian practice)"
  [ "$left" -eq 0 ]
}
check purge purge

finish
