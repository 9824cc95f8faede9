import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestBackend } from '../helpers/backend.js';
import { cleanEnv } from '../helpers/queue-cli.js';

const CHILD = fileURLToPath(new URL('../helpers/queue-child.mjs', import.meta.url));
const FAULT_PHASE_MS = 20_000;
const dir = mkdtempSync(join(tmpdir(), 'ecg-queue-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the child; kills it with SIGKILL after `killAfterMs` (null: let it finish). Resolves with its stdout lines. */
function runChild(env: Record<string, string>, killAfterMs: number | null): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killer: NodeJS.Timeout | null = null;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // The clock starts once the child is up, so a slow machine still gets kills mid-work.
      if (killAfterMs !== null && killer === null && stdout.includes('READY')) {
        killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (killer) clearTimeout(killer);
      clearTimeout(guard);
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`child exited ${code}: ${stderr}`));
      else resolve(stdout.split('\n').filter((line) => line !== ''));
    });
  });
}

describe('kill -9 while enqueueing and syncing', () => {
  it('loses no enqueued item and delivers every item exactly once by key', async () => {
    const backend = await startTestBackend({ persist: true });
    try {
      const env = { QUEUE_DIR: join(dir, 'queue'), API_URL: backend.url, MODE: 'work' };
      const reported = new Set<string>();
      const began = Date.now();
      let rounds = 0;
      while (Date.now() - began < FAULT_PHASE_MS) {
        // Fail, reset (before and after storing) and throttle, differently each round.
        backend.setFaults({
          failRate: 0.15,
          status: [500, 503, 429][rounds % 3]!,
          retryAfter: rounds % 4 === 3 ? '1' : null,
          resetRate: 0.1,
          latencyMs: 3,
        });
        const lines = await runChild(env, 400 + Math.random() * 1600);
        for (const line of lines) if (line.startsWith('E ')) reported.add(line.slice(2));
        rounds += 1;
      }
      backend.setFaults({ failRate: 0, resetRate: 0, retryAfter: null, latencyMs: 0 });
      const done = (await runChild({ ...env, MODE: 'drain' }, null)).find((line) => line.startsWith('DONE '));
      expect(done, 'the final drain emptied the queue').toBeDefined();
      const counts = JSON.parse(done!.slice(5)) as { failed: number; totalQueued: number; totalSynced: number };

      expect(rounds).toBeGreaterThan(3);
      expect(reported.size).toBeGreaterThan(30);
      const received = backend.countsByKey();
      const missing = [...reported].filter((id) => !received.has(id));
      expect(missing).toEqual([]);
      expect(counts.failed).toBe(0);
      // Everything the store ever accepted arrived, and nothing else did.
      expect(received.size).toBe(counts.totalQueued);
      // Exactly once, also in the server's durable log.
      const lines = readFileSync(join(backend.dataDir!, 'received.ndjson'), 'utf8').trim().split('\n');
      const keys = lines.map((line) => (JSON.parse(line) as { key: string }).key);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.length).toBe(received.size);
      // Every session's items came after its session_start.
      const startSeq = new Map<string, number>();
      for (const item of backend.received()) if (item.type === 'session_start') startSeq.set(item.session_id!, item.seq);
      for (const item of backend.received()) {
        if (item.type !== 'session_start' && startSeq.has(item.session_id!)) expect(item.seq).toBeGreaterThan(startSeq.get(item.session_id!)!);
      }
      // The faults really happened.
      expect(backend.counters.resets + backend.counters.injected).toBeGreaterThan(0);
    } finally {
      await backend.close();
    }
  }, 120_000);
});
