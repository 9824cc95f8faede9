import { describe, expect, it } from 'vitest';
import {
  beatRecordPaths,
  formatResults,
  loadBeatRecord,
  NOISE_RECORDS,
  noiseStress,
  noisySignals,
  scoreRecord,
  type BeatRecord,
  type RecordResult,
} from '../../src/bench/dsp.js';
import { findEcgDataDir } from '../../src/data-dir.js';
import { QrsDetector } from '../../src/dsp/qrs.js';
import { grossScore, medianOf } from '../../src/dsp/score.js';

const dataDir = findEcgDataDir();
if (!dataDir) console.log('qrs-accuracy: shared ECG data (shared/data/ecg or ECG_DATA_DIR) not found; skipping');

/** Databases whose reference marks sit on the R peak (MIT-BIH Arrhythmia and its QTDB excerpts). */
const R_PEAK_ANNOTATED = /^(100|sel1\d\d|sel2\d\d)$/;

describe.skipIf(!dataDir)('QRS detection on MIT-BIH 100 + 41 QT Database records (bxb-style, first 5 min skipped)', () => {
  let records: BeatRecord[] = [];
  let results: RecordResult[] = [];

  it('scores every record', () => {
    records = beatRecordPaths(dataDir!).map(loadBeatRecord);
    results = records.map((r) => scoreRecord(r));
    console.log(`\n${formatResults(results)}`);
    expect(results.length).toBe(42);
  });

  it('gross Se and +P >= 99.8 %', () => {
    const gross = grossScore(results.map((r) => r.score));
    expect(gross.sensitivityPct).toBeGreaterThanOrEqual(99.8);
    expect(gross.positivePredictivityPct).toBeGreaterThanOrEqual(99.8);
  });

  it('no record below 99 %', () => {
    for (const r of results) {
      expect(r.score.sensitivityPct, `${r.name} Se`).toBeGreaterThanOrEqual(99);
      expect(r.score.positivePredictivityPct, `${r.name} +P`).toBeGreaterThanOrEqual(99);
    }
  });

  it('median |R-peak error| <= 10 ms where the reference marks the R peak', () => {
    const rPeak = results.filter((r) => R_PEAK_ANNOTATED.test(r.name));
    const all = grossScore(results.map((r) => r.score)).errorsMs;
    const onPeak = grossScore(rPeak.map((r) => r.score)).errorsMs;
    console.log(
      `median |R error|: ${medianOf(onPeak).toFixed(1)} ms on ${rPeak.length} R-peak-annotated records; ` +
        `${medianOf(all).toFixed(1)} ms over all 42 (ESC ST-T, SVDB and LTDB marks sit before the R peak)`,
    );
    expect(rPeak.length).toBeGreaterThanOrEqual(8);
    expect(medianOf(onPeak)).toBeLessThanOrEqual(10);
    // Over all 42 .atr files 12 ms: the European ST-T, SVDB and LTDB marks are not R peaks (next test).
    expect(medianOf(all)).toBeLessThanOrEqual(12);
  });

  it("median |R-peak error| <= 10 ms against the cardiologists' QRS peak marks on every QT Database record", () => {
    const marked = results.filter((r) => r.peakMarkErrorsMs.length > 0);
    const errors = marked.flatMap((r) => r.peakMarkErrorsMs);
    const marks = records.reduce((n, r) => n + r.peakMarks.length, 0);
    console.log(`median |R error| against the .q1c peak marks: ${medianOf(errors).toFixed(1)} ms (${errors.length} of ${marks} marks matched, ${marked.length} records)`);
    expect(marked.length).toBe(41);
    expect(errors.length).toBeGreaterThanOrEqual(marks - 5);
    expect(medianOf(errors)).toBeLessThanOrEqual(10);
  });

  it('noise stress (baseline wander, muscle, electrode motion at 12/6/0 dB)', () => {
    const noisy = records.filter((r) => NOISE_RECORDS.includes(r.name));
    const table = noiseStress(noisy);
    console.log(
      `\nnoise stress on ${noisy.map((r) => r.name).join(', ')}\n` +
        table
          .map(({ kind, snrDb, score }) => `${kind.padEnd(9)} ${String(snrDb).padStart(2)} dB  Se ${score.sensitivityPct.toFixed(2)}  +P ${score.positivePredictivityPct.toFixed(2)}`)
          .join('\n'),
    );
    for (const { kind, snrDb, score } of table) {
      const label = `${kind} ${snrDb} dB`;
      if (snrDb >= 6) {
        expect(score.sensitivityPct, `${label} Se`).toBeGreaterThanOrEqual(99.5);
        expect(score.positivePredictivityPct, `${label} +P`).toBeGreaterThanOrEqual(99.5);
      } else if (kind === 'motion') {
        // Se target 99.95 (gqrs: 100 %), reached 99.957; +P 99.84 (gqrs: 99.3). Other noise seeds miss more (docs/dsp.md).
        expect(score.sensitivityPct, `${label} Se`).toBeGreaterThanOrEqual(99.95);
        expect(score.positivePredictivityPct, `${label} +P`).toBeGreaterThanOrEqual(99.5);
      } else if (kind === 'muscle') {
        expect(score.sensitivityPct, `${label} Se`).toBeGreaterThanOrEqual(99.95);
        expect(score.positivePredictivityPct, `${label} +P`).toBeGreaterThanOrEqual(99.5);
      } else {
        expect(score.sensitivityPct, `${label} Se`).toBeGreaterThanOrEqual(99.5);
        expect(score.positivePredictivityPct, `${label} +P`).toBeGreaterThanOrEqual(99);
      }
    }
  });

  it('finds the same beats in electrode-motion noise whatever the block size', () => {
    const record = records.find((r) => r.name === 'sel100')!;
    const length = 60 * record.fsHz;
    const signals = noisySignals(record, 'motion', 0).map((s) => s.subarray(0, length));
    const beatsWithBlocks = (block: number): string[] => {
      const detector = new QrsDetector({ fsHz: record.fsHz, leadCount: signals.length });
      const found = [];
      for (let start = 0; start < length; start += block) found.push(...detector.push(signals, Math.min(block, length - start), start));
      found.push(...detector.flush());
      return found.map((b) => `${b.sample}${b.searchback ? ' searchback' : ''}`);
    };
    const reference = beatsWithBlocks(250);
    expect(reference.length).toBeGreaterThan(50);
    for (const block of [1, 37, 1000]) expect(beatsWithBlocks(block), `blocks of ${block}`).toEqual(reference);
  });
});
