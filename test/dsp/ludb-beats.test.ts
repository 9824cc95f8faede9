/**
 * Beat detection on short 12-lead records: `analyze`'s pipeline over LUDB's 10 s records, scored
 * against the cardiologists' QRS marks on lead II. The beat targets are set on long records
 * (MIT-BIH, QT Database); these check that a 10 s record, with its first beats found while the
 * detector is still learning, and paced and ectopic beats among them, is detected as well.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ludbDir, recordNames } from '../../src/bench/_intervals-data.js';
import { analyzeSignals } from '../../src/dsp/analyze.js';
import { grossScore, scoreBeats, type BeatScore } from '../../src/dsp/score.js';
import { readAnnotations } from '../../src/formats/annotations.js';
import { readRecord, signalMicrovolts } from '../../src/formats/wfdb.js';

const dir = ludbDir();
if (dir === null) console.log('ludb-beats: skipped, shared ECG data (ludb/) not found; set ECG_DATA_DIR');

/** Lead II's QRS marks against the pipeline's beats, within the stretch the cardiologists marked. */
function scoreLudbRecord(name: string): BeatScore {
  const record = readRecord(join(dir!, name));
  const fsHz = record.header.fsHz;
  const marks = readAnnotations(join(dir!, `${name}.ii`), fsHz);
  const peaks = marks.filter((mark) => mark.symbol === 'N').map((mark) => mark.sample);
  // The first and last second or so of each record are not marked: beats there are not scored.
  const window = Math.round(0.15 * fsHz);
  const from = Math.min(...marks.map((mark) => mark.sample)) - window;
  const to = Math.max(...marks.map((mark) => mark.sample)) + window;
  const result = analyzeSignals({
    fsHz,
    leads: record.header.signals.map((signal) => signal.description),
    signalsUv: record.header.signals.map((_, i) => signalMicrovolts(record, i)),
  });
  const detected = result.beats.map((beat) => beat.sample).filter((sample) => sample >= from && sample <= to);
  return scoreBeats(peaks, detected, { fsHz, skipS: 0 });
}

describe.skipIf(dir === null)('beat detection on LUDB (100 records, 12 leads, 10 s) against the lead II QRS marks', () => {
  it('gross Se and +P >= 99.5 %, no record with more than one beat wrong', () => {
    const names = recordNames(dir!, '.ii');
    const scores = names.map((name) => ({ name, score: scoreLudbRecord(name) }));
    const gross = grossScore(scores.map((s) => s.score));
    const wrong = scores.filter((s) => s.score.falseNegatives + s.score.falsePositives > 0);
    console.log(
      `LUDB beats: Se ${gross.sensitivityPct.toFixed(2)} % +P ${gross.positivePredictivityPct.toFixed(2)} % ` +
        `(${gross.falseNegatives} missed, ${gross.falsePositives} false); ` +
        `records with a beat wrong: ${wrong.map((s) => `${s.name} (${s.score.falseNegatives} FN, ${s.score.falsePositives} FP)`).join(', ') || 'none'}`,
    );
    expect(names.length).toBe(100);
    expect(gross.truePositives + gross.falseNegatives).toBeGreaterThan(850);
    expect(gross.sensitivityPct).toBeGreaterThanOrEqual(99.5);
    expect(gross.positivePredictivityPct).toBeGreaterThanOrEqual(99.5);
    for (const { name, score } of wrong) expect(score.falseNegatives + score.falsePositives, name).toBeLessThanOrEqual(1);
  });
});
