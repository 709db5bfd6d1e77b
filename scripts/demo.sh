#!/usr/bin/env bash
# The main job on its embedded default: installs what is missing, builds,
# starts rtms-gateway, and plays a scripted 30 s meeting on the RTMS emulator
# (standing in for Zoom, over wss:// with its own CA). The emulator sends real
# signed webhooks to the gateway, which records the stream with an rtmssrc
# pipeline: one WAV file per participant, meeting.mkv (active speaker's
# video, mixed audio, transcript subtitles) and transcript.vtt. Pointing the
# same gateway at Zoom needs only credentials (docs/zoom-setup.md).
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

mkdir -p "$out/emulator" "$out/recordings"
out=$(cd "$out" && pwd)
export GST_PLUGIN_PATH="$root/build/gst/rtms${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
# The emulator's demo credentials; for Zoom they are your app's (see docs/gateway.md).
export ZM_RTMS_CLIENT=emulator-client-id ZM_RTMS_SECRET=emulator-client-secret
export ZM_WEBHOOK_SECRET=emulator-webhook-secret

echo "==> Starting rtms-gateway (verifies webhooks, runs one recording pipeline per stream)"
# --allow-host: the emulator serves on loopback; Zoom's servers (*.zoom.us) are allowed by default.
"$root/build/tools/gateway/rtms-gateway" --port 0 --output-dir "$out/recordings" \
  --ssl-ca-file "$out/emulator/ca.pem" --allow-host 127.0.0.1 > "$out/gateway-ready.jsonl" 2> "$out/gateway.log" &
gateway=$!
trap 'kill $gateway $emulator 2>/dev/null || true' EXIT
emulator=
for _ in $(seq 100); do [ -s "$out/gateway-ready.jsonl" ] && break; sleep 0.1; done
[ -s "$out/gateway-ready.jsonl" ] || { cat "$out/gateway.log"; exit 1; }
url=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["url"])' "$out/gateway-ready.jsonl")
echo "    listening on $url"

echo "==> Playing a scripted meeting on the RTMS emulator ($(basename "$script"), wss://); it POSTs"
echo "    signed meeting.rtms_started / meeting.rtms_stopped webhooks to the gateway"
"$root/build/tools/emulator/rtms-emulator" --tls --script "$script" --cert-dir "$out/emulator" \
  --manifest "$out/emulator/manifest.json" --webhook-url "$url" \
  > "$out/emulator/ready.jsonl" 2> "$out/emulator/emulator.log" &
emulator=$!
# Progress: what the gateway does with each webhook and stream, as it happens.
tail --pid=$emulator -n +1 -f "$out/gateway.log" 2>/dev/null | sed -u 's/^/    gateway: /' &
wait $emulator || { echo "the emulator failed:"; tail -20 "$out/emulator/emulator.log"; exit 1; }
# rtms_stopped makes the gateway finalize the files; then stop it like a service manager would.
for _ in $(seq 150); do grep -qE "end of stream|pipeline error" "$out/gateway.log" 2>/dev/null && break; sleep 0.1; done
kill -TERM $gateway 2>/dev/null || true
wait $gateway 2>/dev/null || true
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

def discover(path):
    info = subprocess.run(["gst-discoverer-1.0", path], capture_output=True, text=True).stdout
    dur = re.search(r"Duration: (\S+)", info)
    tracks = re.findall(r"^\s+(audio|video|subtitles) #\d+: (.+)$", info, re.M)
    return (dur.group(1)[:10] if dur else "?"), tracks

files = []
for folder, _, names in os.walk(os.path.join(out, "recordings")):
    files += [os.path.join(folder, f) for f in names]
print(f"\n  {'file':<24} {'what':<46} {'duration':>10} {'audio sent':>11}")
for path in sorted(f for f in files if f.endswith(".wav")):
    dur, _ = discover(path)
    # wavenc stores the pad's title tag (the participant's name) as INAM.
    data = open(path, "rb").read()
    at = data.rfind(b"INAM")
    who = "?"
    if at >= 0:
        size = int.from_bytes(data[at + 4:at + 8], "little")
        who = data[at + 8:at + 8 + size].rstrip(b"\0").decode("utf-8", "replace")
    sent_s = ""
    for uid, s in sent.items():
        if s.get("user_name") == who:
            sent_s = f"{s['packets'] * 20 / 1000:.1f} s"
    print(f"  {os.path.basename(path):<24} {'audio of ' + who:<46} {dur:>10} {sent_s:>11}")
for path in sorted(f for f in files if f.endswith(".mkv")):
    dur, tracks = discover(path)
    kinds = ", ".join(f"{k} {c.split(' (')[0]}" for k, c in tracks)
    print(f"  {os.path.basename(path):<24} {kinds:<46} {dur:>10}")
for path in sorted(f for f in files if f.endswith(".vtt")):
    text = open(path, encoding="utf-8").read()
    speakers = sorted(set(re.findall(r"<v ([^>]+)>", text)))
    cues = len(re.findall(r" --> ", text))
    print(f"  {os.path.basename(path):<24} {f'{cues} transcript lines of ' + ', '.join(speakers):<46}")
folders = sorted({os.path.dirname(f) for f in files})
print(f"\nRecordings are in {folders[0] if len(folders) == 1 else os.path.join(out, 'recordings')}")
PY
