/**
 * Interval benchmarks: the cost of one `measureIntervals` call (the live pipeline makes one every
 * 2 s over the last ~10 s), the synthetic generator's speed, and accuracy against LUDB and the
 * QT Database (.q1c) with reference and with detected R peaks.
 */
import { createSyntheticEcg, STANDARD_LEADS } from '../device/synthetic.js';
import { measureIntervals, measureIntervalsMultiLead } from '../dsp/delineate.js';
import { evaluateLudb, evaluateQtdb, evaluateQtdbAnalyze, ludbDir, qtdbDir, type IntervalAccuracy } from './_intervals-data.js';
import type { BenchFigure } from './run.js';

const AREA = 'intervals';

/** ms per call over 10 s of synthetic ECG; with `allLeads`, the 12-lead measurement (primary II). */
function callCost(fsHz: number, calls: number, allLeads = false): number {
  const ecg = createSyntheticEcg({ fsHz, hrBpm: 75, leads: [...STANDARD_LEADS], seed: 1, hrvMs: 30, muscleNoise: true });
  const leads = ecg.next(fsHz * 10);
  const rPeaks = ecg.truth().map((b) => b.rSample);
  const primary = STANDARD_LEADS.indexOf('II');
  const measure = () => (allLeads ? measureIntervalsMultiLead(leads, fsHz, rPeaks, primary) : measureIntervals(leads[primary]!, fsHz, rPeaks));
  measure(); // warm-up
  const start = performance.now();
  for (let i = 0; i < calls; i += 1) measure();
  return (performance.now() - start) / calls;
}

function generatorSpeed(seconds: number): number {
  const fsHz = 500;
  const ecg = createSyntheticEcg({ fsHz, hrBpm: 75, leads: [...STANDARD_LEADS], seed: 1, hrvMs: 30, baselineWander: true, mainsHz: 50, muscleNoise: true, truthCapacity: 100 });
  const start = performance.now();
  for (let s = 0; s < seconds; s += 1) ecg.next(fsHz);
  return seconds / ((performance.now() - start) / 1000);
}

function accuracyFigures(label: string, result: IntervalAccuracy, meanTargets: [number, number, number], sdTargets: [number, number, number]): BenchFigure[] {
  const rows: BenchFigure[] = [];
  (['pr', 'qrs', 'qt'] as const).forEach((key, i) => {
    const d = result[key];
    rows.push(
      { area: AREA, name: `${label} ${key.toUpperCase()} mean error (n=${d.n})`, value: d.mean, unit: 'ms', target: `±${meanTargets[i]} ms`, ok: Math.abs(d.mean) <= meanTargets[i]! },
      { area: AREA, name: `${label} ${key.toUpperCase()} SD of error`, value: d.sd, unit: 'ms', target: `≤ ${sdTargets[i]} ms`, ok: d.sd <= sdTargets[i]! },
    );
  });
  return rows;
}

export async function run(options: { quick: boolean }): Promise<BenchFigure[]> {
  const calls = options.quick ? 20 : 100;
  const figures: BenchFigure[] = [
    { area: AREA, name: 'measureIntervals, 10 s at 500 Hz', value: callCost(500, calls), unit: 'ms/call', target: '≪ 2000 ms (called every 2 s)', ok: null },
    { area: AREA, name: 'measureIntervals, 10 s at 1000 Hz', value: callCost(1000, calls), unit: 'ms/call', target: '≪ 2000 ms (called every 2 s)', ok: null },
    { area: AREA, name: 'measureIntervalsMultiLead, 12 leads, 10 s at 500 Hz', value: callCost(500, calls, true), unit: 'ms/call', target: '≪ 2000 ms (called every 2 s)', ok: null },
    { area: AREA, name: 'synthetic ECG, 12 leads × 500 Hz with noise', value: generatorSpeed(options.quick ? 60 : 600), unit: '× real time', ok: null },
  ];
  const ludb = ludbDir();
  if (ludb !== null) {
    figures.push(...accuracyFigures('LUDB II, reference R', evaluateLudb(ludb, 'reference'), [5, 5, 12], [10, 10, 30]));
    figures.push(...accuracyFigures('LUDB II, detected R', evaluateLudb(ludb, 'detector'), [5, 5, 12], [10, 10, 30]));
    if (!options.quick) figures.push(...accuracyFigures('LUDB 12 leads, detected R', evaluateLudb(ludb, 'detector', true), [5, 5, 12], [10, 10, 30]));
  }
  const qtdb = qtdbDir();
  if (qtdb !== null && !options.quick) {
    figures.push(...accuracyFigures('QTDB sig 0 vs q1c, .atr R', evaluateQtdb(qtdb, 0, 'reference'), [5, 5, 12], [10, 10, 30]));
    figures.push(...accuracyFigures('QTDB both signals vs q1c, detected R', evaluateQtdb(qtdb, 0, 'detector', true), [5, 5, 12], [10, 10, 30]));
    figures.push(...accuracyFigures('QTDB whole records through analyze vs q1c', evaluateQtdbAnalyze(qtdb), [5, 5, 12], [10, 10, 30]));
  }
  return figures;
}
