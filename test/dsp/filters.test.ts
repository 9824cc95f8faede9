import { describe, expect, it } from 'vitest';
import {
  cascadeGain,
  createDisplayFilter,
  displayFilterSections,
  highPassCoefficients,
  lowPassCoefficients,
  notchCoefficients,
} from '../../src/dsp/filters.js';

/** Gain of a real filter run on a sine, measured after it settles. */
function measuredGain(fsHz: number, hz: number, options: Parameters<typeof createDisplayFilter>[0]): number {
  const filter = createDisplayFilter(options);
  const seconds = Math.max(20, 10 / hz);
  const n = Math.round(seconds * fsHz);
  const input = new Float32Array(n);
  for (let i = 0; i < n; i += 1) input[i] = 1000 * Math.sin((2 * Math.PI * hz * i) / fsHz);
  const output = new Float32Array(n);
  // Several blocks, as the pipeline feeds it.
  for (let start = 0; start < n; start += 97) {
    const count = Math.min(97, n - start);
    filter.process(input.subarray(start, start + count), output.subarray(start, start + count), count);
  }
  let peak = 0;
  for (let i = Math.floor(n / 2); i < n; i += 1) peak = Math.max(peak, Math.abs(output[i]!));
  return peak / 1000;
}

describe('biquad designs', () => {
  it('puts -3 dB at the corner of each Butterworth section', () => {
    expect(cascadeGain([highPassCoefficients(500, 0.5)], 500, 0.5)).toBeCloseTo(Math.SQRT1_2, 3);
    expect(cascadeGain([lowPassCoefficients(500, 40)], 500, 40)).toBeCloseTo(Math.SQRT1_2, 3);
    expect(cascadeGain([highPassCoefficients(250, 0.05)], 250, 0.05)).toBeCloseTo(Math.SQRT1_2, 3);
  });

  it('notches the mains frequency and leaves 10 Hz alone', () => {
    const notch = [notchCoefficients(360, 60)];
    expect(cascadeGain(notch, 360, 60)).toBeLessThan(1e-6);
    expect(cascadeGain(notch, 360, 10)).toBeGreaterThan(0.99);
  });
});

describe('display filter chains', () => {
  it('monitor mode: passes the QRS band, removes wander, mains and EMG', () => {
    const options = { fsHz: 500, mode: 'monitor' as const, mainsHz: 50 as const };
    expect(measuredGain(500, 10, options)).toBeGreaterThan(0.95);
    expect(measuredGain(500, 0.1, options)).toBeLessThan(0.1);
    expect(measuredGain(500, 50, options)).toBeLessThan(0.05);
    expect(measuredGain(500, 100, options)).toBeLessThan(0.2);
  });

  it('diagnostic mode keeps 0.5 Hz and 100 Hz, with a 60 Hz notch', () => {
    const options = { fsHz: 500, mode: 'diagnostic' as const, mainsHz: 60 as const };
    expect(measuredGain(500, 0.5, options)).toBeGreaterThan(0.95);
    expect(measuredGain(500, 100, options)).toBeGreaterThan(0.85);
    expect(measuredGain(500, 60, options)).toBeLessThan(0.05);
  });

  it('clamps the diagnostic low-pass below Nyquist at 250 Hz', () => {
    const sections = displayFilterSections({ fsHz: 250, mode: 'diagnostic', mainsHz: 50 });
    for (const s of sections) for (const v of Object.values(s)) expect(Number.isFinite(v)).toBe(true);
    expect(cascadeGain(sections, 250, 10)).toBeGreaterThan(0.95);
    expect(cascadeGain(sections, 250, 124)).toBeLessThan(0.5);
  });

  it('gives the same output whether fed at once or in blocks', () => {
    const input = new Float32Array(2000).map((_, i) => Math.sin(i / 7) * 300 + (i % 50 === 0 ? 1000 : 0));
    const whole = new Float32Array(input.length);
    createDisplayFilter({ fsHz: 360, mode: 'monitor', mainsHz: 60 }).process(input, whole);
    const chunked = new Float32Array(input.length);
    const filter = createDisplayFilter({ fsHz: 360, mode: 'monitor', mainsHz: 60 });
    for (let s = 0; s < input.length; s += 33) {
      const count = Math.min(33, input.length - s);
      filter.process(input.subarray(s, s + count), chunked.subarray(s, s + count), count);
    }
    expect(Array.from(chunked)).toEqual(Array.from(whole));
  });
});
