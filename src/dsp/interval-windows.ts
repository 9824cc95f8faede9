/**
 * How offline analysis measures intervals over a record: up to six 10 s windows spread over it
 * (the whole record when it is shorter), each measured on its own, the median of each interval
 * reported.
 */
import { measureIntervalsMultiLead } from './delineate.js';
import type { Intervals } from './types.js';

const INTERVAL_WINDOW_S = 10;
const MAX_INTERVAL_WINDOWS = 6;
/** Fewer R peaks than this in a window: nothing to measure there. */
const MIN_WINDOW_BEATS = 3;

/** A stretch of the record, samples [from, to). */
export interface IntervalWindow {
  from: number;
  to: number;
}

/** The windows measured in a record of `length` samples, in order. */
export function intervalWindows(length: number, fsHz: number): IntervalWindow[] {
  const windowLength = Math.round(INTERVAL_WINDOW_S * fsHz);
  const windowCount = Math.max(1, Math.floor(length / windowLength));
  const used = Math.min(windowCount, MAX_INTERVAL_WINDOWS);
  const windows: IntervalWindow[] = [];
  for (let w = 0; w < used; w += 1) {
    const from = Math.floor((w * windowCount) / used) * windowLength;
    windows.push({ from, to: windowCount === 1 ? length : from + windowLength });
  }
  return windows;
}

/** The R peaks inside a window, relative to its start. */
export function windowPeaks(rPeaks: readonly number[], window: IntervalWindow): number[] {
  return rPeaks.filter((s) => s >= window.from && s < window.to).map((s) => s - window.from);
}

/**
 * One window's intervals: QRS edges from every signal, P and T from the first (the analysis
 * lead); `rPeaks` relative to the window. Null with too few beats.
 */
export function measureWindow(windowSignalsUv: readonly Float32Array[], fsHz: number, rPeaks: readonly number[]): Intervals | null {
  if (rPeaks.length < MIN_WINDOW_BEATS) return null;
  const { beatsUsed: _used, ...measured } = measureIntervalsMultiLead(windowSignalsUv, fsHz, rPeaks, 0);
  return measured;
}

/** Median of each interval over the windows measured (null where none measured it). */
export function medianIntervals(measurements: readonly (Intervals | null)[]): Intervals {
  const measured = measurements.filter((m): m is Intervals => m !== null);
  const pick = (key: keyof Intervals) => {
    const values = measured.map((m) => m[key]).filter((v): v is number => v !== null);
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
