import { existsSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { analyzeSource, arraySource, type AnalyzeResult, type SignalSource } from '../dsp/analyze.js';
import { chooseAnalysisLead } from '../dsp/pipeline.js';
import { CsvFormatError, readCsv } from '../formats/csv.js';
import { openRecordMicrovolts, resolveRecordPath, WfdbFormatError } from '../formats/wfdb.js';
import { UsageError, errorMessage } from '../errors.js';
import { log } from '../log.js';
import type { GlobalArgs } from './common.js';

export interface AnalyzeArgs extends GlobalArgs {
  file: string;
  lead?: string;
  json: boolean;
}

/** A WFDB record (read as it is analysed) or a CSV file; any problem with the file is a UsageError (exit 2). */
export function openInput(file: string): SignalSource & { close(): void } {
  try {
    if (file.toLowerCase().endsWith('.csv')) {
      if (!existsSync(file)) throw new UsageError(`cannot read ${file}: no such file`);
      return { ...arraySource(readCsv(file)), close: () => {} };
    }
    const { headerPath } = resolveRecordPath(file);
    if (!existsSync(headerPath)) throw new UsageError(`cannot read ${file}: no such record (expected ${headerPath})`);
    const reader = openRecordMicrovolts(file);
    const { header } = reader;
    if (header.signalCount === 0) {
      reader.close();
      throw new UsageError(`${file}: the record has no signals`);
    }
    return {
      fsHz: header.fsHz,
      leads: header.signals.map((s, i) => s.description.trim() || `signal ${i}`),
      length: header.sampleCount ?? 0,
      read: (count) => {
        try {
          return reader.read(count);
        } catch (error) {
          throw new UsageError(`cannot read ${file}: ${errorMessage(error)}`);
        }
      },
      close: () => reader.close(),
    };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    log.error('analyze: reading input failed', { file, error: errorMessage(error) });
    if (error instanceof CsvFormatError || error instanceof WfdbFormatError) throw new UsageError(`${file}: ${error.message}`);
    throw new UsageError(`cannot read ${file}: ${errorMessage(error)}`);
  }
}

const round = (value: number | null, digits = 0) => (value === null ? null : Number(value.toFixed(digits)));

/** The CONTRACTS `analyze --json` document. */
export function analyzeJson(result: AnalyzeResult) {
  return {
    fs: result.fsHz,
    lead: result.lead,
    beats: result.beats.map((b) => ({ sample: b.sample, t: Number((b.sample / result.fsHz).toFixed(4)) })),
    metrics: {
      heart_rate: round(result.heartRateBpm, 1),
      pr_ms: round(result.intervals.prMs),
      qrs_ms: round(result.intervals.qrsMs),
      qt_ms: round(result.intervals.qtMs),
      qtc_ms: round(result.intervals.qtcBazettMs),
    },
  };
}

/**
 * Heart rate over the record in `columns` equal time bins (median of the beat-to-beat rates in
 * each bin; an empty bin repeats its neighbour so the line stays unbroken). Null under 3 beats.
 */
export function heartRateTrend(beatSamples: readonly number[], fsHz: number, columns: number): number[] | null {
  if (beatSamples.length < 3 || columns < 2) return null;
  const first = beatSamples[0]!;
  const span = beatSamples[beatSamples.length - 1]! - first;
  if (span <= 0) return null;
  const bins: number[][] = Array.from({ length: columns }, () => []);
  for (let i = 1; i < beatSamples.length; i += 1) {
    const rrS = (beatSamples[i]! - beatSamples[i - 1]!) / fsHz;
    if (rrS <= 0) continue;
    const bin = Math.min(columns - 1, Math.floor(((beatSamples[i]! - first) / span) * columns));
    bins[bin]!.push(60 / rrS);
  }
  const medians = bins.map((rates) => {
    if (rates.length === 0) return Number.NaN;
    const sorted = [...rates].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  });
  let last = medians.find((value) => !Number.isNaN(value)) ?? Number.NaN;
  return medians.map((value) => (Number.isNaN(value) ? last : (last = value)));
}

async function trendChart(result: AnalyzeResult): Promise<string | null> {
  const trend = heartRateTrend(
    result.beats.map((b) => b.sample),
    result.fsHz,
    Math.max(20, Math.min(72, (process.stdout.columns || 80) - 12)),
  );
  if (trend === null) return null;
  // Loaded only here: `--json` runs never draw, and start-up time counts for batch runs.
  const { plot } = await import('asciichart');
  // Eight rows over a span under 8 bpm would repeat whole-number labels: show tenths there.
  const span = Math.max(...trend) - Math.min(...trend);
  const digits = span < 8 ? 1 : 0;
  const chart = plot(trend, { height: 8, format: (bpm) => `${bpm.toFixed(digits).padStart(6)} ` });
  return `heart rate trend (bpm) over ${result.durationS.toFixed(0)} s\n${chart}`;
}

async function summaryText(file: string, result: AnalyzeResult): Promise<string> {
  const value = (v: number | null, unit: string, digits = 0) => (v === null ? 'n/a' : `${v.toFixed(digits)} ${unit}`);
  const i = result.intervals;
  return [
    `${file}: ${result.durationS.toFixed(1)} s at ${result.fsHz} Hz, lead ${result.lead}`,
    `beats          ${result.beats.length}`,
    `heart rate     ${value(result.heartRateBpm, 'bpm', 1)} (mean RR ${value(result.meanRrMs, 'ms')})`,
    `PR             ${value(i.prMs, 'ms')}`,
    `QRS            ${value(i.qrsMs, 'ms')}`,
    `QT             ${value(i.qtMs, 'ms')}`,
    `QTc Bazett     ${value(i.qtcBazettMs, 'ms')}`,
    `QTc Fridericia ${value(i.qtcFridericiaMs, 'ms')}`,
    await trendChart(result),
  ]
    .filter((line) => line !== null)
    .join('\n');
}

export const analyzeCommand: CommandModule<GlobalArgs, AnalyzeArgs> = {
  command: 'analyze <file>',
  builder: (yargs) =>
    yargs
      .positional('file', { type: 'string', demandOption: true, describe: 'record.hea or file.csv' })
      .option('lead', {
        type: 'string',
        describe: 'Measure the intervals on this lead alone (default: II, else MLII, else the first; a record of two or three leads has its QRS edges and T end from all of them)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Machine-readable JSON on stdout' }) as never,
  handler: (args) => runAnalyze(args),
};

/** Records at least this long show their progress on a terminal (30 min take about 0.2 s). */
const PROGRESS_FROM_S = 3600;
/** The analysis runs without yielding, so the progress line is redrawn by hand, at most this often. */
const PROGRESS_EVERY_MS = 100;

interface ProgressLine {
  update(samplesDone: number, samplesTotal: number): void;
  stop(): void;
}

/** A spinner with the share done, on stderr when it is a terminal and the record is long; null otherwise. */
async function progressLine(file: string, source: SignalSource): Promise<ProgressLine | null> {
  const terminal = process.stderr.isTTY && (process.stderr.columns ?? 0) > 0;
  if (!terminal || source.length < PROGRESS_FROM_S * source.fsHz) return null;
  // Loaded only here: start-up time counts for batch runs.
  const { default: ora } = await import('ora');
  const spinner = ora({ stream: process.stderr, discardStdin: false });
  const hours = (samples: number) => (samples / source.fsHz / 3600).toFixed(1);
  let drawnAtMs = -Infinity;
  return {
    update(samplesDone, samplesTotal) {
      const nowMs = performance.now();
      if (nowMs - drawnAtMs < PROGRESS_EVERY_MS) return;
      drawnAtMs = nowMs;
      spinner.text = `analyzing ${file}: ${Math.floor((100 * samplesDone) / samplesTotal)} % (${hours(samplesDone)} h of ${hours(samplesTotal)} h)`;
      if (spinner.isSpinning) spinner.render();
      else spinner.start();
    },
    stop: () => spinner.stop(),
  };
}

/** The command itself, for yargs and for the CLI's plain `analyze` path alike. */
export async function runAnalyze(args: AnalyzeArgs): Promise<void> {
  const input = openInput(args.file);
  let result: AnalyzeResult;
  let progress: ProgressLine | null = null;
  try {
    if (args.lead !== undefined && chooseAnalysisLead(input.leads, args.lead) < 0) {
      throw new UsageError(`no lead "${args.lead}" in ${args.file}; it has ${input.leads.join(', ')}`);
    }
    progress = await progressLine(args.file, input);
    // A named lead is measured on its own, the way a cardiologist marks one lead; otherwise as the
    // live monitor measures: over a Holter's two or three leads together, on lead II of a 12-lead
    // record (docs/intervals.md).
    result = analyzeSource(input, {
      lead: args.lead,
      intervalLeads: args.lead === undefined ? undefined : 'analysis',
      onProgress: progress?.update,
    });
  } finally {
    progress?.stop();
    input.close();
  }
  log.info('analyze done', { file: args.file, lead: result.lead, beats: result.beats.length });
  process.stdout.write(args.json ? `${JSON.stringify(analyzeJson(result))}\n` : `${await summaryText(args.file, result)}\n`);
}
