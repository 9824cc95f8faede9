import { describe, expect, it } from 'vitest';
import { createSyntheticEcg } from '../../src/device/synthetic.js';
import { createPipeline, intervalsOnAnalysisLeadAlone } from '../../src/dsp/pipeline.js';

describe('live intervals from several leads', () => {
  const fsHz = 500;

  /** Feeds 12 s of `leads` (V2 third) with V2 replaced by large noise; returns the QRS the pipeline reports. */
  function qrsWithNoisyV2(v2LeadOff: boolean, leads: string[] = ['I', 'II', 'V2'], leadIIOff = false): { measuredMs: number | null; truthMs: number } {
    const source = createSyntheticEcg({ fsHz, hrBpm: 70, leads, seed: 11 });
    const channels = source.next(12 * fsHz);
    let seed = 7;
    for (let i = 0; i < channels[2]!.length; i += 1) {
      seed = (seed * 16807) % 0x7fffffff;
      channels[2]![i] = (seed / 0x7fffffff - 0.5) * 4000;
    }
    const pipeline = createPipeline({ fsHz, leads: source.leads, analysisLead: 'II', mainsHz: null });
    for (let s = 0; s < channels[0]!.length; s += 250) {
      pipeline.push({
        firstSample: s,
        sampleCount: 250,
        channels: channels.map((c) => c.subarray(s, s + 250)),
        leadOff: leads.map((_, l) => (l === 2 && v2LeadOff) || (l === 1 && leadIIOff)),
        receivedAtMs: 0,
      });
    }
    const truth = source.truth()[5]!;
    return { measuredMs: pipeline.metrics(12).qrsMs, truthMs: ((truth.qrsOffset - truth.qrsOnset) / fsHz) * 1000 };
  }

  it('takes QRS edges from the leads in contact and leaves a lead-off lead out', () => {
    const withoutV2 = qrsWithNoisyV2(true);
    expect(withoutV2.measuredMs).not.toBeNull();
    expect(Math.abs(withoutV2.measuredMs! - withoutV2.truthMs)).toBeLessThanOrEqual(10);
    // The same noise counted as signal widens the combined QRS: the lead-off flag is what keeps it out.
    const withV2 = qrsWithNoisyV2(false);
    console.log(`QRS ms: truth ${withoutV2.truthMs}, V2 lead-off ${withoutV2.measuredMs}, V2 noise counted ${withV2.measuredMs}`);
    expect(withV2.measuredMs).toBeGreaterThan(withoutV2.measuredMs! + 20);
  });

  it('measures a 12-lead record on lead II alone: a noisy precordial lead in contact does not widen it', () => {
    const twelve = ['I', 'II', 'V2', 'V1', 'V3', 'V4', 'V5', 'V6'];
    expect(intervalsOnAnalysisLeadAlone(twelve)).toBe(true);
    expect(intervalsOnAnalysisLeadAlone(['I', 'II', 'V2', 'III', 'aVR', 'aVL', 'aVF'])).toBe(false);
    const counted = qrsWithNoisyV2(false, twelve);
    const leftOut = qrsWithNoisyV2(true, twelve);
    console.log(`8 recorded leads, QRS ms: truth ${counted.truthMs}, V2 noise in contact ${counted.measuredMs}, V2 lead-off ${leftOut.measuredMs}`);
    expect(counted.measuredMs).toBe(leftOut.measuredMs);
    expect(Math.abs(counted.measuredMs! - counted.truthMs)).toBeLessThanOrEqual(10);
    // With lead II itself off there is nothing to measure on.
    expect(qrsWithNoisyV2(false, twelve, true).measuredMs).toBeNull();
  });
});
