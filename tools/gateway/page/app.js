// The gateway's viewing page: lists the running streams, plays one over
// WHEP (WebRTC), and shows its captions, roster and health from the
// stream's event feed. No build step, no external assets.
'use strict';

(() => {
  const params = new URLSearchParams(location.search);
  const token = params.get('token') || '';
  const $ = (id) => document.getElementById(id);

  const view = {
    streamId: null, pc: null, resource: null, events: null, feed: 'none',
    state: 'idle', captions: [], roster: [], speaker: null, health: null,
    level: 0, maxLevel: 0, ended: false, error: null,
  };
  window.rtmsViewer = view;  // read by tests and by curious people

  function authHeaders(extra) {
    const h = Object.assign({}, extra || {});
    if (token) h.Authorization = 'Bearer ' + token;
    return h;
  }
  function withToken(url) {
    return token ? url + (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token) : url;
  }
  function setStatus(text) { $('gateway-status').textContent = text; }
  function setState(state, reason) {
    view.state = state;
    const el = $('stream-state');
    el.textContent = state + (reason ? ' (' + reason + ')' : '');
    el.classList.toggle('ended', state === 'ended');
    if (state === 'ended') view.ended = true;
  }

  // --- the list of streams ---
  let known = [];
  async function refreshStreams() {
    let list;
    try {
      const r = await fetch('/streams', { headers: authHeaders(), cache: 'no-store' });
      if (!r.ok) { setStatus('Cannot list streams: HTTP ' + r.status); return; }
      list = await r.json();
      setStatus('');
    } catch (e) {
      setStatus('The gateway does not answer.');
      return;
    }
    if (!Array.isArray(list)) list = [];
    known = list;
    const ul = $('streams');
    ul.replaceChildren();
    for (const s of list) {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.streamId = s.stream_id;
      const people = Array.isArray(s.participants) ? s.participants.length : s.participants;
      b.textContent = 'Watch ' + (s.meeting || s.stream_id) + (people != null ? ' (' + people + ' people)' : '');
      b.setAttribute('aria-label', 'Watch meeting ' + (s.meeting || s.stream_id));
      b.addEventListener('click', () => watch(s.stream_id, s.meeting));
      li.append(b);
      ul.append(li);
    }
    $('no-streams').hidden = list.length > 0;
    // The stream being watched is gone from the list: it ended.
    if (view.streamId && !view.ended && !list.some((s) => s.stream_id === view.streamId)) setState('ended', 'stream gone');
  }

  // --- WHEP ---
  function gatheringDone(pc, ms) {
    return new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      const t = setTimeout(resolve, ms);
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') { clearTimeout(t); resolve(); }
      });
    });
  }

  // The gateway's STUN and TURN servers, for this side of the connection:
  // "Link: <turn:...>; rel="ice-server"; username=...; credential=..." (WHIP,
  // RFC 9725 4.6) on an OPTIONS of the WHEP endpoint, asked before the offer
  // since the offer carries the candidates (no trickle). TURN comes only
  // with the token. ?relay=1 uses TURN's relayed candidates only.
  function parseIceLinks(header) {
    const servers = [];
    const link = /<([^>]*)>((?:\s*;\s*[\w-]+\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^;,]*))*)/g;
    for (let m; (m = link.exec(header));) {
      const p = {};
      const param = /;\s*([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;,]*))/g;
      for (let q; (q = param.exec(m[2]));) {
        p[q[1].toLowerCase()] = q[2] !== undefined ? q[2].replace(/\\(.)/g, '$1') : q[3].trim();
      }
      if (!String(p.rel || '').split(/\s+/).includes('ice-server')) continue;
      const server = { urls: m[1] };
      if (p.username !== undefined) Object.assign(server, { username: p.username, credential: p.credential || '' });
      servers.push(server);
    }
    return servers;
  }
  async function iceConfig(whep) {
    const config = { iceServers: [] };
    try {
      const r = await fetch(whep, { method: 'OPTIONS', headers: authHeaders(), cache: 'no-store' });
      config.iceServers = parseIceLinks(r.headers.get('Link') || '');
    } catch (e) { /* host candidates only */ }
    if (params.get('relay')) config.iceTransportPolicy = 'relay';
    view.iceServers = config.iceServers.map((s) => s.urls);  // for tests: no credentials
    return config;
  }

  async function watch(streamId, meeting) {
    await stop();
    Object.assign(view, { streamId, ended: false, error: null, captions: [], roster: [], speaker: null,
      health: null, maxLevel: 0 });
    $('player').hidden = false;
    $('player-meeting').textContent = meeting || streamId;
    $('captions').replaceChildren();
    $('roster').replaceChildren();
    $('health').replaceChildren();
    $('speaker').textContent = 'nobody';
    setState('connecting');
    openFeed(streamId);
    const config = await iceConfig('/streams/' + encodeURIComponent(streamId) + '/whep');
    if (view.streamId !== streamId) return;  // another stream chosen meanwhile
    let pc;
    try {
      pc = new RTCPeerConnection(config);
    } catch (e) {
      pc = new RTCPeerConnection();  // an ICE server the browser refuses: host candidates
    }
    view.pc = pc;
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    const media = new MediaStream();
    $('video').srcObject = media;
    pc.addEventListener('track', (e) => {
      media.addTrack(e.track);
      if (e.track.kind === 'audio') meter(e.track);
      if (e.track.kind === 'audio' && params.get('g2g')) readAudioMarks(e.track);
      if (e.track.kind === 'video' && params.get('g2g')) readStamps();
    });
    pc.addEventListener('connectionstatechange', () => {
      if (pc !== view.pc) return;
      if (pc.connectionState === 'connected' && view.state === 'connecting') setState('streaming');
      if (pc.connectionState === 'failed' && !view.ended) setState('disconnected');
    });
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await gatheringDone(pc, 3000);  // the gateway takes no trickled candidates
      const r = await fetch('/streams/' + encodeURIComponent(streamId) + '/whep', {
        method: 'POST', headers: authHeaders({ 'Content-Type': 'application/sdp' }), body: pc.localDescription.sdp,
      });
      if (r.status !== 201) throw new Error('WHEP: HTTP ' + r.status + ' ' + (await r.text()).trim());
      view.resource = r.headers.get('Location');
      view.answer = await r.text();
      await pc.setRemoteDescription({ type: 'answer', sdp: view.answer });
    } catch (e) {
      view.error = String(e.message || e);
      setStatus(view.error);
      if (!view.ended) setState('failed', view.error);
    }
  }

  async function stop() {
    if (view.events) view.events.close();
    view.events = null;
    if (view.pc) view.pc.close();
    view.pc = null;
    if (view.resource) {
      const url = view.resource;
      view.resource = null;
      try { await fetch(url, { method: 'DELETE', headers: authHeaders(), keepalive: true }); } catch (e) { /* gone */ }
    }
  }

  // --- audio level (WebAudio) ---
  let audioContext = null;
  function meter(track) {
    audioContext = audioContext || new AudioContext();
    const source = audioContext.createMediaStreamSource(new MediaStream([track]));
    const analyser = audioContext.createAnalyser();
    analyser.fftSize = 2048;
    source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const tick = () => {
      if (!view.pc) return;
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const v of samples) sum += v * v;
      view.level = Math.sqrt(sum / samples.length);
      view.maxLevel = Math.max(view.maxLevel, view.level);
      $('level').value = Math.min(1, view.level * 4);
      setTimeout(tick, 50);
    };
    tick();
  }

  // --- glass-to-glass measurement (?g2g=1) ---
  // The emulator's --stamp-frames draws each frame's place in its one-second
  // loop as eight 32x32 blocks in the top right corner: white, six bits,
  // black. Each frame shown is read back with the time it was shown (epoch
  // ms); tests/browser/glass_to_glass.js turns them into delays.
  view.stamps = [];
  function readStamps() {
    const v = $('video');
    if (!v.requestVideoFrameCallback) return;
    const canvas = document.createElement('canvas');
    canvas.width = 256;
    canvas.height = 32;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    const onFrame = (now, meta) => {
      if (v.videoWidth >= 256) {
        ctx.drawImage(v, v.videoWidth - 256, 0, 256, 32, 0, 0, 256, 32);
        const px = ctx.getImageData(0, 0, 256, 32).data;
        const luma = (b) => { const i = (16 * 256 + b * 32 + 16) * 4; return 0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2]; };
        const white = luma(0), black = luma(7);
        if (white - black > 100) {
          let index = 0;
          for (let b = 1; b <= 6; b++) index = index * 2 + (luma(b) > (white + black) / 2 ? 1 : 0);
          const shown = performance.timeOrigin + meta.expectedDisplayTime;
          const last = view.stamps[view.stamps.length - 1];
          view.stamps.push({ index, shown, width: v.videoWidth });
          if (view.stamps.length > 20000) view.stamps.shift();
          if (index === 0 && (!last || last.index !== 0)) videoMark(shown);
        }
      }
      v.requestVideoFrameCallback(onFrame);
    };
    v.requestVideoFrameCallback(onFrame);
  }

  // The emulator's --stamp-frames also marks the audio: talkers sound only in
  // the first 100 ms of each second of meeting time, the instant of the frame
  // with barcode 0. Each burst's onset is found in a WebAudio analyser's
  // samples and put on the same clock as the frames (when it reaches the
  // output, by getOutputTimestamp); paired with the frame 0 shown nearest
  // (within 500 ms), it gives the A/V offset of that mark: > 0, the sound
  // comes after the picture.
  view.audioMarks = [];
  view.videoMarks = [];
  view.avMarks = [];
  function pairMarks() {
    for (const a of view.audioMarks) {
      if (a.paired) continue;
      let best = null;
      for (const v of view.videoMarks) if (!best || Math.abs(v - a.heard) < Math.abs(best - a.heard)) best = v;
      // Marks are a second apart: one within 500 ms is the one.
      if (best === null || Math.abs(best - a.heard) >= 500) continue;
      a.paired = true;
      view.avMarks.push({ audio: a.heard, video: best, offset_ms: a.heard - best });
      if (view.avMarks.length > 5000) view.avMarks.shift();
    }
    while (view.audioMarks.length > 100) view.audioMarks.shift();
    while (view.videoMarks.length > 100) view.videoMarks.shift();
  }
  function videoMark(shown) {
    view.videoMarks.push(shown);
    pairMarks();
  }
  function readAudioMarks(track) {
    audioContext = audioContext || new AudioContext();
    const ctx = audioContext;
    const source = ctx.createMediaStreamSource(new MediaStream([track]));
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 4096;
    source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    let lastLoud = -1;
    const poll = () => {
      if (!view.pc) return;
      analyser.getFloatTimeDomainData(samples);
      const end = ctx.currentTime;  // the analyser's last sample
      const stamp = ctx.getOutputTimestamp ? ctx.getOutputTimestamp() : {};
      const nowPerf = performance.now();
      // A context time heard at: from the output's own stamp when there is one.
      const toEpoch = (t) => performance.timeOrigin + (stamp.performanceTime > 0
        ? stamp.performanceTime + (t - stamp.contextTime) * 1000
        : nowPerf + (t - end + (ctx.baseLatency || 0) + (ctx.outputLatency || 0)) * 1000);
      for (let j = 0; j < samples.length; j++) {
        if (Math.abs(samples[j]) < 0.05) continue;
        const t = end - (samples.length - j) / ctx.sampleRate;
        if (t - lastLoud > 0.3) {
          view.audioMarks.push({ heard: toEpoch(t) });
          pairMarks();
        }
        lastLoud = Math.max(lastLoud, t);
      }
      setTimeout(poll, 20);
    };
    poll();
  }

  // --- the event feed (Server-Sent Events) ---
  function openFeed(streamId) {
    const es = new EventSource(withToken('/streams/' + encodeURIComponent(streamId) + '/events'));
    view.events = es;
    view.feed = 'connecting';
    $('feed-note').hidden = true;
    const on = (type, fn) => es.addEventListener(type, (e) => {
      let data;
      try { data = JSON.parse(e.data); } catch (err) { return; }
      fn(data);
    });
    es.addEventListener('open', () => { view.feed = 'open'; });
    es.addEventListener('error', () => {
      // 404 (no feed on this gateway) or the stream's end: EventSource gives up.
      if (es.readyState === EventSource.CLOSED) {
        if (view.feed !== 'open') { view.feed = 'absent'; $('feed-note').hidden = false; }
        else view.feed = 'closed';
      }
    });
    on('roster', (d) => {
      view.roster = (d.participants || []).map((p) => ({ user_id: p.user_id, user_name: p.user_name }));
      view.speaker = d.active_speaker || null;
      if (d.state) setState(d.state);
      drawRoster();
    });
    on('participant_join', (d) => {
      if (!view.roster.some((p) => p.user_id === d.user_id)) view.roster.push({ user_id: d.user_id, user_name: d.user_name });
      drawRoster();
    });
    on('participant_leave', (d) => {
      view.roster = view.roster.filter((p) => p.user_id !== d.user_id);
      if (view.speaker && view.speaker.user_id === d.user_id) view.speaker = null;
      drawRoster();
    });
    on('active_speaker', (d) => { view.speaker = d && d.user_id != null ? d : null; drawRoster(); });
    on('transcript', (d) => {
      view.captions.push({ user_name: d.user_name, text: d.text, start_ms: d.start_ms });
      const li = document.createElement('li');
      const who = document.createElement('strong');
      who.textContent = (d.user_name || 'Someone') + ': ';
      li.append(who, document.createTextNode(d.text || ''));
      if (d.language) li.lang = String(d.language).length <= 8 ? String(d.language) : '';
      const list = $('captions');
      list.append(li);
      while (list.children.length > 50) list.firstElementChild.remove();
      list.scrollTop = list.scrollHeight;
    });
    on('state', (d) => {
      setState(d.state, d.reason);
      if (d.state === 'ended') es.close();
    });
    on('health', (d) => {
      view.health = d;
      const dl = $('health');
      dl.replaceChildren();
      for (const [k, v] of Object.entries({ reconnects: d.reconnects, bytes: d.bytes, buffers: d.buffers,
        'up for': d.uptime_ms != null ? Math.round(d.uptime_ms / 1000) + ' s' : undefined })) {
        if (v === undefined) continue;
        const dt = document.createElement('dt');
        dt.textContent = k;
        const dd = document.createElement('dd');
        dd.textContent = String(v);
        dl.append(dt, dd);
      }
    });
  }

  function drawRoster() {
    const ul = $('roster');
    ul.replaceChildren();
    for (const p of view.roster) {
      const li = document.createElement('li');
      li.textContent = p.user_name || String(p.user_id);
      if (view.speaker && view.speaker.user_id === p.user_id) li.classList.add('speaking');
      ul.append(li);
    }
    $('speaker').textContent = view.speaker ? (view.speaker.user_name || String(view.speaker.user_id)) : 'nobody';
  }

  $('unmute').addEventListener('click', () => {
    const v = $('video');
    v.muted = !v.muted;
    $('unmute').setAttribute('aria-pressed', String(!v.muted));
    $('unmute').textContent = v.muted ? 'Turn sound on' : 'Turn sound off';
    if (audioContext) audioContext.resume();
  });
  $('stop').addEventListener('click', async () => {
    await stop();
    view.streamId = null;
    $('player').hidden = true;
  });
  window.addEventListener('pagehide', () => { stop(); });

  refreshStreams();
  setInterval(refreshStreams, 2000);
  const wanted = params.get('stream');
  if (wanted) watch(wanted, wanted);
})();
