/**
 * DSP benchmarks and the beat-accuracy evaluation the tests share: `analyze` on record 100 as a
 * whole process, pipeline throughput on 12 leads × 500 Hz, memory over a 24 h synthetic stream,
 * and Se/+P/R-peak error on MIT-BIH 100 + the QT Database, clean and with added noise.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { findEcgDataDir } from '../data-dir.js';
import { DERIVED_LIMB_LEADS } from '../device/leads.js';
import { createSyntheticEcg, STANDARD_LEADS } from '../device/synthetic.js';
import { analyzeSignals } from '../dsp/analyze.js';
import { addNoise, makeNoise, NOISE_KINDS, qrsPeakToPeakUv, type NoiseKind } from '../dsp/noise-stress.js';
import { createPipeline } from '../dsp/pipeline.js';
import { QrsDetector } from '../dsp/qrs.js';
import { grossScore, medianOf, scoreBeats, type BeatScore } from '../dsp/score.js';
import { isBeatCode, readAnnotations } from '../formats/annotations.js';
import { formatHeader, parseHeader, readRecord, signalMicrovolts } from '../formats/wfdb.js';
import type { BenchFigure } from './run.js';

export interface BeatRecord {
  name: string;
  path: string;
  fsHz: number;
  leads: string[];
  signalsUv: Float32Array[];
  referenceBeats: number[];
  /**
   * The cardiologists' QRS peak marks (the beat labels of the QT Database's `.q1c`, about 30 beats
   * a record), empty where the record has none. The `.atr` beats of several source databases sit
   * near QRS onset instead (docs/dsp.md), so these are what R-peak placement is measured against.
   */
  peakMarks: number[];
}

/** MIT-BIH 100 plus every QT Database record with `.atr` beats. */
export function beatRecordPaths(dataDir: string): string[] {
  const qtdb = join(dataDir, 'qtdb');
  const names = readdirSync(qtdb)
    .filter((f) => f.endsWith('.atr'))
    .map((f) => join(qtdb, f.replace(/\.atr$/, '')))
    .sort();
  return [join(dataDir, '100'), ...names];
}

const beatSamples = (path: string, fsHz: number) =>
  readAnnotations(path, fsHz)
    .filter((a) => isBeatCode(a.code))
    .map((a) => a.sample);

export function loadBeatRecord(path: string): BeatRecord {
  const record = readRecord(path);
  const fsHz = record.header.fsHz;
  const manual = `${path}.q1c`;
  return {
    name: path.split(/[\\/]/).pop()!,
    path,
    fsHz,
    leads: record.header.signals.map((s) => s.description),
    signalsUv: record.header.signals.map((_, i) => signalMicrovolts(record, i)),
    referenceBeats: beatSamples(`${path}.atr`, fsHz),
    peakMarks: existsSync(manual) ? beatSamples(manual, fsHz) : [],
  };
}

export interface RecordResult {
  name: string;
  score: BeatScore;
  medianErrorMs: number;
  /** |detected − peak mark| in ms for each of the record's `peakMarks` that a detection matches. */
  peakMarkErrorsMs: number[];
}

/** Runs the analyze pipeline on a record's signals and scores it bxb-style. */
export function scoreRecord(record: BeatRecord, signalsUv: Float32Array[] = record.signalsUv): RecordResult {
  const result = analyzeSignals({ fsHz: record.fsHz, leads: record.leads, signalsUv });
  const detected = result.beats.map((b) => b.sample);
  const score = scoreBeats(record.referenceBeats, detected, { fsHz: record.fsHz });
  // The marked beats may lie in the first five minutes, which beat scoring leaves out.
  const peakMarkErrorsMs = scoreBeats(record.peakMarks, detected, { fsHz: record.fsHz, skipS: 0 }).errorsMs;
  return { name: record.name, score, medianErrorMs: medianOf(score.errorsMs), peakMarkErrorsMs };
}

