import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueStore } from '../../src/queue/store.js';
import { assertBuilt, removeTempDirs, startChild, tempQueueDir } from './store-helpers.js';

beforeAll(assertBuilt);
afterAll(removeTempDirs);

describe('QueueStore under kill -9', () => {
  it('keeps every item whose enqueue resolved, over many rounds of killing the writer', async () => {
    const dir = tempQueueDir();
    const rounds = 10;
    const confirmed: string[] = [];
    // A fast-going-stale lock keeps the rounds short when a kill lands while the lock is held.
    const options = { lockStaleMs: 2000, compactMinLines: 40 };
    for (let round = 0; round < rounds; round += 1) {
      const child = startChild('enqueue.mjs', [dir, 'forever', `r${round}`], options);
      // Every other round a sync-like process works the same queue and dies with it.
      const syncer = round % 2 === 1 ? startChild('ops.mjs', [dir, '100000'], options) : null;
      await child.waitForLine((line) => line === 'ready');
      // Kill at a pseudo-random point: after 3..40 confirmed items, mid-way through the next ones.
      const target = 3 + ((round * 17) % 38);
      await child.waitForLine(() => child.lines.length > target);
      child.child.kill('SIGKILL');
      syncer?.child.kill('SIGKILL');
      const { signal } = await child.exited;
      expect(signal).toBe('SIGKILL');
      if (syncer) expect((await syncer.exited).signal).toBe('SIGKILL');
      confirmed.push(...child.lines.filter((line) => line.startsWith(`r${round}-`)));
    }
    const store = await QueueStore.open(dir, { lockStaleMs: 2000 });
    const items = await store.list();
    const ids = new Set(items.map((item) => item.id));
    expect(ids.size).toBe(items.length);
    for (const id of confirmed) expect(ids.has(id), `${id} was confirmed but is missing`).toBe(true);
    // At most the one unconfirmed enqueue per round may also have made it.
    expect(items.length).toBeLessThanOrEqual(confirmed.length + rounds);
    const counts = await store.counts();
    expect(counts.totalQueued).toBe(items.length);
    // Nothing stays inflight for a dead sender, and the counts add up.
    expect(counts.inflight).toBe(0);
    expect(counts.pending + counts.failed + counts.synced).toBe(items.length);
    for (const item of items.filter((i) => i.state !== 'synced')) {
      expect(JSON.parse((await store.readPayload(item.id)).toString()).prefix).toBe(item.session_id);
    }
    await store.close();
  });
});
