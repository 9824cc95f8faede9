import { alignments, medianColumns, type AlignmentTemplate } from './delineation-kernels.js';
import { lowPassZeroPhase, median, slopeEnvelope, withoutBaseline } from './delineation-filters.js';

/** A representative beat: the sample-wise median of the selected, aligned beats. */
export interface MedianBeat {
  /** Baseline-corrected median beat in µV. */
  waveUv: Float64Array;
  /** Per sample, the median absolute deviation of the beats from `waveUv`: how consistent the beats are. */
  spreadUv: Float64Array;
  /** Index of the R peak (the alignment point) in `waveUv`. */
  rIndex: number;
  fsHz: number;
  /** Median RR (ms) before the beats used (all beats' median when none has one); null with one beat. */
  rrMs: number | null;
  beatsUsed: number;
  /** R sample (in the input signal) of each beat that went into the median, after alignment. */
  usedRPeaks: number[];
}

/** Beats whose QRS correlates less than this with the dominant template are left out. */
const MIN_QRS_CORRELATION = 0.9;
const ALIGN_SEARCH_S = 0.03;
const QRS_HALF_WINDOW_S = 0.08;
const MIN_BEATS = 3;
const MAX_DOMINANCE_BEATS = 30;
/** A morphology group holding at least this share of the judged beats competes with the largest one. */
const MIN_GROUP_SHARE = 1 / 3;
/** ...and is measured instead when its QRS is at most this fraction of the largest group's width. */
const NARROWER_RATIO = 0.8;
/** The coarse width that compares groups: where a 10 ms |slope| mean (40 Hz low-pass) stays above 10 % of its peak within 60 ms of R. */
const WIDTH_FRACTION = 0.1;
const WIDTH_LOW_PASS_HZ = 40;
const WIDTH_ENVELOPE_S = 0.01;
const WIDTH_PEAK_REACH_S = 0.06;
/** A detection whose steepest QRS slope is below this fraction of the typical one is no QRS. */
const MIN_STEEPNESS_FRACTION = 0.3;
/**
 * Steepness is the rise over this span (4 ms, two samples at 500 Hz): over a fixed time, not a
 * fixed sample count, a QRS and a pacing spike keep their ratio at every sampling rate.
 */
const STEEPNESS_SPAN_S = 0.004;
/** Steepness is judged on the signal low-passed (zero phase) at this: a pacing spike, sharper than any sampling rate, must not set the typical QRS. */
const STEEPNESS_LOW_PASS_HZ = 40;

/** Window around R: long enough for P onset before and T end after, short enough not to overlap much. */
function beatWindow(rrS: number): { preS: number; postS: number } {
  return {
    preS: Math.min(0.5, Math.max(0.3, 0.5 * rrS)),
    postS: Math.min(0.8, Math.max(0.4, 0.85 * rrS)),
  };
}

/**
 * Builds the median beat from a window of raw signal and its R peaks. Robust to the odd PVC or
 * false detection: only beats of the dominant QRS morphology go in, and when two morphologies
 * are of comparable size (pacing or bigeminy), the narrower, conducted one.
 */
