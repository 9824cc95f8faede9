import { describe, expect, it } from 'vitest';
import { alignments, delineationModuleBytes, medianColumns, type AlignmentTemplate } from '../../src/dsp/delineation-kernels.js';
import { butterworthLowPass, lowPassZeroPhase, medianInPlace, movingMeanAbs, withoutBaseline } from '../../src/dsp/delineation-filters.js';
import { qrsWithTallT } from './test-signals.js';

/*
 * Each kernel against the plain JavaScript it replaced (kept here as the reference), bit for bit.
 */

/** Fails unless both arrays hold the same bits at every index (NaN and -0 included). */
function expectSameBits(actual: Float64Array | Int32Array, expected: Float64Array | Int32Array): void {
  expect(actual.length).toBe(expected.length);
  const a = new Uint8Array(actual.buffer, actual.byteOffset, actual.byteLength);
  const b = new Uint8Array(expected.buffer, expected.byteOffset, expected.byteLength);
  const first = a.findIndex((byte, i) => byte !== b[i]);
  expect(first, `first differing byte ${first}`).toBe(-1);
}

/** A repeatable noisy ECG-like strip: QRS and T waves, a wandering baseline and a little noise. */
function noisyStrip(fsHz: number, seconds: number): { signalUv: Float32Array; rSamples: number[] } {
  const { signalUv, rSamples } = qrsWithTallT({ fsHz, hrBpm: 72, seconds, tAmplitudeUv: 300, tDelayS: 0.25 });
  let seed = 12345;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31 - 0.5;
  };
  for (let i = 0; i < signalUv.length; i += 1) signalUv[i]! += 200 * Math.sin((2 * Math.PI * 0.3 * i) / fsHz) + 30 * noise();
  return { signalUv, rSamples };
}

