// Glass-to-glass delay of the gateway's WebRTC viewers (docs/benchmarks.md):
// the emulator (--stamp-frames) draws each camera frame's place in its
// one-second loop as a barcode and sends frame i at t0 + i/fps; the page
// (?g2g=1) reads the barcode of every frame it shows, with the time it is
// shown. Delay = shown - sent, the frame's send time found as the latest
// one with that place (so delays must be under one second to count).
// The audio is marked too (--stamp-frames: a tone burst at each second of
// meeting time, the instant of barcode 0): the page pairs each burst it hears
// with the frame 0 it shows, the A/V offset (> 0: sound after picture). At the
// end, the gateway's own added delay (tap to webrtcbin) from its /metrics.
// A benchmark, not a test: prints p50/p90/p99.
//
//   NODE_PATH=<build>/tests/browser/node_modules RTMS_GATEWAY=... RTMS_EMULATOR=... \
//   GST_PLUGIN_PATH=<build>/gst/rtms node tests/browser/glass_to_glass.js [SECONDS] [auto|encode] [two]
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const puppeteer = require('puppeteer-core');

const SECRET = 'g2g-webhook-secret';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const sorted = (a) => a.slice().sort((x, y) => x - y);
const pick = (a, p) => (a.length ? Math.round(a[Math.min(a.length - 1, Math.floor(p * a.length))]) : null);

// A Prometheus histogram of the metrics text: its buckets, and a quantile
// interpolated within its bucket (as histogram_quantile does).
function histogram(text, name, labels) {
  const buckets = [];
  let sum = 0, count = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '_') || !line.includes('{' + labels)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith(name + '_bucket')) {
      const le = /le="([^"]+)"/.exec(line)[1];
      buckets.push([le === '+Inf' ? Infinity : Number(le), value]);
    } else if (line.startsWith(name + '_sum')) sum = value;
    else if (line.startsWith(name + '_count')) count = value;
  }
  const quantile = (p) => {
    const rank = p * count;
    let lower = 0, below = 0;
    for (const [le, n] of buckets) {
      if (n >= rank) {
        if (le === Infinity) return lower;
        return lower + (le - lower) * (n === below ? 0 : (rank - below) / (n - below));
      }
      lower = le;
      below = n;
    }
    return lower;
  };
  return { sum, count, quantile };
}