export function formatResults(results: readonly RecordResult[]): string {
  const lines = results.map(
    (r) =>
      `${r.name.padEnd(14)} Se ${r.score.sensitivityPct.toFixed(2).padStart(6)}  +P ${r.score.positivePredictivityPct
        .toFixed(2)
        .padStart(6)}  FN ${String(r.score.falseNegatives).padStart(3)}  FP ${String(r.score.falsePositives).padStart(3)}  median |err| ${r.medianErrorMs.toFixed(1)} ms`,
  );
  const gross = grossScore(results.map((r) => r.score));
  lines.push(
    `${'gross'.padEnd(14)} Se ${gross.sensitivityPct.toFixed(3)}  +P ${gross.positivePredictivityPct.toFixed(3)}  FN ${gross.falseNegatives}  FP ${gross.falsePositives}  median |err| ${medianOf(gross.errorsMs).toFixed(1)} ms`,
  );
  return lines.join('\n');
}

/** Records the noise-stress runs use: a spread of sources and morphologies. */
export const NOISE_RECORDS = ['100', 'sel100', 'sel117', 'sel16265', 'sel302', 'sel808', 'sele0104', 'sele0606'];
export const NOISE_SNRS_DB = [12, 6, 0];

/** One noise kind at one SNR added to every lead (independent seeds per lead). */
export function noisySignals(record: BeatRecord, kind: NoiseKind, snrDb: number, seed = 1): Float32Array[] {
  return record.signalsUv.map((signal, lead) => {
    const noise = makeNoise(kind, signal.length, record.fsHz, seed * 1000 + lead * 17 + NOISE_KINDS.indexOf(kind));
    return addNoise(signal, noise, qrsPeakToPeakUv(signal, record.referenceBeats, record.fsHz), snrDb);
  });
}

export function noiseStress(records: readonly BeatRecord[]): { kind: NoiseKind; snrDb: number; score: BeatScore }[] {
  const out: { kind: NoiseKind; snrDb: number; score: BeatScore }[] = [];
  for (const kind of NOISE_KINDS) {
    for (const snrDb of NOISE_SNRS_DB) {
      const scores = records.map((r) => scoreRecord(r, noisySignals(r, kind, snrDb)).score);
      out.push({ kind, snrDb, score: grossScore(scores) });
    }
  }
  return out;
}

/** CPU ms of one pass of the QRS detector alone over every lead of a record, in one-second blocks (median of `passes`). */
export function detectorCpuMs(record: BeatRecord, passes: number): number {
  const block = Math.round(record.fsHz);
  const length = record.signalsUv[0]!.length;
  const times: number[] = [];
  for (let pass = 0; pass < passes; pass += 1) {
    const before = process.cpuUsage();
    const detector = new QrsDetector({ fsHz: record.fsHz, leadCount: record.signalsUv.length });
    for (let start = 0; start < length; start += block) detector.push(record.signalsUv, Math.min(block, length - start), start);
    detector.flush();
    const used = process.cpuUsage(before);
    times.push((used.user + used.system) / 1000);
  }
  return medianOf(times);
}

function figure(name: string, value: number, unit: string, target?: string, ok?: boolean | null): BenchFigure {
  return { area: 'dsp', name, value, unit, target, ok };
}

/**
 * Median wall time of whole `ecg-monitor <args>` processes, run as installed (the file itself,
 * through its `#!` line), and of their CPU (user + sys) when /usr/bin/time exists.
 */
function processTimes(args: string[], repeats: number): { wallS: number; cpuS: number | null; maxRssMb: number | null } {
  const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'ecg-monitor.js');
  const walls: number[] = [];
  const cpus: number[] = [];
  const rss: number[] = [];
  const timeTool = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
  for (let i = 0; i < repeats; i += 1) {
    const started = process.hrtime.bigint();
    const child = timeTool
      ? spawnSync(timeTool, ['-f', 'cpu %U %S rss %M', bin, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 })
      : spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
    walls.push(Number(process.hrtime.bigint() - started) / 1e9);
    if (child.status !== 0) throw new Error(`ecg-monitor ${args.join(' ')} failed: ${child.stderr.trim()}`);
    const match = /cpu ([0-9.]+) ([0-9.]+) rss ([0-9]+)/.exec(child.stderr);
    if (match) {
      cpus.push(Number(match[1]) + Number(match[2]));
      rss.push(Number(match[3]) / 1024);
    }
  }
  return { wallS: medianOf(walls), cpuS: cpus.length ? medianOf(cpus) : null, maxRssMb: rss.length ? medianOf(rss) : null };
}

/**
 * Peak resident memory of `analyze --json` on record 100 and on 100 repeated `copies` times (48:
 * 24 h), written to a temporary directory: the record is read as it is analysed, so only the
 * beat list should grow with its length.
 */
