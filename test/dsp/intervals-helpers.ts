import { expect } from 'vitest';
import type { Difference, IntervalAccuracy } from '../../src/bench/_intervals-data.js';

export * from '../../src/bench/_intervals-data.js';

/** Prints the per-record comparison and the summary, so test output shows the numbers. */
export function printAccuracy(title: string, result: IntervalAccuracy): void {
  const cell = (pair: [number | null, number | null]) => `${pair[0]?.toFixed(0) ?? '-'}/${pair[1]?.toFixed(0) ?? '-'}`;
  const lines = result.records.map((r) => `${r.record.padEnd(9)} PR ${cell(r.pr).padEnd(8)} QRS ${cell(r.qrs).padEnd(8)} QT ${cell(r.qt).padEnd(8)} beats ${r.beatsUsed}`);
  const stat = (name: string, d: Difference) => `${name}: n=${d.n} mean ${d.mean.toFixed(1)} ms, SD ${d.sd.toFixed(1)} ms`;
  console.log(`${title} (reference/measured ms)\n${lines.join('\n')}\n${stat('PR', result.pr)}\n${stat('QRS', result.qrs)}\n${stat('QT', result.qt)}`);
}

/** The targets, ms: |mean| of ours minus the reference within 5 / 5 / 12, SD at most 10 / 10 / 30 (PR / QRS / QT). */
export const INTERVAL_TARGETS = { prMean: 5, qrsMean: 5, qtMean: 12, prSd: 10, qrsSd: 10, qtSd: 30 };

/** Asserts every mean and SD within its target, or within the bound in `reached` where the target is not met yet. */
export function expectAccuracy(result: IntervalAccuracy, reached: Partial<typeof INTERVAL_TARGETS> = {}): void {
  const bound = { ...INTERVAL_TARGETS, ...reached };
  expect(Math.abs(result.pr.mean)).toBeLessThanOrEqual(bound.prMean);
  expect(Math.abs(result.qrs.mean)).toBeLessThanOrEqual(bound.qrsMean);
  expect(Math.abs(result.qt.mean)).toBeLessThanOrEqual(bound.qtMean);
  expect(result.pr.sd).toBeLessThanOrEqual(bound.prSd);
  expect(result.qrs.sd).toBeLessThanOrEqual(bound.qrsSd);
  expect(result.qt.sd).toBeLessThanOrEqual(bound.qtSd);
}
