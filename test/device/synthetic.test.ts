import { describe, expect, it } from 'vitest';
import { createSyntheticEcg, STANDARD_LEADS, TRUTH_THRESHOLD_UV } from '../../src/device/synthetic.js';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

describe('synthetic ECG generator', () => {
  it('gives 12 leads that obey Einthoven and Goldberger exactly', () => {
    const ecg = createSyntheticEcg({ fsHz: 500, hrBpm: 72, seed: 3, baselineWander: true, mainsHz: 50, muscleNoise: true });
    expect(ecg.leads).toEqual([...STANDARD_LEADS]);
    const [I, II, III, aVR, aVL, aVF] = ecg.next(2000);
    let worst = 0;
    for (let i = 0; i < 2000; i += 1) {
      worst = Math.max(
        worst,
        Math.abs(III![i]! - (II![i]! - I![i]!)),
        Math.abs(aVR![i]! + (I![i]! + II![i]!) / 2),
        Math.abs(aVL![i]! - (I![i]! - II![i]! / 2)),
        Math.abs(aVF![i]! - (II![i]! - I![i]! / 2)),
      );
    }
    expect(worst).toBeLessThan(0.01);
  });

  it('is deterministic for a seed and independent of how the stream is chunked', () => {
    const options = { fsHz: 360, hrBpm: 80, hrvMs: 40, seed: 11, muscleNoise: true, baselineWander: true, pvcEvery: 5, leads: ['II', 'V2'] };
    const whole = createSyntheticEcg(options).next(3600);
    const chunked = createSyntheticEcg(options);
    const parts = [1, 599, 1000, 2000].map((count) => chunked.next(count));
    for (let lead = 0; lead < 2; lead += 1) {
      const joined = Float32Array.from(parts.flatMap((part) => [...part[lead]!]));
      expect(joined).toEqual(whole[lead]);
    }
    const other = createSyntheticEcg({ ...options, seed: 12 }).next(3600);
    expect(other[0]).not.toEqual(whole[0]);
  });

  it('marks PR, QRS and QT exactly as asked (20 µV from baseline in any of the 12 leads)', () => {
    const fsHz = 500;
    const ecg = createSyntheticEcg({ fsHz, hrBpm: 60, prMs: 180, qrsMs: 100, qtMs: 420 });
    const leads = ecg.next(fsHz * 10);
    const beats = ecg.truth();
    expect(beats.length).toBe(10);
    const sampleMs = 1000 / fsHz;
    const largestUv = (n: number) => Math.max(...leads.map((lead) => Math.abs(lead[n]!)));
    const leadII = leads[STANDARD_LEADS.indexOf('II')]!;
    for (const beat of beats) {
      expect(beat.pvc).toBe(false);
      expect(Math.abs((beat.qrsOnset - beat.pOnset!) * sampleMs - 180)).toBeLessThanOrEqual(sampleMs);
      expect(Math.abs((beat.qrsOffset - beat.qrsOnset) * sampleMs - 100)).toBeLessThanOrEqual(sampleMs);
      expect(Math.abs((beat.tEnd - beat.qrsOnset) * sampleMs - 420)).toBeLessThanOrEqual(sampleMs);
      // Each mark is the sample nearest the crossing: the noise-free signal reaches the threshold in
      // some lead one sample inside the mark, and in none one sample outside it.
      expect(largestUv(beat.qrsOnset + 1)).toBeGreaterThanOrEqual(TRUTH_THRESHOLD_UV);
      expect(largestUv(beat.qrsOffset - 1)).toBeGreaterThanOrEqual(TRUTH_THRESHOLD_UV);
      expect(largestUv(beat.pOnset! - 1)).toBeLessThan(TRUTH_THRESHOLD_UV);
      expect(largestUv(beat.tEnd + 1)).toBeLessThan(TRUTH_THRESHOLD_UV);
      expect(leadII[beat.rSample]!).toBeGreaterThan(800);
    }
  });

  it('spreads the QRS edges over the leads as real 12-lead beats do: lead II alone is narrower than the global QRS', () => {
    const fsHz = 1000;
    const ecg = createSyntheticEcg({ fsHz, hrBpm: 60, qrsMs: 90 });
    const leads = ecg.next(fsHz * 2);
    const beat = ecg.truth()[0]!;
    const edgesMs = (lead: Float32Array) => {
      let first = Number.NaN;
      let last = Number.NaN;
      for (let n = beat.qrsOnset - 15; n <= beat.qrsOffset + 15; n += 1) {
        if (Math.abs(lead[n]!) < TRUTH_THRESHOLD_UV) continue;
        if (Number.isNaN(first)) first = n;
        last = n;
      }
      return { onsetMs: first - beat.qrsOnset, offsetMs: last - beat.qrsOffset };
    };
    const leadII = edgesMs(leads[STANDARD_LEADS.indexOf('II')]!);
    // LUDB: the earliest lead starts ~2 ms before lead II and the latest ends ~8 ms after it (docs/intervals.md).
    expect(leadII.onsetMs).toBeGreaterThanOrEqual(1);
    expect(leadII.onsetMs).toBeLessThanOrEqual(4);
    expect(leadII.offsetMs).toBeLessThanOrEqual(-5);
    expect(leadII.offsetMs).toBeGreaterThanOrEqual(-10);
    // The right precordial leads start first, as the septum depolarises toward them (the global
    // onset is the sample nearest V1's crossing, so V1's first sample above it is that one or the next).
    expect(edgesMs(leads[STANDARD_LEADS.indexOf('V1')]!).onsetMs).toBeGreaterThanOrEqual(0);
    expect(edgesMs(leads[STANDARD_LEADS.indexOf('V1')]!).onsetMs).toBeLessThanOrEqual(1);
  });

  it('follows the heart rate, with a Bazett-consistent default QT', () => {
    for (const hrBpm of [50, 75, 120]) {
      const fsHz = 250;
      const ecg = createSyntheticEcg({ fsHz, hrBpm, hrvMs: 30, seed: 5, leads: ['II'] });
      ecg.next(fsHz * 120);
      const beats = ecg.truth();
      const spanS = (beats.at(-1)!.rSample - beats[0]!.rSample) / fsHz;
      expect(Math.abs(((beats.length - 1) / spanS) * 60 - hrBpm)).toBeLessThan(1);
      const rrS = 60 / hrBpm;
      const qtMs = median(beats.map((b) => ((b.tEnd - b.qrsOnset) / fsHz) * 1000));
      expect(Math.abs(qtMs - 400 * Math.sqrt(rrS))).toBeLessThan(15);
    }
  });

  it('makes PVCs wide, without P, premature and followed by a compensatory pause', () => {
    const fsHz = 500;
    const ecg = createSyntheticEcg({ fsHz, hrBpm: 60, pvcEvery: 4, leads: ['II'] });
    ecg.next(fsHz * 21);
    const beats = ecg.truth();
    const pvcs = beats.filter((b) => b.pvc);
    expect(pvcs.length).toBe(5);
    for (const pvc of pvcs) {
      const i = beats.indexOf(pvc);
      expect(pvc.pOnset).toBeNull();
      expect(((pvc.qrsOffset - pvc.qrsOnset) / fsHz) * 1000).toBeGreaterThan(130);
      expect(beats[i]!.rSample - beats[i - 1]!.rSample).toBe(Math.round(0.6 * fsHz));
      expect(beats[i + 1]!.rSample - beats[i - 1]!.rSample).toBe(2 * fsHz);
    }
  });

  it('adds mains hum, baseline wander and muscle noise only when asked', () => {
    const fsHz = 1000;
    const clean = createSyntheticEcg({ fsHz, hrBpm: 60, leads: ['I'] }).next(fsHz * 4)[0]!;
    const hum = createSyntheticEcg({ fsHz, hrBpm: 60, leads: ['I'], mainsHz: 60 }).next(fsHz * 4)[0]!;
    // Project the difference on 60 Hz: the hum is there, at about 30 µV.
    let re = 0;
    let im = 0;
    for (let i = 0; i < hum.length; i += 1) {
      const d = hum[i]! - clean[i]!;
      re += d * Math.cos((2 * Math.PI * 60 * i) / fsHz);
      im += d * Math.sin((2 * Math.PI * 60 * i) / fsHz);
    }
    expect((2 * Math.hypot(re, im)) / hum.length).toBeCloseTo(30, 0);
    const wander = createSyntheticEcg({ fsHz, hrBpm: 60, leads: ['I'], baselineWander: true }).next(fsHz * 4)[0]!;
    expect(Math.max(...wander.map((v, i) => Math.abs(v - clean[i]!)))).toBeGreaterThan(50);
    const muscle = createSyntheticEcg({ fsHz, hrBpm: 60, leads: ['I'], muscleNoise: true }).next(fsHz * 4)[0]!;
    const rms = Math.sqrt(muscle.reduce((sum, v, i) => sum + (v - clean[i]!) ** 2, 0) / muscle.length);
    expect(rms).toBeGreaterThan(10);
    expect(rms).toBeLessThan(20);
  });

  it('streams without drift and can bound its ground truth', () => {
    const fsHz = 250;
    const ecg = createSyntheticEcg({ fsHz, hrBpm: 100, leads: ['II'], truthCapacity: 50 });
    for (let i = 0; i < 600; i += 1) ecg.next(fsHz); // 10 minutes in 1 s blocks
    const beats = ecg.truth();
    expect(beats.length).toBeLessThanOrEqual(55);
    // 100 bpm = exactly 150 samples per beat at 250 Hz, so the last R is on that grid.
    expect((beats.at(-1)!.rSample - beats[0]!.rSample) % 150).toBe(0);
    expect(beats.at(-1)!.rSample).toBeGreaterThan(600 * fsHz - 150);
  });

  it('rejects bad options with a clear message', () => {
    expect(() => createSyntheticEcg({ fsHz: 0, hrBpm: 60 })).toThrow(/fsHz/);
    expect(() => createSyntheticEcg({ fsHz: 250, hrBpm: 400 })).toThrow(/hrBpm/);
    expect(() => createSyntheticEcg({ fsHz: 250, hrBpm: 60, leads: ['V7'] })).toThrow(/V7/);
    expect(() => createSyntheticEcg({ fsHz: 250, hrBpm: 60, pvcEvery: 1 })).toThrow(/pvcEvery/);
    expect(() => createSyntheticEcg({ fsHz: 250, hrBpm: 60 }).next(-1)).toThrow(/count/);
  });
});
