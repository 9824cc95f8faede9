import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueStore } from '../../src/queue/store.js';

/**
 * Real disk failures: a tiny tmpfs that fills up (ENOSPC) and is remounted read-only (EROFS).
 * Mounting needs root; elsewhere these tests skip with a message.
 */
let mountPoint = '';
let mounted = false;

function mountCommand(...args: string[]): void {
  execFileSync('mount', args, { stdio: 'pipe' });
}

beforeAll(() => {
  mountPoint = mkdtempSync(join(tmpdir(), 'ecg-queue-tmpfs-'));
  try {
    mountCommand('-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', mountPoint);
    mounted = true;
  } catch (error) {
    console.warn(`store-disk: skipping real disk-failure tests, cannot mount a tmpfs here (${(error as Error).message.split('\n')[0]})`);
  }
});

afterAll(() => {
  if (mounted) {
    // Lazy detach if a failed test left a file open on it.
    try {
      execFileSync('umount', [mountPoint], { stdio: 'pipe' });
    } catch {
      execFileSync('umount', ['-l', mountPoint], { stdio: 'pipe' });
    }
  }
  rmSync(mountPoint, { recursive: true, force: true });
});

const body = (n: number) => JSON.stringify({ n, samples: 'x'.repeat(3000) });

describe('QueueStore when the disk refuses writes', () => {
  it('holds items in memory on ENOSPC and EROFS, never throws, and persists them when the disk recovers', async (context) => {
    if (!mounted) context.skip();
    const dir = join(mountPoint, 'queue');
    const store = await QueueStore.open(dir);
    const accepted: string[] = [];
    let n = 0;
    while (store.memoryOnlyCount() < 3) {
      accepted.push((await store.enqueue({ type: 'metrics', payload: body(n), sessionId: 's' })).id);
      n += 1;
      expect(n).toBeLessThan(500);
    }
    expect(store.diskError()).toMatch(/ENOSPC/);
    const held = accepted.slice(-3);
    expect((await store.get(held[0]!))!.state).toBe('pending');
    const counts = await store.counts();
    expect(counts.pending).toBe(accepted.length);
    expect(counts.totalQueued).toBe(accepted.length);
    // Memory-held items are not handed out for sending until they are durable.
    const dueIds = (await store.due(Date.now(), 1000)).map((item) => item.id);
    expect(dueIds).not.toContain(held[0]);
    expect(await store.flushMemory()).toBe(0);

    mountCommand('-o', 'remount,size=8m', mountPoint);
    expect(await store.flushMemory()).toBe(3);
    expect(store.memoryOnlyCount()).toBe(0);
    expect(store.diskError()).toBeNull();

    mountCommand('-o', 'remount,ro', mountPoint);
    const whileReadOnly = await store.enqueue({ type: 'session_end', payload: '{"ended":true}', sessionId: 's' });
    expect(store.diskError()).toMatch(/EROFS/);
    expect(store.memoryOnlyCount()).toBe(1);
    expect((await store.counts()).pending).toBe(accepted.length + 1);
    // Another process can still read a read-only queue.
    const reader = await QueueStore.open(dir);
    expect((await reader.counts()).pending).toBe(accepted.length);
    expect(reader.diskError()).toMatch(/EROFS/);
    await reader.close();

    mountCommand('-o', 'remount,rw', mountPoint);
    // The next enqueue persists what memory held first.
    const afterwards = await store.enqueue({ type: 'metrics', payload: '{"late":true}', sessionId: 's' });
    expect(store.memoryOnlyCount()).toBe(0);
    await store.close();

    const reopened = await QueueStore.open(dir);
    const ids = new Set((await reopened.list()).map((item) => item.id));
    for (const id of [...accepted, whileReadOnly.id, afterwards.id]) expect(ids.has(id), id).toBe(true);
    expect(ids.size).toBe(accepted.length + 2);
    expect(JSON.parse((await reopened.readPayload(held[2]!)).toString()).n).toBe(n - 1);
    await reopened.close();
  });
});