function analyzeMemory(dataDir: string, copies: number): { shortMb: number; longMb: number } | null {
  const scratch = mkdtempSync(join(tmpdir(), 'ecg-bench-'));
  try {
    const data = readFileSync(join(dataDir, '100.dat'));
    const header = parseHeader(readFileSync(join(dataDir, '100.hea'), 'utf8'));
    const long = join(scratch, 'long.dat');
    for (let i = 0; i < copies; i += 1) appendFileSync(long, data);
    const signals = header.signals.map((spec) => ({ ...spec, fileName: 'long.dat', checksum: null }));
    writeFileSync(join(scratch, 'long.hea'), formatHeader({ ...header, recordName: 'long', sampleCount: (header.sampleCount ?? 0) * copies, signals }));
    const short = processTimes(['analyze', join(dataDir, '100.hea'), '--json'], 1).maxRssMb;
    const longer = processTimes(['analyze', join(scratch, 'long.hea'), '--json'], 1).maxRssMb;
    return short === null || longer === null ? null : { shortMb: short, longMb: longer };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Seconds of 12-lead 500 Hz signal processed per CPU second (one core: the process's user + sys time). */
function throughputX(seconds: number, intervalsEveryS: number, derivedLeads: readonly string[] = DERIVED_LIMB_LEADS): number {
  const fsHz = 500;
  const leads = [...STANDARD_LEADS];
  const source = createSyntheticEcg({ fsHz, hrBpm: 72, leads, seed: 7, hrvMs: 30 });
  const blockSize = fsHz; // one second per block
  const blocks = Array.from({ length: 20 }, () => source.next(blockSize));
  // By default as a 12-lead device delivers them: I, II and V1-V6 recorded, the other limb leads
  // derived from I and II (the session does that, and the synthetic source derives them the same way).
  const pipeline = createPipeline({ fsHz, leads, filter: 'monitor', mainsHz: 50, intervalsEveryS, derivedLeads });
  let sample = 0;
  const pushSeconds = (count: number) => {
    for (let s = 0; s < count; s += 1) {
      pipeline.push({ firstSample: sample, sampleCount: blockSize, channels: blocks[s % blocks.length]!, leadOff: leads.map(() => false), receivedAtMs: 0 });
      sample += blockSize;
      if (s % 2 === 0) pipeline.metrics(sample / fsHz);
    }
  };
  // The JIT keeps improving the hot loops for the first few minutes of signal: warm up past that,
  // then take the median of five runs.
  pushSeconds(1200);
  const rates: number[] = [];
  for (let run = 0; run < 5; run += 1) {
    const before = process.cpuUsage();
    pushSeconds(seconds);
    const used = process.cpuUsage(before);
    rates.push(seconds / ((used.user + used.system) / 1e6));
  }
  return medianOf(rates);
}

/**
 * A full collection, so the heap figures hold live objects only (garbage left lying around made
 * the growth figure swing by several MB). The bench runs without --expose-gc; this exposes it.
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function memoryOverDay(hours: number): { startMb: number; endMb: number; maxMb: number } {
  const fsHz = 500;
  const leads = ['I', 'II', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'];
  const source = createSyntheticEcg({ fsHz, hrBpm: 75, leads, seed: 3, hrvMs: 40, truthCapacity: 100 });
  const pipeline = createPipeline({ fsHz, leads });
  const heap: number[] = [];
  let sample = 0;
  const totalS = hours * 3600;
  for (let s = 0; s < totalS; s += 1) {
    pipeline.push({ firstSample: sample, sampleCount: fsHz, channels: source.next(fsHz), leadOff: leads.map(() => false), receivedAtMs: 0 });
    sample += fsHz;
    if (s % 2 === 0) pipeline.metrics(s);
    if (s % 3600 === 1800) {
      collectGarbage();
      heap.push(process.memoryUsage().heapUsed / 1e6);
    }
  }
  return { startMb: heap[0] ?? 0, endMb: heap[heap.length - 1] ?? 0, maxMb: Math.max(...heap) };
}

export async function run({ quick }: { quick: boolean }): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const dataDir = findEcgDataDir();
  if (dataDir) {
    // Wall times are only as steady as the machine is idle.
    figures.push(figure('load average (1 min) before the process figures', Number(loadavg()[0]!.toFixed(2)), ''));
    const analyze = processTimes(['analyze', join(dataDir, '100.hea'), '--json'], quick ? 1 : 5);
    const startup = processTimes(['--help'], quick ? 1 : 5);
    figures.push(figure('analyze 100 (30 min, 2 leads, 360 Hz), whole process, wall', analyze.wallS, 's', '<= 0.2 s', analyze.wallS <= 0.2));
    if (analyze.cpuS !== null) figures.push(figure('analyze 100, whole process, CPU (user + sys)', analyze.cpuS, 's'));
    figures.push(figure('for scale: ecg-monitor --help, whole process, wall', startup.wallS, 's'));
    if (startup.cpuS !== null) figures.push(figure('for scale: ecg-monitor --help, CPU (user + sys)', startup.cpuS, 's'));
    const hours = quick ? 4 : 24;
    const memory = analyzeMemory(dataDir, hours * 2);
    if (memory) {
      figures.push(figure('analyze 100 (30 min), peak resident memory', memory.shortMb, 'MB'));
      figures.push(figure(`analyze 100 repeated to ${hours} h, peak resident memory (record read as analysed)`, memory.longMb, 'MB'));
    }
  } else process.stderr.write('bench dsp: shared ECG data not found, skipping record figures\n');

  const signalPath = throughputX(quick ? 300 : 1200, 0);
  figures.push(figure('pipeline throughput, 12 leads (8 recorded, 4 derived) x 500 Hz (filters, detection, HR, quality)', Math.round(signalPath), 'x real time', '>= 10000x', signalPath >= 10_000));
  const everyLeadFiltered = throughputX(quick ? 300 : 1200, 0, []);
  figures.push(figure('same, all 12 leads filtered separately (a device sending 12 channels)', Math.round(everyLeadFiltered), 'x real time'));
  const withIntervals = throughputX(quick ? 60 : 300, 2);
  figures.push(figure('same, plus interval measurement every 2 s (delineate.ts)', Math.round(withIntervals), 'x real time'));

  const memory = memoryOverDay(quick ? 4 : 24);
  const growth = memory.endMb - memory.startMb;
  figures.push(figure(`heap after 0.5 h of a ${quick ? 4 : 24} h 8-lead stream`, memory.startMb, 'MB'));
  figures.push(figure('heap growth over the stream', growth, 'MB', 'flat (< 2 MB)', growth < 2));

  if (dataDir) {
    const records = beatRecordPaths(dataDir).map(loadBeatRecord);
    const results = records.map((r) => scoreRecord(r));
    process.stderr.write(`${formatResults(results)}\n`);
    const gross = grossScore(results.map((r) => r.score));
    const worst = Math.min(...results.map((r) => Math.min(r.score.sensitivityPct, r.score.positivePredictivityPct)));
    figures.push(figure('beats gross Se (100 + 41 QTDB)', gross.sensitivityPct, '%', '>= 99.8', gross.sensitivityPct >= 99.8));
    figures.push(figure('beats gross +P (100 + 41 QTDB)', gross.positivePredictivityPct, '%', '>= 99.8', gross.positivePredictivityPct >= 99.8));
    figures.push(figure('worst record Se or +P', worst, '%', '>= 99', worst >= 99));
    const medianError = medianOf(gross.errorsMs);
    const peakMarkError = medianOf(results.flatMap((r) => r.peakMarkErrorsMs));
    figures.push(figure("median |R-peak error| vs the cardiologists' QRS peak marks (41 QTDB .q1c)", peakMarkError, 'ms', '<= 10', peakMarkError <= 10));
    figures.push(figure('median |R-peak error| vs .atr beat marks (some sit near QRS onset)', medianError, 'ms'));
    const detectorMs = detectorCpuMs(records[0]!, quick ? 3 : 7);
    figures.push(figure('QRS detector alone, record 100 (2 leads x 650 000 samples), CPU per pass', detectorMs, 'ms'));
    const noisy = records.filter((r) => NOISE_RECORDS.includes(r.name));
    for (const { kind, snrDb, score } of noiseStress(quick ? noisy.slice(0, 3) : noisy)) {
      figures.push(figure(`noise ${kind} ${snrDb} dB Se`, score.sensitivityPct, '%'));
      figures.push(figure(`noise ${kind} ${snrDb} dB +P`, score.positivePredictivityPct, '%'));
    }
  }
  return figures;
}
