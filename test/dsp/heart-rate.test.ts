import { describe, expect, it } from 'vitest';
import { analyzeSignals } from '../../src/dsp/analyze.js';
import { averagedRrMs, HeartRateMeter } from '../../src/dsp/heart-rate.js';
import { createSyntheticEcg } from '../../src/device/synthetic.js';
import { createPipeline } from '../../src/dsp/pipeline.js';
import { QrsDetector } from '../../src/dsp/qrs.js';
import { qrsWithTallT } from './test-signals.js';

describe('heart-rate averaging (IEC 60601-2-27 disclosure)', () => {
  it('averages the last 12 RR intervals', () => {
    const rr = [...Array(20).fill(500), ...Array(12).fill(1000)];
    expect(averagedRrMs(rr)).toBe(1000);
    expect(averagedRrMs([...Array(12).fill(800), 600])).toBeCloseTo((11 * 800 + 600) / 12, 6);
  });

  it('switches to the last 4 when they average over 1.2 s', () => {
    const rr = [...Array(12).fill(800), 1500, 1500, 1500, 1500];
    expect(averagedRrMs(rr)).toBe(1500);
    expect(averagedRrMs([])).toBeNull();
  });

  it('updates once per second of signal and blanks after 6 s without a beat', () => {
    const meter = new HeartRateMeter(100);
    meter.tick(0);
    for (let beat = 0; beat <= 10; beat += 1) meter.addBeat(beat * 100); // 60 bpm
    meter.tick(1000);
    expect(meter.rateBpm).toBeCloseTo(60, 6);
    meter.addBeat(1050); // a short RR, not yet shown
    meter.tick(1099);
    expect(meter.rateBpm).toBeCloseTo(60, 6);
    meter.tick(1100);
    expect(meter.rateBpm).toBeGreaterThan(60);
    meter.tick(1050 + 700);
    expect(meter.rateBpm).toBeNull();
  });
});

describe('tall T waves are not counted as beats', () => {
  for (const fsHz of [250, 500]) {
    it(`T wave 1.2x the R wave at ${fsHz} Hz: one beat per QRS, HR 60`, () => {
      const { signalUv, rSamples } = qrsWithTallT({ fsHz, hrBpm: 60, seconds: 60, tAmplitudeUv: 1200, tDelayS: 0.3 });
      const result = analyzeSignals({ fsHz, leads: ['II'], signalsUv: [signalUv] });
      expect(result.beats.length).toBe(rSamples.length);
      for (const [i, beat] of result.beats.entries()) expect(Math.abs(beat.sample - rSamples[i]!)).toBeLessThanOrEqual(1);
      expect(result.heartRateBpm!).toBeCloseTo(60, 0);

      const pipeline = createPipeline({ fsHz, leads: ['II'] });
      for (let s = 0; s < signalUv.length; s += fsHz) {
        pipeline.push({ firstSample: s, sampleCount: fsHz, channels: [signalUv.subarray(s, s + fsHz)], leadOff: [false], receivedAtMs: 0 });
      }
      expect(Math.abs(pipeline.metrics(60).heartRateBpm! - 60)).toBeLessThan(1);
    });
  }
});

describe('very slow and very fast rates: one beat per QRS from the first second', () => {
  // 25-35 bpm: the T wave peaks ~450 ms after R, past the usual 360 ms T-wave window, and the first
  // 2 s hold one beat. 190-230 bpm: consecutive beats lie closer than that window.
  for (const hrBpm of [25, 30, 35, 190, 230]) {
    it(`${hrBpm} bpm`, () => {
      const fsHz = 360;
      const ecg = createSyntheticEcg({ fsHz, hrBpm, leads: ['II', 'V2'], seed: 9, hrvMs: 10 });
      const signalsUv = ecg.next(fsHz * 60);
      const truth = ecg.truth().map((b) => b.rSample);
      const result = analyzeSignals({ fsHz, leads: ['II', 'V2'], signalsUv });
      expect(result.beats.length).toBe(truth.length);
      for (const [i, beat] of result.beats.entries()) expect(Math.abs(beat.sample - truth[i]!)).toBeLessThanOrEqual(0.02 * fsHz);
      expect(result.heartRateBpm!).toBeCloseTo(hrBpm, 0);
    });
  }
});

