import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Low } from 'lowdb';
import { DIR_MODE, DurableJsonAdapter, FILE_MODE } from '../queue/durable-adapter.js';
import { emptySnapshot, IndexState, parseSnapshotFile, serializeSnapshot, validateSnapshot, type Snapshot } from '../queue/index-state.js';
import { PayloadFiles } from '../queue/payload-file.js';
import { prepareItem, QueueStore } from '../queue/store.js';
import type { BenchFigure } from './run.js';

const AREA = 'queue-store';
const here = dirname(fileURLToPath(import.meta.url));

/** A metrics item as the recorder queues it every 2 s (the bulk of a day offline). */
function metricsBody(n: number): string {
  return JSON.stringify({
    t: n * 2,
    heart_rate: 60 + (n % 40),
    rr_ms: 812,
    pr_ms: 160,
    qrs_ms: 92,
    qt_ms: 380,
    qtc_ms: 421.5,
    signal_quality: 0.97,
  });
}

function percentile(sortedMs: number[], p: number): number {
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor((sortedMs.length * p) / 100))]!;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** The disk's own floor: write a temp file, fsync, rename it into place. */
async function rawWrite(dir: string, n: number): Promise<void> {
  const temp = join(dir, `raw-${n}.tmp`);
  const handle = await open(temp, 'wx', FILE_MODE);
  await handle.writeFile(metricsBody(n));
  await handle.sync();
  await handle.close();
  await rename(temp, join(dir, `raw-${n}.json`));
}

/**
 * Fills a queue directory with `count` pending items fast: the store's own payload format and
 * index, without per-file fsyncs (one `sync` at the end), then a durable lowdb snapshot.
 */
export async function fillQueue(dir: string, count: number): Promise<void> {
  await mkdir(join(dir, 'payloads'), { recursive: true, mode: DIR_MODE });
  const files = new PayloadFiles(dir);
  const state = new IndexState(emptySnapshot());
  const batch = 256;
  for (let start = 0; start < count; start += batch) {
    const prepared = [];
    for (let n = start; n < Math.min(count, start + batch); n += 1) {
      prepared.push(prepareItem({ type: 'metrics', payload: metricsBody(n), sessionId: `bench-${Math.floor(n / 1800)}` }));
    }
    await Promise.all(prepared.map((p) => files.write(p.envelope, p.body, true, false)));
    for (const { record } of prepared) state.apply({ op: 'add', item: record });
  }
  spawnSync('sync');
  const adapter = new DurableJsonAdapter(join(dir, 'index.json'), validateSnapshot, serializeSnapshot, parseSnapshotFile);
  const db = new Low<Snapshot>(adapter, emptySnapshot());
  db.data = state.toSnapshot(0);
  await db.write();
}

/**
 * Enqueue latencies next to the raw floor, sampled alternately so both see the same disk and
 * the same load from whatever else runs on the machine.
 */
async function enqueueAndFloor(store: QueueStore, rawDir: string, samples: number): Promise<{ enqueue: number[]; raw: number[] }> {
  const enqueue: number[] = [];
  const raw: number[] = [];
  for (let n = 0; n < samples; n += 1) {
    const payload = metricsBody(n);
    raw.push(await timed(() => rawWrite(rawDir, n)));
    enqueue.push(await timed(() => store.enqueue({ type: 'metrics', payload, sessionId: 'bench-live' })));
  }
  return { enqueue: enqueue.sort((a, b) => a - b), raw: raw.sort((a, b) => a - b) };
}

/**
 * A fresh process that opens the store and prints its counts (what `queue stats` costs), then
 * loads the whole index (what the recorder's sync loop pays on its first pass) and reports RSS.
 */
