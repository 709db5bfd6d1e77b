// The gateway's page and WHEP in real headless Chromium (docs/gateway.md,
// "Watching in the browser"): the real rtms-gateway, the real emulator
// posting signed webhooks to it, Debian's Chromium driven by puppeteer-core.
//
//   node browser_test.js watch        one viewer through the page: video advances, frames decoded, audio
//                                     live and silent when nobody talks, the stream's end shown; the token,
//                                     CORS and WHEP's refusals; the recording complete
//   node browser_test.js page-feed    the page against the event feed's events (served by request
//                                     interception): roster through joins and leaves, the speaker,
//                                     captions with their speaker, health, "ended"; accessible markup;
//                                     "Stop watching" DELETEs the viewer
//   node browser_test.js two-viewers  two browsers at once, one killed mid-stream (SIGKILL): the other
//                                     keeps playing, the killed one is dropped (no RTCP), the recording
//                                     is complete; re-encoded video (--webrtc-video encode), the viewer limit
//   node browser_test.js turn         media through a TURN relay: the test's own coturn on loopback, the
//                                     gateway given it in RTMS_GATEWAY_TURN_SERVER, the page taking it from
//                                     WHEP's Link headers (token only) and using relayed candidates only;
//                                     the selected pair's local candidate is "relay"; no password logged;
//                                     then the same with short-lived credentials (coturn's use-auth-secret,
//                                     the gateway's --turn-secret-file): minted per viewer, secret not logged
//
// Environment (meson sets it): RTMS_GATEWAY, RTMS_EMULATOR, GST_PLUGIN_PATH_1_0, CHROMIUM.
// Performance is never asserted: only that things happen within generous bounds.
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const assert = require('assert');
const puppeteer = require('puppeteer-core');

const SECRET = 'browser-test-webhook-secret';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.log(new Date().toISOString().slice(11, 23), ...a);

// A meeting written for these checks: talk, then 6 s of nobody talking, then
// talk again; Carol joins and leaves; a transcript line per turn.
function meetingScript(streamId, durationMs) {
  return {
    meeting_uuid: 'BrowserTestMeeting==', rtms_stream_id: streamId, duration_ms: durationMs || 24000,
    participants: [
      { user_id: 16778240, user_name: 'Alice', tone_hz: 440, talk: [[0, 5000], [19000, 23000]], video_pattern: 'ball' },
      { user_id: 16779264, user_name: 'Bob', tone_hz: 660, talk: [[11000, 17000]], video_size: [640, 480],
        video_pattern: 'pinwheel' },
      { user_id: 16780288, user_name: 'Carol', tone_hz: 880, join_ms: 6000, leave_ms: 16000, camera: [],
        talk: [] },
    ],
    transcript: [
      { user_id: 16778240, start_ms: 0, end_ms: 5000, text: 'Hello from Alice in the browser test.' },
      { user_id: 16779264, start_ms: 11000, end_ms: 17000, text: 'Bob speaking after a silence.' },
      { user_id: 16778240, start_ms: 19000, end_ms: 23000, text: 'Alice closes the meeting.' },
    ],
  };
}

class Processes {
  constructor() { this.list = []; }
  start(name, cmd, args, env, tmp) {
    const out = fs.openSync(path.join(tmp, name + '.log'), 'w');
    const p = spawn(cmd, args, { env: Object.assign({}, process.env, env), stdio: ['ignore', 'pipe', out] });
    p.logFile = path.join(tmp, name + '.log');
    p.stdoutText = '';
    p.stdout.on('data', (d) => { p.stdoutText += d.toString(); });
    p.exited = new Promise((resolve) => p.on('exit', (code, signal) => resolve({ code, signal })));
    this.list.push(p);
    return p;
  }
  async stopAll() {
    for (const p of this.list) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    await Promise.race([Promise.all(this.list.map((p) => p.exited)), sleep(15000)]);
    for (const p of this.list) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  }
}

async function until(what, fn, ms, every = 200) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(every);
  }
  throw new Error('timed out (' + ms + ' ms) waiting for ' + what + (last instanceof Error ? ': ' + last.message : ''));
}

async function startGateway(procs, tmp, args, env, name = 'gateway') {
  const gw = procs.start(name, process.env.RTMS_GATEWAY,
    ['--port', '0', '--output-dir', path.join(tmp, name === 'gateway' ? 'recordings' : 'recordings-' + name),
      '--allow-host', '127.0.0.1', '--allow-plaintext', ...args],
    Object.assign({ ZM_WEBHOOK_SECRET: SECRET, ZM_RTMS_CLIENT: 'emulator-client-id', ZM_RTMS_SECRET: 'emulator-client-secret' },
      env || {}), tmp);
  const line = await until('the gateway ready line', () => {
    if (gw.exitCode !== null) throw new Error('the gateway exited: ' + fs.readFileSync(gw.logFile, 'utf8').slice(-2000));
    const l = gw.stdoutText.split('\n').find((x) => x.includes('"ready"'));
    return l && JSON.parse(l);
  }, 20000);
  gw.webhook = line.url;
  gw.base = line.url.replace(/\/webhook$/, '');
  return gw;
}

function startMeeting(procs, tmp, gw, streamId, name, durationMs) {
  const script = path.join(tmp, name + '.json');
  fs.writeFileSync(script, JSON.stringify(meetingScript(streamId, durationMs)));
  return procs.start(name, process.env.RTMS_EMULATOR,
    ['--script', script, '--webhook-url', gw.webhook, '--webhook-secret', SECRET], {}, tmp);
}

