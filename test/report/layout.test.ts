import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GAIN_MM_PER_MV,
  PT_PER_MM,
  calibrationPath,
  gridPath,
  planLayout,
  standardLeadLabel,
  tracePath,
} from '../../src/report/layout.js';
import { filterText, heartRateText, leadOffText, qualityText } from '../../src/report/format.js';
import { measurementsFromBeats } from '../../src/report/measure.js';

const TWELVE = ['i', 'ii', 'iii', 'avr', 'avl', 'avf', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'vx', 'vy', 'vz'];

/** [x, y] pairs (pt) of a path made of M/L/H/V commands with absolute coordinates. */
function pathPoints(d: string): [number, number][] {
  const points: [number, number][] = [];
  let x = 0;
  let y = 0;
  for (const [, command, args] of d.matchAll(/([MLHV])([^MLHV]*)/g)) {
    const numbers = args!.trim().split(/[\s,]+/).filter(Boolean).map(Number);
    if (command === 'H') for (const n of numbers) points.push([(x = n), y]);
    else if (command === 'V') for (const n of numbers) points.push([x, (y = n)]);
    else for (let i = 0; i + 1 < numbers.length; i += 2) points.push([(x = numbers[i]!), (y = numbers[i + 1]!)]);
  }
  return points;
}

