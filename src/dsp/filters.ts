/**
 * Causal streaming filters for the displayed and recorded-for-review trace: second-order
 * sections (biquads, RBJ cookbook / bilinear transform) run in place over typed arrays.
 * Nothing allocates once a chain is built.
 */

export type FilterMode = 'monitor' | 'diagnostic';
export type MainsHz = 50 | 60;

/** Corner frequencies of each mode (IEC 60601-2-25/-27 style bandwidths). */
export const FILTER_BANDS: Record<FilterMode, { highPassHz: number; lowPassHz: number; label: string }> = {
  monitor: { highPassHz: 0.5, lowPassHz: 40, label: 'monitor 0.5-40 Hz' },
  diagnostic: { highPassHz: 0.05, lowPassHz: 150, label: 'diagnostic 0.05-150 Hz' },
};

/** Normalised biquad coefficients (a0 = 1). */
export interface BiquadCoefficients {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

function normalise(b0: number, b1: number, b2: number, a0: number, a1: number, a2: number): BiquadCoefficients {
  return { b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: a1 / a0, a2: a2 / a0 };
}

/** Butterworth (Q = 1/√2) low-pass. */
export function lowPassCoefficients(fsHz: number, cutoffHz: number): BiquadCoefficients {
  const w0 = (2 * Math.PI * cutoffHz) / fsHz;
  const alpha = Math.sin(w0) / Math.SQRT2;
  const c = Math.cos(w0);
  return normalise((1 - c) / 2, 1 - c, (1 - c) / 2, 1 + alpha, -2 * c, 1 - alpha);
}

/** Butterworth (Q = 1/√2) high-pass. */
export function highPassCoefficients(fsHz: number, cutoffHz: number): BiquadCoefficients {
  const w0 = (2 * Math.PI * cutoffHz) / fsHz;
  const alpha = Math.sin(w0) / Math.SQRT2;
  const c = Math.cos(w0);
  return normalise((1 + c) / 2, -(1 + c), (1 + c) / 2, 1 + alpha, -2 * c, 1 - alpha);
}

/** Narrow notch; Q = 30 gives a ~1.7 Hz wide stop band at 50 Hz. */
export function notchCoefficients(fsHz: number, centreHz: number, q = 30): BiquadCoefficients {
  const w0 = (2 * Math.PI * centreHz) / fsHz;
  const alpha = Math.sin(w0) / (2 * q);
  const c = Math.cos(w0);
  return normalise(1, -2 * c, 1, 1 + alpha, -2 * c, 1 - alpha);
}

/** Magnitude response |H(f)| of a cascade of sections, for tests and docs. */
export function cascadeGain(sections: readonly BiquadCoefficients[], fsHz: number, frequencyHz: number): number {
  const w = (2 * Math.PI * frequencyHz) / fsHz;
  let gain = 1;
  for (const s of sections) {
    // H(e^jw) = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2)
    const numRe = s.b0 + s.b1 * Math.cos(w) + s.b2 * Math.cos(2 * w);
    const numIm = -s.b1 * Math.sin(w) - s.b2 * Math.sin(2 * w);
    const denRe = 1 + s.a1 * Math.cos(w) + s.a2 * Math.cos(2 * w);
    const denIm = -s.a1 * Math.sin(w) - s.a2 * Math.sin(2 * w);
    gain *= Math.hypot(numRe, numIm) / Math.hypot(denRe, denIm);
  }
  return gain;
}

/** A cascade of biquads (direct form II transposed) with its own state, for one channel. */
export class BiquadCascade {
  private readonly coefficients: Float64Array;
  private readonly state: Float64Array;
  private primed = false;

  constructor(readonly sections: readonly BiquadCoefficients[]) {
    this.coefficients = new Float64Array(sections.length * 5);
    sections.forEach((s, i) => this.coefficients.set([s.b0, s.b1, s.b2, s.a1, s.a2], i * 5));
    this.state = new Float64Array(sections.length * 2);
  }

