#!/usr/bin/env node
// rtms-rtmsmanager-baseline: measures Zoom's own JavaScript RTMS client library
// (RTMSManager) against rtms-emulator, the same way rtms-node-baseline measures
// our plain Node client, so that rtmssrc, node-baseline and RTMSManager can be
// compared in one run (docs/benchmarks.md, seventh pass).
//
// Our own code. The library is NOT part of this repository: it is loaded at
// run time from the directory given with --rtms-manager (README.md says where
// to get it). Nothing here is copied from it; we only call its public API
// (RTMSManager.init, RTMSManager.handleEvent, RTMSManager.on('audio')).
//
// Two processes:
// - the launcher (this file, default role) pins itself to the client CPU,
//   starts the emulator pinned to the other CPU, reads its ready line, then
//   forks
// - the client (this file with --child), which inherits the pinning and gets
//   NODE_EXTRA_CA_CERTS = the emulator's CA with --tls (the library opens its
//   sockets with `new WebSocket(url)` and no TLS options; Node reads that
//   variable only at start-up, and the CA exists only once the emulator has
//   started). The client loads RTMSManager, feeds it the streams'
//   rtms_started webhooks, counts the audio callbacks and measures its own CPU
//   and RSS. The launcher only waits on IPC and reads the emulator's CPU.
//
// Usage:
//   node rtms-rtmsmanager-baseline.mjs --rtms-manager DIR --emulator PATH
//        --streams N --duration S [--tls] [--warmup S] [--startup-timeout S]
//        [--client-cpu C] [--emulator-cpu C] [--no-pin] [--coalesce]
//        [--emulator-poll-interval MS] [--emulator-arg ARG]... [--json] [--keep-temp]

