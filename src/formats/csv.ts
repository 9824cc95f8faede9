/**
 * CSV input for `analyze`.
 *
 * - Lines starting with `#` are comments; `# fs=500` (or `# fs: 500 Hz`) gives the sample rate.
 * - The first other line is the header: one name per column, separated by `,`, `;` or tabs.
 * - A column named `time`, `t`, `time_s` or `seconds` holds seconds, `time_ms` milliseconds;
 *   without a `# fs=` line the rate comes from it (`rateFromTimes`).
 * - Every other column is a lead. Values are µV; a header ending in `_mV` (e.g. `II_mV`) means
 *   millivolts and `_uV` says µV explicitly; the suffix is dropped from the lead name.
 * - PhysioNet's CSV exports read as they are: quoted cells, a row of units under the header
 *   (`'hh:mm:ss.mmm','mV','mV'`; a time unit marks the time column) and clock times
 *   (`'0:01.250'`) in an `Elapsed time` column.
 */
import { readFileSync } from 'node:fs';

export interface CsvSignals {
  fsHz: number;
  leads: string[];
  signalsUv: Float32Array[];
}

export class CsvFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvFormatError';
  }
}

const TIME_S_COLUMNS = new Set(['time', 't', 'time_s', 'seconds', 'time (s)', 'elapsed time', 'elapsed_time']);
const TIME_MS_COLUMNS = new Set(['time_ms', 'ms', 'time (ms)']);
/** Units a units row may give a time column (seconds per unit; clock times are read as such). */
const TIME_UNITS: Record<string, number> = { s: 1, sec: 1, seconds: 1, ms: 0.001, 'hh:mm:ss.mmm': 1, 'hh:mm:ss': 1, 'mm:ss.mmm': 1 };
/** Units a units row may give a lead column, or a lead's name may end with: µV per unit. */
const LEAD_UNITS: Record<string, number> = { mv: 1000, uv: 1, 'µv': 1, 'μv': 1 };
/** A lead name's unit suffix (`II_mV`, `V1 uV`). */
const UNIT_SUFFIX = /[_ ](mv|uv|µv)$/i;

