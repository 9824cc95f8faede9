import { describe, expect, it } from 'vitest';
import type { TraceBuffer } from '../../src/session/types.js';
import { TraceRaster, type GainMmPerMv, type TraceMode } from '../../src/tui/trace-raster.js';

const RATE_HZ = 250; // 10 samples per dot (mm) at 25 mm/s

function traceOf(values: (sample: number) => number, count: number, capacity = 4096): TraceBuffer {
  const trace: TraceBuffer = { lead: 'II', samples: new Float32Array(capacity), written: 0, leadOff: false };
  append(trace, values, count);
  return trace;
}

function append(trace: TraceBuffer, values: (sample: number) => number, count: number): void {
  for (let i = 0; i < count; i++) {
    trace.samples[trace.written % trace.samples.length] = values(trace.written);
    trace.written++;
  }
}

function raster(options: { gain?: GainMmPerMv; mode?: TraceMode; widthCells?: number; traceRows?: number } = {}): TraceRaster {
  return new TraceRaster({
    widthCells: options.widthCells ?? 20,
    traceRows: options.traceRows ?? 5,
    sampleRateHz: RATE_HZ,
    gainMmPerMv: options.gain ?? 10,
    mode: options.mode ?? 'sweep',
  });
}

/** Dot rows (0 = top) that have any dot set. */
function dotRowsSet(strip: TraceRaster): number[] {
  const rows = new Set<number>();
  const bits = [
    [0x01, 0x08],
    [0x02, 0x10],
    [0x04, 0x20],
    [0x40, 0x80],
  ];
  for (let row = 0; row < strip.traceRows; row++)
    for (let col = 0; col < strip.widthCells; col++) {
      const mask = strip.masks[row * strip.widthCells + col]!;
      bits.forEach(([left, right], sub) => {
        if (mask & (left! | right!)) rows.add(row * 4 + sub);
      });
    }
  return [...rows].sort((a, b) => a - b);
}

describe('TraceRaster', () => {
  it('draws at a fixed gain: 0.4 mV is 2, 4 or 8 dots (mm) above the baseline at 5, 10, 20 mm/mV', () => {
    const trace = traceOf(() => 400, 100);
    const center = 10; // 5 rows x 4 dots, middle
    for (const [gain, dots] of [
      [5, 2],
      [10, 4],
      [20, 8],
    ] as const) {
      const strip = raster({ gain });
      strip.update(trace, []);
      expect(dotRowsSet(strip)).toEqual([center - dots]);
    }
  });

  it('never autoscales: a 5 mV spike is clipped at the top, the baseline stays put', () => {
    const trace = traceOf((sample) => (sample === 50 ? 5000 : 0), 100);
    const strip = raster({ gain: 20 });
    strip.update(trace, []);
    const rows = dotRowsSet(strip);
    expect(rows[0]).toBe(0);
    expect(rows).toContain(10);
  });

  it('keeps an erase bar ahead of the sweep head after wrapping around', () => {
    // 40 dots across; 600 samples = 60 dots, so the head is at dot 59 % 40 = 19 (cell 9).
    const trace = traceOf(() => 0, 600);
    const strip = raster();
    strip.update(trace, []);
    expect(strip.headCell).toBe(9);
    const baseline = strip.toLines()[1 + 2]!; // trace row holding dot row 10
    for (let cell = 0; cell < 20; cell++) {
      const erased = cell >= 10 && cell <= 12; // dots 20..25 (6 mm) cleared
      expect(baseline[cell] === ' ').toBe(erased);
    }
  });

  it('moves the erase bar as samples arrive: each update changes only a few columns', () => {
    const trace = traceOf((sample) => 300 * Math.sin(sample / 7), 400);
    const strip = raster();
    strip.update(trace, []);
    const before = strip.toLines();
    append(trace, (sample) => 300 * Math.sin(sample / 7), 10); // 40 ms at 250 Hz: one dot
    expect(strip.update(trace, [])).toBe(true);
    const after = strip.toLines();
    const changedColumns = new Set<number>();
    before.forEach((line, row) => [...line].forEach((char, col) => char !== [...after[row]!][col] && changedColumns.add(col)));
    expect(changedColumns.size).toBeGreaterThan(0);
    expect(changedColumns.size).toBeLessThanOrEqual(5);
  });

  it('draws the same picture whether samples come in one block or many', () => {
    const values = (sample: number) => 800 * Math.sin(sample / 13) + (sample % 97 === 0 ? 1500 : 0);
    const whole = raster();
    whole.update(traceOf(values, 700), [97, 194, 291, 388, 485, 582, 679]);
    const pieces = raster();
    const trace = traceOf(values, 0);
    const beats: number[] = [];
    for (let sent = 0; sent < 700; sent += 23) {
      append(trace, values, Math.min(23, 700 - sent));
      while (beats.length < 7 && (beats.length + 1) * 97 < trace.written) beats.push((beats.length + 1) * 97);
      pieces.update(trace, beats);
    }
    expect(pieces.toLines()).toEqual(whole.toLines());
  });

  it('marks beats above the trace once their samples are drawn', () => {
    const trace = traceOf(() => 0, 200);
    const strip = raster();
    strip.update(trace, [100, 300]);
    // Sample 100 is dot 10, cell 5; sample 300 is not drawn yet.
    expect(strip.toLines()[0]).toBe(`${' '.repeat(5)}v${' '.repeat(14)}`);
    append(trace, () => 0, 200);
    strip.update(trace, [100, 300]);
    const marks = strip.toLines()[0]!;
    expect(marks.indexOf('v')).toBe(5);
    expect(marks.lastIndexOf('v')).toBe(15);
  });

  it('scroll mode puts the newest sample at the right edge', () => {
    const trace = traceOf((sample) => (sample === 399 ? 1500 : 0), 400);
    const strip = raster({ mode: 'scroll' });
    strip.update(trace, []);
    const top = strip.toLines()[1]!; // top trace row: only the spike reaches it
    expect(top.trimEnd().length).toBe(20);
    expect(top.trim().length).toBe(1);
  });
});
