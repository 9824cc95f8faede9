import { describe, expect, it } from 'vitest';
import { createSyntheticEcg, type SyntheticEcgOptions } from '../../src/device/synthetic.js';
import { measureIntervals } from '../../src/dsp/delineate.js';
import { buildMedianBeat } from '../../src/dsp/median-beat.js';

const FS_HZ = 500;

// Lead I by default: there the synthetic PVC is steeper than a third of the sinus QRS, so it is
// not dropped as no QRS before the morphologies are compared (on lead II it is).
function strip(options: Omit<SyntheticEcgOptions, 'fsHz'>) {
  const ecg = createSyntheticEcg({ fsHz: FS_HZ, leads: ['I'], hrBpm: 70, seed: 1, ...options });
  const [signalUv] = ecg.next(10 * FS_HZ);
  return { signalUv: signalUv!, truth: ecg.truth() };
}

const near = (peaks: readonly number[], r: number) => peaks.some((p) => Math.abs(p - r) < 0.05 * FS_HZ);

describe('median beat: which morphology is measured', () => {
  it('measures the narrow sinus beats in bigeminy even when the PVCs outnumber them', () => {
    const { signalUv, truth } = strip({ pvcEvery: 2 });
    const pvcPeaks = truth.filter((b) => b.pvc).map((b) => b.rSample);
    // Two sinus beats missed by the detector: six PVCs against four sinus beats.
    const rPeaks = truth.filter((b, i) => b.pvc || (i !== 2 && i !== 6)).map((b) => b.rSample);
    expect(rPeaks.filter((r) => near(pvcPeaks, r)).length).toBeGreaterThan(rPeaks.length / 2);
    const beat = buildMedianBeat(signalUv, FS_HZ, rPeaks)!;
    expect(beat.beatsUsed).toBeGreaterThanOrEqual(3);
    expect(beat.usedRPeaks.some((r) => near(pvcPeaks, r))).toBe(false);

    const sinusOnly = strip({});
    const reference = measureIntervals(sinusOnly.signalUv, FS_HZ, sinusOnly.truth.map((b) => b.rSample));
    const result = measureIntervals(signalUv, FS_HZ, rPeaks);
    // Four beats against twelve: their medians differ by a few ms (the PVCs' own median reads 170 ms).
    expect(Math.abs(result.qrsMs! - reference.qrsMs!)).toBeLessThanOrEqual(8);
    expect(Math.abs(result.prMs! - reference.prMs!)).toBeLessThanOrEqual(6);
  });

  it('leaves a third of PVCs out', () => {
    const { signalUv, truth } = strip({ pvcEvery: 3 });
    const pvcPeaks = truth.filter((b) => b.pvc).map((b) => b.rSample);
    const beat = buildMedianBeat(signalUv, FS_HZ, truth.map((b) => b.rSample))!;
    expect(beat.beatsUsed).toBeGreaterThanOrEqual(5);
    expect(beat.usedRPeaks.some((r) => near(pvcPeaks, r))).toBe(false);
  });

  it('still measures a record whose only morphology is wide (bundle-branch-block-like)', () => {
    const { signalUv, truth } = strip({ qrsMs: 160, leads: ['II'] });
    const rPeaks = truth.map((b) => b.rSample);
    const result = measureIntervals(signalUv, FS_HZ, rPeaks);
    expect(result.beatsUsed).toBeGreaterThanOrEqual(rPeaks.length - 2);
    const truthQrsMs = ((truth[3]!.qrsOffset - truth[3]!.qrsOnset) / FS_HZ) * 1000;
    expect(truthQrsMs).toBeCloseTo(160, -1);
    expect(Math.abs(result.qrsMs! - truthQrsMs)).toBeLessThanOrEqual(20);
  });
});
