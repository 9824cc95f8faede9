/**
 * CSV input for `analyze`.
 *
 * - Lines starting with `#` are comments; `# fs=500` (or `# fs: 500 Hz`) gives the sample rate.
 * - The first other line is the header: one name per column, separated by `,`, `;` or tabs.
 * - A column named `time`, `t`, `time_s` or `seconds` holds seconds, `time_ms` milliseconds;
 *   without a `# fs=` line the rate comes from it (median step).
 * - Every other column is a lead. Values are µV; a header ending in `_mV` (e.g. `II_mV`) means
 *   millivolts and `_uV` says µV explicitly; the suffix is dropped from the lead name.
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

const TIME_S_COLUMNS = new Set(['time', 't', 'time_s', 'seconds', 'time (s)']);
const TIME_MS_COLUMNS = new Set(['time_ms', 'ms', 'time (ms)']);

export function parseCsv(text: string): CsvSignals {
  let fsHz: number | null = null;
  let header: string[] | null = null;
  let separator: RegExp = /,/;
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
      header = line.split(separator).map((name) => name.trim().replace(/^"(.*)"$/, '$1'));
      if (header.some((name) => name === '')) throw new CsvFormatError('the header row has an empty column name');
      continue;
    }
    const cells = line.split(separator);
    if (cells.length !== header.length) {
      throw new CsvFormatError(`line ${lineNumber} has ${cells.length} columns, the header has ${header.length}`);
    }
    const values = cells.map((cell) => (cell.trim() === '' ? Number.NaN : Number(cell)));
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new CsvFormatError(`line ${lineNumber}: "${cells[bad]!.trim()}" is not a number`);
    rows.push(values);
  }
  if (header === null) throw new CsvFormatError('no header row (lead names) found');
  if (rows.length === 0) throw new CsvFormatError('no samples after the header row');

  const lower = header.map((name) => name.toLowerCase());
  let timeColumn = lower.findIndex((name) => TIME_S_COLUMNS.has(name));
  let timeScale = 1;
  if (timeColumn < 0) {
    timeColumn = lower.findIndex((name) => TIME_MS_COLUMNS.has(name));
    timeScale = 0.001;
  }
  if (fsHz === null && timeColumn >= 0 && rows.length >= 2) {
    const steps: number[] = [];
    for (let i = 1; i < rows.length; i += 1) steps.push((rows[i]![timeColumn]! - rows[i - 1]![timeColumn]!) * timeScale);
    steps.sort((a, b) => a - b);
    const step = steps[steps.length >> 1]!;
    if (step > 0) fsHz = Math.round((1 / step) * 1000) / 1000;
  }
  if (fsHz === null || !(fsHz > 0)) {
    throw new CsvFormatError('unknown sample rate: add a "# fs=500" line or a time column');
  }

  const leads: string[] = [];
  const signalsUv: Float32Array[] = [];
  header.forEach((name, column) => {
    if (column === timeColumn) return;
    const unitMatch = /^(.*?)[_ ](mv|uv|µv)$/i.exec(name);
    const scale = unitMatch && unitMatch[2]!.toLowerCase() === 'mv' ? 1000 : 1;
    leads.push(unitMatch ? unitMatch[1]! : name);
    const signal = new Float32Array(rows.length);
    for (let i = 0; i < rows.length; i += 1) signal[i] = rows[i]![column]! * scale;
    signalsUv.push(signal);
  });
  if (leads.length === 0) throw new CsvFormatError('no lead columns, only time');
  return { fsHz, leads, signalsUv };
}

export function readCsv(path: string): CsvSignals {
  return parseCsv(readFileSync(path, 'utf8'));
}
