/**
 * Worker thread for `analyzeSignalsAsync`: measures interval windows while the main thread is
 * still detecting beats further on in the record.
 */
import { parentPort } from 'node:worker_threads';
import { measureWindow } from './interval-windows.js';
import type { Intervals } from './types.js';

/** One window to measure: its samples of every lead (analysis lead first) and its R peaks. */
export interface WindowJob {
  index: number;
  fsHz: number;
  signalsUv: Float32Array[];
  rPeaks: number[];
}

export interface WindowResult {
  index: number;
  intervals: Intervals | null;
}

parentPort?.on('message', (job: WindowJob) => {
  const result: WindowResult = { index: job.index, intervals: measureWindow(job.signalsUv, job.fsHz, job.rPeaks) };
  parentPort!.postMessage(result);
});
