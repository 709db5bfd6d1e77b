#!/usr/bin/env node
// rtms-node-baseline: a plain JavaScript RTMS client, used as a same-machine
// CPU baseline for rtmssrc (tools/bench, docs/benchmarks.md).
//
// It receives N streams from an rtms-emulator the way the usual Node RTMS
// clients do: one `ws` WebSocket for signaling and one for media per stream,
// JSON.parse of every message, Buffer.from(base64) of every audio payload.
// It measures its own CPU time (process.cpuUsage) per media message over a
// steady-state window, plus RSS growth per stream.
//
// Our own code, written for this project from the project's notes on Zoom's
// public RTMS documentation (now docs/protocol.md) and the emulator's
// documentation; nothing in it comes from Zoom's samples.
//
// Usage:
//   node rtms-node-baseline.mjs --emulator PATH --streams N --duration S
//        [--tls] [--warmup S] [--startup-timeout S] [--client-cpu C]
//        [--emulator-cpu C] [--no-pin] [--coalesce] [--emulator-poll-interval MS]
//        [--emulator-arg ARG]... [--json] [--keep-temp]

import { spawn, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { createRequire } from 'node:module';
import WebSocket from 'ws';

import { LatencyHistogram, wallUs } from '../js-common/latency.mjs';

// ---- fixed protocol values (docs/protocol.md) ------------------------------

const MSG = {
  SIGNALING_HAND_SHAKE_REQ: 1,
  SIGNALING_HAND_SHAKE_RESP: 2,
  DATA_HAND_SHAKE_REQ: 3,
  DATA_HAND_SHAKE_RESP: 4,
  EVENT_SUBSCRIPTION: 5,
  EVENT_UPDATE: 6,
  CLIENT_READY_ACK: 7,
  STREAM_STATE_UPDATE: 8,
  SESSION_STATE_UPDATE: 9,
  KEEP_ALIVE_REQ: 12,
  KEEP_ALIVE_RESP: 13,
  MEDIA_DATA_AUDIO: 14,
};
const MEDIA_AUDIO = 1;
const STREAM_STATE_TERMINATED = 4;

// What rtmssrc asks for in the benchmark's "audio" profile
// (tools/bench/profile.cpp; gst/rtms/gstrtmssrc.cpp builds the params):
// RAW_AUDIO, L16, 16 kHz, mono, AUDIO_MULTI_STREAMS (per participant), 20 ms.
const AUDIO_PARAMS = {
  content_type: 2, // RAW_AUDIO
  sample_rate: 1, // SR_16K
  channel: 1, // MONO
  codec: 1, // L16
  data_opt: 2, // AUDIO_MULTI_STREAMS
  send_rate: 20, // ms
};
// rtmssrc subscribes to these for an audio-only stream.
const EVENTS = [2, 3, 4]; // ACTIVE_SPEAKER_CHANGE, PARTICIPANT_JOIN, PARTICIPANT_LEAVE

// The benchmark's audio profile: 3 participants talking all the time.
const PARTICIPANTS = [
  { user_id: 16778240, user_name: 'Alice', tone_hz: 440 },
  { user_id: 16779264, user_name: 'Bob', tone_hz: 550 },
  { user_id: 16780288, user_name: 'Carol', tone_hz: 660 },
];
const MESSAGES_PER_STREAM_SECOND = PARTICIPANTS.length * (1000 / AUDIO_PARAMS.send_rate);

// The emulator's default credentials (tools/emulator/options.h); passed
// explicitly so both sides agree even if the defaults change.
const CLIENT_ID = 'emulator-client-id';
const CLIENT_SECRET = 'emulator-client-secret';

// ---- command line ------------------------------------------------------------

const USAGE = `usage: node rtms-node-baseline.mjs --emulator PATH --streams N --duration S [options]
  --emulator PATH            rtms-emulator binary
  --streams N                streams to receive (1 ... 10000)
  --duration S               measured window in seconds
  --warmup S                 wait this long after every stream's first audio (default 3)
  --tls                      wss:// (the emulator's generated CA is trusted via ws's "ca")
  --startup-timeout S        all streams must deliver audio within S (default 10 + N/20, as rtms-bench)
  --client-cpu C             pin this process to CPU C (default 0)
  --emulator-cpu C           pin the emulator to CPU C (default: the last CPU)
  --no-pin                   pin nothing
  --coalesce                 pass --coalesce to the emulator (as rtms-bench --coalesce)
  --emulator-poll-interval MS  the emulator's --socket-poll-interval (as rtms-bench)
  --emulator-arg ARG         pass ARG to the emulator as is (repeatable), e.g. --emulator-arg=--keepalive-interval=1000
  --json                     print the result as one JSON object instead of key=value
  --keep-temp                keep the temporary directory (script, certificates, emulator log)`;

function die(message, code = 2) {
  process.stderr.write(`rtms-node-baseline: ${message}\n`);
  process.exit(code);
}

function parseArgs(argv) {
  const o = {
    emulator: '', streams: 0, duration: 0, warmup: 3, tls: false, startupTimeout: 0,
    clientCpu: 0, emulatorCpu: -1, pin: true, coalesce: false, emulatorPoll: 0, json: false,
    keepTemp: false, emulatorArgs: [],
  };
  const number = (name, text, min, max) => {
    const v = Number(text);
    if (text === undefined || text === '' || !Number.isFinite(v) || v < min || v > max)
      die(`${name} wants a number from ${min} to ${max}, got "${text ?? ''}"\n${USAGE}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let inline; // --name=value
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    if (eq > 0) {
      inline = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const next = () => (inline !== undefined ? inline : argv[++i]);
    switch (a) {
      case '--emulator': o.emulator = next() ?? ''; break;
      case '--streams': o.streams = Math.trunc(number(a, next(), 1, 10000)); break;
      case '--duration': o.duration = number(a, next(), 0.1, 86400); break;
      case '--warmup': o.warmup = number(a, next(), 0, 3600); break;
      case '--tls': o.tls = true; break;
      case '--startup-timeout': o.startupTimeout = number(a, next(), 1, 3600); break;
      case '--client-cpu': o.clientCpu = Math.trunc(number(a, next(), 0, 4095)); break;
      case '--emulator-cpu': o.emulatorCpu = Math.trunc(number(a, next(), 0, 4095)); break;
      case '--no-pin': o.pin = false; break;
      case '--coalesce': o.coalesce = true; break;
      case '--emulator-poll-interval': o.emulatorPoll = Math.trunc(number(a, next(), 0, 100)); break;
      case '--json': o.json = true; break;
      case '--keep-temp': o.keepTemp = true; break;
      case '--emulator-arg': {
        const v = next();
        if (v === undefined) die(`--emulator-arg wants a value\n${USAGE}`);
        o.emulatorArgs.push(v);
        break;
      }
      case '-h': case '--help': process.stdout.write(USAGE + '\n'); process.exit(0); break;
      default: die(`unknown argument "${a}"\n${USAGE}`);
    }
  }
  if (!o.emulator) die(`--emulator is required\n${USAGE}`);
  if (!o.streams) die(`--streams is required\n${USAGE}`);
  if (!o.duration) die(`--duration is required\n${USAGE}`);
  if (!o.startupTimeout) o.startupTimeout = 10 + Math.floor(o.streams / 20);
  return o;
}

// ---- small helpers -----------------------------------------------------------

const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (bytes) => bytes / (1024 * 1024);

function signature(meetingUuid, streamId) {
  return createHmac('sha256', CLIENT_SECRET)
    .update(`${CLIENT_ID},${meetingUuid},${streamId}`)
    .digest('hex');
}

// Peak RSS of this process (VmHWM), in bytes; 0 when unknown.
function peakRssBytes() {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch { /* keep 100 */ }

// user+system CPU seconds of another process, -1 when unknown.
function processCpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks; // utime, stime
  } catch {
    return -1;
  }
}

function cpusAllowed() {
  try {
    const m = /Cpus_allowed_list:\s+(\S+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? m[1] : '?';
  } catch {
    return '?';
  }
}

// Every thread of this process (main, libuv, V8 platform workers) onto one
// CPU; threads made later inherit it from their creator.
function pinSelf(cpu) {
  execFileSync('taskset', ['-a', '-cp', String(cpu), String(process.pid)], { stdio: 'ignore' });
}

function meetingScript(durationMs) {
  return JSON.stringify({
    meeting_uuid: 'NodeBaseline0000000000==',
    rtms_stream_id: '000000000000000000000001' + '00000000',
    duration_ms: durationMs,
    participants: PARTICIPANTS.map((p) => ({
      ...p,
      camera: [],
      talk: [[0, durationMs]],
    })),
  }) + '\n';
}

// ---- one RTMS stream -----------------------------------------------------------

// Counters shared by all streams; the window reads them at its start and end.
const totals = { messages: 0, bytes: 0, otherMessages: 0 };
// Latency of the window's audio messages only (js-common/latency.mjs).
const latency = new LatencyHistogram();
let windowOpen = false;

class Stream {
  constructor(index, webhook, ca, onFatal) {
    const p = webhook.payload ?? webhook;
    this.index = index;
    this.meetingUuid = p.meeting_uuid;
    this.streamId = p.rtms_stream_id;
    // server_urls may list several URLs separated by commas.
    const urls = String(p.server_urls ?? '').split(',').map((u) => u.trim()).filter(Boolean);
    this.signalingUrl = urls.find((u) => u.startsWith('wss://') || u.startsWith('ws://'));
    this.signature = signature(this.meetingUuid, this.streamId);
    this.wsOptions = ca ? { ca } : {};
    this.onFatal = onFatal;
    this.signaling = null;
    this.media = null;
    this.messages = 0;
    this.firstAudioUs = 0;
    this.closing = false;
  }

  fail(why) {
    if (this.closing) return;
    this.onFatal(`stream ${this.index} (${this.streamId}): ${why}`);
  }

  start() {
    if (!this.meetingUuid || !this.streamId || !this.signalingUrl) {
      this.fail('the webhook lacks meeting_uuid, rtms_stream_id or a ws(s):// server_urls');
      return;
    }
    const ws = new WebSocket(this.signalingUrl, this.wsOptions);
    this.signaling = ws;
    ws.on('open', () => {
      this.send(ws, {
        msg_type: MSG.SIGNALING_HAND_SHAKE_REQ,
        protocol_version: 1,
        sequence: 1,
        meeting_uuid: this.meetingUuid,
        rtms_stream_id: this.streamId,
        signature: this.signature,
        buffer_data: true,
      });
    });
    ws.on('message', (data) => this.onSignaling(JSON.parse(data.toString())));
    ws.on('error', (err) => this.fail(`signaling socket error: ${err.message}`));
    ws.on('close', (code, reason) => this.fail(`signaling socket closed (${code} ${reason})`));
  }

  send(ws, message) {
    ws.send(JSON.stringify(message));
  }

  onSignaling(msg) {
    switch (msg.msg_type) {
      case MSG.SIGNALING_HAND_SHAKE_RESP: {
        if (msg.status_code !== 0) {
          this.fail(`signaling handshake refused: status ${msg.status_code} "${msg.reason ?? ''}"`);
          return;
        }
        const urls = msg.media_server?.server_urls ?? {};
        // One unified socket on the "all" URL asking for audio only, as
        // rtmssrc does by default; the "audio" URL when there is no "all".
        const url = urls.all ?? urls.audio;
        if (!url) {
          this.fail('the signaling handshake answer has no media URL (all or audio)');
          return;
        }
        this.send(this.signaling, {
          msg_type: MSG.EVENT_SUBSCRIPTION,
          events: EVENTS.map((event_type) => ({ event_type, subscribe: true })),
        });
        this.connectMedia(url);
        break;
      }
      case MSG.KEEP_ALIVE_REQ:
        this.send(this.signaling, { msg_type: MSG.KEEP_ALIVE_RESP, timestamp: msg.timestamp });
        break;
      case MSG.STREAM_STATE_UPDATE:
        if (msg.state === STREAM_STATE_TERMINATED)
          this.fail(`the server terminated the stream (reason ${msg.reason})`);
        break;
      default:
        totals.otherMessages++; // events, session state: nothing to do here
    }
  }

  connectMedia(url) {
    const ws = new WebSocket(url, this.wsOptions);
    this.media = ws;
    ws.on('open', () => {
      this.send(ws, {
        msg_type: MSG.DATA_HAND_SHAKE_REQ,
        protocol_version: 1,
        sequence: 0,
        meeting_uuid: this.meetingUuid,
        rtms_stream_id: this.streamId,
        signature: this.signature,
        media_type: MEDIA_AUDIO,
        payload_encryption: false,
        media_params: { audio: AUDIO_PARAMS },
      });
    });
    ws.on('message', (data) => this.onMedia(JSON.parse(data.toString())));
    ws.on('error', (err) => this.fail(`media socket error: ${err.message}`));
    ws.on('close', (code, reason) => this.fail(`media socket closed (${code} ${reason})`));
  }

  onMedia(msg) {
    switch (msg.msg_type) {
      case MSG.MEDIA_DATA_AUDIO: {
        const pcm = Buffer.from(msg.content.data, 'base64');
        if (windowOpen) latency.record(msg.content.timestamp, wallUs());
        totals.messages++;
        totals.bytes += pcm.length;
        if (this.messages++ === 0) this.firstAudioUs = nowUs();
        break;
      }
      case MSG.KEEP_ALIVE_REQ:
        this.send(this.media, { msg_type: MSG.KEEP_ALIVE_RESP, timestamp: msg.timestamp });
        break;
      case MSG.DATA_HAND_SHAKE_RESP:
        if (msg.status_code !== 0) {
          this.fail(`media handshake refused: status ${msg.status_code} "${msg.reason ?? ''}"`);
          return;
        }
        this.send(this.signaling, { msg_type: MSG.CLIENT_READY_ACK, rtms_stream_id: this.streamId });
        break;
      default:
        totals.otherMessages++;
    }
  }

  close() {
    this.closing = true;
    for (const ws of [this.media, this.signaling]) {
      if (!ws) continue;
      ws.removeAllListeners('message');
      ws.on('error', () => {});
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else if (ws.readyState === WebSocket.OPEN) ws.close(1000);
    }
  }

  // Sockets that have not finished closing after close() get dropped.
  terminate() {
    for (const ws of [this.media, this.signaling]) if (ws && ws.readyState !== WebSocket.CLOSED) ws.terminate();
  }
}

// ---- the run -----------------------------------------------------------------

const opts = parseArgs(process.argv.slice(2));
const cpuCount = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
const pin = opts.pin && cpuCount > 1;
const emulatorCpu = opts.emulatorCpu >= 0 ? opts.emulatorCpu : cpuCount - 1;
if (pin) {
  if (opts.clientCpu >= cpuCount || emulatorCpu >= cpuCount)
    die(`this machine has CPUs 0 ... ${cpuCount - 1}`);
  if (opts.clientCpu === emulatorCpu) die('--client-cpu and --emulator-cpu must differ');
  try {
    pinSelf(opts.clientCpu);
  } catch (err) {
    die(`cannot pin to CPU ${opts.clientCpu} with taskset: ${err.message}`);
  }
}

const wsVersion = createRequire(import.meta.url)('ws/package.json').version;
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtms-node-baseline-'));
const logPath = path.join(temp, 'emulator.log');
let emulator = null;
let emulatorExited = false;
let streams = [];
let finished = false;
let fatal = null; // first fatal error; the main flow polls it
let wakeFatal = null;

function setFatal(why) {
  if (fatal || finished) return;
  fatal = why;
  if (wakeFatal) wakeFatal();
}

// Waits ms or until something fatal happens; returns false on the latter.
function waitOrFatal(ms) {
  if (fatal) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => { wakeFatal = null; resolve(true); }, ms);
    wakeFatal = () => { clearTimeout(timer); wakeFatal = null; resolve(false); };
  });
}

function killEmulatorNow() {
  if (emulator && !emulatorExited) {
    try { emulator.kill('SIGKILL'); } catch { /* gone */ }
  }
}

async function shutDown() {
  for (const s of streams) s.close();
  await sleep(200);
  for (const s of streams) s.terminate();
  if (emulator && !emulatorExited) {
    const exited = new Promise((resolve) => emulator.once('exit', resolve));
    emulator.kill('SIGTERM');
    const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
    if (!done) {
      killEmulatorNow();
      await Promise.race([exited, sleep(2000)]);
    }
  }
}

function cleanTemp(keep) {
  if (keep) {
    process.stderr.write(`rtms-node-baseline: files kept in ${temp}\n`);
    return;
  }
  try { fs.rmSync(temp, { recursive: true, force: true }); } catch { /* best effort */ }
}

async function finish(code, message) {
  if (finished) return;
  finished = true;
  if (message) process.stderr.write(`rtms-node-baseline: ${message}\n`);
  if (code === 1 && fs.existsSync(logPath)) {
    const log = fs.readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-8).join('\n');
    if (log) process.stderr.write(`rtms-node-baseline: last emulator log lines (${logPath}):\n${log}\n`);
  }
  await shutDown();
  cleanTemp(opts.keepTemp || code === 1);
  process.exit(code);
}

process.on('exit', killEmulatorNow);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => finish(130, `interrupted (${sig})`));

// Never hang: everything must be over within this.
const overallMs = (opts.startupTimeout + opts.warmup + opts.duration + 40 + opts.streams / 50) * 1000;
const overallTimer = setTimeout(() => {
  process.stderr.write('rtms-node-baseline: overall timeout; killing everything\n');
  killEmulatorNow();
  process.exit(3);
}, overallMs);
overallTimer.unref();

function spawnEmulator() {
  // The meeting must outlast start-up, warm-up and the window; we end it
  // ourselves (SIGTERM) once the window is measured.
  const meetingMs = Math.ceil((opts.startupTimeout + opts.warmup + opts.duration + 15) * 1000);
  const scriptPath = path.join(temp, 'script.json');
  fs.writeFileSync(scriptPath, meetingScript(meetingMs));
  const args = [
    '--script', scriptPath,
    '--manifest', path.join(temp, 'manifest.json'),
    '--host', '127.0.0.1',
    '--client-id', CLIENT_ID,
    '--client-secret', CLIENT_SECRET,
    '--wait-client', String((opts.startupTimeout + 60) * 1000),
    '--streams', String(opts.streams),
  ];
  if (opts.tls) args.push('--tls', '--cert-dir', path.join(temp, 'certs'));
  if (opts.coalesce) args.push('--coalesce');
  if (opts.emulatorPoll > 0) args.push('--socket-poll-interval', String(opts.emulatorPoll));
  args.push(...opts.emulatorArgs);
  const log = fs.openSync(logPath, 'w');
  const [cmd, argv] = pin ? ['taskset', ['-c', String(emulatorCpu), opts.emulator, ...args]] : [opts.emulator, args];
  emulator = spawn(cmd, argv, { stdio: ['ignore', 'pipe', log] });
  fs.closeSync(log);
  emulator.on('error', (err) => setFatal(`cannot start ${opts.emulator}: ${err.message}`));
  emulator.on('exit', (code, signal) => {
    emulatorExited = true;
    setFatal(`the emulator exited (${signal ?? `code ${code}`}) before the run was over`);
  });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: emulator.stdout });
    const timer = setTimeout(() => reject(new Error('the emulator printed no ready line in time')),
      (20 + opts.streams / 100) * 1000);
    const poll = setInterval(() => {
      if (fatal) { clearTimeout(timer); clearInterval(poll); reject(new Error(fatal)); }
    }, 50);
    lines.on('line', (line) => {
      let msg;
      try { msg = JSON.parse(line); } catch { return; }
      if (msg?.event !== 'ready') return;
      clearTimeout(timer);
      clearInterval(poll);
      // Several streams: streams[i].webhook; one stream: webhook.
      const hooks = Array.isArray(msg.streams) ? msg.streams.map((s) => s.webhook) : [msg.webhook];
      resolve({ webhooks: hooks, caFile: msg.ca_file ?? null, pid: msg.pid });
    });
  });
}

async function main() {
  let ready;
  try {
    ready = await spawnEmulator();
  } catch (err) {
    return finish(1, err.message);
  }
  if (ready.webhooks.length !== opts.streams || ready.webhooks.some((h) => !h))
    return finish(1, `the emulator announced ${ready.webhooks.length} streams, ${opts.streams} were asked for`);
  if (opts.tls && !ready.caFile) return finish(1, 'the emulator gave no ca_file with --tls');
  const ca = opts.tls ? fs.readFileSync(ready.caFile) : null;
  const emulatorPid = emulator.pid; // taskset execs the emulator: same pid

  // Everything the harness needs exists now: growth from here is the streams'.
  const rssBaseline = process.memoryUsage().rss;
  const peakBaseline = peakRssBytes();

  const startUs = nowUs();
  streams = ready.webhooks.map((hook, i) => new Stream(i, hook, ca, setFatal));
  for (const s of streams) s.start();

  // Every stream must deliver audio within the start-up timeout.
  const deadline = startUs + opts.startupTimeout * 1e6;
  while (streams.some((s) => s.messages === 0)) {
    if (nowUs() > deadline) {
      const missing = streams.filter((s) => s.messages === 0).length;
      return finish(1, `${missing} of ${opts.streams} streams delivered no audio within ${opts.startupTimeout} s`);
    }
    if (!(await waitOrFatal(20))) return finish(1, fatal);
  }
  const firsts = streams.map((s) => (s.firstAudioUs - startUs) / 1000).sort((a, b) => a - b);

  if (!(await waitOrFatal(opts.warmup * 1000))) return finish(1, fatal);

  // The window.
  const emu0 = processCpuSeconds(emulatorPid);
  const t0 = nowUs();
  const cpu0 = process.cpuUsage();
  const m0 = totals.messages;
  const b0 = totals.bytes;
  windowOpen = true;
  if (!(await waitOrFatal(opts.duration * 1000))) return finish(1, fatal);
  windowOpen = false;
  const cpu = process.cpuUsage(cpu0);
  const t1 = nowUs();
  const messages = totals.messages - m0;
  const bytes = totals.bytes - b0;
  const emu1 = processCpuSeconds(emulatorPid);
  const rssEnd = process.memoryUsage().rss;
  const peakEnd = peakRssBytes();

  const windowS = (t1 - t0) / 1e6;
  const cpuS = (cpu.user + cpu.system) / 1e6;
  // What the sockets negotiated (ws gives the accepted extensions as a
  // comma-separated string): "none" is the equal-terms condition (issue 16).
  const negotiated = new Set();
  for (const s of streams)
    for (const ws of [s.signaling, s.media])
      for (const e of String(ws?.extensions ?? '').split(',').map((x) => x.trim()).filter(Boolean)) negotiated.add(e);
  const r = {
    tool: 'rtms-node-baseline',
    proto: opts.tls ? 'wss' : 'ws',
    streams: opts.streams,
    window_s: windowS,
    messages,
    msg_per_s: messages / windowS,
    expected_msg_per_s: MESSAGES_PER_STREAM_SECOND * opts.streams,
    mbytes_per_s: bytes / windowS / 1e6,
    cpu_s: cpuS,
    cpu_user_s: cpu.user / 1e6,
    cpu_sys_s: cpu.system / 1e6,
    cpu_s_per_stream_s: cpuS / windowS / opts.streams,
    cpu_us_per_msg: messages ? (cpuS * 1e6) / messages : 0,
    rss_baseline_mib: mib(rssBaseline),
    rss_end_mib: mib(rssEnd),
    rss_per_stream_mib: mib(rssEnd - rssBaseline) / opts.streams,
    peak_rss_per_stream_mib: peakBaseline && peakEnd ? mib(peakEnd - peakBaseline) / opts.streams : null,
    first_audio_p50_ms: firsts[Math.floor((firsts.length - 1) / 2)],
    first_audio_max_ms: firsts[firsts.length - 1],
    ...latency.summary(),
    emulator_cpu_s: emu0 >= 0 && emu1 >= 0 ? emu1 - emu0 : null,
    client_cpus: cpusAllowed(),
    emulator_cpu: pin ? emulatorCpu : null,
    extensions: negotiated.size ? [...negotiated].join('+') : 'none',
    node: process.version,
    ws: wsVersion,
  };
  if (opts.json) {
    process.stdout.write(JSON.stringify(r) + '\n');
  } else {
    const f = (v, d) => (v === null ? 'n/a' : v.toFixed(d));
    process.stdout.write(
      `node-baseline proto=${r.proto} N=${r.streams} window=${f(r.window_s, 2)}s msgs=${r.messages} ` +
      `msg/s=${f(r.msg_per_s, 1)} (expected ${r.expected_msg_per_s}) MB/s=${f(r.mbytes_per_s, 3)} ` +
      `CPU-s=${f(r.cpu_s, 3)} CPU-s/s/strm=${f(r.cpu_s_per_stream_s, 5)} us/msg=${f(r.cpu_us_per_msg, 1)} ` +
      `RSS/strm=${f(r.rss_per_stream_mib, 2)}MiB (peak-based ${f(r.peak_rss_per_stream_mib, 2)}MiB) ` +
      `RSS-baseline=${f(r.rss_baseline_mib, 1)}MiB RSS-end=${f(r.rss_end_mib, 1)}MiB ` +
      `1st-audio p50/max=${f(r.first_audio_p50_ms, 0)}/${f(r.first_audio_max_ms, 0)}ms ` +
      `latency p50/p99/max=${f(r.latency_p50_ms, 2)}/${f(r.latency_p99_ms, 2)}/${f(r.latency_max_ms, 2)}ms ` +
      `emulator-CPU-s=${f(r.emulator_cpu_s, 2)} cpus=${r.client_cpus}/${r.emulator_cpu ?? 'unpinned'} ` +
      `extensions=${r.extensions} node=${r.node} ws=${r.ws}\n`);
  }
  if (r.msg_per_s < 0.95 * r.expected_msg_per_s)
    process.stderr.write(`rtms-node-baseline: warning: received ${r.msg_per_s.toFixed(1)} msg/s, ` +
      `below the ${r.expected_msg_per_s} msg/s the emulator sends (overloaded?)\n`);
  return finish(0);
}

main().catch((err) => finish(1, `unexpected error: ${err?.stack ?? err}`));
