#!/usr/bin/env python3
"""Scale-out benchmark: rtms-gateway intake -> Redis -> workers, on loopback.

Starts its own redis-server (private config, free port, append-only file),
one intake gateway, W worker gateways (`mixed` template) and the emulator,
then measures (docs/benchmarks.md, "Scale-out on Redis"):

  * streams started per second: N rtms_started posted at once by the
    emulator (--streams N), from the first record stored in Redis to the
    last pipeline claimed;
  * webhook to first buffer, p50/p99: the record's Redis time (`at`) to
    the first audio message the emulator sent that stream (manifest
    first_ts; loopback, one clock);
  * Redis CPU per stream: redis-server's user+system CPU over a steady
    window with the N streams running, divided by N;
  * takeover time after kill -9, p50/p99 over K kills: from the kill to
    the new owner's pipeline playing (gaps.jsonl end_ms), the killed worker
    started again (new id) after each kill.

Usage: tools/bench/scaleout.py [--build build] [--streams 50] [--workers 3]
       [--kills 20] [--ttl 3000]
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def pct(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    k = min(len(values) - 1, max(0, int(round(p / 100.0 * (len(values) - 1)))))
    return values[k]


class Bench:
    def __init__(self, args):
        self.a = args
        self.dir = tempfile.mkdtemp(prefix="rtms-scaleout-")
        self.out = os.path.join(self.dir, "recordings")
        os.mkdir(self.out)
        self.procs = []
        self.env = dict(os.environ,
                        GST_PLUGIN_PATH=os.path.join(args.build, "gst/rtms"),
                        ZM_WEBHOOK_SECRET="bench-secret",
                        ZM_RTMS_CLIENT="emulator-client-id",
                        ZM_RTMS_SECRET="emulator-client-secret")
        self.gateway = os.path.join(args.build, "tools/gateway/rtms-gateway")
        self.emulator = os.path.join(args.build, "tools/emulator/rtms-emulator")
        self.workers = {}
        self.serial = 0

    # --- processes ---------------------------------------------------------
    def redis(self):
        self.redis_port = free_port()
        conf = os.path.join(self.dir, "redis.conf")
        with open(conf, "w") as f:
            f.write(f"port {self.redis_port}\nbind 127.0.0.1\ndir {self.dir}\nappendonly yes\n"
                    f"appendfsync always\nsave \"\"\nlogfile {self.dir}/redis.log\n")
        self.redis_proc = subprocess.Popen(["redis-server", conf])
        self.procs.append(self.redis_proc)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.redis_port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        sys.exit("redis-server did not start")

    def redis_cmd(self, *args):
        return subprocess.run(["redis-cli", "-p", str(self.redis_port), "--raw"] + list(args),
                              capture_output=True, text=True).stdout

    def start_gateway(self, name, role_args):
        log = open(os.path.join(self.dir, name + ".log"), "w")
        p = subprocess.Popen([self.gateway, "--port", "0", "--allow-host", "127.0.0.1", "--allow-plaintext",
                              "--redis", f"redis://127.0.0.1:{self.redis_port}/0", "--worker-id", name] + role_args,
                             stdout=subprocess.PIPE, stderr=log, env=self.env, text=True)
        ready = json.loads(p.stdout.readline())
        self.procs.append(p)
        return p, ready["url"].rsplit("/", 1)[0]

    def start_worker(self):
        self.serial += 1
        name = f"w{self.serial}"
        p, base = self.start_gateway(name, ["--role", "worker", "--template", "mixed", "--output-dir", self.out,
                                            "--capacity", str(self.a.streams), "--max-streams",
                                            str(self.a.streams), "--lease-ttl", str(self.a.ttl)])
        self.workers[name] = (p, base)
        return name

    def metric(self, base, name):
        text = urllib.request.urlopen(base + "/metrics", timeout=5).read().decode()
        for line in text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        return 0.0

    def cluster(self):
        view = json.loads(urllib.request.urlopen(self.intake_base + "/cluster/streams", timeout=5).read())
        return {s["stream_id"]: s["owner"] for s in view.get("cluster", [])}

    def script(self, name, duration_ms, base_id):
        path = os.path.join(self.dir, name + ".json")
        with open(path, "w") as f:
            json.dump({"duration_ms": duration_ms, "rtms_stream_id": base_id,
                       "meeting_uuid": name + "Meeting00000000==",
                       "participants": [{"user_id": 16778240, "user_name": "Alice", "tone_hz": 440,
                                         "talk": [[0, duration_ms]]}]}, f)
        return path

    def emulator_run(self, name, streams, duration_ms, base_id):
        manifest = os.path.join(self.dir, name + "-manifest.json")
        p = subprocess.Popen([self.emulator, "--script", self.script(name, duration_ms, base_id), "--streams",
                              str(streams), "--webhook-url", self.intake_base + "/webhook", "--webhook-secret",
                              "bench-secret", "--manifest", manifest, "--cert-dir", self.dir,
                              "--wait-client", "60000"],
                             stdout=subprocess.PIPE, stderr=open(os.path.join(self.dir, name + ".log"), "w"),
                             text=True)
        self.procs.append(p)
        p.stdout.readline()  # ready
        return p, manifest

    def redis_cpu_s(self):
        with open(f"/proc/{self.redis_proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    # --- phases ------------------------------------------------------------
    def start_phase(self):
        n = self.a.streams
        before = sum(self.metric(b, "rtms_gateway_cluster_claims_total") for _, b in self.workers.values())
        emu, manifest = self.emulator_run("start", n, 20000, "a0000000000000000000000000000000")
        deadline = time.time() + 120
        while time.time() < deadline:
            claims = sum(self.metric(b, "rtms_gateway_cluster_claims_total") for _, b in self.workers.values())
            if claims - before >= n:
                break
            time.sleep(0.02)
        t_all = time.time() * 1000
        cpu0, w0 = self.redis_cpu_s(), time.time()
        time.sleep(8)
        redis_cpu = (self.redis_cpu_s() - cpu0) / (time.time() - w0)
        emu.wait(timeout=120)
        records = self.redis_cmd("XRANGE", "rtms:events", "-", "+")
        at = {}
        # redis-cli --raw prints ids, fields and values one per line.
        lines = records.splitlines()
        for i in range(len(lines)):
            if lines[i] == "type" and i + 5 < len(lines) and lines[i + 1] == "start":
                stream = lines[i + 3]
                at[stream] = int(lines[i + 5])
        with open(manifest) as f:
            streams = json.load(f)["streams"]
        latency = []
        for s in streams:
            first = s["audio"].get("0", {}).get("first_ts")
            if first and s["rtms_stream_id"] in at:
                latency.append(first - at[s["rtms_stream_id"]])
        first_at = min(at.values())
        rate = n / max(0.001, (t_all - first_at) / 1000.0)
        return rate, latency, redis_cpu / n, len(at)

    def takeover_phase(self):
        kills, ttl = self.a.kills, self.a.ttl
        duration = kills * (ttl + 6000) + 60000
        emu, _ = self.emulator_run("takeover", 6, duration, "b0000000000000000000000000000000")
        times = []
        for _ in range(200):
            owners = self.cluster()
            if len(owners) == 6 and all(owners.values()):
                break
            time.sleep(0.1)
        for k in range(kills):
            owners = self.cluster()
            victim = max(self.workers, key=lambda w: sum(1 for o in owners.values() if o == w))
            mine = [s for s, o in owners.items() if o == victim]
            p, _ = self.workers.pop(victim)
            t_kill = time.time() * 1000
            p.send_signal(signal.SIGKILL)
            p.wait()
            deadline = time.time() + 60
            while time.time() < deadline:
                owners = self.cluster()
                if all(owners.get(s) not in ("", victim, None) for s in mine):
                    break
                time.sleep(0.05)
            for s in mine:
                folder = [d for d in os.listdir(self.out) if d.endswith(s)]
                with open(os.path.join(self.out, folder[0], "gaps.jsonl")) as f:
                    last = json.loads(f.read().splitlines()[-1])
                times.append(last["end_ms"] - t_kill)
            self.start_worker()
            time.sleep(0.5)
        emu.send_signal(signal.SIGTERM)
        emu.wait(timeout=30)
        return times

    def cleanup(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--streams", type=int, default=50)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--ttl", type=int, default=3000)
    a = ap.parse_args()
    b = Bench(a)
    try:
        b.redis()
        _, b.intake_base = b.start_gateway("intake", ["--role", "intake"])
        for _ in range(a.workers):
            b.start_worker()
        rate, latency, cpu_per_stream, stored = b.start_phase()
        print(f"streams: {a.streams} ({stored} start records), workers: {a.workers}, lease ttl: {a.ttl} ms")
        print(f"streams started per second (first record stored -> last claimed): {rate:.1f}")
        print(f"webhook stored -> first audio buffer sent: p50 {pct(latency, 50):.0f} ms, "
              f"p99 {pct(latency, 99):.0f} ms (n={len(latency)})")
        print(f"redis-server CPU with {a.streams} streams running: {cpu_per_stream * 100:.4f} % of a core per stream")
        if a.kills > 0:
            times = b.takeover_phase()
            print(f"takeover after kill -9 (kill -> new owner playing): p50 {pct(times, 50):.0f} ms, "
                  f"p99 {pct(times, 99):.0f} ms, max {max(times):.0f} ms (n={len(times)}, {a.kills} kills)")
    finally:
        b.cleanup()


if __name__ == "__main__":
    main()