export function buildMedianBeat(signalUv: Float32Array, fsHz: number, rPeaks: readonly number[]): MedianBeat | null {
  const peaks = [...rPeaks].filter((r) => Number.isFinite(r) && r >= 0 && r < signalUv.length).map(Math.round).sort((a, b) => a - b);
  if (peaks.length === 0 || !(fsHz > 0)) return null;
  const clean = withoutBaseline(signalUv, fsHz);

  // Detections without a steep QRS (a T wave taken for a beat) stay out of the RR and the median.
  const qrsHalf = Math.round(QRS_HALF_WINDOW_S * fsHz);
  const halfSpan = Math.max(1, Math.round((STEEPNESS_SPAN_S / 2) * fsHz));
  const smooth = lowPassZeroPhase(clean, fsHz, STEEPNESS_LOW_PASS_HZ);
  const steepness = peaks.map((r) => maxRise(smooth, r - qrsHalf, r + qrsHalf, halfSpan));
  const typicalSteepness = quantile(steepness, 0.8);
  const beats = peaks.filter((_, i) => steepness[i]! >= MIN_STEEPNESS_FRACTION * typicalSteepness);
  const rrSamples: number[] = [];
  for (let i = 1; i < beats.length; i += 1) rrSamples.push(beats[i]! - beats[i - 1]!);
  const medianRr = rrSamples.length > 0 ? median(rrSamples) : Number.NaN;
  const rrS = Number.isFinite(medianRr) ? medianRr / fsHz : 1;
  const { preS, postS } = beatWindow(rrS);
  const pre = Math.round(preS * fsHz);
  const post = Math.round(postS * fsHz);
  const length = pre + post + 1;
  const alignMax = Math.round(ALIGN_SEARCH_S * fsHz);

  const fits = (r: number) => r - pre - alignMax >= 0 && r + post + alignMax < clean.length;
  const candidates = beats.filter(fits);
  if (candidates.length === 0) return null;

  // The dominant morphology: the beat that most others resemble seeds the template, so PVCs,
  // false detections and a minority rhythm stay out even when they are regular; of two
  // comparable groups the clearly narrower one (conducted beats, not paced or ventricular).
  // Pairwise comparison is quadratic: judge dominance on an even sample of long windows.
  const stride = Math.max(1, Math.ceil(candidates.length / MAX_DOMINANCE_BEATS));
  const sample = candidates.filter((_, i) => i % stride === 0);
  const seedR = sample[seedBeat(clean, fsHz, sample, pre, length, qrsHalf, alignMax)]!;
  const seedIndex = candidates.indexOf(seedR);
  const seedWave = clean.subarray(candidates[seedIndex]! - pre, candidates[seedIndex]! - pre + length);
  const seedQrs = qrsTemplate(seedWave, pre, qrsHalf);
  const firstPass = alignAll(clean, seedQrs, candidates, qrsHalf, alignMax);
  const cluster = firstPass.filter((beat) => beat.correlation >= MIN_QRS_CORRELATION).map((beat) => beat.r);
  const template = medianOfBeats(clean, Int32Array.from(cluster.length > 0 ? cluster : [candidates[seedIndex]!]), pre, length);
  const templateQrs = qrsTemplate(template, pre, qrsHalf);
  const aligned = alignAll(clean, templateQrs, candidates, qrsHalf, alignMax);
  let used = aligned.filter((beat) => beat.correlation >= MIN_QRS_CORRELATION).map((beat) => beat.r);
  if (used.length < Math.min(MIN_BEATS, aligned.length)) {
    // Keep the best-matching beats rather than nothing (noisy strip): the upper half by correlation.
    const sorted = [...aligned].sort((x, y) => y.correlation - x.correlation);
    used = sorted.slice(0, Math.max(1, Math.ceil(sorted.length / 2))).map((beat) => beat.r);
  }
  used = [...new Set(used)].sort((x, y) => x - y);
  const usedPeaks = Int32Array.from(used);
  const waveUv = medianOfBeats(clean, usedPeaks, pre, length);
  const spreadUv = medianOfBeats(clean, usedPeaks, pre, length, waveUv);
  // RR of the beats used: the interval before each of them (after a PVC pause too, as QTc expects).
  const usedRr: number[] = [];
  for (const r of used) {
    const i = nearestIndex(beats, r);
    if (i > 0) usedRr.push(beats[i]! - beats[i - 1]!);
  }
  const rrSamplesUsed = usedRr.length > 0 ? median(usedRr) : medianRr;
  return {
    waveUv,
    spreadUv,
    rIndex: pre,
    fsHz,
    rrMs: Number.isFinite(rrSamplesUsed) ? (rrSamplesUsed / fsHz) * 1000 : null,
    beatsUsed: used.length,
    usedRPeaks: used,
  };
}

/** Another lead's median beat over the same beats as a `MedianBeat`, and its per-sample scatter. */
export interface CompanionBeat {
  waveUv: Float64Array;
  spreadUv: Float64Array;
}

