/** Interval accuracy against annotated PhysioNet records (LUDB, QT Database), for the intervals tests and benchmark. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findEcgDataDir } from '../data-dir.js';
import { isBeatCode, readAnnotations } from '../formats/annotations.js';
import { findSignal, readRecord, signalMicrovolts } from '../formats/wfdb.js';
import { analyzeSignals } from '../dsp/analyze.js';
import { measureIntervals, measureIntervalsMultiLead } from '../dsp/delineate.js';
import { lowPassZeroPhase, median } from '../dsp/delineation-filters.js';
import { buildMedianBeat, companionMedianBeats } from '../dsp/median-beat.js';
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

/** Half-length of the resampling kernel, in zero crossings of its sinc. */
const SINC_HALF_ZEROS = 16;
/** The resampler passes this fraction of the lower Nyquist frequency (anti-aliased when decimating). */
const SINC_PASS_FRACTION = 0.9;

/** Band-limited resampling (Hann-windowed sinc, gain normalised per output sample) of a record to another rate. */
export function resampleSinc(inputUv: Float32Array, fromHz: number, toHz: number): Float32Array {
  const out = new Float32Array(Math.floor((inputUv.length * toHz) / fromHz));
  const cutoff = SINC_PASS_FRACTION * Math.min(1, toHz / fromHz);
  const reach = Math.ceil(SINC_HALF_ZEROS / cutoff);
  for (let i = 0; i < out.length; i += 1) {
    const t = (i * fromHz) / toHz;
    const centre = Math.floor(t);
    let sum = 0;
    let weight = 0;
    for (let k = Math.max(0, centre - reach); k <= Math.min(inputUv.length - 1, centre + reach); k += 1) {
      const x = (t - k) * cutoff;
      if (Math.abs(x) > SINC_HALF_ZEROS) continue;
      const w = (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x)) * (0.5 + 0.5 * Math.cos((Math.PI * x) / SINC_HALF_ZEROS));
      sum += w * inputUv[k]!;
      weight += w;
    }
    out[i] = sum / weight;
  }
  return out;
}

/** One record through `analyzeSignals` with every lead (resampled to `rateHz` when given), against the marks in `<name><marksExtension>`. */
function analyzeRecord(dir: string, name: string, marksExtension: string, lead?: string, rateHz?: number): RecordComparison {
  const record = readRecord(join(dir, name));
  const fsHz = record.header.fsHz;
  const signalsUv = record.header.signals.map((_, i) => signalMicrovolts(record, i));
  const result = analyzeSignals({
    fsHz: rateHz ?? fsHz,
    leads: record.header.signals.map((s) => s.description),
    signalsUv: rateHz === undefined ? signalsUv : signalsUv.map((x) => resampleSinc(x, fsHz, rateHz)),
    lead,
    intervalLeads: lead === undefined ? undefined : 'analysis',
  });
  const reference = referenceIntervals(referenceBeats(readAnnotations(join(dir, `${name}${marksExtension}`), fsHz)), fsHz);
  return {
    record: name,
    beatsUsed: result.beats.length,
    pr: [reference.prMs, result.intervals.prMs],
    qrs: [reference.qrsMs, result.intervals.qrsMs],
    qt: [reference.qtMs, result.intervals.qtMs],
  };
}

/**
 * LUDB through `analyzeSignals` with every lead, as `analyze <record> --lead <lead>` runs: beats
 * from the pipeline, intervals from the named lead alone, against that lead's marks; with
 * `rateHz`, the records resampled to that rate first (the marks stay in time). With `named`
 * false, as `analyze <record>` runs without `--lead` (lead II's marks are compared).
 */
export function evaluateLudbAnalyze(dir: string, lead: string, rateHz?: number, named = true): IntervalAccuracy {
  return accuracy(recordNames(dir, `.${lead}`).map((name) => analyzeRecord(dir, name, `.${lead}`, named ? lead : undefined, rateHz)));
}

/**
 * The whole 15 min QT Database records as `analyze <record>` runs (both leads, the median of six
 * 10 s windows spread over the record) against the `.q1c` marks, which lie in one stretch of it.
 */
export function evaluateQtdbAnalyze(dir: string): IntervalAccuracy {
  return accuracy(recordNames(dir, '.q1c').map((name) => analyzeRecord(dir, name, '.q1c')));
}

/** Medians over records of how far the cardiologists' QRS marks lie outside threshold points (ms; positive = marks wider). */
export interface MarksBeyond {
  onsetMs: number;
  offsetMs: number;
  durationMs: number;
}

export interface MarksBeyondThreshold {
  records: number;
  /** Lead II's own threshold points. */
  leadII: MarksBeyond;
  /** The earliest and latest threshold points over all 12 leads (a global QRS, IEC 60601-2-25 style). */
  global: MarksBeyond;
  /** Medians over records of how much earlier the global onset is, and later the global offset, than lead II's own (ms). */
  globalBeyondLeadII: { onsetMs: number; offsetMs: number };
}

