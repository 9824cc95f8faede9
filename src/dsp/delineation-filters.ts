/**
 * Zero-phase helpers for delineation. They run over a completed window (a median beat or a
 * 10 s stretch), so looking ahead is allowed here, unlike in the causal live filters.
 */

import { lowPassInPlace, movingMeanAbsOf, subtractBaseline, type Biquad } from './delineation-kernels.js';

/** Second-order Butterworth low-pass coefficients: bilinear transform, RBJ cookbook form, Q = 1/sqrt 2. */
export function butterworthLowPass(fsHz: number, cutoffHz: number): Biquad {
  const w0 = (2 * Math.PI * cutoffHz) / fsHz;
  const alpha = Math.sin(w0) / Math.SQRT2;
  const cosW0 = Math.cos(w0);
  const a0 = 1 + alpha;
  const b0 = (1 - cosW0) / 2 / a0;
  return { b0, b1: (1 - cosW0) / a0, b2: b0, a1: (-2 * cosW0) / a0, a2: (1 - alpha) / a0 };
}

/** Second-order Butterworth low-pass run forward then backward (zero phase, 4th-order roll-off). */
export function lowPassZeroPhase(input: Float32Array | Float64Array, fsHz: number, cutoffHz: number): Float64Array {
  const out = Float64Array.from(input);
  if (cutoffHz >= fsHz / 2 || out.length < 3) return out;
  // Both passes in one call (delineation-kernels.ts), each starting in steady state at its edge value so the ends do not ring.
  lowPassInPlace(out, butterworthLowPass(fsHz, cutoffHz));
  return out;
}

/** Scratch for `median`: one element kind for every caller, so the selection stays compiled once. */
let medianScratch = new Float64Array(64);

/** Median of the first `count` values (default all), by selection rather than a full sort; NaN when empty. The input is left unchanged. */
export function median(values: ArrayLike<number>, count = values.length): number {
  if (medianScratch.length < count) medianScratch = new Float64Array(Math.max(count, 2 * medianScratch.length));
  const scratch = medianScratch;
  for (let i = 0; i < count; i += 1) scratch[i] = values[i]!;
  return medianInPlace(scratch, count);
}

/** `median` of `values[0, count)` without the copy: reorders them. */
export function medianInPlace(values: Float64Array, count: number): number {
  const n = count;
  if (n === 0) return Number.NaN;
  const mid = n >> 1;
  const upper = selectInPlace(values, n, mid);
  if (n % 2 === 1) return upper;
  // After selection everything before `mid` is <= the upper middle: the lower middle is their maximum.
  let lower = values[0]!;
  for (let k = 1; k < mid; k += 1) if (values[k]! > lower) lower = values[k]!;
  return (lower + upper) / 2;
}

/** Hoare's selection over `values[0, n)`: puts the k-th smallest value at index k, smaller ones before it; returns it. */
function selectInPlace(values: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const pivot = values[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i += 1;
      while (values[j]! > pivot) j -= 1;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i += 1;
        j -= 1;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return values[k]!;
}

/**
 * The signal minus its baseline wander, estimated by two cascaded running medians (200 ms removes
 * QRS and P, 600 ms removes T) computed on a signal decimated to about 50 Hz, then linearly
 * interpolated back and subtracted.
 */
export function withoutBaseline(signalUv: Float32Array, fsHz: number): Float64Array {
  const n = signalUv.length;
  const factor = Math.max(1, Math.round(fsHz / 50));
  const decimatedFsHz = fsHz / factor;
  const halfWidth = (seconds: number) => Math.floor(Math.max(1, Math.round(seconds * decimatedFsHz) | 1) / 2);
  // Block j is centred on sample j*factor + (factor-1)/2; the loops are in delineation-kernels.ts.
  return subtractBaseline(signalUv, factor, Math.ceil(n / factor), halfWidth(0.2), halfWidth(0.6));
}

/** A wave low-passed (zero phase) and its slope (µV/s, central difference). */
export function smoothSlope(waveUv: Float64Array, fsHz: number, lowPassHz: number): { smooth: Float64Array; slope: Float64Array } {
  const n = waveUv.length;
  const smooth = lowPassZeroPhase(waveUv, fsHz, lowPassHz);
  const slope = new Float64Array(n);
  for (let k = 1; k < n - 1; k += 1) slope[k] = ((smooth[k + 1]! - smooth[k - 1]!) * fsHz) / 2;
  return { smooth, slope };
}

/** A wave low-passed (zero phase), its slope (µV/s) and the moving mean of |slope| over `width` samples. */
export function slopeEnvelope(waveUv: Float64Array, fsHz: number, lowPassHz: number, width: number): { smooth: Float64Array; slope: Float64Array; envelope: Float64Array } {
  const { smooth, slope } = smoothSlope(waveUv, fsHz, lowPassHz);
  return { smooth, slope, envelope: movingMeanAbs(slope, width) };
}

/**
 * Centred moving mean of |values| over `width` samples (fewer at the ends). A width that is not an
 * odd whole number gives the two outermost samples a partial weight, so an envelope keeps its
 * duration at every sampling rate (10 ms is 2.5 samples at 250 Hz, not 3).
 */
export function movingMeanAbs(values: Float64Array, width: number): Float64Array {
  const halfWidth = Math.max(0, (width - 1) / 2);
  const half = Math.floor(halfWidth);
  return movingMeanAbsOf(values, half, halfWidth - half);
}
