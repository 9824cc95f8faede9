/**
 * Interval benchmarks: the cost of one `measureIntervals` call (the live pipeline makes one every
 * 2 s over the last ~10 s), the synthetic generator's speed, and accuracy against LUDB and the
 * QT Database (.q1c) with reference and with detected R peaks.
 */
import { createSyntheticEcg, STANDARD_LEADS } from '../device/synthetic.js';
import { measureIntervals } from '../dsp/delineate.js';
import { evaluateLudb, evaluateQtdb, ludbDir, qtdbDir, type IntervalAccuracy } from './_intervals-data.js';
import type { BenchFigure } from './run.js';

const AREA = 'intervals';

function callCost(fsHz: number, calls: number): number {
  const ecg = createSyntheticEcg({ fsHz, hrBpm: 75, leads: ['II'], seed: 1, hrvMs: 30, muscleNoise: true });
  const [leadII] = ecg.next(fsHz * 10);
  const rPeaks = ecg.truth().map((b) => b.rSample);
  measureIntervals(leadII!, fsHz, rPeaks); // warm-up
  const start = performance.now();
  for (let i = 0; i < calls; i += 1) measureIntervals(leadII!, fsHz, rPeaks);
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
    { area: AREA, name: 'synthetic ECG, 12 leads × 500 Hz with noise', value: generatorSpeed(options.quick ? 60 : 600), unit: '× real time', ok: null },
  ];
  const ludb = ludbDir();
  if (ludb !== null) {
    figures.push(...accuracyFigures('LUDB II, reference R', evaluateLudb(ludb, 'reference'), [5, 5, 12], [10, 10, 30]));
    figures.push(...accuracyFigures('LUDB II, detected R', evaluateLudb(ludb, 'detector'), [5, 5, 12], [10, 10, 30]));
  }
  const qtdb = qtdbDir();
  if (qtdb !== null && !options.quick) {
    figures.push(...accuracyFigures('QTDB sig 0 vs q1c, .atr R', evaluateQtdb(qtdb, 0, 'reference'), [5, 5, 12], [10, 10, 30]));
  }
  return figures;
}
