import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueueStore, type EnqueueInput } from '../queue/store.js';
import { SyncLoop } from '../queue/sync.js';
import type { BenchFigure } from './run.js';
import { backendUrlFrom } from '../backend/server.js';

const BIN = fileURLToPath(new URL('../../bin/ecg-monitor.js', import.meta.url));
const TARGET_ITEMS_PER_S = 300;

/** The reference backend in its own process (as in real use), storing durably in `dataDir`. */
async function startBackendProcess(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [BIN, 'backend', '--port', '0', '--data', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BACKEND_API_KEY: '' },
  });
  const url = await backendUrlFrom(child);
  return { url, child };
}

/** A recording's mix: one session start per 100 items, waveform chunks, metrics, and a few reports. */
function mixedItem(index: number): EnqueueInput {
  const sessionId = `bench-${Math.floor(index / 100)}`;
  if (index % 100 === 0) {
    const body = { session_id: sessionId, started_at: new Date().toISOString(), protocol: 'ascii', sample_rate_hz: 250, leads: ['II'] };
    return { type: 'session_start', sessionId, payload: JSON.stringify(body) };
  }
  if (index % 100 === 99) {
    return { type: 'report', sessionId, payload: Buffer.from(`%PDF-1.4\n${'x'.repeat(20_000)}\n%%EOF\n`), contentType: 'application/pdf', metadata: {} };
  }
  if (index % 5 === 0) {
    const samples = Array.from({ length: 2500 }, (_, sample) => Math.round(800 * Math.sin(sample / 20)));
    const body = { start_sample: index * 2500, started_at: new Date().toISOString(), sample_rate_hz: 250, units: 'uV', leads: { II: samples } };
    return { type: 'waveform', sessionId, payload: JSON.stringify(body) };
  }
  const body = { t: index * 2, heart_rate: 72, rr_ms: 833, pr_ms: 160, qrs_ms: 92, qt_ms: 380, qtc_ms: 416, signal_quality: 0.95 };
  return { type: 'metrics', sessionId, payload: JSON.stringify(body) };
}

export async function run(options: { quick: boolean }): Promise<BenchFigure[]> {
  const itemCount = options.quick ? 300 : 2000;
  const dir = mkdtempSync(join(tmpdir(), 'ecg-bench-drain-'));
  const backend = await startBackendProcess(join(dir, 'backend'));
  const store = await QueueStore.open(join(dir, 'queue'));
  try {
    for (let index = 0; index < itemCount; index += 1) await store.enqueue(mixedItem(index));
    const loop = new SyncLoop(store, {
      uploadEnabled: true, apiUrl: backend.url, apiKey: null, caFile: null, syncIntervalS: 30, maxRetries: 5, syncBatchSize: 10,
    });
    const startedMs = performance.now();
    const report = await loop.drain();
    const elapsedS = (performance.now() - startedMs) / 1000;
    await loop.stop();
    if (report.delivered !== itemCount) throw new Error(`drain delivered ${report.delivered} of ${itemCount} items`);
    const rate = itemCount / elapsedS;
    return [
      {
        area: 'queue-drain',
        name: `drain rate, ${itemCount} mixed items to the loopback reference backend (batch 10)`,
        value: Math.round(rate),
        unit: 'items/s',
        target: `>= ${TARGET_ITEMS_PER_S} items/s`,
        ok: rate >= TARGET_ITEMS_PER_S,
      },
    ];
  } finally {
    await store.close();
    backend.child.kill('SIGTERM');
    await new Promise((resolve) => backend.child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}