async function launch(tmp, name) {
  return puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    userDataDir: path.join(tmp, 'chromium-' + name),
    args: ['--no-sandbox', '--headless=new', '--autoplay-policy=no-user-gesture-required',
      '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--mute-audio'],
  });
}

// What the page and its <video> show now.
function sample(page) {
  return page.evaluate(async () => {
    const v = document.getElementById('video');
    const q = v.getVideoPlaybackQuality();
    const s = window.rtmsViewer;
    const rtp = {};
    if (s.pc) {
      (await s.pc.getStats()).forEach((r) => {
        if (r.type === 'inbound-rtp') rtp[r.kind] = { packets: r.packetsReceived, lost: r.packetsLost,
          decoded: r.framesDecoded, keyframes: r.keyFramesDecoded, pli: r.pliCount };
      });
    }
    return {
      rtp,
      time: v.currentTime, frames: q.totalVideoFrames, width: v.videoWidth, height: v.videoHeight,
      level: s.level, maxLevel: s.maxLevel, state: s.state, ended: s.ended, error: s.error, feed: s.feed,
      roster: s.roster.map((p) => p.user_name), captions: s.captions.map((c) => c.user_name + ': ' + c.text),
      speaker: s.speaker && s.speaker.user_name, stateText: document.getElementById('stream-state').textContent,
      connection: s.pc ? s.pc.connectionState : null,
    };
  });
}

// Plays through the page: first the list, then a click, like a person.
async function openViewer(browser, gw, streamId, token, moreQuery) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => log('page error:', e.message));
  page.consoleText = '';
  page.on('console', (m) => { page.consoleText += m.text() + '\n'; });
  await page.goto(gw.base + '/' + (token ? '?token=' + encodeURIComponent(token) : '') + (moreQuery || ''),
    { waitUntil: 'load' });
  const button = await until('the stream in the page\'s list',
    () => page.$('button[data-stream-id="' + streamId + '"]'), 20000);
  await button.click();
  let last;
  try {
    await until('the viewer connected', async () => {
      last = await sample(page);
      if (last.error) throw new Error(last.error);
      return last.connection === 'connected' && last.frames > 0;
    }, 20000);
  } catch (e) {
    const answer = await page.evaluate(() => window.rtmsViewer.answer).catch(() => null);
    throw new Error(e.message + '; the page: ' + JSON.stringify(last) + '; the answer:\n' + answer);
  }
  return page;
}

async function assertPlays(page, what) {
  const a = await sample(page);
  await sleep(2500);
  const b = await sample(page);
  log(what, 'plays:', JSON.stringify({ time: [a.time, b.time], frames: [a.frames, b.frames], size: [b.width, b.height] }));
  assert(b.time > a.time + 1, what + ': the video\'s currentTime advances (' + a.time + ' -> ' + b.time + ')');
  assert(b.frames > a.frames + 5, what + ': decoded frames grow (' + a.frames + ' -> ' + b.frames + ')');
  assert(b.width > 0 && b.height > 0, what + ': the video has a size');
}