function referenceRunningMedian(input: ArrayLike<number>, width: number): Float64Array {
  const n = input.length;
  const half = Math.max(0, Math.floor(width / 2));
  const out = new Float64Array(n);
  const window = new Float64Array(2 * half + 1);
  const position = (count: number, value: number) => {
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (window[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  let count = 0;
  let newest = -1;
  for (let i = 0; i < n; i += 1) {
    if (i - half - 1 >= 0) {
      const at = position(count, input[i - half - 1]!);
      window.copyWithin(at, at + 1, count);
      count -= 1;
    }
    while (newest < Math.min(n - 1, i + half)) {
      newest += 1;
      const at = position(count, input[newest]!);
      window.copyWithin(at + 1, at, count);
      window[at] = input[newest]!;
      count += 1;
    }
    const mid = count >> 1;
    out[i] = count % 2 === 1 ? window[mid]! : (window[mid - 1]! + window[mid]!) / 2;
  }
  return out;
}

function referenceWithoutBaseline(signalUv: Float32Array, fsHz: number): Float64Array {
  const n = signalUv.length;
  const factor = Math.max(1, Math.round(fsHz / 50));
  const m = Math.ceil(n / factor);
  const decimated = new Float64Array(m);
  for (let j = 0; j < m; j += 1) {
    let sum = 0;
    let count = 0;
    for (let i = j * factor; i < Math.min(n, (j + 1) * factor); i += 1) {
      sum += signalUv[i]!;
      count += 1;
    }
    decimated[j] = sum / count;
  }
  const oddWidth = (seconds: number) => Math.max(1, Math.round(seconds * (fsHz / factor)) | 1);
  const baseline = referenceRunningMedian(referenceRunningMedian(decimated, oddWidth(0.2)), oddWidth(0.6));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    const position = (i - (factor - 1) / 2) / factor;
    const j = Math.min(m - 1, Math.max(0, Math.floor(position)));
    const next = Math.min(m - 1, j + 1);
    const fraction = Math.min(1, Math.max(0, position - j));
    out[i] = signalUv[i]! - (baseline[j]! * (1 - fraction) + baseline[next]! * fraction);
  }
  return out;
}

function referenceLowPass(input: Float64Array, fsHz: number, cutoffHz: number): Float64Array {
  const out = Float64Array.from(input);
  if (cutoffHz >= fsHz / 2 || out.length < 3) return out;
  const { b0, b1, b2, a1, a2 } = butterworthLowPass(fsHz, cutoffHz);
  for (const forward of [true, false]) {
    const n = out.length;
    let i = forward ? 0 : n - 1;
    let [x1, x2, y1, y2] = [out[i]!, out[i]!, out[i]!, out[i]!];
    for (let k = 0; k < n; k += 1, i += forward ? 1 : -1) {
      const x = out[i]!;
      const y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      [x2, x1, y2, y1] = [x1, x, y1, y];
      out[i] = y;
    }
  }
  return out;
}

function referenceMovingMeanAbs(values: Float64Array, width: number): Float64Array {
  const halfWidth = Math.max(0, (width - 1) / 2);
  const half = Math.floor(halfWidth);
  const edgeWeight = halfWidth - half;
  const last = values.length - 1;
  return Float64Array.from(values, (_, i) => {
    let sum = 0;
    let count = 0;
    for (let j = Math.max(0, i - half); j <= Math.min(last, i + half); j += 1) {
      sum += Math.abs(values[j]!);
      count += 1;
    }
    if (edgeWeight > 0) {
      if (i - half - 1 >= 0) {
        sum += edgeWeight * Math.abs(values[i - half - 1]!);
        count += edgeWeight;
      }
      if (i + half + 1 <= last) {
        sum += edgeWeight * Math.abs(values[i + half + 1]!);
        count += edgeWeight;
      }
    }
    return sum / count;
  });
}

function referenceMedianColumns(signal: Float64Array, rPeaks: Int32Array, pre: number, length: number, center: Float64Array | null): Float64Array {
  const column = new Float64Array(rPeaks.length);
  return Float64Array.from({ length }, (_, k) => {
    rPeaks.forEach((r, b) => {
      column[b] = center === null ? signal[r + k - pre]! : Math.abs(signal[r + k - pre]! - center[k]!);
    });
    return medianInPlace(column, column.length);
  });
}

function referenceAlignment(signal: Float64Array, qrs: AlignmentTemplate, r: number, half: number, maxLag: number): { r: number; correlation: number } {
  const width = 2 * half + 1;
  let best = { r, correlation: -Infinity };
  let sum = 0;
  let squares = 0;
  for (let k = 0; k < width; k += 1) {
    const s = signal[r - maxLag - half + k]!;
    sum += s;
    squares += s * s;
  }
  for (let lag = -maxLag; lag <= maxLag; lag += 1) {
    const s0 = r + lag - half;
    if (lag > -maxLag) {
      const [leaving, entering] = [signal[s0 - 1]!, signal[s0 + width - 1]!];
      sum += entering - leaving;
      squares += entering * entering - leaving * leaving;
    }
    let products = 0;
    for (let k = 0; k < width; k += 1) products += signal[s0 + k]! * qrs.qrs[k]!;
    const sMean = sum / width;
    const cross = products - width * sMean * qrs.mean;
    const sVar = squares - width * sMean * sMean;
    const correlation = sVar > 0 && qrs.variance > 0 ? cross / Math.sqrt(sVar * qrs.variance) : 0;
    if (correlation > best.correlation) best = { r: r + lag, correlation };
  }
  return best;
}

describe('delineation kernels', () => {
  it('emit a module that validates', () => {
    expect(WebAssembly.validate(delineationModuleBytes())).toBe(true);
  });

  it('remove the baseline bit-identically at several rates and lengths, short ones included', () => {
    for (const fsHz of [250, 360, 500, 1000, 40]) {
      const { signalUv } = noisyStrip(fsHz, 10);
      for (const n of [signalUv.length, 1, 2, 7, 101]) {
        const part = signalUv.subarray(0, n);
        expectSameBits(withoutBaseline(part, fsHz), referenceWithoutBaseline(part, fsHz));
      }
    }
    // Flat stretches make ties in the running medians' windows.
    const steps = Float32Array.from({ length: 3000 }, (_, i) => Math.floor(i / 400) * 50 - (i % 7 === 0 ? 0 : 20));
    expectSameBits(withoutBaseline(steps, 360), referenceWithoutBaseline(steps, 360));
  });

  it('low-pass bit-identically, float and double input, short input unchanged', () => {
    const { signalUv } = noisyStrip(500, 4);
    const wide = Float64Array.from(signalUv);
    expectSameBits(lowPassZeroPhase(signalUv, 500, 40), referenceLowPass(wide, 500, 40));
    expectSameBits(lowPassZeroPhase(wide.subarray(0, 3), 360, 30), referenceLowPass(wide.subarray(0, 3), 360, 30));
    expectSameBits(lowPassZeroPhase(wide.subarray(0, 2), 360, 30), wide.subarray(0, 2));
  });

  it('take the moving mean of |values| bit-identically for whole and fractional widths', () => {
    const { signalUv } = noisyStrip(360, 2);
    const values = Float64Array.from(signalUv, (v, i) => (i % 3 === 0 ? -v : v));
    for (const width of [1, 2.5, 3, 3.6, 8.64, 1000]) {
      expectSameBits(movingMeanAbs(values, width), referenceMovingMeanAbs(values, width));
      expectSameBits(movingMeanAbs(values.subarray(0, 2), width), referenceMovingMeanAbs(values.subarray(0, 2), width));
    }
  });

  it('take column medians and spreads bit-identically over odd and even beat counts, with ties, -0 and NaN', () => {
    const { signalUv, rSamples } = noisyStrip(360, 10);
    const signal = Float64Array.from(signalUv);
    for (const count of [1, 2, 3, 4, 7, 8]) {
      const peaks = Int32Array.from(rSamples.slice(0, count));
      const wave = medianColumns(signal, peaks, 100, 301, null);
      expectSameBits(wave, referenceMedianColumns(signal, peaks, 100, 301, null));
      expectSameBits(medianColumns(signal, peaks, 100, 301, wave), referenceMedianColumns(signal, peaks, 100, 301, wave));
    }
    const ties = Float64Array.from({ length: 400 }, (_, i) => [0, -0, 5, 5, -3, Number.NaN, 5][i % 7]!);
    const tiePeaks = Int32Array.from([20, 27, 41, 50, 62, 69, 90, 104]);
    for (const count of [3, 5, 6, 8]) {
      const peaks = tiePeaks.subarray(0, count);
      expectSameBits(medianColumns(ties, peaks, 20, 40, null), referenceMedianColumns(ties, peaks, 20, 40, null));
    }
    expectSameBits(medianColumns(signal, new Int32Array(0), 10, 20, null), referenceMedianColumns(signal, new Int32Array(0), 10, 20, null));
  });

  it('find each beat’s best alignment bit-identically, a flat template included', () => {
    const { signalUv, rSamples } = noisyStrip(360, 10);
    const signal = Float64Array.from(signalUv);
    const half = 29;
    const maxLag = 11;
    const peaks = Int32Array.from(rSamples.slice(1, -1).map((r, i) => r + (i % 5) - 2));
    const qrs = signal.slice(rSamples[1]! - half, rSamples[1]! + half + 1);
    const mean = qrs.reduce((a, b) => a + b, 0) / qrs.length;
    const templates: AlignmentTemplate[] = [
      { qrs, mean, variance: qrs.reduce((a, b) => a + (b - mean) ** 2, 0) },
      { qrs: new Float64Array(2 * half + 1), mean: 0, variance: 0 },
    ];
    for (const template of templates) {
      const { r, correlation } = alignments(signal, template, peaks, half, maxLag);
      const expected = Array.from(peaks, (p) => referenceAlignment(signal, template, p, half, maxLag));
      expectSameBits(r, Int32Array.from(expected, (e) => e.r));
      expectSameBits(correlation, Float64Array.from(expected, (e) => e.correlation));
    }
  });

  it('keep working when a call needs more memory than the last (results are copies, not views)', () => {
    const small = withoutBaseline(noisyStrip(360, 1).signalUv, 360);
    const copy = small.slice();
    const { signalUv } = noisyStrip(500, 600);
    expectSameBits(withoutBaseline(signalUv, 500), referenceWithoutBaseline(signalUv, 500));
    expectSameBits(small, copy);
  });
});
