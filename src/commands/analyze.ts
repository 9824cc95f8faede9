import { existsSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { analyzeSignals, type AnalyzeResult } from '../dsp/analyze.js';
import { chooseAnalysisLead } from '../dsp/pipeline.js';
import { CsvFormatError, readCsv, type CsvSignals } from '../formats/csv.js';
import { readRecord, resolveRecordPath, signalMicrovolts, WfdbFormatError } from '../formats/wfdb.js';
import { UsageError, errorMessage } from '../errors.js';
import { log } from '../log.js';
import type { GlobalArgs } from './common.js';

export interface AnalyzeArgs extends GlobalArgs {
  file: string;
  lead?: string;
  json: boolean;
}

/** Signals of a WFDB record or CSV file; any problem with the file is a UsageError (exit 2). */
export function loadSignals(file: string): CsvSignals {
  try {
    if (file.toLowerCase().endsWith('.csv')) {
      if (!existsSync(file)) throw new UsageError(`cannot read ${file}: no such file`);
      return readCsv(file);
    }
    const { headerPath } = resolveRecordPath(file);
    if (!existsSync(headerPath)) throw new UsageError(`cannot read ${file}: no such record (expected ${headerPath})`);
    const record = readRecord(file);
    if (record.header.signalCount === 0) throw new UsageError(`${file}: the record has no signals`);
    return {
      fsHz: record.header.fsHz,
      leads: record.header.signals.map((s, i) => s.description.trim() || `signal ${i}`),
      signalsUv: record.header.signals.map((_, i) => signalMicrovolts(record, i)),
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

function summaryText(file: string, result: AnalyzeResult): string {
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
  ].join('\n');
}

export const analyzeCommand: CommandModule<GlobalArgs, AnalyzeArgs> = {
  command: 'analyze <file>',
  describe: 'Detect beats and measure intervals in a WFDB record or CSV file',
  builder: (yargs) =>
    yargs
      .positional('file', { type: 'string', demandOption: true, describe: 'record.hea or file.csv' })
      .option('lead', { type: 'string', describe: 'Lead to analyze (default: II, else MLII, else the first)' })
      .option('json', { type: 'boolean', default: false, describe: 'Machine-readable JSON on stdout' }) as never,
  handler: async (args) => {
    const input = loadSignals(args.file);
    if (args.lead !== undefined && chooseAnalysisLead(input.leads, args.lead) < 0) {
      throw new UsageError(`no lead "${args.lead}" in ${args.file}; it has ${input.leads.join(', ')}`);
    }
    const result = analyzeSignals({ ...input, lead: args.lead });
    log.info('analyze done', { file: args.file, lead: result.lead, beats: result.beats.length });
    process.stdout.write(args.json ? `${JSON.stringify(analyzeJson(result))}\n` : `${summaryText(args.file, result)}\n`);
  },
};