  /**
   * Filters `count` samples of `input` from index `inputAt` into `output` from `outputAt` (may be
   * the same array). Offsets instead of subarrays: a view allocated per call costs the live path.
   */
  process(input: Float32Array, output: Float32Array, count = input.length, inputAt = 0, outputAt = 0): void {
    const k = this.coefficients;
    const z = this.state;
    const sectionCount = this.sections.length;
    if (!this.primed && count > 0) {
      this.prime(input[inputAt]!);
      this.primed = true;
    }
    if (sectionCount === 3) {
      this.processThree(input, output, count, inputAt, outputAt);
      return;
    }
    // Section by section over the whole block: coefficients and state stay in registers.
    let source: Float32Array = input;
    let sourceAt = inputAt;
    for (let s = 0; s < sectionCount; s += 1) {
      const c = s * 5;
      const b0 = k[c]!;
      const b1 = k[c + 1]!;
      const b2 = k[c + 2]!;
      const a1 = k[c + 3]!;
      const a2 = k[c + 4]!;
      let z1 = z[s * 2]!;
      let z2 = z[s * 2 + 1]!;
      for (let i = 0; i < count; i += 1) {
        const x = source[sourceAt + i]!;
        const y = b0 * x + z1;
        z1 = b1 * x - a1 * y + z2;
        z2 = b2 * x - a2 * y;
        output[outputAt + i] = y;
      }
      z[s * 2] = z1;
      z[s * 2 + 1] = z2;
      source = output;
      sourceAt = outputAt;
    }
    if (sectionCount === 0) output.set(input.subarray(inputAt, inputAt + count), outputAt);
  }

  /** The usual chain (high-pass, notch, low-pass) in one pass, all state in locals. */
  private processThree(input: Float32Array, output: Float32Array, count: number, inputAt: number, outputAt: number): void {
    const k = this.coefficients;
    const z = this.state;
    const p0 = k[0]!, p1 = k[1]!, p2 = k[2]!, p3 = k[3]!, p4 = k[4]!;
    const q0 = k[5]!, q1 = k[6]!, q2 = k[7]!, q3 = k[8]!, q4 = k[9]!;
    const r0 = k[10]!, r1 = k[11]!, r2 = k[12]!, r3 = k[13]!, r4 = k[14]!;
    let a1 = z[0]!, a2 = z[1]!, b1 = z[2]!, b2 = z[3]!, c1 = z[4]!, c2 = z[5]!;
    for (let i = 0; i < count; i += 1) {
      const x = input[inputAt + i]!;
      const ya = p0 * x + a1;
      a1 = p1 * x - p3 * ya + a2;
      a2 = p2 * x - p4 * ya;
      const yb = q0 * ya + b1;
      b1 = q1 * ya - q3 * yb + b2;
      b2 = q2 * ya - q4 * yb;
      const yc = r0 * yb + c1;
      c1 = r1 * yb - r3 * yc + c2;
      c2 = r2 * yb - r4 * yc;
      output[outputAt + i] = yc;
    }
    z[0] = a1;
    z[1] = a2;
    z[2] = b1;
    z[3] = b2;
    z[4] = c1;
    z[5] = c2;
  }

  /** Starts every section in steady state for a constant input, so the trace does not open with a step. */
  private prime(value: number): void {
    let x = value;
    for (let s = 0; s < this.sections.length; s += 1) {
      const c = this.sections[s]!;
      const dcGain = (c.b0 + c.b1 + c.b2) / (1 + c.a1 + c.a2);
      const y = x * dcGain;
      // Transposed DF-II steady state: z2 = b2 x - a2 y, z1 = b1 x - a1 y + z2.
      const z2 = c.b2 * x - c.a2 * y;
      this.state[s * 2 + 1] = z2;
      this.state[s * 2] = c.b1 * x - c.a1 * y + z2;
      x = y;
    }
  }

  reset(): void {
    this.state.fill(0);
    this.primed = false;
  }
}

export interface DisplayFilterOptions {
  fsHz: number;
  mode: FilterMode;
  /** Mains notch centre, or null for none. */
  mainsHz: MainsHz | null;
}

/** The sections of the display chain: high-pass, mains notch, low-pass (clamped below Nyquist). */
export function displayFilterSections({ fsHz, mode, mainsHz }: DisplayFilterOptions): BiquadCoefficients[] {
  const band = FILTER_BANDS[mode];
  const sections: BiquadCoefficients[] = [highPassCoefficients(fsHz, band.highPassHz)];
  if (mainsHz !== null && mainsHz < fsHz / 2 * 0.95) sections.push(notchCoefficients(fsHz, mainsHz));
  const lowPassHz = Math.min(band.lowPassHz, 0.45 * fsHz);
  sections.push(lowPassCoefficients(fsHz, lowPassHz));
  return sections;
}

/** Builds one channel's display chain. */
export function createDisplayFilter(options: DisplayFilterOptions): BiquadCascade {
  return new BiquadCascade(displayFilterSections(options));
}
