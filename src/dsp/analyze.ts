/**
 * Offline analysis of in-memory signals through the live pipeline: what `ecg-monitor analyze`
 * prints and what the PDF report uses.
 */
import type { FilterMode, MainsHz } from './filters.js';
import { intervalWindows, measureWindow, medianIntervals, windowPeaks } from './interval-windows.js';
import { chooseAnalysisLead, createPipeline, type Pipeline } from './pipeline.js';
import type { Beat, Intervals } from './types.js';

export interface AnalyzeInput {
  fsHz: number;
  leads: readonly string[];
  /** One array per lead, µV, all the same length. */
  signalsUv: readonly Float32Array[];
  /** Lead to analyse (default II, else MLII, else the first). */
  lead?: string;
  filter?: FilterMode;
  mainsHz?: MainsHz | null;
}

export interface AnalyzeResult {
  fsHz: number;
  lead: string;
  durationS: number;
  beats: Beat[];
  /** Mean heart rate over the record (60 000 / mean RR), null with fewer than two beats. */
  heartRateBpm: number | null;
  meanRrMs: number | null;
  intervals: Intervals;
}

/** Samples fed per push: one second, as a device would deliver them. */
const BLOCK_S = 1;
/** Detection over the whole record, pushed a second at a time as a device would deliver it. */
function detectBeats(input: AnalyzeInput): { pipeline: Pipeline; beats: Beat[]; length: number } {
  const { fsHz, leads, signalsUv } = input;
  if (signalsUv.length !== leads.length) throw new RangeError('one signal per lead is needed');
  const length = signalsUv[0]?.length ?? 0;
  if (signalsUv.some((s) => s.length !== length)) throw new RangeError('signals differ in length');
  const pipeline = createPipeline({
    fsHz,
    leads,
    filter: input.filter ?? 'monitor',
    mainsHz: input.mainsHz === undefined ? 50 : input.mainsHz,
    analysisLead: input.lead,
    intervalsEveryS: 0,
    displayOutput: false,
  });
  const beats: Beat[] = [];
  const block = Math.max(1, Math.round(BLOCK_S * fsHz));
  const leadOff = leads.map(() => false);
  for (let start = 0; start < length; start += block) {
    const count = Math.min(block, length - start);
    const { beats: found } = pipeline.push({
      firstSample: start,
      sampleCount: count,
      channels: signalsUv.map((s) => s.subarray(start, start + count)),
      leadOff,
      receivedAtMs: 0,
    });
    beats.push(...found);
  }
  beats.push(...pipeline.flush());
  return { pipeline, beats, length };
}

/** The analysis lead first, then the others: QRS edges from all, P and T from the first. */
function measuredSignals(input: AnalyzeInput): Float32Array[] {
  const analysis = input.signalsUv[chooseAnalysisLead(input.leads, input.lead)]!;
  return [analysis, ...input.signalsUv.filter((s) => s !== analysis)];
}

function resultOf(input: AnalyzeInput, pipeline: Pipeline, beats: Beat[], length: number, intervals: Intervals): AnalyzeResult {
  const { fsHz } = input;
  const meanRrMs = beats.length >= 2 ? ((beats[beats.length - 1]!.sample - beats[0]!.sample) * 1000) / fsHz / (beats.length - 1) : null;
  return {
    fsHz,
    lead: pipeline.analysisLead,
    durationS: length / fsHz,
    beats,
    heartRateBpm: meanRrMs ? 60_000 / meanRrMs : null,
    meanRrMs,
    intervals,
  };
}

export function analyzeSignals(input: AnalyzeInput): AnalyzeResult {
  const { pipeline, beats, length } = detectBeats(input);
  const [analysis, ...others] = measuredSignals(input);
  const intervals = windowedIntervals(analysis!, input.fsHz, beats.map((b) => b.sample), others);
  return resultOf(input, pipeline, beats, length, intervals);
}

/**
 * Median of the per-window interval measurements (the whole record when it is short); QRS edges
 * from `signalUv` and `otherLeadsUv` together, P and T from `signalUv`.
 */
export function windowedIntervals(signalUv: Float32Array, fsHz: number, rPeaks: readonly number[], otherLeadsUv: readonly Float32Array[] = []): Intervals {
  const signals = [signalUv, ...otherLeadsUv];
  return medianIntervals(intervalWindows(signalUv.length, fsHz).map((w) => measureWindow(signals.map((s) => s.subarray(w.from, w.to)), fsHz, windowPeaks(rPeaks, w))));
}
