import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBackend, type BackendOptions, type RunningBackend } from '../../src/backend/server.js';

export type TestBackend = RunningBackend & {
  /** Its `--data` directory (removed by `close()`), or null when kept in memory. */
  dataDir: string | null;
  /** Received items per idempotency key: every value must be 1. */
  countsByKey(): Map<string, number>;
};

/**
 * The reference backend in-process on 127.0.0.1, port 0, for any test.
 * `persist: true` gives it a temp `--data` directory.
 */
export async function startTestBackend(options: BackendOptions & { persist?: boolean } = {}): Promise<TestBackend> {
  const dataDir = options.persist ? mkdtempSync(join(tmpdir(), 'ecg-backend-')) : (options.dataDir ?? null);
  const backend = await startBackend({ ...options, port: options.port ?? 0, dataDir });
  const close = backend.close;
  return Object.assign(backend, {
    dataDir,
    countsByKey() {
      const counts = new Map<string, number>();
      for (const item of backend.received()) counts.set(item.key, (counts.get(item.key) ?? 0) + 1);
      return counts;
    },
    async close() {
      await close();
      if (options.persist && dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  });
}