import { spawn, fork, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { LatencyHistogram, wallUs } from '../js-common/latency.mjs';

// The benchmark's audio profile, as in rtms-node-baseline.mjs and
// tools/bench/profile.cpp: 3 participants talking the whole meeting,
// per-participant L16 16 kHz mono every 20 ms.
const PARTICIPANTS = [
  { user_id: 16778240, user_name: 'Alice', tone_hz: 440 },
  { user_id: 16779264, user_name: 'Bob', tone_hz: 550 },
  { user_id: 16780288, user_name: 'Carol', tone_hz: 660 },
];
const SEND_RATE_MS = 20;
const MESSAGES_PER_STREAM_SECOND = PARTICIPANTS.length * (1000 / SEND_RATE_MS);
// The numeric values of the audio media parameters (docs/protocol.md#audio-parameters):
// RAW_AUDIO, SR_16K, MONO, L16, AUDIO_MULTI_STREAMS, 20 ms.
const AUDIO_PARAMS = { contentType: 2, sampleRate: 1, channel: 1, codec: 1, dataOpt: 2, sendRate: SEND_RATE_MS };
const MEDIA_AUDIO_FLAG = 1;
const CLIENT_ID = 'emulator-client-id';
const CLIENT_SECRET = 'emulator-client-secret';
const SECRET_TOKEN = 'emulator-secret-token'; // only for webhook validation, which is not used here

const USAGE = `usage: node rtms-rtmsmanager-baseline.mjs --rtms-manager DIR --emulator PATH --streams N --duration S [options]
  --rtms-manager DIR         RTMSManager's directory (javascript/rtmsManager of zoom/rtms-samples' library/,
                             with its npm dependencies installed; see README.md)
  --emulator PATH            rtms-emulator binary
  --streams N                streams to receive (1 ... 10000)
  --duration S               measured window in seconds
  --warmup S                 wait this long after every stream's first audio (default 3)
  --tls                      wss:// (the emulator's CA is trusted via NODE_EXTRA_CA_CERTS in the client process)
  --startup-timeout S        all streams must deliver audio within S (default 10 + N/20, as rtms-bench)
  --client-cpu C             pin the client to CPU C (default 0)
  --emulator-cpu C           pin the emulator to CPU C (default: the last CPU)
  --no-pin                   pin nothing
  --coalesce                 pass --coalesce to the emulator (as rtms-bench --coalesce)
  --emulator-poll-interval MS  the emulator's --socket-poll-interval (as rtms-bench)
  --emulator-arg ARG         pass ARG to the emulator as is (repeatable)
  --json                     print the result as one JSON object instead of key=value
  --keep-temp                keep the temporary directory (script, certificates, emulator log)`;

function die(message, code = 2) {
  process.stderr.write(`rtms-rtmsmanager-baseline: ${message}\n`);
  process.exit(code);
}

function parseArgs(argv) {
  const o = {
    rtmsManager: '', emulator: '', streams: 0, duration: 0, warmup: 3, tls: false, startupTimeout: 0,
    clientCpu: 0, emulatorCpu: -1, pin: true, coalesce: false, emulatorPoll: 0, json: false,
    keepTemp: false, emulatorArgs: [], child: false,
  };
  const number = (name, text, min, max) => {
    const v = Number(text);
    if (text === undefined || text === '' || !Number.isFinite(v) || v < min || v > max)
      die(`${name} wants a number from ${min} to ${max}, got "${text ?? ''}"\n${USAGE}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let inline;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    if (eq > 0) {
      inline = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const next = () => (inline !== undefined ? inline : argv[++i]);
    switch (a) {
      case '--rtms-manager': o.rtmsManager = next() ?? ''; break;
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
      case '--child': o.child = true; break;
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
  if (o.child) return o;
  if (!o.rtmsManager) die(`--rtms-manager is required\n${USAGE}`);
  if (!fs.existsSync(path.join(o.rtmsManager, 'index.js')))
    die(`${o.rtmsManager}/index.js does not exist (see README.md for where to get RTMSManager)`);
  if (!fs.existsSync(path.join(o.rtmsManager, 'node_modules', 'ws')))
    die(`${o.rtmsManager}/node_modules/ws is missing: run npm install there first`);
  if (!o.emulator) die(`--emulator is required\n${USAGE}`);
  if (!o.streams) die(`--streams is required\n${USAGE}`);
  if (!o.duration) die(`--duration is required\n${USAGE}`);
  if (!o.startupTimeout) o.startupTimeout = 10 + Math.floor(o.streams / 20);
  return o;
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (bytes) => bytes / (1024 * 1024);

function peakRssBytes() {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
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

// ============================ the client process ============================
// Gets {rtmsManager, webhooks, opts} over IPC, reports {result} or {error}.

async function runChild() {
  let fatal = null;
  let wake = null;
  const setFatal = (why) => {
    if (!fatal) fatal = why;
    if (wake) wake();
  };
  const waitOrFatal = (ms) => {
    if (fatal) return Promise.resolve(false);
    return new Promise((resolve) => {
      const t = setTimeout(() => { wake = null; resolve(true); }, ms);
      wake = () => { clearTimeout(t); wake = null; resolve(false); };
    });
  };
  const job = await new Promise((resolve) => process.once('message', resolve));
  const { opts, webhooks } = job;
  process.on('disconnect', () => process.exit(130)); // the launcher is gone

  const lib = await import(pathToFileURL(path.join(path.resolve(opts.rtmsManager), 'index.js')).href);
  const { RTMSManager } = lib;
  let libVersion = '?';
  let wsVersion = '?';
  try {
    libVersion = JSON.parse(fs.readFileSync(path.join(opts.rtmsManager, 'package.json'), 'utf8')).version;
    wsVersion = JSON.parse(fs.readFileSync(path.join(opts.rtmsManager, 'node_modules', 'ws', 'package.json'), 'utf8')).version;
  } catch { /* keep ? */ }

  await RTMSManager.init({
    credentials: { meeting: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, secretToken: SECRET_TOKEN } },
    mediaTypes: MEDIA_AUDIO_FLAG,
    mediaParams: { audio: AUDIO_PARAMS },
    logging: 'off',
  });

  // Counters: what the library delivers to the application.
  const totals = { messages: 0, bytes: 0 };
  const perStream = new Map(); // rtms_stream_id -> { messages, firstAudioUs }
  for (const w of webhooks) perStream.set(w.payload.rtms_stream_id, { messages: 0, firstAudioUs: 0 });
  // Latency of the window's messages only (js-common/latency.mjs).
  const latency = new LatencyHistogram();
  let windowOpen = false;
  RTMSManager.on('audio', (a) => {
    if (windowOpen) latency.record(a.timestamp, wallUs());
    totals.messages++;
    totals.bytes += a.buffer.length;
    const s = perStream.get(a.streamId);
    if (s && s.messages++ === 0) s.firstAudioUs = nowUs();
  });
  let errors = 0;
  RTMSManager.on('error', (e) => {
    errors++;
    setFatal(`RTMSManager reported an error: ${e?.toShortString ? e.toShortString() : (e?.message ?? e)}`);
  });
  for (const ev of ['stream_state_changed', 'session_state_changed'])
    RTMSManager.on(ev, ({ state }) => {
      if ((ev === 'stream_state_changed' && state === 4) || (ev === 'session_state_changed' && state === 5))
        setFatal(`${ev} to ${state} before the run was over`);
    });

  const rssBaseline = process.memoryUsage().rss;
  const peakBaseline = peakRssBytes();

  const startUs = nowUs();
  for (const w of webhooks) RTMSManager.handleEvent(w.event, w.payload);

  const deadline = startUs + opts.startupTimeout * 1e6;
  const silent = () => [...perStream.values()].filter((s) => s.messages === 0).length;
  while (silent() > 0) {
    if (nowUs() > deadline) {
      process.send({ error: `${silent()} of ${opts.streams} streams delivered no audio within ${opts.startupTimeout} s` });
      return;
    }
    if (!(await waitOrFatal(20))) { process.send({ error: fatal }); return; }
  }
  const firsts = [...perStream.values()].map((s) => (s.firstAudioUs - startUs) / 1000).sort((a, b) => a - b);
  if (!(await waitOrFatal(opts.warmup * 1000))) { process.send({ error: fatal }); return; }

  process.send({ window: 'start' });
  const perStream0 = new Map([...perStream].map(([k, s]) => [k, s.messages]));
  const t0 = nowUs();
  const cpu0 = process.cpuUsage();
  const m0 = totals.messages;
  const b0 = totals.bytes;
  windowOpen = true;
  if (!(await waitOrFatal(opts.duration * 1000))) { process.send({ error: fatal }); return; }
  windowOpen = false;
  const cpu = process.cpuUsage(cpu0);
  const t1 = nowUs();
  process.send({ window: 'end' });
  const messages = totals.messages - m0;
  const bytes = totals.bytes - b0;
  const rssEnd = process.memoryUsage().rss;
  const peakEnd = peakRssBytes();
  const windowS = (t1 - t0) / 1e6;
  const cpuS = (cpu.user + cpu.system) / 1e6;

  // What the sockets negotiated: every signaling and media socket the library
  // holds. `ws` gives the accepted extensions as a comma-separated string.
  const negotiated = new Set();
  let sockets = 0;
  let mediaSockets = 0;
  for (const h of RTMSManager.instance.getActiveConnections()) {
    const all = [h.signaling?.socket, ...Object.values(h.media || {}).map((m) => m?.socket)];
    for (const ws of all) {
      if (!ws) continue;
      sockets++;
      for (const e of String(ws.extensions ?? '').split(',').map((x) => x.trim()).filter(Boolean)) negotiated.add(e);
    }
    mediaSockets += Object.values(h.media || {}).filter((m) => m?.socket).length;
  }
  const expectedPerStream = MESSAGES_PER_STREAM_SECOND * windowS;
  const starved = [...perStream].filter(([k, s]) => s.messages - perStream0.get(k) < 0.95 * expectedPerStream).length;
  // Messages the window should have held and did not (a message in flight at
  // either edge of the window is allowed per participant).
  const shortfall = [...perStream].reduce((sum, [k, s]) =>
    sum + Math.max(0, Math.floor(expectedPerStream) - PARTICIPANTS.length - (s.messages - perStream0.get(k))), 0);

  process.send({
    result: {
      window_s: windowS,
      messages,
      msg_per_s: messages / windowS,
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
      streams_below_95pct: starved,
      shortfall_msgs: shortfall,
      ...latency.summary(),
      sockets,
      media_sockets: mediaSockets,
      extensions: negotiated.size ? [...negotiated].join('+') : 'none',
      errors,
      client_cpus: cpusAllowed(),
      node: process.version,
      rtms_manager: libVersion,
      ws: wsVersion,
    },
  });
  // Leave quietly: no reconnection attempts while the launcher ends the emulator.
  try { await RTMSManager.instance.stop(); } catch { /* best effort */ }
  await sleep(200);
  process.exit(0);
}

// ============================ the launcher ==================================

function meetingScript(durationMs) {
  return JSON.stringify({
    meeting_uuid: 'RtmsManagerBaseline00000000==',
    rtms_stream_id: '000000000000000000000002' + '00000000',
    duration_ms: durationMs,
    participants: PARTICIPANTS.map((p) => ({ ...p, camera: [], talk: [[0, durationMs]] })),
  }) + '\n';
}

let clockTicks = 100;
function processCpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return -1;
  }
}

async function runLauncher(opts) {
  try {
    clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch { /* keep 100 */ }
  const cpuCount = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  const pin = opts.pin && cpuCount > 1;
  const emulatorCpu = opts.emulatorCpu >= 0 ? opts.emulatorCpu : cpuCount - 1;
  if (pin) {
    if (opts.clientCpu >= cpuCount || emulatorCpu >= cpuCount) die(`this machine has CPUs 0 ... ${cpuCount - 1}`);
    if (opts.clientCpu === emulatorCpu) die('--client-cpu and --emulator-cpu must differ');
    try {
      // All threads of the launcher; the client process inherits it.
      execFileSync('taskset', ['-a', '-cp', String(opts.clientCpu), String(process.pid)], { stdio: 'ignore' });
    } catch (err) {
      die(`cannot pin to CPU ${opts.clientCpu} with taskset: ${err.message}`);
    }
  }

  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtms-rtmsmanager-baseline-'));
  const logPath = path.join(temp, 'emulator.log');
  let emulator = null;
  let emulatorExited = false;
  let child = null;
  let finished = false;

  const killAll = () => {
    if (child && child.exitCode === null) try { child.kill('SIGKILL'); } catch { /* gone */ }
    if (emulator && !emulatorExited) try { emulator.kill('SIGKILL'); } catch { /* gone */ }
  };
  process.on('exit', killAll);

  const finish = async (code, message) => {
    if (finished) return;
    finished = true;
    if (message) process.stderr.write(`rtms-rtmsmanager-baseline: ${message}\n`);
    if (code === 1 && fs.existsSync(logPath)) {
      const log = fs.readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-8).join('\n');
      if (log) process.stderr.write(`rtms-rtmsmanager-baseline: last emulator log lines (${logPath}):\n${log}\n`);
    }
    if (child && child.exitCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      await Promise.race([gone, sleep(3000)]);
      if (child.exitCode === null) try { child.kill('SIGKILL'); } catch { /* gone */ }
    }
    if (emulator && !emulatorExited) {
      const exited = new Promise((resolve) => emulator.once('exit', resolve));
      emulator.kill('SIGTERM');
      if (!(await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]))) {
        killAll();
        await Promise.race([exited, sleep(2000)]);
      }
    }
    if (opts.keepTemp || code === 1) process.stderr.write(`rtms-rtmsmanager-baseline: files kept in ${temp}\n`);
    else try { fs.rmSync(temp, { recursive: true, force: true }); } catch { /* best effort */ }
    process.exit(code);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => finish(130, `interrupted (${sig})`));
  const overallMs = (opts.startupTimeout + opts.warmup + opts.duration + 40 + opts.streams / 50) * 1000;
  setTimeout(() => {
    process.stderr.write('rtms-rtmsmanager-baseline: overall timeout; killing everything\n');
    killAll();
    process.exit(3);
  }, overallMs).unref();

  // The emulator: exactly as rtms-node-baseline starts it.
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
  let onEmulatorGone = null;
  emulator.on('error', (err) => { emulatorExited = true; if (onEmulatorGone) onEmulatorGone(`cannot start ${opts.emulator}: ${err.message}`); });
  emulator.on('exit', (code, signal) => {
    emulatorExited = true;
    if (onEmulatorGone) onEmulatorGone(`the emulator exited (${signal ?? `code ${code}`}) before the run was over`);
  });

  let ready;
  try {
    ready = await new Promise((resolve, reject) => {
      onEmulatorGone = (why) => reject(new Error(why));
      const timer = setTimeout(() => reject(new Error('the emulator printed no ready line in time')),
        (20 + opts.streams / 100) * 1000);
      readline.createInterface({ input: emulator.stdout }).on('line', (line) => {
        let msg;
        try { msg = JSON.parse(line); } catch { return; }
        if (msg?.event !== 'ready') return;
        clearTimeout(timer);
        const hooks = Array.isArray(msg.streams) ? msg.streams.map((s) => s.webhook) : [msg.webhook];
        resolve({ webhooks: hooks, caFile: msg.ca_file ?? null });
      });
    });
  } catch (err) {
    return finish(1, err.message);
  }
  if (ready.webhooks.length !== opts.streams || ready.webhooks.some((h) => !h?.payload))
    return finish(1, `the emulator announced ${ready.webhooks.length} streams, ${opts.streams} were asked for`);
  if (opts.tls && !ready.caFile) return finish(1, 'the emulator gave no ca_file with --tls');
  const emulatorPid = emulator.pid; // taskset execs the emulator: same pid

  // The client process.
  const env = { ...process.env };
  if (opts.tls) env.NODE_EXTRA_CA_CERTS = ready.caFile;
  else delete env.NODE_EXTRA_CA_CERTS;
  child = fork(fileURLToPath(import.meta.url), ['--child'], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let emu0 = -1;
  let emu1 = -1;
  const outcome = await new Promise((resolve) => {
    onEmulatorGone = (why) => resolve({ error: why });
    child.on('exit', (code, signal) => resolve({ error: `the client process exited (${signal ?? `code ${code}`}) without a result` }));
    child.on('message', (m) => {
      if (m.window === 'start') emu0 = processCpuSeconds(emulatorPid);
      else if (m.window === 'end') emu1 = processCpuSeconds(emulatorPid);
      else resolve(m);
    });
    child.send({ opts, webhooks: ready.webhooks });
  });
  onEmulatorGone = null;
  if (outcome.error) return finish(1, outcome.error);

  const c = outcome.result;
  const r = {
    tool: 'rtms-rtmsmanager-baseline',
    proto: opts.tls ? 'wss' : 'ws',
    streams: opts.streams,
    expected_msg_per_s: MESSAGES_PER_STREAM_SECOND * opts.streams,
    ...c,
    emulator_cpu_s: emu0 >= 0 && emu1 >= 0 ? emu1 - emu0 : null,
    emulator_cpu: pin ? emulatorCpu : null,
  };
  if (opts.json) {
    process.stdout.write(JSON.stringify(r) + '\n');
  } else {
    const f = (v, d) => (v === null || v === undefined ? 'n/a' : v.toFixed(d));
    process.stdout.write(
      `rtmsmanager proto=${r.proto} N=${r.streams} window=${f(r.window_s, 2)}s msgs=${r.messages} ` +
      `msg/s=${f(r.msg_per_s, 1)} (expected ${r.expected_msg_per_s}) MB/s=${f(r.mbytes_per_s, 3)} ` +
      `CPU-s=${f(r.cpu_s, 3)} CPU-s/s/strm=${f(r.cpu_s_per_stream_s, 5)} us/msg=${f(r.cpu_us_per_msg, 1)} ` +
      `RSS/strm=${f(r.rss_per_stream_mib, 2)}MiB (peak-based ${f(r.peak_rss_per_stream_mib, 2)}MiB) ` +
      `RSS-baseline=${f(r.rss_baseline_mib, 1)}MiB RSS-end=${f(r.rss_end_mib, 1)}MiB ` +
      `1st-audio p50/max=${f(r.first_audio_p50_ms, 0)}/${f(r.first_audio_max_ms, 0)}ms ` +
      `latency p50/p99/max=${f(r.latency_p50_ms, 2)}/${f(r.latency_p99_ms, 2)}/${f(r.latency_max_ms, 2)}ms ` +
      `shortfall=${r.shortfall_msgs} ` +
      `emulator-CPU-s=${f(r.emulator_cpu_s, 2)} cpus=${r.client_cpus}/${r.emulator_cpu ?? 'unpinned'} ` +
      `sockets=${r.sockets} (media ${r.media_sockets}) extensions=${r.extensions} ` +
      `node=${r.node} rtms-manager=${r.rtms_manager} ws=${r.ws}\n`);
  }
  if (r.msg_per_s < 0.95 * r.expected_msg_per_s || r.streams_below_95pct > 0)
    process.stderr.write(`rtms-rtmsmanager-baseline: warning: received ${r.msg_per_s.toFixed(1)} msg/s ` +
      `(${r.streams_below_95pct} streams below 95 % of their rate), the emulator sends ${r.expected_msg_per_s} msg/s (overloaded?)\n`);
  return finish(0);
}

const opts = parseArgs(process.argv.slice(2));
if (opts.child) {
  runChild().catch((err) => {
    try { process.send({ error: `unexpected error in the client: ${err?.stack ?? err}` }); } catch { /* no IPC */ }
    setTimeout(() => process.exit(1), 100);
  });
} else {
  runLauncher(opts).catch((err) => die(`unexpected error: ${err?.stack ?? err}`, 1));
}