/** A cell without the quotes PhysioNet's exports put around it. */
function unquote(cell: string): string {
  const text = cell.trim();
  return /^(['"]).*\1$/.test(text) && text.length >= 2 ? text.slice(1, -1).trim() : text;
}

/** Seconds from a number or a clock time (`1:02:03.456`, `2:03.456`, optionally in brackets); NaN otherwise. */
function secondsOf(cell: string): number {
  const text = cell.replace(/^\[(.*)\]$/, '$1');
  const clock = /^(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)$/.exec(text);
  if (!clock) return text === '' ? Number.NaN : Number(text);
  return Number(clock[1] ?? 0) * 3600 + Number(clock[2]) * 60 + Number(clock[3]);
}

export function parseCsv(text: string): CsvSignals {
  let fsHz: number | null = null;
  let header: string[] | null = null;
  let separator: RegExp = /,/;
  let timeColumn = -1;
  let timeScale = 1;
  let leadScales: number[] = [];
  let unitsAllowed = false;
  const rows: number[][] = [];
  const lines = text.split(/\r?\n/);
  for (let lineNumber = 1; lineNumber <= lines.length; lineNumber += 1) {
    const line = lines[lineNumber - 1]!.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const match = /^#\s*fs\s*[=:]\s*([0-9.]+)\s*(hz)?\s*$/i.exec(line);
      if (match) fsHz = Number(match[1]);
      continue;
    }
    if (header === null) {
      separator = line.includes('\t') ? /\t/ : line.includes(';') ? /;/ : /,/;
      header = line.split(separator).map(unquote);
      if (header.some((name) => name === '')) throw new CsvFormatError('the header row has an empty column name');
      const lower = header.map((name) => name.toLowerCase());
      timeColumn = lower.findIndex((name) => TIME_S_COLUMNS.has(name));
      if (timeColumn < 0) {
        timeColumn = lower.findIndex((name) => TIME_MS_COLUMNS.has(name));
        timeScale = timeColumn < 0 ? 1 : 0.001;
      }
      leadScales = header.map((name) => LEAD_UNITS[UNIT_SUFFIX.exec(name)?.[1]!.toLowerCase() ?? 'uv']!);
      unitsAllowed = true;
      continue;
    }
    const cells = line.split(separator).map(unquote);
    if (cells.length !== header.length) {
      throw new CsvFormatError(`line ${lineNumber} has ${cells.length} columns, the header has ${header.length}`);
    }
    // A row of units under the header, as PhysioNet's exports give ('hh:mm:ss.mmm','mV','mV').
    if (unitsAllowed && cells.every((cell) => !Number.isFinite(secondsOf(cell)))) {
      cells.forEach((cell, column) => {
        const unit = cell.toLowerCase();
        if (unit in TIME_UNITS) {
          timeColumn = column;
          timeScale = TIME_UNITS[unit]!;
        } else if (unit in LEAD_UNITS) leadScales[column] = LEAD_UNITS[unit]!;
        else throw new CsvFormatError(`line ${lineNumber}: unit "${cell}" of column ${header![column]} is not mV, µV or a time`);
      });
      unitsAllowed = false;
      continue;
    }
    unitsAllowed = false;
    const values = cells.map((cell, column) => (column === timeColumn ? secondsOf(cell) : cell === '' ? Number.NaN : Number(cell)));
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new CsvFormatError(`line ${lineNumber}: "${cells[bad]}" is not a number`);
    rows.push(values);
  }
  if (header === null) throw new CsvFormatError('no header row (lead names) found');
  if (rows.length === 0) throw new CsvFormatError('no samples after the header row');

  if (fsHz === null && timeColumn >= 0 && rows.length >= 2) fsHz = rateFromTimes(rows.map((row) => row[timeColumn]! * timeScale));
  if (fsHz === null || !(fsHz > 0)) {
    throw new CsvFormatError('unknown sample rate: add a "# fs=500" line or a time column');
  }

  const leads: string[] = [];
  const signalsUv: Float32Array[] = [];
  header.forEach((name, column) => {
    if (column === timeColumn) return;
    leads.push(name.replace(UNIT_SUFFIX, ''));
    const scale = leadScales[column]!;
    const signal = new Float32Array(rows.length);
    for (let i = 0; i < rows.length; i += 1) signal[i] = rows[i]![column]! * scale;
    signalsUv.push(signal);
  });
  if (leads.length === 0) throw new CsvFormatError('no lead columns, only time');
  return { fsHz, leads, signalsUv };
}

/**
 * The sample rate a time column gives: from its whole span when no step is a gap (over twice the
 * mean step, plus a millisecond of print rounding: times printed to the millisecond make single
 * steps coarse, 2.778 ms at 360 Hz reads as 2 or 3 ms), else from the median step (rows missing);
 * snapped to a whole number of Hz within 0.01 % or the span's rounding. Null when time does not advance.
 */
function rateFromTimes(times: readonly number[]): number | null {
  const steps: number[] = [];
  for (let i = 1; i < times.length; i += 1) steps.push(times[i]! - times[i - 1]!);
  steps.sort((a, b) => a - b);
  const median = steps[steps.length >> 1]!;
  const mean = (times[times.length - 1]! - times[0]!) / (times.length - 1);
  if (!(median > 0) || !(mean > 0)) return null;
  const gapFree = steps[steps.length - 1]! <= 2 * mean + 0.001;
  const rate = 1 / (gapFree ? mean : median);
  const whole = Math.round(rate);
  // Within what a millisecond of rounding at either end of the span allows.
  const tolerance = Math.max(1e-4, 0.001 / (times[times.length - 1]! - times[0]!));
  return Math.abs(rate - whole) <= tolerance * rate ? whole : Math.round(rate * 1000) / 1000;
}

export function readCsv(path: string): CsvSignals {
  return parseCsv(readFileSync(path, 'utf8'));
}