async function metric(gw, name) {
  const text = await (await fetch(gw.base + '/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  return line ? Number(line.split(' ').pop()) : 0;
}

function discovererSeconds(file) {
  const r = require('child_process').spawnSync('gst-discoverer-1.0', [file], { encoding: 'utf8', timeout: 30000 });
  const m = /Duration: (\d+):(\d+):([\d.]+)/.exec(r.stdout || '');
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : -1;
}

function checkRecording(tmp, minSeconds) {
  const root = path.join(tmp, 'recordings');
  const dirs = fs.readdirSync(root);
  assert.strictEqual(dirs.length, 1, 'one recording folder');
  const files = fs.readdirSync(path.join(root, dirs[0]));
  const wavs = files.filter((f) => f.endsWith('.wav'));
  assert(wavs.length >= 2, 'a WAV file per speaker: ' + files.join(' '));
  const mkv = path.join(root, dirs[0], 'meeting.mkv');
  const seconds = discovererSeconds(mkv);
  log('recording:', files.join(' '), 'meeting.mkv', seconds, 's');
  assert(seconds >= minSeconds, 'meeting.mkv is complete and readable (' + seconds + ' s)');
}

async function checkRefusals(gw, streamId, token) {
  const whep = gw.base + '/streams/' + streamId + '/whep';
  const post = (url, headers, body) => fetch(url, { method: 'POST', headers, body });
  const auth = { Authorization: 'Bearer ' + token };
  assert.strictEqual((await post(whep, { 'Content-Type': 'application/sdp' }, 'v=0\r\n')).status, 401, 'no token: 401');
  assert.strictEqual((await post(whep, { 'Content-Type': 'application/sdp', Authorization: 'Bearer wrong' }, 'v=0\r\n')).status,
    401, 'a wrong token: 401');
  assert.strictEqual((await post(gw.base + '/streams/nosuchstream/whep',
    Object.assign({ 'Content-Type': 'application/sdp' }, auth), 'v=0\r\n')).status, 404, 'unknown stream: 404');
  assert.strictEqual((await post(whep, Object.assign({ 'Content-Type': 'text/plain' }, auth), 'v=0\r\n')).status, 415,
    'not application/sdp: 415');
  const bad = await post(whep, Object.assign({ 'Content-Type': 'application/sdp' }, auth), 'v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n');
  assert.strictEqual(bad.status, 400, 'an offer without ICE credentials: 400');
  log('bad offer answered:', (await bad.text()).trim());
  const huge = await post(whep, Object.assign({ 'Content-Type': 'application/sdp' }, auth), 'v=0\r\n' + 'a=x\r\n'.repeat(20000));
  assert([400, 413].includes(huge.status), 'a 100 KB offer refused (' + huge.status + ')');
  const pre = await fetch(whep, { method: 'OPTIONS', headers: { Origin: 'http://viewer.test',
    'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' } });
  assert.strictEqual(pre.status, 204, 'CORS preflight: 204');
  assert.strictEqual(pre.headers.get('access-control-allow-origin'), 'http://viewer.test', 'CORS: the origin allowed');
  assert(/authorization/i.test(pre.headers.get('access-control-allow-headers') || ''), 'CORS: Authorization allowed');
  const other = await fetch(whep, { method: 'OPTIONS', headers: { Origin: 'http://evil.test' } });
  assert.strictEqual(other.headers.get('access-control-allow-origin'), null, 'CORS: another origin not allowed');
  assert.strictEqual((await fetch(gw.base + '/whep/nosuchviewer', { method: 'DELETE', headers: auth })).status, 404,
    'DELETE of an unknown viewer: 404');
}

async function watch(tmp, procs) {
  const token = 'viewer-token-' + Math.random().toString(36).slice(2);
  fs.writeFileSync(path.join(tmp, 'token'), token + '\n');
  // One token for the page's list, feed and video: the live feed's, which WHEP takes too.
  const gw = await startGateway(procs, tmp,
    ['--feed-token-file', path.join(tmp, 'token'), '--cors-origin', 'http://viewer.test']);
  const streamId = 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b001';
  const emulator = startMeeting(procs, tmp, gw, streamId, 'emulator');
  const browser = await launch(tmp, 'a');
  try {
    const page = await openViewer(browser, gw, streamId, token);
    await assertPlays(page, 'the viewer');
    await checkRefusals(gw, streamId, token);
    // Audio: a level above silence while someone talks, and silence in the
    // 6 s when nobody does (sampled all along, so the check does not depend
    // on when the meeting's clock started).
    let loud = 0, quiet = 0, s;
    const levels = [];
    const rosters = [];  // each different roster seen, in order
    const speakers = new Set();
    await until('the stream\'s end on the page', async () => {
      s = await sample(page);
      if (!s.ended && s.connection === 'connected') {
        levels.push(Number(s.level.toFixed(4)));
        if (s.level > 0.02) loud++;
        if (s.level < 0.002) quiet++;
      }
      const roster = s.roster.slice().sort().join(',');
      if (roster && rosters[rosters.length - 1] !== roster) rosters.push(roster);
      if (s.speaker) speakers.add(s.speaker);
      return s.ended;
    }, 60000, 100);
    log('levels (every 100 ms):', levels.join(' '));
    log('at the end:', JSON.stringify(s));
    assert(loud >= 10, 'the audio is live while someone talks (' + loud + ' loud samples)');
    assert(quiet >= 10, 'silence while nobody talks (' + quiet + ' quiet samples)');
    assert(/ended/.test(s.stateText), 'the page says the stream ended: ' + s.stateText);
    // From the gateway's live feed: the script's captions with their speakers, once and in order;
    // the roster as the script has it (Alice and Bob, Carol joins at 6 s and leaves at 16 s); speakers.
    log('rosters seen:', rosters.join(' | '), '; speakers:', [...speakers].join(','));
    assert(['open', 'closed'].includes(s.feed), 'the live feed was open (' + s.feed + ')');
    assert.deepStrictEqual(s.captions, ['Alice: Hello from Alice in the browser test.',
      'Bob: Bob speaking after a silence.', 'Alice: Alice closes the meeting.'], 'captions with their speakers');
    const withCarol = rosters.indexOf('Alice,Bob,Carol');
    assert(withCarol >= 0, 'Carol joined: ' + rosters.join(' | '));
    assert(rosters.slice(withCarol + 1).includes('Alice,Bob'), 'Carol left, Alice and Bob stayed: ' + rosters.join(' | '));
    assert(speakers.has('Alice') && speakers.has('Bob'), 'Alice and Bob shown speaking: ' + [...speakers].join(','));
    assert.strictEqual(s.stateText, 'ended (MEETING_ENDED)', 'the end as the feed says it');
    assert.strictEqual(await metric(gw, 'rtms_gateway_whep_requests_total{outcome="created"}'), 1, 'one WHEP viewer created');
    assert((await metric(gw, 'rtms_gateway_whep_requests_total{outcome="unauthorized"}')) >= 2, 'refusals counted');
    // The gateway's own delay to the viewer is measured (its size is a benchmark's: glass_to_glass.js).
    for (const m of ['media="video",path="passthrough"', 'media="audio",path="mixed"'])
      assert((await metric(gw, 'rtms_gateway_webrtc_added_delay_seconds_count{' + m + '}')) > 0, 'added delay measured: ' + m);
    await emulator.exited;
    await until('the stream gone from the gateway', async () => (await metric(gw, 'rtms_gateway_active_streams')) === 0, 20000);
  } finally {
    await browser.close().catch(() => {});
  }
  gw.kill('SIGTERM');
  const exit = await gw.exited;
  assert.strictEqual(exit.code, 0, 'the gateway exits 0 on SIGTERM');
  const gwLog = fs.readFileSync(gw.logFile, 'utf8');
  assert(!gwLog.includes(token), 'the viewer token never reaches the log');
  assert(!/AddressSanitizer|runtime error:/.test(gwLog), 'no sanitizer report in the gateway log');
  checkRecording(tmp, 15);
}

async function twoViewers(tmp, procs) {
  // WHEP's own token (--viewer-token-file); the list and the feed stay open.
  const token = 'viewer-only-' + Math.random().toString(36).slice(2);
  fs.writeFileSync(path.join(tmp, 'token'), token + '\n');
  const gw = await startGateway(procs, tmp, ['--webrtc-video', 'encode', '--max-viewers', '2',
    '--viewer-token-file', path.join(tmp, 'token')]);
  const streamId = 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b002';
  // 34 s: long enough for the killed viewer's silence (15 s without RTCP) to be noticed.
  const emulator = startMeeting(procs, tmp, gw, streamId, 'emulator', 34000);
  const first = await launch(tmp, 'first');
  const second = await launch(tmp, 'second');
  try {
    const a = await openViewer(first, gw, streamId, token);
    const b = await openViewer(second, gw, streamId, token);
    await assertPlays(a, 'viewer 1');
    await assertPlays(b, 'viewer 2');
    assert.strictEqual(await metric(gw, 'rtms_gateway_webrtc_viewers'), 2, 'two viewers');
    assert.strictEqual(await metric(gw, 'rtms_gateway_webrtc_viewers_dropped_total'), 0, 'none dropped');
    // A third one is over --max-viewers 2.
    const third = await fetch(gw.base + '/streams/' + streamId + '/whep', { method: 'POST',
      headers: { 'Content-Type': 'application/sdp', Authorization: 'Bearer ' + token }, body: 'v=0\r\n' });
    assert.strictEqual(third.status, 503, 'over --max-viewers: 503');
    // Viewer 1's browser dies without a word (no DELETE, no DTLS close).
    first.process().kill('SIGKILL');
    log('viewer 1 killed');
    await assertPlays(b, 'viewer 2 after viewer 1 was killed');
    await sleep(3000);
    await assertPlays(b, 'viewer 2 later');
    // The killed browser sends no more RTCP: the gateway drops it.
    await until('the killed viewer dropped', async () =>
      (await metric(gw, 'rtms_gateway_webrtc_viewers_dropped_total')) === 1 &&
      (await metric(gw, 'rtms_gateway_webrtc_viewers')) === 1, 25000, 500);
    log('the killed viewer was dropped');
    await assertPlays(b, 'viewer 2 after the drop');
    const s = await until('the stream\'s end on viewer 2', async () => {
      const x = await sample(b);
      return x.ended && x;
    }, 60000, 250);
    log('viewer 2 at the end:', JSON.stringify(s));
    await emulator.exited;
    await until('the stream gone from the gateway', async () => (await metric(gw, 'rtms_gateway_active_streams')) === 0, 20000);
  } finally {
    await first.close().catch(() => {});
    await second.close().catch(() => {});
  }
  gw.kill('SIGTERM');
  const exit = await gw.exited;
  assert.strictEqual(exit.code, 0, 'the gateway exits 0 on SIGTERM');
  const gwLog = fs.readFileSync(gw.logFile, 'utf8');
  assert(/re-encoded/.test(gwLog), 'the video was re-encoded (--webrtc-video encode)');
  assert(!/AddressSanitizer|runtime error:/.test(gwLog), 'no sanitizer report in the gateway log');
  checkRecording(tmp, 15);
}

// The page against the event feed's documented events (docs/gateway.md,
// issue 19 "Live feed"), served to Chromium by request interception in place
// of GET /streams/{id}/events, while the video plays from the real gateway:
// the roster follows joins and leaves, the speaker is marked, captions show
// with their speaker, health is shown, and "ended" comes from the feed.
async function pageFeed(tmp, procs) {
  const gw = await startGateway(procs, tmp, []);
  const streamId = 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b003';
  startMeeting(procs, tmp, gw, streamId, 'emulator');
  const browser = await launch(tmp, 'feed');
  try {
    const page = await browser.newPage();
    await page.setRequestInterception(true);
    let served = 0;
    const ev = (type, data) => 'event: ' + type + '\ndata: ' + JSON.stringify(data) + '\n\n';
    const alice = { user_id: 16778240, user_name: 'Alice' }, bob = { user_id: 16779264, user_name: 'Bob' };
    const carol = { user_id: 16780288, user_name: 'Carol <b>' };
    page.on('request', (req) => {
      if (!req.url().includes('/streams/' + streamId + '/events')) return req.continue();
      // Once; a reconnect is told there is nothing more (204 stops EventSource).
      if (served++ > 0) return req.respond({ status: 204, body: '' });
      req.respond({
        status: 200, contentType: 'text/event-stream', headers: { 'Cache-Control': 'no-store' },
        body: 'retry: 600000\n\n' +
          ev('roster', { participants: [alice, bob], active_speaker: alice, sharing: null, state: 'streaming' }) +
          ev('transcript', Object.assign({ text: 'Hello from Alice.', language: 'en', start_ms: 0, end_ms: 900 }, alice)) +
          ev('participant_join', carol) +
          ev('active_speaker', bob) +
          ev('transcript', Object.assign({ text: 'Bob here.', language: 'en', start_ms: 1000, end_ms: 1800 }, bob)) +
          ev('participant_leave', carol) +
          ev('health', { reconnects: 0, bytes: 123456, buffers: 789, uptime_ms: 4200 }) +
          ev('state', { state: 'ended', reason: 'MEETING_ENDED' }),
      });
    });
    await page.goto(gw.base + '/', { waitUntil: 'load' });
    const button = await until('the stream in the list', () => page.$('button[data-stream-id="' + streamId + '"]'), 20000);
    await button.click();
    const dom = () => page.evaluate(() => ({
      roster: [...document.querySelectorAll('#roster li')].map((li) => li.textContent),
      speaking: [...document.querySelectorAll('#roster li.speaking')].map((li) => li.textContent),
      speaker: document.getElementById('speaker').textContent,
      captions: [...document.querySelectorAll('#captions li')].map((li) => li.textContent),
      health: document.getElementById('health').textContent,
      state: document.getElementById('stream-state').textContent,
      live: document.getElementById('captions').getAttribute('aria-live'),
      landmarks: ['main', 'nav', 'header'].every((t) => document.querySelector(t)),
      labelled: document.querySelector('label[for="level"]') !== null,
      feedNote: document.getElementById('feed-note').hidden,
    }));
    const d = await until('the feed on the page', async () => {
      const x = await dom();
      return x.captions.length === 2 && x.health.includes('123456') && /ended/.test(x.state) && x;
    }, 15000);
    log('page:', JSON.stringify(d));
    assert.deepStrictEqual(d.roster, ['Alice', 'Bob'], 'the roster after Carol joined and left');
    assert.deepStrictEqual(d.speaking, ['Bob'], 'Bob marked as speaking');
    assert.strictEqual(d.speaker, 'Bob');
    assert.deepStrictEqual(d.captions, ['Alice: Hello from Alice.', 'Bob: Bob here.'], 'captions with their speaker');
    assert.strictEqual(d.live, 'polite', 'captions in an aria-live region');
    assert(d.landmarks && d.labelled, 'landmarks and labels');
    assert(d.feedNote, 'no "feed not available" note');
    assert.strictEqual(d.state, 'ended (MEETING_ENDED)', 'the end as the feed says it');
    await until('the viewer connected', async () => {
      const x = await sample(page);
      return x.connection === 'connected' && x.frames > 0;
    }, 20000);
    await assertPlays(page, 'the viewer (with the feed)');
    // Names are text, never markup: Carol's "<b>" did not become an element.
    assert.strictEqual(await page.evaluate(() => document.querySelectorAll('#roster b, #captions b').length), 0);
    // "Stop watching": the page DELETEs its WHEP resource; the gateway lets the viewer go.
    assert.strictEqual(await metric(gw, 'rtms_gateway_webrtc_viewers'), 1, 'one viewer');
    await page.click('#stop');
    await until('the viewer deleted', async () =>
      (await metric(gw, 'rtms_gateway_whep_requests_total{outcome="deleted"}')) === 1 &&
      (await metric(gw, 'rtms_gateway_webrtc_viewers')) === 0, 10000);
    assert.strictEqual(await metric(gw, 'rtms_gateway_webrtc_viewers_dropped_total'), 0, 'left, not dropped');
  } finally {
    await browser.close().catch(() => {});
  }
}

// A free port on 127.0.0.1 for both UDP and TCP (TURN listens on both).
async function freePort() {
  const net = require('net'), dgram = require('dgram');
  for (;;) {
    const server = net.createServer();
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const port = server.address().port;
    const udp = dgram.createSocket('udp4');
    const ok = await new Promise((r) => { udp.once('error', () => r(false)); udp.bind(port, '127.0.0.1', () => r(true)); });
    udp.close();
    await new Promise((r) => server.close(r));
    if (ok) return port;
  }
}

// The Link rel="ice-server" values of an answer (the gateway sends one header each).
function iceLinks(response) {
  return (response.headers.get('link') || '').split(/,\s*(?=<)/).filter((l) => /rel="ice-server"/.test(l));
}

// Media through a TURN relay (docs/gateway.md, "ICE, STUN, TURN"): the
// test's own coturn on loopback with a long-term user; the gateway gets it in
// RTMS_GATEWAY_TURN_SERVER, the page from the WHEP endpoint's Link headers
// (with the token); both use relayed candidates only (the gateway's
// --ice-transport-policy relay, the page's ?relay=1), so the media goes
// from the gateway's allocation to the browser's, both on coturn.
// The test's own coturn on loopback (name: its files in tmp), with auth its
// way of checking credentials; its port and the path of its event log.
async function startCoturn(tmp, procs, name, auth) {
  const port = await freePort();
  const relayBase = 20000 + Math.floor(Math.random() * 400) * 100;  // 100 relay ports of its own, most likely
  fs.writeFileSync(path.join(tmp, name + '.conf'), '# the command line says it all\n');
  const turnLog = path.join(tmp, name + '-events.log');
  const coturn = procs.start(name, 'turnserver', ['-c', path.join(tmp, name + '.conf'), '-n',
    '--listening-ip', '127.0.0.1', '--relay-ip', '127.0.0.1', '--listening-port', String(port),
    '--min-port', String(relayBase), '--max-port', String(relayBase + 99), '--allow-loopback-peers',
    ...auth, '--realm', 'rtms.test', '--fingerprint',
    '--no-tls', '--no-dtls', '--no-cli', '--no-rfc5780', '--no-multicast-peers', '--verbose',
    '--pidfile', path.join(tmp, name + '.pid'), '--db', path.join(tmp, name + '.db'),
    '--log-file', turnLog, '--simple-log', '--no-stdout-log'], {}, tmp);
  await until('coturn listening', () => {
    if (coturn.exitCode !== null) throw new Error('turnserver exited: ' + fs.readFileSync(coturn.logFile, 'utf8'));
    return fs.existsSync(turnLog) && /UDP listener opened on *: *127\.0\.0\.1/.test(fs.readFileSync(turnLog, 'utf8'));
  }, 10000);
  return { port, turnLog };
}

// What the page's selected candidate pair is, and the gateway's candidates in its answer.
function iceOfPage(page) {
  return page.evaluate(async () => {
    const v = window.rtmsViewer;
    const stats = new Map();
    (await v.pc.getStats()).forEach((r) => stats.set(r.id, r));
    let pair = null;
    for (const r of stats.values())
      if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId);
    const local = pair && stats.get(pair.localCandidateId), remote = pair && stats.get(pair.remoteCandidateId);
    const answerCandidates = v.answer.split('\r\n').filter((l) => l.startsWith('a=candidate:'));
    return { servers: v.iceServers, answerCandidates, config: v.pc.getConfiguration().iceTransportPolicy,
      pair: pair && { state: pair.state, nominated: pair.nominated, bytesReceived: pair.bytesReceived },
      local: local && { type: local.candidateType, protocol: local.protocol, relayProtocol: local.relayProtocol,
        address: local.address + ':' + local.port, url: local.url },
      remote: remote && { type: remote.candidateType, address: remote.address + ':' + remote.port } };
  });
}

// One more WHEP offer made from inside the page (a viewer that leaves at
// once): its 201's status, Link, Cache-Control and Location.
async function offerFromPage(page, whep, token) {
  return page.evaluate(async (url, bearer) => {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('video', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/sdp', Authorization: bearer },
      body: pc.localDescription.sdp });
    const out = { status: r.status, link: r.headers.get('link'), cache: r.headers.get('cache-control'),
      location: r.headers.get('location') };
    if (out.location) await fetch(out.location, { method: 'DELETE', headers: { Authorization: bearer } });
    pc.close();
    return out;
  }, whep, 'Bearer ' + token);
}

