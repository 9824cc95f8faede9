import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueStore } from '../../src/queue/store.js';
import { assertBuilt, removeTempDirs, startChild, tempQueueDir } from './store-helpers.js';

beforeAll(assertBuilt);
afterAll(removeTempDirs);

describe('QueueStore with several processes at once', () => {
  it('two enqueuers and a sync-like process lose no item and no update', async () => {
    const dir = tempQueueDir();
    const perChild = 150;
    // A low compaction threshold makes generation switches happen mid-race too.
    const options = { compactMinLines: 60 };
    const opener = await QueueStore.open(dir, { syncedKeep: 1e9 });
    await opener.close();
    const children = [
      startChild('enqueue.mjs', [dir, String(perChild), 'a'], options),
      startChild('enqueue.mjs', [dir, String(perChild), 'b'], options),
      startChild('ops.mjs', [dir, '80'], options),
    ];
    const results = await Promise.all(children.map((c) => c.exited));
    for (const result of results) expect(result.code, result.stderr).toBe(0);

    const events = children[2]!.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const synced = new Set(events.filter((e) => e.synced).map((e) => e.synced as string));
    const failed = events.filter((e) => e.failed).map((e) => e.failed as string);
    const rescheduled = new Set(events.filter((e) => e.rescheduled).map((e) => e.rescheduled as string));
    expect(synced.size).toBeGreaterThan(10);
    expect(failed.length).toBeGreaterThan(10);

    const store = await QueueStore.open(dir, { syncedKeep: 1e9 });
    const items = await store.list();
    const ids = items.map((item) => item.id);
    const expected = [...Array(perChild).keys()].flatMap((n) => [`a-${n}`, `b-${n}`]);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...expected].sort());
    for (const item of items) {
      if (synced.has(item.id)) expect(item.state, item.id).toBe('synced');
      // The ops process ended with retryFailed: nothing it failed may still be failed, or lost.
      else expect(item.state, item.id).toBe('pending');
      if (rescheduled.has(item.id) && !failed.includes(item.id)) expect(item.retry_count, item.id).toBeGreaterThanOrEqual(1);
    }
    expect(await store.counts()).toMatchObject({
      totalQueued: 2 * perChild,
      totalSynced: synced.size,
      totalFailed: failed.length,
      synced: synced.size,
      failed: 0,
      inflight: 0,
    });
    await store.close();
  });
});