async function coldStart(dir: string): Promise<{ statsMs: number; fullLoadMs: number; rssMB: number; pending: number }> {
  const storeUrl = new URL('../queue/store.js', import.meta.url).href;
  const script = `
    const started = performance.now();
    const { QueueStore } = await import(${JSON.stringify(storeUrl)});
    const store = await QueueStore.open(${JSON.stringify(dir)});
    const counts = await store.counts();
    const statsMs = performance.now() - started;
    await store.list({ limit: 1 });
    const fullLoadMs = performance.now() - started;
    await store.close();
    process.stdout.write(JSON.stringify({ pending: counts.pending, statsMs, fullLoadMs, rss: process.memoryUsage().rss }));
  `;
  const start = process.hrtime.bigint();
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`cold-start child exited ${code}`))));
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const parsed = JSON.parse(output) as { pending: number; statsMs: number; fullLoadMs: number; rss: number };
  // Wall time of the whole child, minus the part spent loading the full index after the counts.
  const statsMs = wallMs - (parsed.fullLoadMs - parsed.statsMs);
  return { statsMs, fullLoadMs: parsed.fullLoadMs, rssMB: parsed.rss / 2 ** 20, pending: parsed.pending };
}

/** `ecg-monitor queue stats --json` once the CLI implements it; null until then. */
function cliStatsMs(dir: string): number | null {
  const bin = join(here, '..', '..', 'bin', 'ecg-monitor.js');
  if (!existsSync(bin)) return null;
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [bin, 'queue', 'stats', '--json', '--queue-dir', dir], { encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0 || !result.stdout.includes('"pending_count"')) return null;
  return wallMs;
}

export async function run(options: { quick: boolean }): Promise<BenchFigure[]> {
  const root = mkdtempSync(join(tmpdir(), 'ecg-bench-queue-'));
  const figures: BenchFigure[] = [];
  const add = (name: string, value: number, unit: string, target?: string, ok?: boolean | null) =>
    figures.push({ area: AREA, name, value: Number(value.toFixed(3)), unit, target, ok });
  const samples = options.quick ? 100 : 300;
  const levels = options.quick ? [0, 2_000, 10_000] : [0, 10_000, 100_000];
  try {
    for (const level of levels) {
      const dir = join(root, `q${level}`);
      const rawDir = join(root, `raw${level}`);
      await mkdir(rawDir);
      if (level > 0) {
        const fillMs = await timed(() => fillQueue(dir, level));
        add(`bulk fill of ${level} items`, fillMs / 1000, 's');
      }
      const store = await QueueStore.open(dir);
      await store.list({ limit: 1 }); // load the index first: steady-state latency, not the first call's load
      const { enqueue, raw } = await enqueueAndFloor(store, rawDir, samples);
      const floorP50 = percentile(raw, 50);
      const p50 = percentile(enqueue, 50);
      const p99 = percentile(enqueue, 99);
      const p99TargetMs = level >= 100_000 ? 15 : 10;
      add(`raw write+fsync+rename p50 (${level} run)`, floorP50, 'ms');
      add(`raw write+fsync+rename p99 (${level} run)`, percentile(raw, 99), 'ms');
      add(`enqueue p50 at ${level} pending`, p50, 'ms', `<= 3x raw floor (${(3 * floorP50).toFixed(2)} ms)`, p50 <= 3 * floorP50);
      add(
        `enqueue p99 at ${level} pending`,
        p99,
        'ms',
        level > 0 ? `<= ${p99TargetMs} ms` : undefined,
        level > 0 ? p99 <= p99TargetMs : null,
      );
      rmSync(rawDir, { recursive: true, force: true });
      if (level === levels[levels.length - 1]) {
        add(`compaction at ${level} pending`, await timed(() => store.compact()), 'ms');
        await store.close();
        const cold = await coldStart(dir);
        if (cold.pending !== level + samples) throw new Error(`cold start saw ${cold.pending} pending, expected ${level + samples}`);
        add(`cold start: new process, open + counts at ${level} pending`, cold.statsMs, 'ms', '<= 1000 ms', cold.statsMs <= 1000);
        add(`cold start: open + full index load at ${level} pending (in-process)`, cold.fullLoadMs, 'ms');
        add(`process RSS with the full index of ${level} loaded`, cold.rssMB, 'MB', '<= 120 MB', cold.rssMB <= 120);
        const cliMs = cliStatsMs(dir);
        if (cliMs !== null) add(`queue stats --json at ${level} pending`, cliMs, 'ms', '<= 1000 ms', cliMs <= 1000);
      } else {
        await store.close();
      }
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return figures;
}