/** Where a median beat first leaves and last rejoins its PR-segment level by `thresholdUv` between `from` and `to`; null at an edge that is already beyond the threshold there. */
function thresholdEdges(wave: Float64Array, from: number, to: number, levelUv: number, thresholdUv: number): { on: number | null; off: number | null } {
  const away = (k: number) => Math.abs(wave[k]! - levelUv) >= thresholdUv;
  let on = from;
  while (on < to && !away(on)) on += 1;
  let off = to;
  while (off > from && !away(off)) off -= 1;
  return { on: on === from || on === to ? null : on, off: off === to || off === from ? null : off };
}

const medianOrNaN = (values: number[]) => (values.length > 0 ? median(values) : Number.NaN);

/**
 * LUDB: the cardiologists' lead-II QRS onset and offset against the points where the median beats
 * (40 Hz low-passed, built on the same beats for all 12 leads) first leave and last rejoin their
 * PR-segment level by `thresholdUv`, the way the synthetic ECG's truth is defined. Searched from
 * 40 ms outside each mark inwards; a lead already beyond the threshold there (a noisy baseline, or
 * an ST segment off the PR level) has no edge on that side and is left out.
 */
export function ludbMarksBeyondThreshold(dir: string, thresholdUv: number): MarksBeyondThreshold {
  const leadII = { onsets: [] as number[], offsets: [] as number[], durations: [] as number[] };
  const global = { onsets: [] as number[], offsets: [] as number[], durations: [] as number[] };
  const beyondII = { onsets: [] as number[], offsets: [] as number[] };
  let records = 0;
  for (const name of recordNames(dir, '.ii')) {
    const record = readRecord(join(dir, name));
    const fsHz = record.header.fsHz;
    const ms = (samples: number) => (samples / fsHz) * 1000;
    const beats = referenceBeats(readAnnotations(join(dir, `${name}.ii`), fsHz));
    const leadIIIndex = findSignal(record.header, 'ii');
    const signalsUv = record.header.signals.map((_, i) => signalMicrovolts(record, i));
    const beat = buildMedianBeat(signalsUv[leadIIIndex]!, fsHz, beats.map((b) => b.rSample));
    const fromR = (key: 'qrsOnset' | 'qrsOffset') => medianOrNaN(beats.flatMap((b) => (b[key] === null ? [] : [b[key]! - b.rSample])));
    const onsetFromR = fromR('qrsOnset');
    const offsetFromR = fromR('qrsOffset');
    if (beat === null || Number.isNaN(onsetFromR) || Number.isNaN(offsetFromR)) continue;
    records += 1;
    const markOn = beat.rIndex + onsetFromR;
    const markOff = beat.rIndex + offsetFromR;
    const margin = Math.round(0.04 * fsHz);
    // Every lead spans the same record, so none of the companion beats is null.
    const edges = companionMedianBeats(signalsUv, beat).map((companion) => {
      const wave = lowPassZeroPhase(companion!.waveUv, fsHz, 40);
      const levelUv = median(wave.subarray(Math.max(0, markOn - Math.round(0.02 * fsHz)), markOn + 1));
      return thresholdEdges(wave, Math.max(0, markOn - margin), Math.min(wave.length - 1, markOff + margin), levelUv, thresholdUv);
    });
    const own = edges[leadIIIndex]!;
    const ons = edges.flatMap((e) => (e.on === null ? [] : [e.on]));
    const offs = edges.flatMap((e) => (e.off === null ? [] : [e.off]));
    const add = (into: typeof leadII, on: number | null, off: number | null) => {
      if (on !== null) into.onsets.push(ms(on - markOn));
      if (off !== null) into.offsets.push(ms(markOff - off));
      if (on !== null && off !== null) into.durations.push(ms(on - markOn + markOff - off));
    };
    const globalOn = ons.length > 0 ? Math.min(...ons) : null;
    const globalOff = offs.length > 0 ? Math.max(...offs) : null;
    add(leadII, own.on, own.off);
    add(global, globalOn, globalOff);
    if (own.on !== null && globalOn !== null) beyondII.onsets.push(ms(own.on - globalOn));
    if (own.off !== null && globalOff !== null) beyondII.offsets.push(ms(globalOff - own.off));
  }
  const summary = (edges: typeof leadII): MarksBeyond => ({ onsetMs: medianOrNaN(edges.onsets), offsetMs: medianOrNaN(edges.offsets), durationMs: medianOrNaN(edges.durations) });
  return {
    records,
    leadII: summary(leadII),
    global: summary(global),
    globalBeyondLeadII: { onsetMs: medianOrNaN(beyondII.onsets), offsetMs: medianOrNaN(beyondII.offsets) },
  };
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
