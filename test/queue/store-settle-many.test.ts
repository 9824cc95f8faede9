import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueStore } from '../../src/queue/store.js';
import { assertBuilt, removeTempDirs, startChild, tempQueueDir } from './store-helpers.js';

beforeAll(assertBuilt);
afterAll(removeTempDirs);

async function fill(dir: string, count: number): Promise<string[]> {
  const store = await QueueStore.open(dir, { syncedKeep: 1e9 });
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const item = await store.enqueue({ type: 'metrics', sessionId: null, payload: JSON.stringify({ index }) });
    ids.push(item.id);
  }
  await store.close();
  return ids;
}

/** Synced ids, after checking that the counters agree with the items. */
async function syncedIds(dir: string, total: number): Promise<Set<string>> {
  const store = await QueueStore.open(dir, { syncedKeep: 1e9 });
  try {
    const items = await store.list();
    const counts = await store.counts();
    expect(items.length).toBe(total);
    expect(counts.inflight).toBe(0);
    expect(counts.pending + counts.synced).toBe(total);
    const synced = new Set(items.filter((item) => item.state === 'synced').map((item) => item.id));
    expect(counts.synced).toBe(synced.size);
    expect(counts.totalSynced).toBe(synced.size);
    return synced;
  } finally {
    await store.close();
  }
}

describe('QueueStore.markSyncedMany (group commit)', () => {
  it('settles a group in one journal line, counts each item once, and keeps only syncedKeep', async () => {
    const dir = tempQueueDir();
    const ids = await fill(dir, 12);
    const store = await QueueStore.open(dir, { syncedKeep: 5 });
    await store.markInflight(ids.slice(0, 8));
    const journal = readdirSync(dir).find((name) => name.startsWith('journal-'))!;
    const before = statSync(join(dir, journal)).size;
    // Repeats, unknown ids and an already-synced item are skipped, not counted twice.
    await store.markSyncedMany([ids[0]!, ids[1]!, ids[1]!, 'no-such-item']);
    await store.markSyncedMany(ids.slice(0, 8));
    const counts = await store.counts();
    expect(counts.totalSynced).toBe(8);
    expect(counts.synced).toBe(5);
    expect(counts.pending).toBe(4);
    const kept = (await store.list({ state: 'synced' })).map((item) => item.id).sort();
    expect(kept).toEqual(ids.slice(3, 8).sort());
    await expect(store.readPayload(ids[5]!)).rejects.toThrow();
    const lines = readFileSync(join(dir, journal), 'utf8').slice(before).trim().split('\n');
    // Two writes: each one line of synced ids plus the drop of what exceeds syncedKeep.
    expect(lines.filter((line) => line.includes('"synced_many"'))).toHaveLength(2);
    await store.close();
  });

  it('is all or nothing when the write is torn', async () => {
    const dir = tempQueueDir();
    const ids = await fill(dir, 20);
    const store = await QueueStore.open(dir, { syncedKeep: 1e9 });
    await store.markInflight(ids);
    await store.markSyncedMany(ids.slice(0, 4));
    const journal = join(dir, readdirSync(dir).find((name) => name.startsWith('journal-'))!);
    const before = statSync(journal).size;
    await store.markSyncedMany(ids.slice(4, 20));
    await store.close();
    // A crash mid-write: every cut inside the group's line must leave all 16 items unsettled.
    const written = readFileSync(journal);
    for (const cut of [before + 1, Math.floor((before + written.length) / 2), written.length - 1]) {
      writeFileSync(journal, written.subarray(0, cut));
      const synced = await syncedIds(dir, 20);
      expect([...synced].sort()).toEqual(ids.slice(0, 4).sort());
    }
  });

  it('keeps every confirmed group and never half a group when the settler is killed', async () => {
    const dir = tempQueueDir();
    const total = 400;
    await fill(dir, total);
    const confirmed = new Set<string>();
    const options = { lockStaleMs: 2000 };
    for (let round = 0; round < 4; round += 1) {
      const child = startChild('settle-many.mjs', [dir], options);
      await child.waitForLine((line) => line === 'ready');
      const target = 2 + ((round * 5) % 9);
      await child.waitForLine(() => child.lines.filter((line) => line.startsWith('S ')).length >= target);
      child.child.kill('SIGKILL');
      expect((await child.exited).signal).toBe('SIGKILL');
      const groups = child.lines.filter((line) => line.startsWith('W ')).map((line) => line.slice(2).split(','));
      for (const line of child.lines.filter((l) => l.startsWith('S '))) for (const id of line.slice(2).split(',')) confirmed.add(id);
      const synced = await syncedIds(dir, total);
      for (const id of confirmed) expect(synced.has(id), `${id} was confirmed synced`).toBe(true);
      for (const group of groups) {
        const settled = group.filter((id) => synced.has(id)).length;
        expect([0, group.length], `group of ${group.length} half settled`).toContain(settled);
      }
    }
  });

  it('never leaves the payload of a dropped item behind to be taken in again as new, when killed mid-settle', async () => {
    const dir = tempQueueDir();
    const total = 300;
    await fill(dir, total);
    // Keep 3 synced items: nearly every group drops kept items and some of its own.
    const options = { lockStaleMs: 2000, syncedKeep: 3 };
    for (let round = 0; round < 6; round += 1) {
      const child = startChild('settle-many.mjs', [dir], options);
      await child.waitForLine((line) => line === 'ready' || line === 'done');
      await child.waitForLine(() => child.lines.filter((line) => line.startsWith('S ')).length >= 3 + round || child.lines.includes('done'));
      child.child.kill('SIGKILL');
      await child.exited;
      const store = await QueueStore.open(dir, { syncedKeep: 3 });
      try {
        expect(await store.adoptStrayPayloads()).toEqual({ adopted: 0, removedTorn: 0 });
        expect((await store.counts()).totalQueued).toBe(total);
      } finally {
        await store.close();
      }
    }
  });
});

