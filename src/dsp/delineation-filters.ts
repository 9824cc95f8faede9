/**
 * Zero-phase helpers for delineation. They run over a completed window (a median beat or a
 * 10 s stretch), so looking ahead is allowed here, unlike in the causal live filters.
 */

/** Second-order Butterworth low-pass run forward then backward (zero phase, 4th-order roll-off). */
export function lowPassZeroPhase(input: Float32Array | Float64Array, fsHz: number, cutoffHz: number): Float64Array {
  const out = Float64Array.from(input);
  if (cutoffHz >= fsHz / 2 || out.length < 3) return out;
  // Bilinear-transform biquad coefficients (RBJ cookbook form, Q = 1/sqrt 2).
  const w0 = (2 * Math.PI * cutoffHz) / fsHz;
  const alpha = Math.sin(w0) / Math.SQRT2;
  const cosW0 = Math.cos(w0);
  const a0 = 1 + alpha;
  const b0 = (1 - cosW0) / 2 / a0;
  const b1 = (1 - cosW0) / a0;
  const b2 = b0;
  const a1 = (-2 * cosW0) / a0;
  const a2 = (1 - alpha) / a0;
  const pass = (forward: boolean) => {
    const n = out.length;
    const first = forward ? 0 : n - 1;
    const step = forward ? 1 : -1;
    // Start in steady state at the edge value so the ends do not ring.
    let x1 = out[first]!;
    let x2 = x1;
    let y1 = x1;
    let y2 = x1;
    for (let k = 0, i = first; k < n; k += 1, i += step) {
      const x = out[i]!;
      const y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      x2 = x1;
      x1 = x;
      y2 = y1;
      y1 = y;
      out[i] = y;
    }
  };
  pass(true);
  pass(false);
  return out;
}

/**
 * Centred running median of odd width (shrinking at the ends). A sorted copy of the window slides
 * along: each step removes the sample leaving and inserts the one entering (binary search).
 */
export function runningMedian(input: ArrayLike<number>, width: number): Float64Array {
  const n = input.length;
  const half = Math.max(0, Math.floor(width / 2));
  const out = new Float64Array(n);
  const window = new Float64Array(2 * half + 1);
  let count = 0;
  let hi = -1; // newest sample in the window
  for (let i = 0; i < n; i += 1) {
    const leaving = i - half - 1;
    if (leaving >= 0) {
      const at = sortedPosition(window, count, input[leaving]!);
      for (let k = at; k < count - 1; k += 1) window[k] = window[k + 1]!;
      count -= 1;
    }
    while (hi < Math.min(n - 1, i + half)) {
      hi += 1;
      const value = input[hi]!;
      const at = sortedPosition(window, count, value);
      for (let k = count; k > at; k -= 1) window[k] = window[k - 1]!;
      window[at] = value;
      count += 1;
    }
    const mid = count >> 1;
    out[i] = count % 2 === 1 ? window[mid]! : (window[mid - 1]! + window[mid]!) / 2;
  }
  return out;
}

/** First index in the sorted `values[0, count)` whose value is not below `value`. */
function sortedPosition(values: Float64Array, count: number, value: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
 * interpolated back. Estimate and subtraction share one pass: no baseline array is kept.
 */
export function withoutBaseline(signalUv: Float32Array, fsHz: number): Float64Array {
  const n = signalUv.length;
  const factor = Math.max(1, Math.round(fsHz / 50));
  const decimatedFsHz = fsHz / factor;
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
  const oddWidth = (seconds: number) => Math.max(1, Math.round(seconds * decimatedFsHz) | 1);
  const baseline = runningMedian(runningMedian(decimated, oddWidth(0.2)), oddWidth(0.6));
  const out = new Float64Array(n);
  // Block j is centred on sample j*factor + (factor-1)/2. Clamps as conditionals, not Math calls:
  // this loop runs interpreted on its first windows, where each call costs.
  const centre = (factor - 1) / 2;
  const lastBlock = m - 1;
  for (let i = 0; i < n; i += 1) {
    const position = (i - centre) / factor;
    const floor = Math.floor(position);
    const j = floor < 0 ? 0 : floor > lastBlock ? lastBlock : floor;
    const next = j + 1 < lastBlock ? j + 1 : lastBlock;
    const offset = position - j;
    const fraction = offset < 0 ? 0 : offset > 1 ? 1 : offset;
    out[i] = signalUv[i]! - (baseline[j]! * (1 - fraction) + baseline[next]! * fraction);
  }
  return out;
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
  const edgeWeight = halfWidth - half;
  const last = values.length - 1;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i += 1) {
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
    out[i] = sum / count;
  }
  return out;
}
