import { describe, expect, it } from 'vitest';
import { createSyntheticEcg } from '../../src/device/synthetic.js';
import { measureIntervals, measureIntervalsMultiLead } from '../../src/dsp/delineate.js';
import { buildMedianBeat } from '../../src/dsp/median-beat.js';
import { referenceBeats, referenceIntervals } from '../../src/dsp/delineation-reference.js';

function strip(options: Parameters<typeof createSyntheticEcg>[0], seconds = 10) {
  const ecg = createSyntheticEcg({ leads: ['II'], ...options });
  const [leadII] = ecg.next(Math.round(options.fsHz * seconds));
  return { signalUv: leadII!, truth: ecg.truth() };
}

describe('measureIntervals', () => {
  it('returns nulls, not garbage, without beats or signal', () => {
    const empty = { prMs: null, qrsMs: null, qtMs: null, qtcBazettMs: null, qtcFridericiaMs: null, beatsUsed: 0 };
    expect(measureIntervals(new Float32Array(5000), 500, [])).toEqual(empty);
    expect(measureIntervals(new Float32Array(0), 500, [10, 20])).toEqual(empty);
    const flat = measureIntervals(new Float32Array(5000), 500, [500, 1000, 1500, 2000, 2500]);
    expect(flat.qrsMs).toBeNull();
  });

  it('gives QTc by Bazett and Fridericia from the median RR of the beats used', () => {
    const fsHz = 500;
    const { signalUv, truth } = strip({ fsHz, hrBpm: 80 });
    const result = measureIntervals(signalUv, fsHz, truth.map((b) => b.rSample));
    const rrS = 0.75;
    expect(result.qtMs).not.toBeNull();
    expect(result.qtcBazettMs!).toBeCloseTo(result.qtMs! / Math.sqrt(rrS), 0);
    expect(result.qtcFridericiaMs!).toBeCloseTo(result.qtMs! / Math.cbrt(rrS), 0);
    expect(result.beatsUsed).toBeGreaterThanOrEqual(10);
  });

  it('keeps PVCs and false detections out of the median beat', () => {
    const fsHz = 360;
    const clean = strip({ fsHz, hrBpm: 70, seed: 4 });
    const reference = measureIntervals(clean.signalUv, fsHz, clean.truth.map((b) => b.rSample));
    const ectopic = strip({ fsHz, hrBpm: 70, seed: 4, pvcEvery: 3 });
    const rPeaks = ectopic.truth.map((b) => b.rSample);
    rPeaks.push(Math.round(rPeaks[3]! + 0.45 * fsHz)); // a false beat on a T wave
    const beat = buildMedianBeat(ectopic.signalUv, fsHz, rPeaks)!;
    const pvcPeaks = new Set(ectopic.truth.filter((b) => b.pvc).map((b) => b.rSample));
    expect(beat.usedRPeaks.some((r) => [...pvcPeaks].some((p) => Math.abs(p - r) < 0.05 * fsHz))).toBe(false);
    const result = measureIntervals(ectopic.signalUv, fsHz, rPeaks);
    expect(Math.abs(result.prMs! - reference.prMs!)).toBeLessThanOrEqual(6);
    expect(Math.abs(result.qrsMs! - reference.qrsMs!)).toBeLessThanOrEqual(6);
    expect(Math.abs(result.qtMs! - reference.qtMs!)).toBeLessThanOrEqual(12);
  });

  it('reports no PR in atrial fibrillation, and still QRS and QT', () => {
    const fsHz = 500;
    const { signalUv, truth } = strip({ fsHz, hrBpm: 90, seed: 9, atrialFibrillation: true });
    expect(truth.every((b) => b.pOnset === null)).toBe(true);
    const result = measureIntervals(signalUv, fsHz, truth.map((b) => b.rSample));
    expect(result.prMs).toBeNull();
    expect(result.qrsMs).not.toBeNull();
    expect(result.qtMs).not.toBeNull();
  });

  it('is unmoved by a constant offset and slow baseline drift', () => {
    const fsHz = 250;
    const { signalUv, truth } = strip({ fsHz, hrBpm: 65, seed: 2 });
    const rPeaks = truth.map((b) => b.rSample);
    const base = measureIntervals(signalUv, fsHz, rPeaks);
    const drifted = signalUv.map((v, i) => v + 1500 + 300 * Math.sin((2 * Math.PI * 0.15 * i) / fsHz));
    const moved = measureIntervals(drifted, fsHz, rPeaks);
    expect(Math.abs(moved.prMs! - base.prMs!)).toBeLessThanOrEqual(8);
    expect(Math.abs(moved.qrsMs! - base.qrsMs!)).toBeLessThanOrEqual(8);
    expect(Math.abs(moved.qtMs! - base.qtMs!)).toBeLessThanOrEqual(12);
  });
});

