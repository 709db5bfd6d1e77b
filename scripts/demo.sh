#!/usr/bin/env bash
# The main job on its embedded default: installs what is missing, builds, then
# plays a scripted 30 s meeting on the RTMS emulator (standing in for Zoom,
# over wss:// with its own CA) and records one WAV file per participant with a
# plain gst-launch-1.0 pipeline that starts with rtmssrc.
#
#   scripts/demo.sh [OUTPUT_DIR] [MEETING_SCRIPT.json]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${1:-$root/out/recording-$(date +%Y%m%d-%H%M%S)}
script=${2:-$root/tools/emulator/meetings/default.json}

echo "==> Installing dependencies (Debian packages)"
./scripts/install-deps.sh
echo "==> Building"
[ -f build/build.ninja ] || meson setup build --buildtype=debugoptimized >/dev/null
ninja -C build >/dev/null

mkdir -p "$out/emulator"
out=$(cd "$out" && pwd)
export GST_PLUGIN_PATH="$root/build/gst/rtms${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
# The emulator's demo credentials; for Zoom they come from your app.
export ZM_RTMS_CLIENT=emulator-client-id ZM_RTMS_SECRET=emulator-client-secret

echo "==> Starting the RTMS emulator (wss://, meeting script $(basename "$script"))"
"$root/build/tools/emulator/rtms-emulator" --tls --script "$script" --cert-dir "$out/emulator" \
  --manifest "$out/emulator/manifest.json" --webhook-out "$out/rtms_started.json" \
  > "$out/emulator/ready.jsonl" 2> "$out/emulator/emulator.log" &
emulator=$!
trap 'kill $emulator 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$out/emulator/ready.jsonl" ] && break; sleep 0.1; done
[ -s "$out/emulator/ready.jsonl" ] || { cat "$out/emulator/emulator.log"; exit 1; }
ca=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["ca_file"])' "$out/emulator/ready.jsonl")
speakers=$(python3 -c '
import json, sys
script = json.load(open(sys.argv[1]))
print(sum(1 for p in script["participants"] if p.get("talk")))' "$script")

# One branch per speaker: pads appear as audio_0, audio_1, ... in the order
# participants first speak. audiorate fills muted stretches with silence.
branches=()
for i in $(seq 0 $((speakers - 1))); do
  branches+=(src.audio_$i ! queue ! audiorate ! audioconvert ! wavenc ! filesink location="$out/participant-$i.wav")
done

echo "==> Recording: the webhook is in $out/rtms_started.json"
echo "    gst-launch-1.0 -e rtmssrc name=src webhook-payload=\"\$(cat rtms_started.json)\" ssl-ca-file=$ca \\"
echo "      src.audio_N ! queue ! audiorate ! audioconvert ! wavenc ! filesink location=participant-N.wav ..."
# -m prints rtmssrc's bus messages: joins, leaves, speaker changes, the end.
gst-launch-1.0 -e -m rtmssrc name=src webhook-payload="$(cat "$out/rtms_started.json")" \
  ssl-ca-file="$ca" "${branches[@]}" 2>&1 | tee "$out/gst-launch.log" |
  grep --line-buffered -oE '(rtms-[a-z-]+|New pad|ERROR).*' |
  grep --line-buffered -vE '^rtms-(session|stream)-state|^rtms-participant-id' |
  sed -u -E 's/\(int\)|\(gint64\)|\(string\)|\(boolean\)//g; s/^/    /'
status=${PIPESTATUS[0]}
wait $emulator || true
if [ "$status" -ne 0 ]; then echo "gst-launch-1.0 failed, see $out/gst-launch.log"; exit 1; fi
trap - EXIT

echo
echo "==> Summary"
python3 - "$out" <<'PY'
import json, os, re, subprocess, sys
out = sys.argv[1]
manifest = json.load(open(os.path.join(out, "emulator", "manifest.json")))
sent = manifest.get("audio", {})
print(f"  stream {manifest.get('rtms_stream_id')}  meeting {manifest.get('meeting_uuid')}")
print(f"  ended with stop reason {manifest.get('stop_reason')}; "
      f"keep-alives answered {manifest['keepalives']['signaling']['answered']}"
      f"/{manifest['keepalives']['signaling']['sent']} (signaling); "
      f"protocol violations: {len(manifest.get('violations', []))}")
print(f"  {'file':<22} {'participant':<14} {'duration':>9} {'audio sent':>11}")
for name in sorted(f for f in os.listdir(out) if f.endswith(".wav")):
    path = os.path.join(out, name)
    info = subprocess.run(["gst-discoverer-1.0", path], capture_output=True, text=True).stdout
    dur = re.search(r"Duration: (\S+)", info)
    # wavenc stores the pad's title tag (the participant's name) as INAM.
    data = open(path, "rb").read()
    at = data.rfind(b"INAM")
    who = "?"
    if at >= 0:
        size = int.from_bytes(data[at + 4:at + 8], "little")
        who = data[at + 8:at + 8 + size].rstrip(b"\0").decode("utf-8", "replace")
    sent_ms = ""
    for uid, s in sent.items():
        if s.get("user_name") == who:
            sent_ms = f"{s['packets'] * 20 / 1000:.1f} s"
    print(f"  {name:<22} {who:<14} {dur.group(1)[:10] if dur else '?':>9} {sent_ms:>11}")
print(f"\nRecordings are in {out}")
PY
