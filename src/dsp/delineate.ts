import { lowPassZeroPhase, median } from './delineation-filters.js';
import { buildMedianBeat, type MedianBeat } from './median-beat.js';
import type { Intervals } from './types.js';

/** Wave boundaries found on a median beat, as indices into `MedianBeat.waveUv`; null when absent. */
export interface WaveBoundaries {
  pOnset: number | null;
  pPeak: number | null;
  qrsOnset: number | null;
  qrsOffset: number | null;
  tPeak: number | null;
  tEnd: number | null;
}

export type IntervalMeasurement = Intervals & { beatsUsed: number };

const NONE: IntervalMeasurement = {
  prMs: null,
  qrsMs: null,
  qtMs: null,
  qtcBazettMs: null,
  qtcFridericiaMs: null,
  beatsUsed: 0,
};

/**
 * PR, QRS, QT and QTc (Bazett and Fridericia) from a median beat of one lead.
 * `signalUv` is raw µV (lead II preferred), `rPeaks` the R-peak sample indices into it.
 */
export function measureIntervals(signalUv: Float32Array, fsHz: number, rPeaks: readonly number[]): IntervalMeasurement {
  const beat = buildMedianBeat(signalUv, fsHz, rPeaks);
  if (!beat) return { ...NONE };
  const waves = delineateMedianBeat(beat);
  return intervalsFromBoundaries(waves, beat);
}

export function intervalsFromBoundaries(waves: WaveBoundaries, beat: MedianBeat): IntervalMeasurement {
  const ms = (samples: number) => (samples / beat.fsHz) * 1000;
  const prMs = waves.pOnset !== null && waves.qrsOnset !== null ? ms(waves.qrsOnset - waves.pOnset) : null;
  const qrsMs = waves.qrsOnset !== null && waves.qrsOffset !== null ? ms(waves.qrsOffset - waves.qrsOnset) : null;
  const qtMs = waves.qrsOnset !== null && waves.tEnd !== null ? ms(waves.tEnd - waves.qrsOnset) : null;
  const rrS = beat.rrMs !== null ? beat.rrMs / 1000 : null;
  return {
    prMs,
    qrsMs,
    qtMs,
    qtcBazettMs: qtMs !== null && rrS !== null ? qtMs / Math.sqrt(rrS) : null,
    qtcFridericiaMs: qtMs !== null && rrS !== null ? qtMs / Math.cbrt(rrS) : null,
    beatsUsed: beat.beatsUsed,
  };
}

/** Tuning constants, set once on LUDB lead II (not per record). */
export const TUNE = { LOW_PASS_HZ: 40, ENVELOPE_S: 0.01, QRS_ONSET_FRACTION: 0.04, QRS_OFFSET_FRACTION: 0.035, GAP_S: 0, GAP_FRACTION: 0.1, LOBE_MIN_UV: 25, LOBE_FRACTION: 0.5, LOBE_PROMINENCE: 1, LOBE_REACH_S: 0.12, T_END_REACH_S: 0.18, QRS_DEVIATION_UV: 0, QTC_MAX_S: 0.6, P_SPREAD_RATIO: 3 };
const T = TUNE;
const CORE_FRACTION = 0.3;
const QRS_SEARCH_BEFORE_S = 0.15;
const QRS_SEARCH_AFTER_S = 0.2;
const P_SEARCH_S = 0.3;
const P_MIN_UV = 20;
const T_SEARCH_AFTER_QRS_S = 0.06;