async function main() {
  const seconds = Number(process.argv[2] || 30);
  const mode = process.argv[3] || 'auto';
  // 'two': Bob talks in the first second only, then is silent (Zoom sends
  // nothing): the viewers' mixer waits for him (its latency) from then on.
  const two = process.argv[4] === 'two';
  const fps = 15;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtms-g2g-'));
  const script = path.join(tmp, 'meeting.json');
  fs.writeFileSync(script, JSON.stringify({
    meeting_uuid: 'GlassToGlass==', rtms_stream_id: 'a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2', duration_ms: (seconds + 10) * 1000,
    participants: [{ user_id: 16778240, user_name: 'Alice', tone_hz: 440, talk: [[0, (seconds + 10) * 1000]],
      video_pattern: 'ball' }].concat(two ? [{ user_id: 16779264, user_name: 'Bob', tone_hz: 660, talk: [[0, 1000]],
      camera: [] }] : []),
  }));
  const env = Object.assign({}, process.env, { ZM_WEBHOOK_SECRET: SECRET, ZM_RTMS_CLIENT: 'emulator-client-id',
    ZM_RTMS_SECRET: 'emulator-client-secret' });
  const gw = spawn(process.env.RTMS_GATEWAY, ['--port', '0', '--output-dir', path.join(tmp, 'rec'), '--allow-host',
    '127.0.0.1', '--allow-plaintext', '--webrtc-video', mode], { env, stdio: ['ignore', 'pipe', 'ignore'] });
  let ready = '';
  gw.stdout.on('data', (d) => { ready += d; });
  while (!ready.includes('"ready"')) await sleep(100);
  const webhook = JSON.parse(ready.split('\n')[0]).url;
  const base = webhook.replace(/\/webhook$/, '');
  let emulatorLog = '';
  const emu = spawn(process.env.RTMS_EMULATOR, ['--script', script, '--stamp-frames', '--video-bitrate', '1000',
    '--webhook-url', webhook, '--webhook-secret', SECRET], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  emu.stderr.on('data', (d) => { emulatorLog += d; });
  const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--headless=new', '--autoplay-policy=no-user-gesture-required', '--mute-audio'] });
  try {
    let list = [];
    while (!list.length) { list = await (await fetch(base + '/streams')).json(); await sleep(100); }
    const page = await browser.newPage();
    await page.goto(base + '/?g2g=1&stream=' + list[0].stream_id);
    // The RTCP sender reports Chromium has had of each kind, in the first 15 s
    // (every 250 ms): lip sync needs two of each (RTP time to wall clock).
    const reports = [];
    const started = Date.now();
    while (Date.now() - started < seconds * 1000) {
      if (Date.now() - started < 15000) {
        reports.push(await page.evaluate(async () => {
          const out = { at: Date.now() };
          const pc = window.rtmsViewer && window.rtmsViewer.pc;
          if (pc) (await pc.getStats()).forEach((r) => { if (r.type === 'remote-outbound-rtp') out[r.kind] = r.reportsSent; });
          return out;
        }));
      }
      await sleep(250);
    }
    const stamps = await page.evaluate(() => window.rtmsViewer.stamps);
    const av = await page.evaluate(() => ({ marks: window.rtmsViewer.avMarks, heard: window.rtmsViewer.audioMarks }));
    // What Chromium says of its own buffering: the jitter buffers' mean delay
    // (audio: NetEq; video: before decoding), and the audio path's latencies.
    const chromium = await page.evaluate(async () => {
      const out = {};
      (await window.rtmsViewer.pc.getStats()).forEach((r) => {
        if (r.type === 'inbound-rtp' && r.jitterBufferEmittedCount)
          out[r.kind + '_jitter_buffer_ms'] = Math.round(r.jitterBufferDelay / r.jitterBufferEmittedCount * 1000);
        // The gateway's RTCP sender reports received, per kind (lip sync needs two of each).
        if (r.type === 'remote-outbound-rtp') out[r.kind + '_sender_reports'] = r.reportsSent;
        if (r.type === 'media-playout' && r.totalSamplesCount)
          out.audio_playout_delay_ms = Math.round(r.totalPlayoutDelay / r.totalSamplesCount * 1000);
      });
      const ctx = new AudioContext();
      out.audio_context_latency_ms = Math.round(((ctx.baseLatency || 0) + (ctx.outputLatency || 0)) * 1000);
      ctx.close();
      return out;
    });
    const metrics = await (await fetch(base + '/metrics')).text();
    const t0 = Number((/meeting starts \(t0 (\d+)/.exec(emulatorLog) || [])[1]);
    if (!t0) throw new Error('no t0 in the emulator log');
    const delays = [];
    for (const s of stamps) {
      if (s.index >= fps) continue;
      // The latest frame i with i % fps == index sent before it was shown.
      const due = Math.floor((s.shown - t0) * fps / 1000);
      let i = due - (((due - s.index) % fps) + fps) % fps;
      let sent = t0 + Math.floor(i * 1000 / fps);
      if (sent > s.shown) { i -= fps; sent = t0 + Math.floor(i * 1000 / fps); }
      delays.push(s.shown - sent);
    }
    // The barcode read right: consecutive frames shown have consecutive places.
    let inOrder = 0;
    for (let k = 1; k < stamps.length; k++) if (stamps[k].index === (stamps[k - 1].index + 1) % fps) inOrder++;
    delays.sort((a, b) => a - b);
    const q = (p) => delays[Math.min(delays.length - 1, Math.floor(p * delays.length))];
    console.log(JSON.stringify({ mode, frames: delays.length, p50_ms: Math.round(q(0.5)), p90_ms: Math.round(q(0.9)),
      p99_ms: Math.round(q(0.99)), max_ms: Math.round(delays[delays.length - 1]),
      consecutive: (inOrder / Math.max(1, stamps.length - 1)).toFixed(3) }));
    // Audio: each burst's delay from its send instant (t0 + k s, k the latest
    // second before it was heard), and its offset from the frame 0 shown nearest.
    const offsets = sorted(av.marks.map((m) => m.offset_ms));
    // Chromium's lip sync takes some 10 s to settle: the marks after that, apart.
    const firstMark = av.marks.length ? av.marks[0].audio : 0;
    const settled = sorted(av.marks.filter((m) => m.audio - firstMark >= 10000).map((m) => m.offset_ms));
    // How soon it settles: the first mark from which every later one is
    // within 50 ms of the median of the run's second half (seconds after the first mark).
    const tail = sorted(av.marks.slice(Math.floor(av.marks.length / 2)).map((m) => m.offset_ms));
    const final = pick(tail, 0.5);
    let from = av.marks.length;
    while (from > 0 && Math.abs(av.marks[from - 1].offset_ms - final) <= 50) from--;
    const settledFromS = from < av.marks.length ? +((av.marks[from].audio - firstMark) / 1000).toFixed(1) : null;
    // When the second sender report of each kind arrived, seconds after the first A/V mark.
    const secondReport = {};
    for (const kind of ['audio', 'video']) {
      const r = reports.find((x) => x[kind] >= 2);
      secondReport[kind] = r && firstMark ? +((r.at - firstMark) / 1000).toFixed(1) : null;
    }
    const audioDelays = sorted(av.marks.map((m) => m.audio - (t0 + Math.floor((m.audio - t0) / 1000) * 1000)));
    console.log(JSON.stringify({ mode, audio_marks: offsets.length,
      audio_delay_p50_ms: pick(audioDelays, 0.5), audio_delay_p99_ms: pick(audioDelays, 0.99),
      av_offset_p50_ms: pick(offsets, 0.5), av_offset_p99_ms: pick(offsets, 0.99),
      av_offset_min_ms: offsets.length ? Math.round(offsets[0]) : null,
      av_offset_max_ms: offsets.length ? Math.round(offsets[offsets.length - 1]) : null,
      settled_marks: settled.length, settled_av_offset_p50_ms: pick(settled, 0.5),
      settled_av_offset_p99_ms: pick(settled, 0.99), settled_from_s: settledFromS, final_av_offset_ms: final,
      second_sender_report_s: secondReport,
      av_offsets_in_order_ms: av.marks.map((m) => Math.round(m.offset_ms)), chromium }));
    // The gateway's own delay, from rtmssrc's pad to a viewer's webrtcbin.
    for (const [media, pathLabel] of [['video', 'passthrough'], ['video', 'encoded'], ['audio', 'mixed']]) {
      const h = histogram(metrics, 'rtms_gateway_webrtc_added_delay_seconds', `media="${media}",path="${pathLabel}"`);
      if (!h.count) continue;
      console.log(JSON.stringify({ mode, gateway_added_delay: media + ' ' + pathLabel, count: h.count,
        mean_ms: +(h.sum / h.count * 1000).toFixed(2), p50_ms: +(h.quantile(0.5) * 1000).toFixed(2),
        p99_ms: +(h.quantile(0.99) * 1000).toFixed(2) }));
    }
  } finally {
    await browser.close();
    emu.kill('SIGTERM');
    gw.kill('SIGTERM');
    await sleep(1000);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
