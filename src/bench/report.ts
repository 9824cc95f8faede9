/** Report benchmark: time and size of a 12-lead 10 s report (target: ≤ 1 s, ≤ 1 MB). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findEcgDataDir } from '../data-dir.js';
import { buildReportPdf, loadReportInput, writeReport } from '../report/index.js';
import type { BenchFigure } from './run.js';

const AREA = 'report';
const MB = 1024 * 1024;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function run(options: { quick: boolean }): Promise<BenchFigure[]> {
  const dataDir = findEcgDataDir();
  if (!dataDir) {
    process.stderr.write('bench report: shared ECG data not found (shared/data/ecg or ECG_DATA_DIR); skipped\n');
    return [];
  }
  const figures: BenchFigure[] = [];
  const repeats = options.quick ? 3 : 10;
  const cases = [
    { name: '12-lead PTB s0010_re (1000 Hz)', record: join(dataDir, 's0010_re.hea') },
    { name: '12-lead LUDB 1 (500 Hz)', record: join(dataDir, 'ludb', '1.hea') },
  ];
  let first = true;
  for (const { name, record } of cases) {
    const input = await loadReportInput(record, { paper: 'a4' });
    if (first) {
      // The first PDF in a process also loads pdfmake and its font metrics: what `ecg-monitor report` pays.
      const start = performance.now();
      await buildReportPdf(input);
      const ms = performance.now() - start;
      figures.push({ area: AREA, name: `${name}: first PDF in a process`, value: ms, unit: 'ms', target: '≤ 1000 ms', ok: ms <= 1000 });
      first = false;
    }
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < repeats; i += 1) {
      const start = performance.now();
      bytes = (await buildReportPdf(input)).byteLength;
      times.push(performance.now() - start);
    }
    const ms = median(times);
    figures.push({ area: AREA, name: `${name}: build PDF (median of ${repeats})`, value: ms, unit: 'ms', target: '≤ 1000 ms', ok: ms <= 1000 });
    figures.push({ area: AREA, name: `${name}: file size`, value: Math.round(bytes / 1024), unit: 'KiB', target: '≤ 1024 KiB', ok: bytes <= MB });
  }
  const out = mkdtempSync(join(tmpdir(), 'ecg-bench-report-'));
  try {
    const start = performance.now();
    await writeReport(join(dataDir, 's0010_re.hea'), { paper: 'a4', out: join(out, 'report.pdf') });
    const ms = performance.now() - start;
    figures.push({ area: AREA, name: 's0010_re: read + analyse + filter + PDF + write', value: ms, unit: 'ms', target: '≤ 1000 ms', ok: ms <= 1000 });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return figures;
}