describe('irregular rhythm (AF-like: RR varying ±25-40 % around the mean)', () => {
  const found = (hrBpm: number, hrvMs: number, fsHz: number, leads = ['II', 'V1', 'V5']) => {
    const ecg = createSyntheticEcg({ fsHz, hrBpm, leads, seed: 1, hrvMs });
    const signalsUv = ecg.next(fsHz * 30);
    const truth = ecg.truth().map((b) => b.rSample).filter((t) => t < signalsUv[0]!.length - 0.1 * fsHz);
    const beats = analyzeSignals({ fsHz, leads, signalsUv }).beats.map((b) => b.sample);
    return { truth: truth.length, matched: truth.filter((t) => beats.some((b) => Math.abs(b - t) < 0.15 * fsHz)).length, extra: beats.length - truth.length };
  };
  for (const hrBpm of [60, 90, 120, 150]) {
    it(`${hrBpm} bpm: every beat, no extra`, () => {
      for (const fsHz of [250, 500]) {
        const { truth, matched, extra } = found(hrBpm, 200, fsHz);
        expect(matched, `${fsHz} Hz`).toBe(truth);
        expect(extra, `${fsHz} Hz`).toBeLessThanOrEqual(1);
      }
    });
  }
  it('170 bpm: at least 97 % of the beats (target every beat; RR down to 210 ms, near the 200 ms refractory, docs/dsp.md)', () => {
    for (const fsHz of [250, 500]) {
      const { truth, matched } = found(170, 200, fsHz);
      expect(matched / truth, `${fsHz} Hz`).toBeGreaterThanOrEqual(0.97);
    }
  });
  it('one lead (II) alone: every beat at 120 bpm; at 150 bpm 71-72 of 74, at 170 bpm 78-81 of 83 (target every beat; before the template rule 62 and 63-64: docs/dsp.md)', () => {
    for (const fsHz of [250, 500]) {
      expect(found(120, 200, fsHz, ['II']).matched, `${fsHz} Hz`).toBe(59);
      expect(found(150, 200, fsHz, ['II']).matched, `${fsHz} Hz`).toBeGreaterThanOrEqual(71);
      expect(found(170, 200, fsHz, ['II']).matched, `${fsHz} Hz`).toBeGreaterThanOrEqual(78);
      for (const hrBpm of [120, 150, 170]) expect(found(hrBpm, 200, fsHz, ['II']).extra, `${hrBpm} bpm ${fsHz} Hz`).toBeLessThanOrEqual(1);
    }
  });
  for (const leads of [['II', 'V1', 'V5'], ['II']]) it(`finds the same beats at 150 bpm whatever the block size, ${leads.length} lead(s) (the neighbours are measured at candidates)`, () => {
    const fsHz = 250;
    const ecg = createSyntheticEcg({ fsHz, hrBpm: 150, leads, seed: 2, hrvMs: 160 });
    const signalsUv = ecg.next(fsHz * 30);
    const beatsWithBlocks = (block: number): number[] => {
      const detector = new QrsDetector({ fsHz, leadCount: signalsUv.length });
      const beats = [];
      for (let start = 0; start < signalsUv[0]!.length; start += block) beats.push(...detector.push(signalsUv, Math.min(block, signalsUv[0]!.length - start), start));
      beats.push(...detector.flush());
      return beats.map((b) => b.sample);
    };
    const reference = beatsWithBlocks(250);
    // Of 72 beats; one lead alone found 61 before the template rule, so the rule runs here.
    expect(reference.length).toBeGreaterThan(leads.length > 1 ? 70 : 65);
    for (const block of [1, 37, 1000]) expect(beatsWithBlocks(block), `blocks of ${block}`).toEqual(reference);
  });
});

