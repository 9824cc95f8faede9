import { describe, expect, it } from 'vitest';
import { createSyntheticEcg, STANDARD_LEADS } from '../../src/device/synthetic.js';
import { analyzeSignals } from '../../src/dsp/analyze.js';
import { chooseAnalysisLead, chooseDetectionLeads, createPipeline, type Pipeline } from '../../src/dsp/pipeline.js';
import type { Beat } from '../../src/dsp/types.js';

function feed(pipeline: Pipeline, channels: Float32Array[], firstSample: number, blockSize: number): Beat[] {
  const beats: Beat[] = [];
  const n = channels[0]!.length;
  for (let s = 0; s < n; s += blockSize) {
    const count = Math.min(blockSize, n - s);
    const { beats: found, filtered } = pipeline.push({
      firstSample: firstSample + s,
      sampleCount: count,
      channels: channels.map((c) => c.subarray(s, s + count)),
      leadOff: channels.map(() => false),
      receivedAtMs: 0,
    });
    expect(filtered.length).toBe(channels.length);
    expect(filtered[0]!.length).toBe(count);
    beats.push(...found);
  }
  return beats;
}

describe('synthetic ground truth: heart rate within ±1 bpm', () => {
  for (const fsHz of [250, 256, 360, 500]) {
    for (const hrBpm of [48, 75, 140]) {
      it(`${hrBpm} bpm at ${fsHz} Hz`, () => {
        // Regular rhythm for the live rate; the offline mean is checked against the true beats.
        const source = createSyntheticEcg({ fsHz, hrBpm, leads: ['I', 'II', 'V2'], seed: fsHz + hrBpm, hrvMs: 0 });
        const seconds = 40;
        const channels = source.next(seconds * fsHz);
        const pipeline = createPipeline({ fsHz, leads: source.leads, mainsHz: 60 });
        const beats = feed(pipeline, channels, 0, Math.round(fsHz / 4));
        const metrics = pipeline.metrics(seconds);
        expect(Math.abs(metrics.heartRateBpm! - hrBpm)).toBeLessThanOrEqual(1);
        // Every true R peak found within 10 ms, nothing extra.
        const truth = source.truth().map((t) => t.rSample).filter((r) => r < seconds * fsHz - pipeline.latencyS * fsHz - 1);
        const found = beats.map((b) => b.sample);
        for (const r of truth) expect(found.some((s) => Math.abs(s - r) <= 0.01 * fsHz)).toBe(true);
        expect(found.length).toBeLessThanOrEqual(truth.length + 1);
        const varied = createSyntheticEcg({ fsHz, hrBpm, leads: ['II'], seed: fsHz + hrBpm, hrvMs: 40 });
        const variedSignal = varied.next(seconds * fsHz);
        const offline = analyzeSignals({ fsHz, leads: varied.leads, signalsUv: variedSignal });
        const peaks = varied.truth().map((t) => t.rSample);
        const trueBpm = (60 * fsHz * (peaks.length - 1)) / (peaks[peaks.length - 1]! - peaks[0]!);
        expect(Math.abs(offline.heartRateBpm! - trueBpm)).toBeLessThanOrEqual(1);
      });
    }
  }
});

