/**
 * Displayed heart rate, averaged as IEC 60601-2-27 (201.7.9.2.9.101 b 3) asks manufacturers to
 * disclose: the mean of the last 12 RR intervals, or of the last 4 when their mean exceeds
 * 1.2 s (so a falling rate shows quickly). The value is refreshed once per second of signal time
 * and goes to null (asystole / no signal) when no beat came for 6 s. Tall T waves are kept out
 * upstream: the detector never reports a second beat for one QRS (refractory + T-wave slope test).
 */

export const HR_AVERAGE_BEATS = 12;
export const HR_SLOW_AVERAGE_BEATS = 4;
export const HR_SLOW_RR_MS = 1200;
export const HR_TIMEOUT_S = 6;

/** Mean RR (ms) by the rule above; null with no intervals. */
export function averagedRrMs(rrMs: readonly number[]): number | null {
  if (rrMs.length === 0) return null;
  const slow = meanOfLast(rrMs, HR_SLOW_AVERAGE_BEATS);
  return slow > HR_SLOW_RR_MS ? slow : meanOfLast(rrMs, HR_AVERAGE_BEATS);
}

/** Mean of the last `count` values (fewer when there are fewer), oldest first, without a copy. */
function meanOfLast(values: readonly number[], count: number): number {
  const from = Math.max(0, values.length - count);
  let sum = 0;
  for (let i = from; i < values.length; i += 1) sum += values[i]!;
  return sum / (values.length - from);
}

export class HeartRateMeter {
  private readonly rrMs: number[] = [];
  private lastBeatSample: number | null = null;
  /** NaN for "no rate": a field that only ever holds doubles keeps the hot caller's compiled code valid. */
  private displayedBpm = Number.NaN;
  private nextUpdateSample: number | null = null;

  constructor(private readonly fsHz: number) {}

  /** A new beat (R peak sample number, increasing). */
  addBeat(sample: number): number | null {
    let rr: number | null = null;
    if (this.lastBeatSample !== null) {
      rr = ((sample - this.lastBeatSample) * 1000) / this.fsHz;
      this.rrMs.push(rr);
      if (this.rrMs.length > HR_AVERAGE_BEATS) this.rrMs.shift();
    }
    this.lastBeatSample = sample;
    return rr;
  }

  /** Advances the clock to `sample` (the newest sample seen); recomputes once per second. */
  tick(sample: number): void {
    if (this.nextUpdateSample === null) this.nextUpdateSample = sample;
    while (sample >= this.nextUpdateSample) {
      this.displayedBpm = this.compute(this.nextUpdateSample);
      this.nextUpdateSample += this.fsHz;
    }
  }

  private compute(sample: number): number {
    if (this.lastBeatSample === null || sample - this.lastBeatSample > HR_TIMEOUT_S * this.fsHz) return Number.NaN;
    const rr = averagedRrMs(this.rrMs);
    return rr === null ? Number.NaN : 60_000 / rr;
  }

  /** The rate on display (bpm), as of the last whole-second update. */
  get rateBpm(): number | null {
    return Number.isNaN(this.displayedBpm) ? null : this.displayedBpm;
  }

  get lastRrMs(): number | null {
    return this.rrMs.length ? this.rrMs[this.rrMs.length - 1]! : null;
  }

  reset(): void {
    this.rrMs.length = 0;
    this.lastBeatSample = null;
    this.displayedBpm = Number.NaN;
    this.nextUpdateSample = null;
  }
}
