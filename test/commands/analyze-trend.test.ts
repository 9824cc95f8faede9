import { describe, expect, it } from 'vitest';
import { heartRateTrend } from '../../src/commands/analyze.js';

describe('heartRateTrend', () => {
  it('puts each half of a 60 -> 120 bpm step into its own bins', () => {
    const fsHz = 250;
    const beats: number[] = [0];
    for (let i = 0; i < 30; i += 1) beats.push(beats[beats.length - 1]! + fsHz); // 1 s RR: 60 bpm
    for (let i = 0; i < 60; i += 1) beats.push(beats[beats.length - 1]! + fsHz / 2); // 0.5 s RR: 120 bpm
    const trend = heartRateTrend(beats, fsHz, 10)!;
    expect(trend).toHaveLength(10);
    expect(trend.slice(0, 4).every((bpm) => Math.abs(bpm - 60) < 1e-9)).toBe(true);
    expect(trend.slice(6).every((bpm) => Math.abs(bpm - 120) < 1e-9)).toBe(true);
  });

  it('fills bins without beats from their neighbour and refuses too few beats', () => {
    const trend = heartRateTrend([0, 100, 1000], 100, 10)!;
    expect(trend.every((bpm) => Number.isFinite(bpm))).toBe(true);
    expect(trend[0]).toBeCloseTo(60, 9);
    expect(trend[9]).toBeCloseTo(60 / 9, 9);
    expect(heartRateTrend([0, 100], 100, 10)).toBeNull();
  });
});