/** Finds P onset, QRS onset and offset and T end on a median beat. */
export function delineateMedianBeat(beat: MedianBeat): WaveBoundaries {
  const { fsHz, rIndex } = beat;
  const n = beat.waveUv.length;
  const samples = (seconds: number) => Math.max(1, Math.round(seconds * fsHz));
  const smooth = lowPassZeroPhase(beat.waveUv, fsHz, T.LOW_PASS_HZ);
  const slope = new Float64Array(n);
  for (let k = 1; k < n - 1; k += 1) slope[k] = ((smooth[k + 1]! - smooth[k - 1]!) * fsHz) / 2;
  const envelope = movingMeanAbs(slope, samples(T.ENVELOPE_S) | 1);

  // QRS: where the slope envelope stays above a fraction of its peak around R.
  const lo = Math.max(1, rIndex - samples(QRS_SEARCH_BEFORE_S));
  const hi = Math.min(n - 2, rIndex + samples(QRS_SEARCH_AFTER_S));
  let peakEnvelope = 0;
  for (let k = rIndex - samples(0.06); k <= rIndex + samples(0.06); k += 1) {
    if (k >= 0 && k < n) peakEnvelope = Math.max(peakEnvelope, envelope[k]!);
  }
  if (!(peakEnvelope > 0)) return { pOnset: null, pPeak: null, qrsOnset: null, qrsOffset: null, tPeak: null, tEnd: null };
  // The QRS core: from the first to the last strong slope near R (R marks may sit off the peak).
  let coreStart = rIndex;
  let coreEnd = rIndex;
  for (let k = rIndex - samples(0.06); k <= rIndex + samples(0.06); k += 1) {
    if (k < 0 || k >= n || envelope[k]! < CORE_FRACTION * peakEnvelope) continue;
    coreStart = Math.min(coreStart, k);
    coreEnd = Math.max(coreEnd, k);
  }
  let qrsOnset = qrsEdge(envelope, coreStart, lo, -1, T.QRS_ONSET_FRACTION * peakEnvelope, T.GAP_FRACTION * peakEnvelope, samples(T.GAP_S));
  let qrsOffset = qrsEdge(envelope, coreEnd, hi, 1, T.QRS_OFFSET_FRACTION * peakEnvelope, T.GAP_FRACTION * peakEnvelope, samples(T.GAP_S));
  // The slope envelope runs a little wide; the wave itself starts where it leaves the flat level.
  const onsetLevel = segmentMedian(smooth, qrsOnset - samples(0.02), qrsOnset);
  while (qrsOnset < rIndex && Math.abs(smooth[qrsOnset]! - onsetLevel) < T.QRS_DEVIATION_UV) qrsOnset += 1;
  const offsetLevel = segmentMedian(smooth, qrsOffset, qrsOffset + samples(0.02));
  while (qrsOffset > rIndex && Math.abs(smooth[qrsOffset]! - offsetLevel) < T.QRS_DEVIATION_UV) qrsOffset -= 1;

  // Isoelectric level: the PR segment just before QRS onset.
  const levelWindow: number[] = [];
  for (let k = Math.max(0, qrsOnset - samples(0.02)); k <= qrsOnset; k += 1) levelWindow.push(smooth[k]!);
  const level = median(levelWindow);

  const rr = beat.rrMs !== null ? samples(beat.rrMs / 1000) : samples(1);
  // T ends within a physiological QT (Bazett QTc <= QTC_MAX_S) and before the next P wave.
  const qtMax = qrsOnset - rIndex + samples(T.QTC_MAX_S * Math.sqrt(rr / fsHz));
  const tStart = qrsOffset + samples(T_SEARCH_AFTER_QRS_S);
  const findT = (nextAtrial: number) =>
    findTEnd(smooth, slope, level, tStart, Math.min(n - 1, rIndex + Math.min(nextAtrial - samples(0.02), qtMax, samples(0.75))), samples(T.T_END_REACH_S), samples(T.LOBE_REACH_S));
  // First without P (the next P is then at least 30 % of RR before the next QRS)...
  let t = findT(Math.round(0.7 * rr));
  // ...then P, searched after the previous beat's T wave (which fast rates bring close)...
  const previousTEnd = t.end !== null ? t.end - rr + samples(0.02) : 0;
  const pFrom = Math.max(0, qrsOnset - samples(P_SEARCH_S), previousTEnd);
  const pTo = qrsOnset - samples(0.02);
  // A P wave must stand out from the beat-to-beat scatter there (AF's f-waves do not repeat).
  const pMinUv = Math.max(P_MIN_UV, T.P_SPREAD_RATIO * segmentMedian(beat.spreadUv, pFrom, pTo));
  const p = findPOnset(smooth, slope, level, pFrom, pTo, samples(0.15), pMinUv, samples(0.01));
  // ...and T again, now bounded by the next beat's P onset.
  if (p.onset !== null) t = findT(rr + p.onset - rIndex);
  return { pOnset: p.onset, pPeak: p.peak, qrsOnset, qrsOffset, tPeak: t.peak, tEnd: t.end };
}

/**
 * Where a steep stroke (at xm) meets the flat part beyond it, towards xr: the point that
 * maximises the trapezium area between the stroke point, the candidate and xr.
 */
function knee(wave: Float64Array, slope: Float64Array, xm: number, xr: number): number {
  const step = xr >= xm ? 1 : -1;
  // Direction the signal moves while walking from xm towards xr.
  const moving = Math.sign(slope[xm]!) * step || 1;
  let best = xm;
  let bestArea = -Infinity;
  for (let k = xm; k !== xr + step; k += step) {
    const area = moving * (wave[k]! - wave[xm]!) * Math.abs(xr - k);
    if (area > bestArea) {
      bestArea = area;
      best = k;
    }
  }
  return best;
}

/**
 * Walks from R towards `limit` while the slope envelope stays above `threshold`; a dip shorter
 * than `gap` is bridged when the envelope climbs back above `resume` (notched or fragmented QRS).
 */
