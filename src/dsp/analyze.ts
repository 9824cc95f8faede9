/**
 * Offline analysis of in-memory signals through the live pipeline: what `ecg-monitor analyze`
 * prints and what the PDF report uses.
 */
import type { FilterMode, MainsHz } from './filters.js';
import { measureIntervalsMultiLead } from './delineate.js';
import { createPipeline, intervalsOnAnalysisLeadAlone } from './pipeline.js';
import type { Beat, Intervals } from './types.js';

export interface AnalyzeOptions {
  /** Lead to analyse (default II, else MLII, else the first). */
  lead?: string;
  /**
   * Leads the intervals are measured on: 'all', QRS edges and T end from every lead together, a
   * global measurement; 'analysis', every interval from the analysis lead alone, as a
   * cardiologist marks one lead. By default, as the live pipeline does: 'all' for up to three
   * recorded leads, 'analysis' for more (`intervalsOnAnalysisLeadAlone`). Beats come from every
   * lead either way.
   */
  intervalLeads?: 'all' | 'analysis';
  filter?: FilterMode;
  mainsHz?: MainsHz | null;
  /** Called after each block with the samples analysed so far and the record's length. */
  onProgress?: (samplesDone: number, samplesTotal: number) => void;
}

export interface AnalyzeInput extends AnalyzeOptions {
  fsHz: number;
  leads: readonly string[];
  /** One array per lead, µV, all the same length. */
  signalsUv: readonly Float32Array[];
}

/** A recording read front to back, so a long one need not be held in memory. */
export interface SignalSource {
  fsHz: number;
  leads: readonly string[];
  /** Samples per lead. */
  length: number;
  /** The next `count` samples of every lead, µV; valid until the next call. */
  read(count: number): Float32Array[];
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

/**
 * Samples fed per push. The pipeline finds the same beats whatever the block size
 * (test/dsp/pipeline.test.ts); four seconds rather than a device's one means fewer calls through
 * the per-block code, much of which runs before V8 has optimised it (~20 ms less CPU on record 100).
 */
const BLOCK_S = 4;
/** Interval windows: 10 s each, at most this many spread over the record, median reported. */
const INTERVAL_WINDOW_S = 10;
const MAX_INTERVAL_WINDOWS = 6;
/** Fewer R peaks than this in a window: nothing to measure there. */
const MIN_WINDOW_BEATS = 3;

export function analyzeSignals(input: AnalyzeInput): AnalyzeResult {
  return analyzeSource(arraySource(input), input);
}

/** Signals already in memory as a source (subarrays, no copies). */
export function arraySource({ fsHz, leads, signalsUv }: Pick<AnalyzeInput, 'fsHz' | 'leads' | 'signalsUv'>): SignalSource {
  if (signalsUv.length !== leads.length) throw new RangeError('one signal per lead is needed');
  const length = signalsUv[0]?.length ?? 0;
  if (signalsUv.some((s) => s.length !== length)) throw new RangeError('signals differ in length');
  let next = 0;
  const read = (count: number) => {
    const views = signalsUv.map((s) => s.subarray(next, next + count));
    next += count;
    return views;
  };
  return { fsHz, leads, length, read };
}

/**
 * The pipeline over a whole recording, a block at a time as a device delivers it. Only
 * the stretches the intervals are measured on are kept (at most six 10 s windows).
 */
export function analyzeSource(source: SignalSource, options: AnalyzeOptions = {}): AnalyzeResult {
  const { fsHz, leads, length } = source;
  const pipeline = createPipeline({
    fsHz,
    leads,
    filter: options.filter ?? 'monitor',
    mainsHz: options.mainsHz === undefined ? 50 : options.mainsHz,
    analysisLead: options.lead,
    intervalsEveryS: 0,
    displayOutput: false,
  });
  // The analysis lead first: P is measured on it (windowedIntervals).
  const alone = (options.intervalLeads ?? (intervalsOnAnalysisLeadAlone(leads) ? 'analysis' : 'all')) === 'analysis';
  const others = alone ? [] : [...leads.keys()].filter((lead) => lead !== pipeline.analysisIndex);
  const measured = [pipeline.analysisIndex, ...others];
  const windows = intervalWindows(length, fsHz).map(({ from, to }) => ({ from, to, signals: measured.map(() => new Float32Array(to - from)) }));
  const beats: Beat[] = [];
  const block = Math.max(1, Math.round(BLOCK_S * fsHz));
  const leadOff = leads.map(() => false);
  for (let start = 0; start < length; start += block) {
    const count = Math.min(block, length - start);
    const channels = source.read(count);
    for (const { from, to, signals } of windows) {
      const a = Math.max(from, start);
      const b = Math.min(to, start + count);
      if (a < b) measured.forEach((lead, i) => signals[i]!.set(channels[lead]!.subarray(a - start, b - start), a - from));
    }
    const { beats: found } = pipeline.push({ firstSample: start, sampleCount: count, channels, leadOff, receivedAtMs: 0 });
    beats.push(...found);
    options.onProgress?.(start + count, length);
  }
  beats.push(...pipeline.flush());
  const meanRrMs = beats.length >= 2 ? ((beats[beats.length - 1]!.sample - beats[0]!.sample) * 1000) / fsHz / (beats.length - 1) : null;
  return {
    fsHz,
    lead: pipeline.analysisLead,
    durationS: length / fsHz,
    beats,
    heartRateBpm: meanRrMs ? 60_000 / meanRrMs : null,
    meanRrMs,
    intervals: windowedIntervals(windows, fsHz, beats.map((b) => b.sample)),
  };
}

/** Where intervals are measured: 10 s windows spread evenly over the record, at most six, or the whole record when it is shorter than two. */
function intervalWindows(length: number, fsHz: number): { from: number; to: number }[] {
  const windowLength = Math.round(INTERVAL_WINDOW_S * fsHz);
  const windowCount = Math.max(1, Math.floor(length / windowLength));
  const used = Math.min(windowCount, MAX_INTERVAL_WINDOWS);
  return Array.from({ length: used }, (_, w) => {
    const from = Math.floor((w * windowCount) / used) * windowLength;
    return { from, to: windowCount === 1 ? length : from + windowLength };
  });
}

/**
 * Median of the per-window interval measurements; in each window QRS edges and T end from every
 * signal given together, P from the first unless it shows only a trace of P beside another's.
 */
function windowedIntervals(windows: readonly { from: number; to: number; signals: Float32Array[] }[], fsHz: number, rPeaks: readonly number[]): Intervals {
  const measurements: Intervals[] = [];
  for (const { from, to, signals } of windows) {
    const peaks = rPeaks.filter((s) => s >= from && s < to).map((s) => s - from);
    if (peaks.length < MIN_WINDOW_BEATS) continue;
    const { beatsUsed: _used, ...measured } = measureIntervalsMultiLead(signals, fsHz, peaks, 0);
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