describe('reference marks (LUDB / QT Database style)', () => {
  it('groups ( peak ) triplets into beats and takes medians of complete ones', () => {
    const marks = [
      ['(', 100], ['p', 120], [')', 140], ['(', 180], ['N', 200], [')', 225], ['(', 300], ['t', 350], [')', 400],
      ['(', 600], ['p', 620], [')', 640], ['(', 682], ['N', 700], [')', 725], ['t', 850], [')', 902],
      ['N', 1200], [')', 1230],
    ].map(([symbol, sample]) => ({ symbol: symbol as string, sample: sample as number }));
    const beats = referenceBeats(marks);
    expect(beats).toEqual([
      { rSample: 200, pOnset: 100, qrsOnset: 180, qrsOffset: 225, tEnd: 400 },
      { rSample: 700, pOnset: 600, qrsOnset: 682, qrsOffset: 725, tEnd: 902 },
      { rSample: 1200, pOnset: null, qrsOnset: null, qrsOffset: 1230, tEnd: null },
    ]);
    const intervals = referenceIntervals(beats, 500);
    expect(intervals).toEqual({ prMs: 162, qrsMs: 88, qtMs: 440, prBeats: 2, qrsBeats: 2, qtBeats: 2 });
  });
});

describe('measureIntervalsMultiLead', () => {
  it('measures QRS from all leads and P and T from the primary one', () => {
    const fsHz = 500;
    const ecg = createSyntheticEcg({ fsHz, hrBpm: 72, leads: ['II', 'V2', 'V5'], seed: 3 });
    const leads = ecg.next(fsHz * 10);
    const truth = ecg.truth();
    const rPeaks = truth.map((b) => b.rSample);
    const single = measureIntervals(leads[0]!, fsHz, rPeaks);
    const multi = measureIntervalsMultiLead(leads, fsHz, rPeaks, 0);
    const truthQrsMs = ((truth[3]!.qrsOffset - truth[3]!.qrsOnset) / fsHz) * 1000;
    expect(multi.beatsUsed).toBe(single.beatsUsed);
    // The truth is lead II's at 20 µV; the edge fractions read ~12 ms wider (docs/intervals.md).
    expect(Math.abs(multi.qrsMs! - truthQrsMs)).toBeLessThanOrEqual(16);
    // The primary's earlier onset stands (one lead alone also averages it with its first flank's knee).
    expect(Math.abs(multi.prMs! - single.prMs!)).toBeLessThanOrEqual(4);
    expect(Math.abs(multi.qtMs! - single.qtMs!)).toBeLessThanOrEqual(30);
    expect(measureIntervalsMultiLead([leads[0]!], fsHz, rPeaks, 0)).toEqual(single);
    expect(() => measureIntervalsMultiLead(leads, fsHz, rPeaks, 5)).toThrow(RangeError);
  });

  it('takes T end from the other leads when the primary shows no clear T', () => {
    const fsHz = 500;
    const ecg = createSyntheticEcg({ fsHz, hrBpm: 72, leads: ['II', 'V5'], seed: 4 });
    const [leadII, v5] = ecg.next(fsHz * 10);
    const truth = ecg.truth();
    // A lead with a tenth of lead II's waves and a 60 µV late bump (U-like) 150 ms after each T.
    const faint = Float32Array.from(leadII!, (v) => 0.1 * v);
    for (const beat of truth) {
      for (let k = -40; k <= 40; k += 1) {
        const i = beat.tEnd + 75 + k;
        if (i >= 0 && i < faint.length) faint[i]! += 30 * (1 + Math.cos((Math.PI * k) / 40));
      }
    }
    const rPeaks = truth.map((b) => b.rSample);
    const truthQtMs = ((truth[3]!.tEnd - truth[3]!.qrsOnset) / fsHz) * 1000;
    const alone = measureIntervals(faint, fsHz, rPeaks);
    const multi = measureIntervalsMultiLead([faint, leadII!, v5!], fsHz, rPeaks, 0);
    expect(alone.qtMs! - truthQtMs).toBeGreaterThan(60);
    expect(Math.abs(multi.qtMs! - truthQtMs)).toBeLessThanOrEqual(20);
  });
});
