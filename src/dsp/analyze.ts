/**
 * Offline analysis of in-memory signals through the live pipeline: what `ecg-monitor analyze`
 * prints and what the PDF report uses.
 */
import type { FilterMode, MainsHz } from './filters.js';
import { measureIntervalsMultiLead } from './delineate.js';
import { createPipeline } from './pipeline.js';
import type { Beat, Intervals } from './types.js';

export interface AnalyzeInput {
  fsHz: number;
  leads: readonly string[];
  /** One array per lead, µV, all the same length. */
  signalsUv: readonly Float32Array[];
  /** Lead to analyse (default II, else MLII, else the first). */
  lead?: string;
  /**
   * Leads the intervals are measured on: 'all' (default), QRS edges and T end from every lead
   * together, a global measurement; 'analysis', every interval from the analysis lead alone, as
   * a cardiologist marks one lead. Beats come from every lead either way.
   */
  intervalLeads?: 'all' | 'analysis';
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
/** Interval windows: 10 s each, at most this many spread over the record, median reported. */
const INTERVAL_WINDOW_S = 10;
const MAX_INTERVAL_WINDOWS = 6;
/** Fewer R peaks than this in a window: nothing to measure there. */
const MIN_WINDOW_BEATS = 3;

export function analyzeSignals(input: AnalyzeInput): AnalyzeResult {
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
  const analysis = signalsUv[pipeline.analysisIndex]!;
  const others = input.intervalLeads === 'analysis' ? [] : signalsUv.filter((s) => s !== analysis);
  const meanRrMs = beats.length >= 2 ? ((beats[beats.length - 1]!.sample - beats[0]!.sample) * 1000) / fsHz / (beats.length - 1) : null;
  return {
    fsHz,
    lead: pipeline.analysisLead,
    durationS: length / fsHz,
    beats,
    heartRateBpm: meanRrMs ? 60_000 / meanRrMs : null,
    meanRrMs,
    intervals: windowedIntervals(analysis, fsHz, beats.map((b) => b.sample), others),
  };
}

/**
 * Median of the per-window interval measurements (the whole record when it is short); QRS edges
 * and T end from `signalUv` and `otherLeadsUv` together, P from `signalUv` unless it shows only a
 * trace of P beside another lead's.
 */
export function windowedIntervals(signalUv: Float32Array, fsHz: number, rPeaks: readonly number[], otherLeadsUv: readonly Float32Array[] = []): Intervals {
  const signals = [signalUv, ...otherLeadsUv];
  const windowLength = Math.round(INTERVAL_WINDOW_S * fsHz);
  const windowCount = Math.max(1, Math.floor(signalUv.length / windowLength));
  const used = Math.min(windowCount, MAX_INTERVAL_WINDOWS);
  const measurements: Intervals[] = [];
  for (let w = 0; w < used; w += 1) {
    const from = Math.floor((w * windowCount) / used) * windowLength;
    const to = windowCount === 1 ? signalUv.length : from + windowLength;
    const peaks = rPeaks.filter((s) => s >= from && s < to).map((s) => s - from);
    if (peaks.length < MIN_WINDOW_BEATS) continue;
    const { beatsUsed: _used, ...measured } = measureIntervalsMultiLead(signals.map((s) => s.subarray(from, to)), fsHz, peaks, 0);
    measurements.push(measured);
  }
  const pick = (key: keyof Intervals) => {
    const values = measurements.map((m) => m[key]).filter((v): v is number => v !== null);
    if (values.length === 0) return null;
    values.sort((a, b) => a - b);
    const mid = values.length >> 1;
    return values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
  };
  return {
    prMs: pick('prMs'),
    qrsMs: pick('qrsMs'),
    qtMs: pick('qtMs'),
    qtcBazettMs: pick('qtcBazettMs'),
    qtcFridericiaMs: pick('qtcFridericiaMs'),
  };
}
