import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { toIntegerMicrovolts, WaveformChunker } from '../../src/session/waveform.js';

const ramp = (from: number, count: number) => Float32Array.from({ length: count }, (_, i) => from + i);

describe('toIntegerMicrovolts', () => {
  test('rounds to whole µV and turns missing values into 0', () => {
    expect(toIntegerMicrovolts(Float32Array.from([1.4, 1.6, -2.5, Number.NaN, Number.POSITIVE_INFINITY, -0.2]))).toEqual([1, 2, -2, 0, 0, 0]);
  });

  test('every value is an integer within 0.5 µV of the input', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ min: -50_000, max: 50_000, noNaN: true }), { maxLength: 200 }), (values) => {
        const out = toIntegerMicrovolts(Float32Array.from(values));
        return out.every((v, i) => Number.isInteger(v) && Math.abs(v - Math.fround(values[i]!)) <= 0.5);
      }),
    );
  });
});

describe('WaveformChunker', () => {
  const startedAtMs = Date.parse('2026-01-01T00:00:00Z');

  test('cuts exactly 10 s per chunk across block boundaries, all leads, contiguous', () => {
    const chunker = new WaveformChunker(['I', 'II'], 100, startedAtMs);
    const chunks = [];
    for (let start = 0; start < 2500; start += 70) {
      const count = Math.min(70, 2500 - start);
      chunks.push(...chunker.push(start, [ramp(start, count), ramp(-start, count)], count));
    }
    expect(chunks.map((c) => c.start_sample)).toEqual([0, 1000]);
    expect(chunks[1]!.leads.I).toEqual(Array.from({ length: 1000 }, (_, i) => 1000 + i));
    expect(chunks[1]!.leads.II!.length).toBe(1000);
    expect(chunks[1]!.started_at).toBe('2026-01-01T00:00:10.000Z');
    expect(chunks[0]).toMatchObject({ sample_rate_hz: 100, units: 'uV' });
    const rest = chunker.flush()!;
    expect(rest.start_sample).toBe(2000);
    expect(rest.leads.I!.length).toBe(500);
    expect(chunker.flush()).toBeNull();
  });

  test('a gap in the stream closes the chunk early; the next starts after the gap', () => {
    const chunker = new WaveformChunker(['II'], 100, startedAtMs);
    expect(chunker.push(0, [ramp(0, 300)], 300)).toEqual([]);
    const closed = chunker.push(800, [ramp(800, 50)], 50);
    expect(closed.map((c) => [c.start_sample, c.leads.II!.length])).toEqual([[0, 300]]);
    expect(chunker.flush()!.start_sample).toBe(800);
  });
});