async function turn(tmp, procs) {
  const which = require('child_process').spawnSync('sh', ['-c', 'command -v turnserver'], { encoding: 'utf8' });
  if (which.status !== 0) {
    const e = new Error('SKIP: no turnserver (apt-get install coturn)');
    e.skip = true;
    throw e;
  }
  const user = 'rtms-viewer', password = 'turn-pass-' + Math.random().toString(36).slice(2);
  const { port, turnLog } = await startCoturn(tmp, procs, 'turnserver', ['--lt-cred-mech', '--user', user + ':' + password]);
  const token = 'viewer-token-' + Math.random().toString(36).slice(2);
  fs.writeFileSync(path.join(tmp, 'token'), token + '\n');
  const turnUrl = 'turn://' + user + ':' + password + '@127.0.0.1:' + port;
  const gw = await startGateway(procs, tmp, ['--feed-token-file', path.join(tmp, 'token'), '--ice-transport-policy', 'relay'],
    // webrtcnice at DEBUG prints the TURN URL: the gateway must hold the password back.
    { RTMS_GATEWAY_TURN_SERVER: turnUrl, GST_DEBUG: (process.env.GST_DEBUG ? process.env.GST_DEBUG + ',' : '') + 'webrtcnice:5' });
  const streamId = 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b004';
  // Alice talks with her camera on; the test ends before the meeting does (SIGTERM to the gateway).
  const script = path.join(tmp, 'emulator.json');
  const meeting = meetingScript(streamId, 40000);
  meeting.participants = [Object.assign(meeting.participants[0], { talk: [[0, 40000]] })];
  meeting.transcript = [];
  fs.writeFileSync(script, JSON.stringify(meeting));
  procs.start('emulator', process.env.RTMS_EMULATOR,
    ['--script', script, '--webhook-url', gw.webhook, '--webhook-secret', SECRET], {}, tmp);
  // The ICE servers: TURN with its credentials only to a viewer with the token.
  const whep = gw.base + '/streams/' + streamId + '/whep';
  const withToken = iceLinks(await fetch(whep, { method: 'OPTIONS', headers: { Authorization: 'Bearer ' + token } }));
  assert.deepStrictEqual(withToken, ['<turn:127.0.0.1:' + port + '>; rel="ice-server"; username="' + user +
    '"; credential="' + password + '"; credential-type="password"'], 'OPTIONS with the token: the TURN server');
  for (const headers of [{}, { Authorization: 'Bearer wrong' }])
    assert.deepStrictEqual(iceLinks(await fetch(whep, { method: 'OPTIONS', headers })), [], 'no TURN without the token');
  const browser = await launch(tmp, 'turn');
  try {
    const page = await openViewer(browser, gw, streamId, token, '&relay=1');
    await assertPlays(page, 'the viewer through TURN');
    const ice = await iceOfPage(page);
    log('ICE:', JSON.stringify(ice));
    assert.deepStrictEqual(ice.servers, ['turn:127.0.0.1:' + port], 'the page took the TURN server from the gateway');
    assert.strictEqual(ice.config, 'relay', 'the page uses relayed candidates only');
    assert(ice.pair && ice.pair.state === 'succeeded' && ice.pair.nominated, 'a selected, nominated candidate pair');
    assert.strictEqual(ice.local.type, 'relay', 'the browser\'s side of the selected pair is a TURN relay');
    assert(ice.answerCandidates.length > 0 && ice.answerCandidates.every((l) => / typ relay( |$)/.test(l)),
      'the gateway answered with relayed candidates only');
    assert.strictEqual(ice.remote.type, 'relay', 'the gateway\'s side of the selected pair is a TURN relay');
    assert(ice.pair.bytesReceived > 10000, 'media came over the relayed pair (' + ice.pair.bytesReceived + ' bytes)');
    assert(!page.consoleText.includes(password), 'the TURN password not in the page\'s console');
    // The 201 of an offer carries the same Link (RFC 9725 4.6), readable by a script; that viewer leaves at once.
    const created = await offerFromPage(page, whep, token);
    assert.strictEqual(created.status, 201, 'a second offer answered');
    assert.strictEqual(created.link, withToken[0], 'the 201 carries the TURN Link too');
    assert.strictEqual(created.cache, 'no-store', 'an answer with credentials is not stored');
    await assertPlays(page, 'the viewer through TURN, later');
  } finally {
    await browser.close().catch(() => {});
  }
  gw.kill('SIGTERM');
  const exit = await gw.exited;
  assert.strictEqual(exit.code, 0, 'the gateway exits 0 on SIGTERM (mid-meeting)');
  const gwLog = fs.readFileSync(gw.logFile, 'utf8');
  assert(!gwLog.includes(password), 'the TURN password never reaches the gateway\'s log');
  assert(!gwLog.includes(token), 'the viewer token never reaches the gateway\'s log');
  assert(!/AddressSanitizer|runtime error:/.test(gwLog), 'no sanitizer report in the gateway log');
  // coturn: the allocations (the browser's and the gateway's own), by user.
  const turnText = fs.readFileSync(turnLog, 'utf8');
  const allocations = turnText.split('\n').filter((l) => /ALLOCATE processed, success/.test(l));
  log('coturn:', allocations.length, 'allocations;', allocations.map((l) => l.replace(/^\S+\s+/, '')).join(' | '));
  assert(allocations.length >= 2, 'coturn made the browser\'s and the gateway\'s allocations');
  // Packets relayed to a peer, as coturn counts them when an allocation ends (for information).
  log('coturn relayed:', turnText.split('\n').filter((l) => /peer usage/.test(l)).map((l) => l.replace(/^.*session /, '')).join(' | '));
  await turnSecret(tmp, procs);
}

