import { describe, expect, test } from 'vitest';
import type { Metrics } from '../../src/dsp/types.js';
import { median, SummaryBuilder } from '../../src/session/summary.js';

const metrics = (patch: Partial<Metrics>): Metrics => ({
  t: 0,
  heartRateBpm: null,
  rrMs: null,
  prMs: null,
  qrsMs: null,
  qtMs: null,
  qtcBazettMs: null,
  qtcFridericiaMs: null,
  signalQuality: 1,
  leadOff: false,
  droppedFrames: 0,
  measuredRateHz: 250,
  ...patch,
});

describe('SummaryBuilder', () => {
  test('heart rate mean/min/max, median intervals, mean quality and dropped frames', () => {
    const summary = new SummaryBuilder(250);
    summary.addSamples(0, 2500, false);
    summary.addMetrics(metrics({ heartRateBpm: 60, prMs: 150, qrsMs: 90, qtMs: 400, qtcBazettMs: 400, signalQuality: 1 }));
    summary.addMetrics(metrics({ heartRateBpm: 90, prMs: 170, qrsMs: null, qtMs: 380, qtcBazettMs: 420, signalQuality: 0.5, droppedFrames: 3 }));
    summary.addMetrics(metrics({ heartRateBpm: null, prMs: 160, qrsMs: 100, signalQuality: 0 }));
    for (const rr of [null, 1000, 800]) summary.addBeat(rr);
    const s = summary.summary();
    expect(s).toMatchObject({
      duration_s: 10,
      beats: 3,
      heart_rate_mean: 75,
      heart_rate_min: 60,
      heart_rate_max: 90,
      rr_ms: 900,
      pr_ms: 160,
      qrs_ms: 95,
      qt_ms: 390,
      qtc_ms: 410,
      qtcf_ms: null,
      signal_quality: 0.5,
      dropped_frames: 3,
    });
  });

  test('lead-off periods and gaps in seconds, an open period counted up to now', () => {
    const summary = new SummaryBuilder(100);
    summary.addSamples(0, 100, false);
    summary.addSamples(100, 100, true);
    summary.addSamples(200, 50, true);
    summary.addSamples(250, 50, false);
    summary.addGap(300, 600);
    summary.noteDisconnect();
    summary.addSamples(600, 100, true);
    const s = summary.summary();
    expect(s.lead_off_periods).toEqual([
      { start_s: 1, end_s: 2.5 },
      { start_s: 6, end_s: null },
    ]);
    expect(s.lead_off_s).toBe(2.5);
    expect(s.gaps).toEqual([{ start_s: 3, end_s: 6 }]);
    expect(s.gap_s).toBe(3);
    expect(s.disconnects).toBe(1);
    expect(s.duration_s).toBe(7);
  });

  test('nothing measured gives nulls, not zeros', () => {
    const s = new SummaryBuilder(500).summary();
    expect(s).toMatchObject({ beats: 0, heart_rate_mean: null, pr_ms: null, signal_quality: null, duration_s: 0 });
  });

  test('median', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
