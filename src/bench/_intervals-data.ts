/** Interval accuracy against annotated PhysioNet records (LUDB, QT Database), for the intervals tests and benchmark. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findEcgDataDir } from '../data-dir.js';
import { isBeatCode, readAnnotations } from '../formats/annotations.js';
import { findSignal, readRecord, signalMicrovolts } from '../formats/wfdb.js';
import { measureIntervals, measureIntervalsMultiLead } from '../dsp/delineate.js';
import { lowPassZeroPhase, median } from '../dsp/delineation-filters.js';
import { buildMedianBeat } from '../dsp/median-beat.js';
import { referenceBeats, referenceIntervals, type ReferenceBeat } from '../dsp/delineation-reference.js';
import { QrsDetector } from '../dsp/qrs.js';

export interface Difference {
  n: number;
  mean: number;
  sd: number;
}

export function summarize(values: readonly number[]): Difference {
  const n = values.length;
  const mean = values.reduce((sum, v) => sum + v, 0) / Math.max(1, n);
  const sd = n > 1 ? Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, mean, sd };
}

export interface RecordComparison {
  record: string;
  beatsUsed: number;
  pr: [number | null, number | null];
  qrs: [number | null, number | null];
  qt: [number | null, number | null];
}

export interface IntervalAccuracy {
  pr: Difference;
  qrs: Difference;
  qt: Difference;
  records: RecordComparison[];
}

/** Measures one stretch and compares it with the median of the reference beats in it. */
export function compareRecord(
  record: string,
  leadsUv: readonly Float32Array[],
  primaryIndex: number,
  fsHz: number,
  beats: readonly ReferenceBeat[],
  rPeaks: readonly number[],
  multiLead: boolean,
): RecordComparison {
  const reference = referenceIntervals(beats, fsHz);
  const measured = multiLead ? measureIntervalsMultiLead(leadsUv, fsHz, rPeaks, primaryIndex) : measureIntervals(leadsUv[primaryIndex]!, fsHz, rPeaks);
  return {
    record,
    beatsUsed: measured.beatsUsed,
    pr: [reference.prMs, measured.prMs],
    qrs: [reference.qrsMs, measured.qrsMs],
    qt: [reference.qtMs, measured.qtMs],
  };
}

export function accuracy(records: RecordComparison[]): IntervalAccuracy {
  const differences = (key: 'pr' | 'qrs' | 'qt') =>
    summarize(records.flatMap((r) => (r[key][0] !== null && r[key][1] !== null ? [r[key][1]! - r[key][0]!] : [])));
  return { pr: differences('pr'), qrs: differences('qrs'), qt: differences('qt'), records };
}

/** R peaks found by the project's own real-time detector on every lead of the record. */
export function detectRPeaks(leadsUv: Float32Array[], fsHz: number, anchorLead: number): number[] {
  const detector = new QrsDetector({ fsHz, leadCount: leadsUv.length, anchorLead });
  const peaks = detector.push(leadsUv, leadsUv[0]!.length).map((beat) => beat.sample);
  peaks.push(...detector.flush().map((beat) => beat.sample));
  return peaks;
}

export function ludbDir(): string | null {
  const dataDir = findEcgDataDir();
  const dir = dataDir === null ? null : join(dataDir, 'ludb');
  return dir !== null && existsSync(dir) ? dir : null;
}

export function qtdbDir(): string | null {
  const dataDir = findEcgDataDir();
  const dir = dataDir === null ? null : join(dataDir, 'qtdb');
  return dir !== null && existsSync(dir) ? dir : null;
}

