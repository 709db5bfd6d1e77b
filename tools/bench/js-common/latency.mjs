// Wire-to-application latency for the JavaScript baselines, measured the way
// rtms-bench measures rtmssrc's (tools/bench/stream_pipeline.cpp): the audio
// message's `timestamp` (ms of the wall clock, the start of its 20 ms frame)
// plus the profile's send offset (the emulator sends a frame when it is
// complete) is when it left the emulator; the arrival is the wall clock when
// the client's callback runs. Both processes share this machine's clock.
//
// A histogram, not a list: fixed memory whatever N and the window are.
// 10 us buckets up to 100 ms; anything later counts in the last bucket and in
// `max`. Negative values (the emulator's millisecond rounding) count as 0 and
// are tallied, as rtms-bench does.

export const AUDIO_SEND_OFFSET_MS = 20;

const BUCKET_US = 10;
const BUCKETS = 10000; // 100 ms

export function wallUs() {
  return (performance.timeOrigin + performance.now()) * 1000;
}

export class LatencyHistogram {
  constructor() {
    this.buckets = new Uint32Array(BUCKETS + 1);
    this.count = 0;
    this.negatives = 0;
    this.maxUs = 0;
  }

  // `timestampMs`: the message's timestamp field.
  record(timestampMs, arrivalUs = wallUs()) {
    let us = arrivalUs - (timestampMs + AUDIO_SEND_OFFSET_MS) * 1000;
    if (us < 0) {
      this.negatives++;
      us = 0;
    }
    if (us > this.maxUs) this.maxUs = us;
    this.buckets[Math.min(BUCKETS, Math.floor(us / BUCKET_US))]++;
    this.count++;
  }

  // The upper edge of the bucket holding the q-quantile, capped at the
  // maximum; 0 when empty (as tools/common/latency_histogram.h).
  quantileUs(q) {
    if (this.count === 0) return 0;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i <= BUCKETS; i++) {
      seen += this.buckets[i];
      if (seen >= rank) return Math.min((i + 1) * BUCKET_US, this.maxUs);
    }
    return this.maxUs;
  }

  summary() {
    return {
      latency_p50_ms: this.quantileUs(0.5) / 1000,
      latency_p99_ms: this.quantileUs(0.99) / 1000,
      latency_max_ms: this.maxUs / 1000,
      latency_samples: this.count,
      latency_negative: this.negatives,
    };
  }
}