/**
 * Median beats of other leads over exactly the beats (and alignment) of `beat`, so the samples
 * line up with `beat.waveUv`; null for a lead too short for them.
 */
export function companionMedianBeats(signalsUv: readonly Float32Array[], beat: MedianBeat): (CompanionBeat | null)[] {
  const length = beat.waveUv.length;
  const usedPeaks = Int32Array.from(beat.usedRPeaks);
  return signalsUv.map((signalUv) => {
    if (beat.usedRPeaks.some((r) => r - beat.rIndex < 0 || r - beat.rIndex + length > signalUv.length)) return null;
    const clean = withoutBaseline(signalUv, beat.fsHz);
    const waveUv = medianOfBeats(clean, usedPeaks, beat.rIndex, length);
    return { waveUv, spreadUv: medianOfBeats(clean, usedPeaks, beat.rIndex, length, waveUv) };
  });
}

/** The largest |signal[k + halfSpan] − signal[k − halfSpan]| for k in [from, to]. */
function maxRise(signal: Float64Array, from: number, to: number, halfSpan: number): number {
  let steepest = 0;
  for (let k = Math.max(halfSpan, from); k <= Math.min(signal.length - 1 - halfSpan, to); k += 1) steepest = Math.max(steepest, Math.abs(signal[k + halfSpan]! - signal[k - halfSpan]!));
  return steepest;
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function nearestIndex(sorted: readonly number[], value: number): number {
  let best = 0;
  for (let i = 1; i < sorted.length; i += 1) if (Math.abs(sorted[i]! - value) < Math.abs(sorted[best]! - value)) best = i;
  return best;
}

/** A morphology group: beats whose QRS matches the seed's, with their R aligned on the seed's. */
interface MorphologyGroup {
  seed: number;
  alignedR: number[];
}

/**
 * Splits the beats into morphology groups: the beat most others match (r >= MIN_QRS_CORRELATION;
 * ties by total correlation) seeds a group of the beats matching it, then the same on the rest.
 * Largest group first.
 */
function morphologyGroups(signal: Float64Array, rPeaks: readonly number[], half: number, maxLag: number): MorphologyGroup[] {
  const n = rPeaks.length;
  const correlation = new Float64Array(n * n);
  // lag[i * n + j]: shift of beat j that best matches beat i's QRS.
  const lag = new Int32Array(n * n);
  for (let i = 0; i < n; i += 1) {
    correlation[i * n + i] = 1;
    const template = qrsTemplate(signal.subarray(rPeaks[i]! - half, rPeaks[i]! + half + 1), half, half);
    const row = alignAll(signal, template, rPeaks.slice(i + 1), half, maxLag);
    for (let j = i + 1; j < n; j += 1) {
      const best = row[j - i - 1]!;
      correlation[i * n + j] = best.correlation;
      correlation[j * n + i] = best.correlation;
      lag[i * n + j] = best.r - rPeaks[j]!;
      lag[j * n + i] = rPeaks[j]! - best.r;
    }
  }
  const groups: MorphologyGroup[] = [];
  const free = new Array<boolean>(n).fill(true);
  for (;;) {
    let seed = -1;
    let seedCount = 0;
    let seedTotal = 0;
    for (let i = 0; i < n; i += 1) {
      if (!free[i]) continue;
      let count = 0;
      let total = 0;
      for (let j = 0; j < n; j += 1) {
        if (!free[j] || j === i) continue;
        total += correlation[i * n + j]!;
        if (correlation[i * n + j]! >= MIN_QRS_CORRELATION) count += 1;
      }
      if (seed < 0 || count > seedCount || (count === seedCount && total > seedTotal)) {
        seed = i;
        seedCount = count;
        seedTotal = total;
      }
    }
    if (seed < 0) break;
    const alignedR: number[] = [];
    for (let j = 0; j < n; j += 1) {
      if (!free[j] || (j !== seed && correlation[seed * n + j]! < MIN_QRS_CORRELATION)) continue;
      free[j] = false;
      alignedR.push(rPeaks[j]! + lag[seed * n + j]!);
    }
    groups.push({ seed, alignedR });
  }
  return groups;
}

/**
 * Index (into `rPeaks`) of the beat that seeds the median beat: the largest morphology group's
 * seed, unless another group of comparable size has a clearly narrower QRS. PR, QRS and QT are
 * measured on conducted beats, and paced or ventricular beats are the wider ones.
 */
function seedBeat(signal: Float64Array, fsHz: number, rPeaks: readonly number[], pre: number, length: number, half: number, maxLag: number): number {
  const groups = morphologyGroups(signal, rPeaks, half, maxLag);
  const minSize = Math.max(2, Math.ceil(MIN_GROUP_SHARE * rPeaks.length));
  const contenders = groups.filter((group, i) => i === 0 || group.alignedR.length >= minSize);
  if (contenders.length === 1) return groups[0]!.seed;
  const widths = contenders.map((group) => qrsWidthS(medianOfBeats(signal, Int32Array.from(group.alignedR), pre, length), fsHz, pre));
  let chosen = 0;
  for (let i = 1; i < contenders.length; i += 1) if (widths[i]! < widths[chosen]!) chosen = i;
  return widths[chosen]! <= NARROWER_RATIO * widths[0]! ? contenders[chosen]!.seed : groups[0]!.seed;
}

/** Coarse QRS width (s) of a beat: the contiguous stretch around R where its slope envelope stays above WIDTH_FRACTION of its peak. */
function qrsWidthS(waveUv: Float64Array, fsHz: number, rIndex: number): number {
  const { envelope } = slopeEnvelope(waveUv, fsHz, WIDTH_LOW_PASS_HZ, Math.max(1, WIDTH_ENVELOPE_S * fsHz));
  const reach = Math.round(WIDTH_PEAK_REACH_S * fsHz);
  let peakAt = rIndex;
  for (let k = Math.max(0, rIndex - reach); k <= Math.min(envelope.length - 1, rIndex + reach); k += 1) if (envelope[k]! > envelope[peakAt]!) peakAt = k;
  const threshold = WIDTH_FRACTION * envelope[peakAt]!;
  let start = peakAt;
  let end = peakAt;
  while (start > 0 && envelope[start - 1]! >= threshold) start -= 1;
  while (end < envelope.length - 1 && envelope[end + 1]! >= threshold) end += 1;
  return (end - start) / fsHz;
}

/**
 * Per sample of the beat window (`length` samples from `pre` before each R): the median over the
 * beats, or with `center` the median of their absolute deviations from it (the spread); the
 * loops are in delineation-kernels.ts.
 */
function medianOfBeats(signal: Float64Array, rPeaks: Int32Array, pre: number, length: number, center: Float64Array | null = null): Float64Array {
  return medianColumns(signal, rPeaks, pre, length, center);
}

/** A template's QRS (`2 * half + 1` samples centred on its R) with the mean and sum of squared deviations every alignment against it needs. */
function qrsTemplate(wave: Float64Array, rIndex: number, half: number): AlignmentTemplate {
  const start = rIndex - half;
  const width = 2 * half + 1;
  let mean = 0;
  for (let k = 0; k < width; k += 1) mean += wave[start + k]!;
  mean /= width;
  let variance = 0;
  for (let k = 0; k < width; k += 1) variance += (wave[start + k]! - mean) ** 2;
  return { qrs: wave.subarray(start, start + width), mean, variance };
}

/** For each R peak, the shift (within ±maxLag) that best matches its QRS to the template's, as an R, and that correlation. */
function alignAll(signal: Float64Array, qrs: AlignmentTemplate, rPeaks: readonly number[], half: number, maxLag: number): { r: number; correlation: number }[] {
  const { r, correlation } = alignments(signal, qrs, Int32Array.from(rPeaks), half, maxLag);
  return Array.from(r, (value, i) => ({ r: value, correlation: correlation[i]! }));
}