// The same with short-lived credentials (docs/gateway.md, "ICE, STUN,
// TURN"): coturn with use-auth-secret, the gateway with the same secret
// (--turn-secret-file) and the TURN URL without user info; each viewer's
// Link header has a credential minted for it ("<expiry>:viewer-<16 hex>",
// base64(HMAC-SHA1(secret, username))): random on an OPTIONS, SHA-256 of the
// viewer's resource id on a 201; the gateway's webrtcbin one of its own for
// that viewer ("<expiry>:rtms-gateway-<the same 16 hex>"); the secret and the
// minted passwords never logged.
async function turnSecret(tmp, procs) {
  const crypto = require('crypto');
  const secret = 'turn-secret-' + crypto.randomBytes(12).toString('hex');
  const { port, turnLog } = await startCoturn(tmp, procs, 'turnserver-secret',
    ['--use-auth-secret', '--static-auth-secret=' + secret]);
  fs.writeFileSync(path.join(tmp, 'turn-secret'), secret + '\n');
  const gstDebugFile = path.join(tmp, 'gateway-secret-gst-debug.log');
  const token = 'viewer-token-' + Math.random().toString(36).slice(2);
  fs.writeFileSync(path.join(tmp, 'token-secret'), token + '\n');
  const ttl = 600;
  const gw = await startGateway(procs, tmp, ['--feed-token-file', path.join(tmp, 'token-secret'),
    '--ice-transport-policy', 'relay', '--turn-server', 'turn://127.0.0.1:' + port,
    '--turn-secret-file', path.join(tmp, 'turn-secret'), '--turn-credential-ttl', String(ttl)],
  // This gateway's GStreamer log goes to a file (GST_DEBUG_FILE): the guard cleans it there too.
  { GST_DEBUG: (process.env.GST_DEBUG ? process.env.GST_DEBUG + ',' : '') + 'webrtcnice:5',
    GST_DEBUG_FILE: gstDebugFile }, 'gateway-secret');
  const streamId = 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b005';
  const meeting = meetingScript(streamId, 40000);
  meeting.participants = [Object.assign(meeting.participants[0], { talk: [[0, 40000]] })];
  meeting.transcript = [];
  const script = path.join(tmp, 'emulator-secret.json');
  fs.writeFileSync(script, JSON.stringify(meeting));
  procs.start('emulator-secret', process.env.RTMS_EMULATOR,
    ['--script', script, '--webhook-url', gw.webhook, '--webhook-secret', SECRET], {}, tmp);
  const whep = gw.base + '/streams/' + streamId + '/whep';
  // A minted credential of a Link header: its parts, the form and the HMAC checked.
  const mintedOf = (link, what) => {
    const m = /^<turn:127\.0\.0\.1:(\d+)>; rel="ice-server"; username="(\d+):(viewer-[0-9a-f]{16})"; credential="([^"]+)"; credential-type="password"$/
      .exec(link || '');
    assert(m && Number(m[1]) === port, what + ': a minted TURN credential "<expiry>:viewer-<16 hex>" in the Link header: ' +
      (m ? 'username ' + m[2] + ':' + m[3] : link));
    const username = m[2] + ':' + m[3];
    assert.strictEqual(m[4], crypto.createHmac('sha1', secret).update(username).digest('base64'),
      what + ': the password is base64(HMAC-SHA1(secret, username))');
    assert(!link.includes(secret) && !link.includes(token), what + ': neither the secret nor the token in the Link header');
    return { expiry: Number(m[2]), id: m[3], username, password: m[4] };
  };
  const tagOf = (resource) => crypto.createHash('sha256').update(resource.replace(/^\/whep\//, '')).digest('hex').slice(0, 16);
  const optionsCredential = async () => {
    const links = iceLinks(await fetch(whep, { method: 'OPTIONS', headers: { Authorization: 'Bearer ' + token } }));
    assert.strictEqual(links.length, 1, 'OPTIONS with the token: one TURN Link');
    return mintedOf(links[0], 'OPTIONS');
  };
  const first = await optionsCredential(), second = await optionsCredential();
  const minted = [first.password, second.password];
  const now = Date.now() / 1000;
  assert(first.expiry > now + ttl - 60 && first.expiry < now + ttl + 60, 'the credential expires in --turn-credential-ttl');
  assert.notStrictEqual(first.id, second.id, 'two OPTIONS, two ids (' + first.id + ', ' + second.id + ')');
  assert.deepStrictEqual(iceLinks(await fetch(whep, { method: 'OPTIONS' })), [], 'no TURN without the token');
  const browser = await launch(tmp, 'turn-secret');
  let pageTag = null;
  try {
    const page = await openViewer(browser, gw, streamId, token, '&relay=1');
    await assertPlays(page, 'the viewer through TURN with a minted credential');
    const ice = await iceOfPage(page);
    log('ICE (minted credentials):', JSON.stringify(ice));
    assert(ice.pair && ice.pair.state === 'succeeded' && ice.pair.nominated, 'a selected, nominated candidate pair');
    assert.strictEqual(ice.local.type, 'relay', 'the browser\'s side of the selected pair is a TURN relay');
    assert.strictEqual(ice.remote.type, 'relay', 'the gateway\'s side (its own minted credential) is a TURN relay');
    assert(ice.pair.bytesReceived > 10000, 'media came over the relayed pair (' + ice.pair.bytesReceived + ' bytes)');
    pageTag = tagOf(await page.evaluate(() => window.rtmsViewer.resource));
    // One more offer made in the page (that viewer leaves at once): its 201
    // has a credential naming its own session, unlike the OPTIONS ones and
    // the page's session. (One is enough: each costs about 2 s here.)
    const created = await offerFromPage(page, whep, token);
    assert.strictEqual(created.status, 201, 'another offer answered');
    const createdLinks = iceLinks({ headers: new Headers({ link: created.link || '' }) });
    assert.strictEqual(createdLinks.length, 1, 'one TURN Link on the 201');
    const offer = mintedOf(createdLinks[0], 'the 201');
    assert.strictEqual(offer.id, 'viewer-' + tagOf(created.location),
      'the 201\'s id is viewer-<SHA-256 of its resource id> (' + created.location + ')');
    minted.push(offer.password);
    const ids = [first.id, second.id, offer.id, 'viewer-' + pageTag];
    log('TURN ids: OPTIONS', first.id, second.id, '| 201', offer.id, '| the page\'s session', pageTag);
    assert.strictEqual(new Set(ids).size, ids.length, 'every OPTIONS and every 201 its own id: ' + ids.join(' '));
  } finally {
    await browser.close().catch(() => {});
  }
  gw.kill('SIGTERM');
  assert.strictEqual((await gw.exited).code, 0, 'the gateway exits 0 on SIGTERM');
  const gwLog = fs.readFileSync(gw.logFile, 'utf8');
  const gstLog = fs.readFileSync(gstDebugFile, 'utf8');
  for (const [what, text] of [['the gateway\'s log', gwLog], ['GST_DEBUG_FILE', gstLog]]) {
    assert(!text.includes(secret), 'the TURN secret never reaches ' + what);
    for (const p of minted)
      assert(!text.includes(p) && !text.includes(encodeURIComponent(p)), 'nor a minted password: ' + what);
    assert(!text.includes(token), 'nor the viewer token: ' + what);
  }
  assert(gwLog.includes('(TURN id tag ' + pageTag + ')'), 'the gateway\'s log names the page viewer\'s TURN id tag');
  assert(gstLog.includes('turn://***@127.0.0.1:' + port),
    'webrtcnice\'s DEBUG line with the TURN URL in GST_DEBUG_FILE, its user info hidden');
  assert(/webrtcnice/.test(gstLog) && !/webrtcnice/.test(gwLog), 'GStreamer\'s lines went to GST_DEBUG_FILE, not stderr');
  const turnText = fs.readFileSync(turnLog, 'utf8');
  const allocations = turnText.split('\n').filter((l) => /ALLOCATE processed, success/.test(l));
  log('coturn (use-auth-secret):', allocations.length, 'allocations;', allocations.map((l) => l.replace(/^\S+\s+/, '')).join(' | '));
  // The page allocated with its OPTIONS credential (it gathers before its offer), the gateway with the one of that viewer.
  assert(allocations.some((l) => /<\d+:viewer-[0-9a-f]{16}>/.test(l)), 'coturn allocated for the viewer\'s minted username');
  assert(allocations.some((l) => l.includes(':rtms-gateway-' + pageTag + '>')),
    'and for the gateway\'s own for that viewer (rtms-gateway-' + pageTag + ')');
  assert(!allocations.some((l) => /<\d+:(viewer|rtms-gateway)>/.test(l)), 'no allocation under a shared id');
}

async function main() {
  const name = process.argv[2];
  const tests = { watch, 'two-viewers': twoViewers, 'page-feed': pageFeed, turn };
  if (!tests[name]) {
    console.error('usage: browser_test.js ' + Object.keys(tests).join('|'));
    process.exit(2);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtms-browser-'));
  const procs = new Processes();
  const started = Date.now();
  let ok = false;
  try {
    await tests[name](tmp, procs);
    ok = true;
  } catch (e) {
    if (e && e.skip) {
      console.log(e.message);
      await procs.stopAll();
      process.exit(77);
    }
    console.error('FAIL:', e && e.stack || e);
    for (const p of procs.list) {
      try {
        console.error('--- ' + p.logFile + ' (end) ---\n' + fs.readFileSync(p.logFile, 'utf8').slice(-4000));
      } catch (err) { /* none */ }
    }
  } finally {
    await procs.stopAll();
  }
  log(name + ': ' + (ok ? 'ok' : 'FAILED') + ' in ' + ((Date.now() - started) / 1000).toFixed(1) + ' s');
  if (ok) fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(ok ? 0 : 1);
}

main();
