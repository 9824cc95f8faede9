/**
 * Signal quality index 0..1 of the analysis lead, from three cues:
 * - beat-to-template correlation: each beat (−100..+150 ms) against a running average beat;
 * - noise outside the QRS: high-frequency (sample-to-sample difference) power between beats
 *   relative to the QRS amplitude;
 * - flat or railed input, and no beat for 3 s, give 0; lead-off gives 0.
 * SQI = mean correlation of the last 8 beats (negative counts as 0) × noise factor.
 */

const TEMPLATE_BEFORE_S = 0.1;
const TEMPLATE_AFTER_S = 0.15;
const RECENT_BEATS = 8;
const FLAT_UV = 10;
const NO_BEAT_S = 3;

/** The band-limited analysis lead in a power-of-two ring, holding stream samples `oldest..newest`. */
export interface SampleHistory {
  ring: Float32Array;
  oldest: number;
  newest: number;
}

/** Sample `k` of `history`, or its nearest end when `k` lies outside what it holds. */
function historyAt(history: SampleHistory, k: number): number {
  const clamped = k < history.oldest ? history.oldest : k > history.newest ? history.newest : k;
  return history.ring[clamped & (history.ring.length - 1)]!;
}

export class QualityMeter {
  private readonly before: number;
  private readonly after: number;
  private readonly template: Float64Array;
  /** The current beat's window, reused: a typed array allocated per beat costs more than the beat's arithmetic. */
  private readonly window: Float64Array;
  private templateBeats = 0;
  private readonly correlations: number[] = [];
  private readonly noiseRatios: number[] = [];
  private lastBeatSample: number | null = null;

  constructor(private readonly fsHz: number) {
    this.before = Math.round(TEMPLATE_BEFORE_S * fsHz);
    this.after = Math.round(TEMPLATE_AFTER_S * fsHz);
    this.template = new Float64Array(this.before + this.after + 1);
    this.window = new Float64Array(this.template.length);
  }

  /** Latest samples a beat window needs after its R peak. */
  get samplesAfterBeat(): number {
    return this.after;
  }

  /**
   * One beat at R peak `sample`, read from `history` (samples outside what it holds read as its
   * nearest end). Noise is measured between this beat's window and the previous beat's.
   */
  addBeat(sample: number, history: SampleHistory): void {
    const length = this.template.length;
    const window = this.window;
    let mean = 0;
    for (let i = 0; i < length; i += 1) {
      window[i] = historyAt(history, sample - this.before + i);
      mean += window[i]!;
    }
    mean /= length;
    let peakToPeak = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < length; i += 1) {
      window[i]! -= mean;
      lo = Math.min(lo, window[i]!);
      hi = Math.max(hi, window[i]!);
    }
    peakToPeak = hi - lo;
    if (this.templateBeats > 0) this.push(this.correlations, correlation(window, this.template));
    // Running average template; early beats weigh more so it settles in a few beats.
    const weight = 1 / Math.min(this.templateBeats + 1, 16);
    for (let i = 0; i < length; i += 1) this.template[i]! += weight * (window[i]! - this.template[i]!);
    this.templateBeats += 1;

    if (this.lastBeatSample !== null && peakToPeak > 0) {
      // Between beats: from the end of this beat's predecessor window to just before this beat.
      const from = this.lastBeatSample + this.after;
      const to = sample - this.before;
      if (to - from > 4) {
        let sum = 0;
        let previous = historyAt(history, from);
        for (let k = from + 1; k < to; k += 1) {
          const value = historyAt(history, k);
          const d = value - previous;
          sum += d * d;
          previous = value;
        }
        const rmsDiff = Math.sqrt(sum / (to - from - 1));
        this.push(this.noiseRatios, rmsDiff / peakToPeak);
      }
    }
    this.lastBeatSample = sample;
  }

  private push(list: number[], value: number): void {
    list.push(value);
    if (list.length > RECENT_BEATS) list.shift();
  }

  /**
   * The index at sample `now`. `rangeUv` is the analysis lead's peak-to-peak over the last
   * 2 s (flat or railed when tiny).
   */
  index(now: number, rangeUv: number, leadOff: boolean): number {
    if (leadOff || rangeUv < FLAT_UV) return 0;
    if (this.lastBeatSample === null || now - this.lastBeatSample > NO_BEAT_S * this.fsHz) return 0;
    if (this.correlations.length === 0) return 0.5;
    // The mean, not the median: one false beat among eight should already cost quality.
    const corr = Math.max(0, this.correlations.reduce((sum, c) => sum + Math.max(0, c), 0) / this.correlations.length);
    // Clean ECG has a sample-difference RMS of a few % of the QRS amplitude; 25 % is unusable.
    const noise = this.noiseRatios.length ? median(this.noiseRatios) : 0;
    const noiseFactor = Math.max(0, Math.min(1, 1 - (noise - 0.03) / 0.22));
    return Math.max(0, Math.min(1, corr * noiseFactor));
  }

  reset(): void {
    this.template.fill(0);
    this.templateBeats = 0;
    this.correlations.length = 0;
    this.noiseRatios.length = 0;
    this.lastBeatSample = null;
  }
}

function correlation(a: Float64Array, b: Float64Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i += 1) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
