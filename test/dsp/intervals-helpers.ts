import type { Difference, IntervalAccuracy } from '../../src/bench/_intervals-data.js';

export * from '../../src/bench/_intervals-data.js';

/** Prints the per-record comparison and the summary, so test output shows the numbers. */
export function printAccuracy(title: string, result: IntervalAccuracy): void {
  const cell = (pair: [number | null, number | null]) => `${pair[0]?.toFixed(0) ?? '-'}/${pair[1]?.toFixed(0) ?? '-'}`;
  const lines = result.records.map((r) => `${r.record.padEnd(9)} PR ${cell(r.pr).padEnd(8)} QRS ${cell(r.qrs).padEnd(8)} QT ${cell(r.qt).padEnd(8)} beats ${r.beatsUsed}`);
  const stat = (name: string, d: Difference) => `${name}: n=${d.n} mean ${d.mean.toFixed(1)} ms, SD ${d.sd.toFixed(1)} ms`;
  console.log(`${title} (reference/measured ms)\n${lines.join('\n')}\n${stat('PR', result.pr)}\n${stat('QRS', result.qrs)}\n${stat('QT', result.qt)}`);
}