describe('streaming pipeline', () => {
  const fsHz = 500;
  const make = (seed = 1) => createSyntheticEcg({ fsHz, hrBpm: 70, leads: ['I', 'II', 'V1', 'V5'], seed, hrvMs: 30 });

  it('reports beats in the stream numbering, whatever the block size or start', () => {
    const channels = make().next(30 * fsHz);
    const a = feed(createPipeline({ fsHz, leads: ['I', 'II', 'V1', 'V5'] }), channels, 0, 500).map((b) => b.sample);
    const b = feed(createPipeline({ fsHz, leads: ['I', 'II', 'V1', 'V5'] }), channels, 1_000_000, 37).map((b) => b.sample - 1_000_000);
    expect(a.length).toBeGreaterThan(30);
    expect(b).toEqual(a);
    const whole = feed(createPipeline({ fsHz, leads: ['I', 'II', 'V1', 'V5'] }), channels, 0, channels[0]!.length);
    expect(whole.map((beat) => beat.sample)).toEqual(a);
  });

  it('bridges dropped frames so later beats keep their sample numbers', () => {
    const channels = make(2).next(30 * fsHz);
    const whole = feed(createPipeline({ fsHz, leads: ['I', 'II', 'V1', 'V5'] }), channels, 0, 250).map((b) => b.sample);
    const pipeline = createPipeline({ fsHz, leads: ['I', 'II', 'V1', 'V5'] });
    const gapFrom = 10 * fsHz;
    const gapTo = gapFrom + 40; // 80 ms lost
    const before = channels.map((c) => c.subarray(0, gapFrom));
    const after = channels.map((c) => c.subarray(gapTo));
    const beats = [...feed(pipeline, before, 0, 250), ...feed(pipeline, after, gapTo, 250), ...pipeline.flush()].map((b) => b.sample);
    expect(pipeline.summary().gapSamples).toBe(40);
    const late = whole.filter((s) => s > gapTo + 2 * fsHz);
    for (const s of late) expect(beats).toContain(s);
  });

  it('gives metrics with quality, lead-off and device figures passed through', () => {
    const leads = ['I', 'II', 'V1', 'V5'];
    const pipeline = createPipeline({ fsHz, leads });
    feed(pipeline, make(3).next(20 * fsHz), 0, 100);
    pipeline.noteDeviceStats({ droppedFrames: 4, measuredRateHz: 499.2 });
    const clean = pipeline.metrics(20);
    expect(clean.t).toBe(20);
    expect(clean.signalQuality).toBeGreaterThan(0.8);
    expect(clean.droppedFrames).toBe(4);
    expect(clean.measuredRateHz).toBe(499.2);
    expect(clean.leadOff).toBe(false);
    expect(clean.rrMs).toBeGreaterThan(600);

    // Lead off on the analysis lead, then a flat line: quality 0.
    const flat = leads.map(() => new Float32Array(fsHz * 4));
    pipeline.push({ firstSample: 20 * fsHz, sampleCount: 4 * fsHz, channels: flat, leadOff: [false, true, false, false], receivedAtMs: 0 });
    const off = pipeline.metrics(24);
    expect(off.leadOff).toBe(true);
    expect(off.signalQuality).toBe(0);
  });

  it('rates a noisy signal lower than a clean one', () => {
    const leads = ['II'];
    const clean = createSyntheticEcg({ fsHz, hrBpm: 70, leads, seed: 4 });
    const noisy = createSyntheticEcg({ fsHz, hrBpm: 70, leads, seed: 4, muscleNoise: true, baselineWander: true });
    const a = createPipeline({ fsHz, leads });
    const b = createPipeline({ fsHz, leads });
    feed(a, clean.next(20 * fsHz), 0, 250);
    const noisySignal = noisy.next(20 * fsHz);
    // Extra broadband noise on top of the generator's own.
    let seed = 9;
    for (let i = 0; i < noisySignal[0]!.length; i += 1) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      noisySignal[0]![i]! += ((seed / 0x7fffffff) - 0.5) * 600;
    }
    feed(b, noisySignal, 0, 250);
    expect(b.metrics(20).signalQuality).toBeLessThan(a.metrics(20).signalQuality);
  });

  it('measures intervals from the analysis lead every 2 s', () => {
    const source = createSyntheticEcg({ fsHz, hrBpm: 60, leads: [...STANDARD_LEADS], seed: 5 });
    const pipeline = createPipeline({ fsHz, leads: source.leads, filter: 'diagnostic', mainsHz: 60 });
    expect(pipeline.analysisLead).toBe('II');
    expect(pipeline.filterLabel).toMatch(/diagnostic/);
    expect(pipeline.metrics(0).qrsMs).toBeNull();
    feed(pipeline, source.next(12 * fsHz), 0, 250);
    const m = pipeline.metrics(12);
    expect(m.qrsMs).not.toBeNull();
    expect(m.qtMs).not.toBeNull();
    pipeline.setMainsHz(50);
    expect(pipeline.summary().mainsHz).toBe(50);
  });

  it('gives derived limb leads the display trace of their own filtered input', () => {
    // A 12-lead device: I, II and V1-V6 recorded, III, aVR, aVL and aVF derived (the synthetic
    // source derives them the same way). Told so, the pipeline combines I's and II's display traces.
    const leads = [...STANDARD_LEADS];
    const channels = createSyntheticEcg({ fsHz, hrBpm: 80, leads, seed: 4, hrvMs: 30, baselineWander: true, muscleNoise: true }).next(12 * fsHz);
    const traces = (pipeline: Pipeline) => {
      const out = leads.map(() => [] as number[]);
      for (let s = 0; s < channels[0]!.length; s += 250) {
        const block = { firstSample: s, sampleCount: 250, channels: channels.map((c) => c.subarray(s, s + 250)), leadOff: leads.map(() => false), receivedAtMs: 0 };
        pipeline.push(block).filtered.forEach((f, l) => out[l]!.push(...f));
      }
      return out;
    };
    const filteredEach = traces(createPipeline({ fsHz, leads }));
    const combined = traces(createPipeline({ fsHz, leads, derivedLeads: ['III', 'aVR', 'aVL', 'aVF'] }));
    for (let l = 0; l < leads.length; l += 1) {
      const span = Math.max(...filteredEach[l]!) - Math.min(...filteredEach[l]!);
      expect(span).toBeGreaterThan(100);
      const worst = Math.max(...filteredEach[l]!.map((v, i) => Math.abs(v - combined[l]![i]!)));
      // Float32 rounding only: far under a microvolt.
      expect(worst, leads[l]).toBeLessThan(0.05);
    }
  });

  it('picks the analysis lead and independent detection leads', () => {
    expect(chooseAnalysisLead(['MLII', 'V5'])).toBe(0);
    expect(chooseAnalysisLead(['V1', 'ii'])).toBe(1);
    expect(chooseAnalysisLead(['V1', 'V2'])).toBe(0);
    expect(chooseAnalysisLead(['V1', 'V2'], 'v2')).toBe(1);
    expect(chooseAnalysisLead(['V1', 'V2'], 'II')).toBe(-1);
    const leads = [...STANDARD_LEADS];
    const chosen = chooseDetectionLeads(leads, 1).map((i) => leads[i]);
    expect(chosen[0]).toBe('II');
    expect(chosen).toHaveLength(3);
    expect(chosen.some((l) => ['III', 'aVR', 'aVL', 'aVF'].includes(l!))).toBe(false);
  });
});
