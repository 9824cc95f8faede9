/**
 * Offline analysis of in-memory signals through the live pipeline: what `ecg-monitor analyze`
 * prints and what the PDF report uses.
 */
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FilterMode, MainsHz } from './filters.js';
import { intervalWindows, measureWindow, medianIntervals, windowPeaks, type IntervalWindow } from './interval-windows.js';
import type { WindowJob, WindowResult } from './interval-worker.js';
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

/** Where `analyzeSignalsAsync` measured the interval windows. */
export type IntervalThread = 'worker' | 'main';

/** Samples fed per push: one second, as a device would deliver them. */
const BLOCK_S = 1;
/**
 * Shorter records measure their windows in-thread: a worker takes 70-110 ms to boot and ~60 ms
 * for its first, interpreted window, more than detecting a few minutes of signal.
 */
const MIN_WORKER_RECORD_S = 120;

/**
 * Cores that must be idle for the worker to pay: the main thread's, the one V8's background
 * compiler keeps busy through a cold run, and the worker's own. On 2 cores the worker lost at
 * every load measured (docs/dsp.md, Benchmarks).
 */
const WORKER_IDLE_CORES = 3;

/** Whether a record this long is analysed faster with its interval windows on a worker thread. */
export function worthAWorker(durationS: number): boolean {
  return durationS >= MIN_WORKER_RECORD_S && availableParallelism() - loadavg()[0]! >= WORKER_IDLE_CORES;
}

/**
 * The worker `analyzeSignalsAsync` uses; a caller that knows the record is long can start it
 * before reading the signals, so it boots meanwhile. Whoever starts it terminates it on failure.
 */
export function startIntervalWorker(): Worker {
  return new Worker(new URL('./interval-worker.js', import.meta.url));
}

/** Detection over the whole record; `onBeats` sees each push's beats (sample order) as they come. */
function detectBeats(input: AnalyzeInput, onBeats: (found: readonly Beat[]) => void): { pipeline: Pipeline; beats: Beat[]; length: number } {
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
    onBeats(found);
  }
  const last = pipeline.flush();
  beats.push(...last);
  onBeats(last);
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
  const { pipeline, beats, length } = detectBeats(input, () => {});
  const [analysis, ...others] = measuredSignals(input);
  const intervals = windowedIntervals(analysis!, input.fsHz, beats.map((b) => b.sample), others);
  return resultOf(input, pipeline, beats, length, intervals);
}

/**
 * `analyzeSignals` with the interval windows measured on a worker thread (`started`, else a new
 * one) while detection goes on: each window is posted as soon as its beats are final (beats come in sample order, so once
 * one lies past the window's end). The result is the same as `analyzeSignals`'; short records
 * (unless given a worker), or a worker that cannot run, are measured in-thread. The worker is
 * terminated at the end.
 */
export async function analyzeSignalsAsync(input: AnalyzeInput, started: Worker | null = null): Promise<AnalyzeResult & { intervalThread: IntervalThread }> {
  const length = input.signalsUv[0]?.length ?? 0;
  if (started === null && !worthAWorker(length / input.fsHz)) return { ...analyzeSignals(input), intervalThread: 'main' };
  const worker = started ?? startIntervalWorker();
  try {
    const windows = intervalWindows(length, input.fsHz);
    const results = collectResults(worker, windows.length);
    // An unhandled rejection must not end the process before the fallback below runs.
    results.catch(() => {});
    let next = 0;
    let signals: Float32Array[] = [];
    const peaks: number[] = [];
    const post = (window: IntervalWindow, index: number) => {
      const job: WindowJob = { index, fsHz: input.fsHz, signalsUv: signals.map((s) => s.slice(window.from, window.to)), rPeaks: windowPeaks(peaks, window) };
      worker.postMessage(job, job.signalsUv.map((s) => s.buffer as ArrayBuffer));
    };
    const detected = detectBeats(input, (found) => {
      for (const beat of found) peaks.push(beat.sample);
      const newest = peaks.length > 0 ? peaks[peaks.length - 1]! : -1;
      while (next < windows.length && newest >= windows[next]!.to) {
        if (signals.length === 0) signals = measuredSignals(input);
        post(windows[next]!, next);
        next += 1;
      }
    });
    const { pipeline, beats } = detected;
    if (signals.length === 0) signals = measuredSignals(input);
    // End of record: the remaining windows' beats are all known now.
    for (; next < windows.length; next += 1) post(windows[next]!, next);
    let intervalThread: IntervalThread = 'worker';
    let intervals: Intervals;
    try {
      intervals = medianIntervals(await results);
    } catch {
      intervalThread = 'main';
      intervals = windowedIntervals(signals[0]!, input.fsHz, peaks, signals.slice(1));
    }
    return { ...resultOf(input, pipeline, beats, length, intervals), intervalThread };
  } finally {
    void worker.terminate();
  }
}

/** Resolves with each window's result, in window order, once all `count` have come back. */
function collectResults(worker: Worker, count: number): Promise<(Intervals | null)[]> {
  return new Promise((resolve, reject) => {
    const results: (Intervals | null)[] = new Array<Intervals | null>(count).fill(null);
    let received = 0;
    if (count === 0) resolve(results);
    worker.on('message', (result: WindowResult) => {
      results[result.index] = result.intervals;
      received += 1;
      if (received === count) resolve(results);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`interval worker exited with code ${code}`)));
  });
}

/**
 * Median of the per-window interval measurements (the whole record when it is short); QRS edges
 * from `signalUv` and `otherLeadsUv` together, P and T from `signalUv`.
 */
export function windowedIntervals(signalUv: Float32Array, fsHz: number, rPeaks: readonly number[], otherLeadsUv: readonly Float32Array[] = []): Intervals {
  const signals = [signalUv, ...otherLeadsUv];
  return medianIntervals(intervalWindows(signalUv.length, fsHz).map((w) => measureWindow(signals.map((s) => s.subarray(w.from, w.to)), fsHz, windowPeaks(rPeaks, w))));
}