export function recordNames(dir: string, requiredExtension: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.hea') && existsSync(join(dir, f.replace(/\.hea$/, requiredExtension))))
    .map((f) => f.replace(/\.hea$/, ''))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** LUDB lead II against the cardiologists' lead-II marks; rPeaks from the marks or the detector. */
export function evaluateLudb(dir: string, source: 'reference' | 'detector', multiLead = false): IntervalAccuracy {
  const records = recordNames(dir, '.ii').map((name) => {
    const record = readRecord(join(dir, name));
    const fsHz = record.header.fsHz;
    const leadII = findSignal(record.header, 'ii');
    const leadsUv = record.header.signals.map((_, i) => signalMicrovolts(record, i));
    const beats = referenceBeats(readAnnotations(join(dir, `${name}.ii`), fsHz));
    const rPeaks = source === 'reference' ? beats.map((b) => b.rSample) : detectRPeaks(leadsUv, fsHz, leadII);
    return compareRecord(name, leadsUv, leadII, fsHz, beats, rPeaks, multiLead);
  });
  return accuracy(records);
}

/** Median over records of how far the cardiologists' QRS marks lie outside the threshold points (ms; positive = marks wider). */
export interface MarksBeyondThreshold {
  records: number;
  onsetMs: number;
  offsetMs: number;
  durationMs: number;
}

/**
 * LUDB lead II: the cardiologists' QRS onset and offset against the points where the median beat
 * (40 Hz low-passed) first leaves and last rejoins the PR-segment level by `thresholdUv`, the way
 * the synthetic ECG's truth is defined. Searched from 40 ms outside each mark inwards.
 */
export function ludbMarksBeyondThreshold(dir: string, thresholdUv: number): MarksBeyondThreshold {
  const onsets: number[] = [];
  const offsets: number[] = [];
  for (const name of recordNames(dir, '.ii')) {
    const record = readRecord(join(dir, name));
    const fsHz = record.header.fsHz;
    const beats = referenceBeats(readAnnotations(join(dir, `${name}.ii`), fsHz));
    const beat = buildMedianBeat(signalMicrovolts(record, findSignal(record.header, 'ii')), fsHz, beats.map((b) => b.rSample));
    const fromR = (key: 'qrsOnset' | 'qrsOffset') => {
      const values = beats.flatMap((b) => (b[key] === null ? [] : [b[key]! - b.rSample]));
      return values.length > 0 ? median(values) : null;
    };
    const onsetFromR = fromR('qrsOnset');
    const offsetFromR = fromR('qrsOffset');
    if (beat === null || onsetFromR === null || offsetFromR === null) continue;
    const wave = lowPassZeroPhase(beat.waveUv, fsHz, 40);
    const markOn = beat.rIndex + onsetFromR;
    const markOff = beat.rIndex + offsetFromR;
    const margin = Math.round(0.04 * fsHz);
    const levelUv = median(Array.from(wave.subarray(Math.max(0, markOn - Math.round(0.02 * fsHz)), markOn + 1)));
    const away = (k: number) => Math.abs(wave[k]! - levelUv) >= thresholdUv;
    let on = Math.max(0, markOn - margin);
    while (on < beat.rIndex && !away(on)) on += 1;
    let off = Math.min(wave.length - 1, markOff + margin);
    while (off > beat.rIndex && !away(off)) off -= 1;
    onsets.push(((on - markOn) / fsHz) * 1000);
    offsets.push(((markOff - off) / fsHz) * 1000);
  }
  // Medians: a noisy baseline already beyond the threshold 40 ms out saturates a few records.
  return { records: onsets.length, onsetMs: median([...onsets]), offsetMs: median([...offsets]), durationMs: median(onsets.map((v, i) => v + offsets[i]!)) };
}

/**
 * QT Database: the `.q1c` marks of one cardiologist (30+ beats, made looking at both leads)
 * against our median beat over the annotated stretch of signal `signalIndex`, with the `.atr`
 * beats (every beat, PVCs included) or the detector's as R peaks.
 */
export function evaluateQtdb(dir: string, signalIndex: number, source: 'reference' | 'detector', multiLead = false): IntervalAccuracy {
  const records = recordNames(dir, '.q1c').map((name) => {
    const record = readRecord(join(dir, name));
    const fsHz = record.header.fsHz;
    const marks = readAnnotations(join(dir, `${name}.q1c`), fsHz);
    const beats = referenceBeats(marks);
    const margin = Math.round(1.5 * fsHz);
    const from = Math.max(0, Math.min(...marks.map((m) => m.sample)) - margin);
    const to = Math.min(record.header.sampleCount!, Math.max(...marks.map((m) => m.sample)) + margin);
    const leadsUv = record.header.signals.map((_, i) => signalMicrovolts(record, i).subarray(from, to));
    const shift = (b: ReferenceBeat): ReferenceBeat => ({
      rSample: b.rSample - from,
      pOnset: b.pOnset === null ? null : b.pOnset - from,
      qrsOnset: b.qrsOnset === null ? null : b.qrsOnset - from,
      qrsOffset: b.qrsOffset === null ? null : b.qrsOffset - from,
      tEnd: b.tEnd === null ? null : b.tEnd - from,
    });
    let rPeaks: number[];
    if (source === 'reference') {
      rPeaks = readAnnotations(join(dir, `${name}.atr`), fsHz)
        .filter((a) => isBeatCode(a.code) && a.sample >= from && a.sample < to)
        .map((a) => a.sample - from);
    } else {
      rPeaks = detectRPeaks(leadsUv, fsHz, signalIndex);
    }
    return compareRecord(name, leadsUv, signalIndex, fsHz, beats.map(shift), rPeaks, multiLead);
  });
  return accuracy(records);
}
