import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** One benchmark figure. `target` is the goal in words; `ok` whether it was met (null: no target). */
export interface BenchFigure {
  area: string;
  name: string;
  value: number;
  unit: string;
  target?: string;
  ok?: boolean | null;
}

/** Every `src/bench/<area>.ts` except this file exports `run(): Promise<BenchFigure[]>`. */
interface BenchModule {
  run(options: { quick: boolean }): Promise<BenchFigure[]>;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  const quick = process.argv.includes('--quick');
  const here = dirname(fileURLToPath(import.meta.url));
  const areas = readdirSync(here)
    .filter((name) => name.endsWith('.js') && name !== 'run.js' && !name.startsWith('_'))
    .map((name) => name.replace(/\.js$/, ''))
    .filter((area) => only.length === 0 || only.includes(area))
    .sort();
  const figures: BenchFigure[] = [];
  for (const area of areas) {
    process.stderr.write(`bench: ${area}…\n`);
    const module = (await import(pathToFileURL(`${here}/${area}.js`).href)) as Partial<BenchModule>;
    if (typeof module.run !== 'function') continue;
    figures.push(...(await module.run({ quick })));
  }
  printTable(figures);
  process.stdout.write(`${JSON.stringify({ figures }, null, 2)}\n`);
}

function printTable(figures: BenchFigure[]): void {
  const rows = figures.map((f) => [
    f.area,
    f.name,
    `${Number.isInteger(f.value) ? f.value : f.value.toPrecision(4)} ${f.unit}`,
    f.target ?? '',
    f.ok === undefined || f.ok === null ? '' : f.ok ? 'ok' : 'MISSED',
  ]);
  const header = ['area', 'figure', 'value', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  process.stdout.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
  process.stdout.write('\n');
}

await main();
