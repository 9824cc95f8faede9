/** Measurements for a report when no session summary has them. */
import { analyzeSignals } from '../dsp/analyze.js';
import type { Beat } from '../dsp/types.js';
import { emptyMeasurements, type LeadTrace, type ReportMeasurements } from './types.js';

/** RR intervals outside this range are missed or extra beats, not rhythm. */
const PLAUSIBLE_RR_MS = { min: 200, max: 3000 };
/** Min and max heart rate are taken over runs of this many beats, so one ectopic beat does not set them. */
const RATE_RUN_BEATS = 5;

/** Beat count, mean heart rate, its min/max over 5-beat runs and the mean RR, from R-peak samples. */
export function measurementsFromBeats(beatSamples: readonly number[], fsHz: number): ReportMeasurements {
  const m = emptyMeasurements();
  m.beats = beatSamples.length;
  const rrMs: number[] = [];
  for (let i = 1; i < beatSamples.length; i += 1) {
    const rr = ((beatSamples[i]! - beatSamples[i - 1]!) / fsHz) * 1000;
    if (rr >= PLAUSIBLE_RR_MS.min && rr <= PLAUSIBLE_RR_MS.max) rrMs.push(rr);
  }
  if (rrMs.length === 0) return m;
  const meanRrMs = rrMs.reduce((a, b) => a + b, 0) / rrMs.length;
  m.rrMs = meanRrMs;
  m.heartRateBpm = 60_000 / meanRrMs;
  const run = Math.min(RATE_RUN_BEATS, rrMs.length);
  let sum = rrMs.slice(0, run).reduce((a, b) => a + b, 0);
  let shortest = sum;
  let longest = sum;
  for (let i = run; i < rrMs.length; i += 1) {
    sum += rrMs[i]! - rrMs[i - run]!;
    shortest = Math.min(shortest, sum);
    longest = Math.max(longest, sum);
  }
  m.heartRateMaxBpm = (60_000 * run) / shortest;
  m.heartRateMinBpm = (60_000 * run) / longest;
  return m;
}

/** Computer measurements of a plain WFDB record (raw µV, whole record) by the monitor's own analysis. */
export async function measureRecordSignals(
  leads: readonly LeadTrace[],
  fsHz: number,
): Promise<{ measurements: ReportMeasurements; beatSamples: number[] | null }> {
  if (leads.length === 0) return { measurements: emptyMeasurements(), beatSamples: null };
  const result = analyzeSignals({ fsHz, leads: leads.map((l) => l.name), signalsUv: leads.map((l) => l.uV) });
  const beatSamples = result.beats.map((beat: Beat) => beat.sample);
  const measurements = measurementsFromBeats(beatSamples, fsHz);
  measurements.heartRateBpm = result.heartRateBpm;
  measurements.rrMs = result.meanRrMs;
  measurements.prMs = result.intervals.prMs;
  measurements.qrsMs = result.intervals.qrsMs;
  measurements.qtMs = result.intervals.qtMs;
  measurements.qtcBazettMs = result.intervals.qtcBazettMs;
  measurements.qtcFridericiaMs = result.intervals.qtcFridericiaMs;
  return { measurements, beatSamples };
}