describe('planLayout', () => {
  it('puts 12 standard leads in 3x4 columns of 2.5 s plus a lead II rhythm strip', () => {
    const layout = planLayout(TWELVE, 10_000, 1000, 'a4');
    expect(layout.twelveLead).toBe(true);
    expect(layout.pages).toHaveLength(1);
    const rows = layout.pages[0]!.rows;
    expect(rows.map((row) => row.segments.map((s) => s.label))).toEqual([
      ['I', 'aVR', 'V1', 'V4'],
      ['II', 'aVL', 'V2', 'V5'],
      ['III', 'aVF', 'V3', 'V6'],
      ['II'],
    ]);
    expect(rows[0]!.segments.map((s) => [s.fromSample, s.toSample])).toEqual([[0, 2500], [2500, 5000], [5000, 7500], [7500, 10000]]);
    // 2.5 s at 25 mm/s: columns 62.5 mm apart.
    expect(rows[1]!.segments[1]!.xMm - rows[1]!.segments[0]!.xMm).toBeCloseTo(62.5, 9);
    expect(rows[3]!.segments[0]).toMatchObject({ fromSample: 0, toSample: 10000 });
  });

  it('gives fewer leads one strip each, four per page', () => {
    const layout = planLayout(['I', 'II', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'], 2500, 250, 'letter');
    expect(layout.twelveLead).toBe(false);
    expect(layout.pages.map((page) => page.rows.map((row) => row.segments[0]!.label))).toEqual([
      ['I', 'II', 'V1', 'V2'],
      ['V3', 'V4', 'V5', 'V6'],
    ]);
    const page = layout.pages[0]!;
    expect(page.gridLeftMm * 2 + page.gridWidthMm).toBeCloseTo(279.4, 9);
    expect(page.gridTopMm + page.gridHeightMm).toBeLessThanOrEqual(215.9 - 10);
  });

  it('names leads the standard way', () => {
    expect(['avr', 'AVL', 'v1', 'MLII'].map(standardLeadLabel)).toEqual(['aVR', 'aVL', 'V1', 'MLII']);
  });
});

describe('paths', () => {
  it('draws the calibration pulse 10 mm high and 5 mm wide', () => {
    const page = planLayout(['II'], 100, 100, 'a4').pages[0]!;
    const points = pathPoints(calibrationPath(page.rows[0]!, page.gridLeftMm));
    const ys = points.map(([, y]) => y);
    expect((Math.max(...ys) - Math.min(...ys)) / PT_PER_MM).toBeCloseTo(GAIN_MM_PER_MV, 1);
    const top = points.filter(([, y]) => y === Math.min(...ys)).map(([x]) => x);
    expect((Math.max(...top) - Math.min(...top)) / PT_PER_MM).toBeCloseTo(5, 1);
  });

  it('draws minor grid lines every millimetre and leaves the major ones to their own path', () => {
    const page = planLayout(['II'], 100, 100, 'a4').pages[0]!;
    const minorVertical = gridPath(page, 1, 5).match(/V/g)!.length;
    const majorVertical = gridPath(page, 5, null).match(/V/g)!.length;
    expect(majorVertical).toBe(page.gridWidthMm / 5 + 1);
    expect(minorVertical).toBe(page.gridWidthMm - page.gridWidthMm / 5);
  });

  it('keeps every extreme of the signal however it is downsampled', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(250, 360, 500, 1000, 2000),
        fc.array(fc.integer({ min: -3000, max: 3000 }), { minLength: 10, maxLength: 3000 }),
        (fsHz, values) => {
          const uV = Float32Array.from(values);
          const segment = { leadIndex: 0, label: 'II', fromSample: 0, toSample: uV.length, xMm: 10 };
          const points = pathPoints(tracePath(uV, segment, fsHz, 100, 0, { minYMm: -1e9, maxYMm: 1e9 }));
          const ysUv = points.map(([, y]) => ((100 - y / PT_PER_MM) * 1000) / GAIN_MM_PER_MV);
          expect(Math.max(...ysUv)).toBeCloseTo(Math.max(...values), -1);
          expect(Math.min(...ysUv)).toBeCloseTo(Math.min(...values), -1);
          // Never more than two points per 0.1 mm of paper.
          expect(points.length).toBeLessThanOrEqual(Math.max(uV.length > 0 ? 2 : 0, 2 * Math.ceil((uV.length / fsHz) * 25 * 10) + 2));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps a one-sample QRS spike at 1000 Hz at its full height', () => {
    const uV = new Float32Array(2500);
    uV[1234] = 1500;
    const segment = { leadIndex: 0, label: 'II', fromSample: 0, toSample: uV.length, xMm: 0 };
    const points = pathPoints(tracePath(uV, segment, 1000, 50, 0, { minYMm: 0, maxYMm: 100 }));
    expect(points.length).toBeLessThan(1300);
    const peak = points.reduce((best, p) => (p[1] < best[1] ? p : best));
    expect(50 - peak[1] / PT_PER_MM).toBeCloseTo(15, 1);
    expect(peak[0] / PT_PER_MM).toBeCloseTo(1234 * 0.025, 1);
  });
});

describe('printed values', () => {
  it('words the filter, quality, lead-off periods and heart rate', () => {
    expect(filterText({ filter: 'monitor', mainsHz: 50 })).toBe('monitor 0.5–40 Hz, notch 50 Hz');
    expect(filterText({ filter: 'diagnostic', mainsHz: 60 })).toBe('diagnostic 0.05–150 Hz, notch 60 Hz');
    expect(qualityText(0.42)).toBe('42 % (poor)');
    expect(qualityText(null)).toBe('—');
    expect(leadOffText([])).toBe('none');
    expect(leadOffText(null)).toBe('—');
    expect(leadOffText([1, 2, 3, 4, 5].map((i) => ({ startS: i, endS: i + 0.5, lead: null })))).toBe('5: 1.0–1.5 s, 2.0–2.5 s, 3.0–3.5 s, +2 more');
    expect(heartRateText(71.6, 60.2, 90.9)).toBe('72 bpm (60–91)');
    expect(heartRateText(null, 60, 90)).toBe('—');
  });

  it('measures heart rate from beats, with min and max over 5-beat runs', () => {
    // 60 bpm, then one short (premature) beat and its compensatory pause.
    const beats = [0, 1000, 2000, 3000, 4000, 5000, 5500, 7000, 8000, 9000, 10_000, 11_000];
    const m = measurementsFromBeats(beats, 1000);
    expect(m.beats).toBe(12);
    expect(m.heartRateBpm).toBeCloseTo(60, 6);
    // The single 500 ms interval (120 bpm) is averaged with its neighbours: 5 RR summing to 4.5 s.
    expect(m.heartRateMaxBpm).toBeCloseTo(66.67, 2);
    expect(m.heartRateMinBpm).toBeCloseTo(54.55, 2);
    const fast = measurementsFromBeats([0, 500, 1000, 1500, 2000, 2500, 3500, 4500, 5500, 6500, 7500], 1000);
    expect(fast.heartRateMaxBpm).toBeCloseTo(120, 6);
    expect(fast.heartRateMinBpm).toBeCloseTo(60, 6);
  });
});

describe('long free text', () => {
  it('is cut so the header keeps its height', async () => {
    const { orMissing, deviceText } = await import('../../src/report/format.js');
    expect(orMissing('x'.repeat(200))).toHaveLength(64);
    expect(orMissing('x'.repeat(200)).endsWith('…')).toBe(true);
    expect(deviceText({ protocol: 'ascii', source: '/dev/serial/by-id/'.padEnd(120, 'z'), deviceSerial: null }).length).toBe(64);
    expect(orMissing('P-1')).toBe('P-1');
  });
});