function qrsEdge(envelope: Float64Array, rIndex: number, limit: number, step: 1 | -1, threshold: number, resume: number, gap: number): number {
  let edge = rIndex;
  for (let k = rIndex; step > 0 ? k <= limit : k >= limit; k += step) {
    if (envelope[k]! >= threshold) {
      if (Math.abs(k - edge) <= 1 || envelope[k]! >= resume) edge = k;
      else if (Math.abs(k - edge) > gap) break;
    } else if (Math.abs(k - edge) > gap) break;
  }
  return edge;
}

function segmentMedian(wave: Float64Array, from: number, to: number): number {
  const values: number[] = [];
  for (let k = Math.max(0, from); k <= Math.min(wave.length - 1, to); k += 1) values.push(wave[k]!);
  return median(values);
}

function movingMeanAbs(values: Float64Array, width: number): Float64Array {
  const half = width >> 1;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i += 1) {
    let sum = 0;
    let count = 0;
    for (let j = Math.max(0, i - half); j <= Math.min(values.length - 1, i + half); j += 1) {
      sum += Math.abs(values[j]!);
      count += 1;
    }
    out[i] = sum / count;
  }
  return out;
}

function argMaxDeviation(wave: Float64Array, level: number, from: number, to: number): number | null {
  let best: number | null = null;
  let bestValue = -Infinity;
  for (let k = Math.max(0, from); k <= Math.min(wave.length - 1, to); k += 1) {
    const value = Math.abs(wave[k]! - level);
    if (value > bestValue) {
      bestValue = value;
      best = k;
    }
  }
  return best;
}

/**
 * T end by the trapezium-area method: from the steepest point of the T downslope, the point
 * that maximises the area of the trapezium reaching a fixed point past the wave.
 */
function findTEnd(wave: Float64Array, slope: Float64Array, level: number, from: number, to: number, reach: number, lobeReach: number): { peak: number | null; end: number | null } {
  if (to - from < 3) return { peak: null, end: null };
  let peak = argMaxDeviation(wave, level, from, to)!;
  let sign = wave[peak]! >= level ? 1 : -1;
  // Biphasic T (or a T after a depressed ST): the end belongs to a later lobe of the other
  // polarity when it stands out from the trough between them and clearly leaves the baseline.
  let later: number | null = null;
  let trough = wave[peak]!;
  for (let k = peak + 1; k <= Math.min(to, peak + lobeReach); k += 1) {
    if (sign * (wave[k]! - trough) < 0) trough = wave[k]!;
    const deviation = -sign * (wave[k]! - level);
    if (deviation > 0 && (later === null || deviation > -sign * (wave[later]! - level))) later = k;
  }
  if (later !== null) {
    const mainUv = Math.abs(wave[peak]! - level);
    const laterUv = Math.abs(wave[later]! - level);
    const prominenceUv = Math.abs(wave[later]! - wave[peak]!);
    if (laterUv >= Math.max(T.LOBE_MIN_UV, T.LOBE_FRACTION * mainUv) && prominenceUv >= T.LOBE_PROMINENCE * mainUv) {
      peak = later;
      sign = -sign;
    }
  }
  const xr = Math.min(to, peak + reach);
  let xm = peak;
  let steepest = 0;
  for (let k = peak; k <= xr; k += 1) {
    const descent = -sign * slope[k]!;
    if (descent > steepest) {
      steepest = descent;
      xm = k;
    }
  }
  let end = xm;
  let bestArea = -Infinity;
  for (let k = xm; k <= xr; k += 1) {
    const area = sign * (wave[xm]! - wave[k]!) * (xr - k);
    if (area > bestArea) {
      bestArea = area;
      end = k;
    }
  }
  return { peak, end };
}

/** P onset: the mirror of the T-end method on the P upslope; null when no P wave stands out. */
function findPOnset(wave: Float64Array, slope: Float64Array, level: number, from: number, to: number, reach: number, minUv: number, edge: number): { peak: number | null; onset: number | null } {
  if (to - from < 3) return { peak: null, onset: null };
  const peak = argMaxDeviation(wave, level, from, to)!;
  if (Math.abs(wave[peak]! - level) < minUv) return { peak: null, onset: null };
  // A peak on the window's edge is the tail of another wave (previous T), not a P wave.
  if (peak - from < edge) return { peak: null, onset: null };
  const sign = wave[peak]! >= level ? 1 : -1;
  const xl = Math.max(0, peak - reach);
  let xm = peak;
  let steepest = 0;
  for (let k = peak; k >= xl; k -= 1) {
    const ascent = sign * slope[k]!;
    if (ascent > steepest) {
      steepest = ascent;
      xm = k;
    }
  }
  let onset = xm;
  let bestArea = -Infinity;
  for (let k = xm; k >= xl; k -= 1) {
    const area = sign * (wave[xm]! - wave[k]!) * (k - xl);
    if (area > bestArea) {
      bestArea = area;
      onset = k;
    }
  }
  return { peak, onset };
}
