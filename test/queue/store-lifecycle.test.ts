import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { QueueStore } from '../../src/queue/store.js';
import { assertBuilt, removeTempDirs, runChild, startChild, tempQueueDir } from './store-helpers.js';

beforeAll(assertBuilt);
afterAll(removeTempDirs);

const json = (value: unknown) => JSON.stringify(value);

describe('QueueStore lifecycle', () => {
  it('orders by priority, then next attempt, then age', async () => {
    const store = await QueueStore.open(tempQueueDir());
    const metricsOld = await store.enqueue({ type: 'metrics', payload: json({ t: 1 }), sessionId: 's' });
    const waveform = await store.enqueue({ type: 'waveform', payload: json({ w: 1 }), sessionId: 's' });
    const metricsNew = await store.enqueue({ type: 'metrics', payload: json({ t: 2 }), sessionId: 's' });
    const end = await store.enqueue({ type: 'session_end', payload: json({ e: 1 }), sessionId: 's' });
    const start = await store.enqueue({ type: 'session_start', payload: json({ s: 1 }), sessionId: 's' });
    const order = (items: { id: string }[]) => items.map((item) => item.id);
    expect(order(await store.list())).toEqual([start.id, end.id, waveform.id, metricsOld.id, metricsNew.id]);

    // A backed-off item falls behind its peers of the same priority, and is not due before its time.
    const now = Date.now();
    await store.reschedule(metricsOld.id, { error: 'HTTP 503', nextAttemptAt: new Date(now + 60_000).toISOString(), countAttempt: true });
    expect(order(await store.list({ state: 'pending' }))).toEqual([start.id, end.id, waveform.id, metricsNew.id, metricsOld.id]);
    expect(order(await store.due(now, 10))).toEqual([start.id, end.id, waveform.id, metricsNew.id]);
    expect(order(await store.due(now + 61_000, 10))).toEqual([start.id, end.id, waveform.id, metricsNew.id, metricsOld.id]);
    expect(order(await store.due(now, 2))).toEqual([start.id, end.id]);
    // `eligible` holds items back without blocking the rest.
    expect(order(await store.due(now, 2, (item) => item.type !== 'session_end'))).toEqual([start.id, waveform.id]);
    expect((await store.counts()).nextAttemptAt).toBe(new Date(now + 60_000).toISOString());
    expect(await store.unsyncedSessionStarts()).toEqual(new Set(['s']));
    await store.close();
  });

  it('walks pending -> inflight -> synced | failed and keeps counters across restarts', async () => {
    const dir = tempQueueDir();
    const store = await QueueStore.open(dir);
    const a = await store.enqueue({ type: 'session_start', payload: json({ a: 1 }), sessionId: 's1' });
    const b = await store.enqueue({ type: 'metrics', payload: json({ b: 1 }), sessionId: 's1' });
    const c = await store.enqueue({ type: 'metrics', payload: json({ c: 1 }), sessionId: 's1' });
    await store.markInflight([a.id, b.id, c.id]);
    expect((await store.get(a.id))!.state).toBe('inflight');
    await store.markSynced(a.id);
    await store.markFailed(b.id, 'HTTP 422: bad field');
    const rescheduled = await store.reschedule(c.id, { error: 'offline', nextAttemptAt: null, countAttempt: false });
    expect(rescheduled).toMatchObject({ state: 'pending', retry_count: 0, last_error: 'offline' });
    const counted = await store.reschedule(c.id, { error: 'HTTP 500', nextAttemptAt: null, countAttempt: true });
    expect(counted).toMatchObject({ state: 'pending', retry_count: 1, last_error: 'HTTP 500' });
    expect(await store.unsyncedSessionStarts()).toEqual(new Set());
    await store.setStatus({ is_online: true, last_sync_at: '2026-01-01T00:00:00.000Z' });
    await store.close();

    const reopened = await QueueStore.open(dir);
    expect(await reopened.counts()).toMatchObject({
      pending: 1, inflight: 0, failed: 1, synced: 1, totalQueued: 3, totalSynced: 1, totalFailed: 1,
    });
    expect(await reopened.get(b.id)).toMatchObject({ state: 'failed', last_error: 'HTTP 422: bad field' });
    expect(await reopened.getStatus()).toMatchObject({ is_online: true, last_sync_at: '2026-01-01T00:00:00.000Z' });
    expect(await reopened.retryFailed()).toBe(1);
    expect(await reopened.get(b.id)).toMatchObject({ state: 'pending', retry_count: 0 });
    expect(await reopened.clearSynced()).toBe(1);
    expect(await reopened.get(a.id)).toBeNull();
    // Totals count what ever happened, so clearing and retrying do not lower them.
    expect(await reopened.counts()).toMatchObject({ pending: 2, synced: 0, totalQueued: 3, totalSynced: 1, totalFailed: 1 });
    await reopened.close();
  });

  it('returns inflight items of a dead process to pending with the same id', async () => {
    const dir = tempQueueDir();
    await runChild('enqueue.mjs', [dir, '3', 'item']);
    const script = `
      import { QueueStore } from ${json(new URL('../../dist/queue/store.js', import.meta.url).href)};
      const store = await QueueStore.open(${json(dir)});
      await store.markInflight(['item-0', 'item-2']);
      process.exit(0); // no close(): the process dies with the items inflight
    `;
    const { spawnSync } = await import('node:child_process');
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const journal = readFileSync(join(dir, 'journal-0.ndjson'), 'utf8');
    expect(journal).toContain('"op":"inflight"');

    const store = await QueueStore.open(dir);
    const items = await store.list();
    expect(items.map((item) => [item.id, item.state]).sort()).toEqual([
      ['item-0', 'pending'], ['item-1', 'pending'], ['item-2', 'pending'],
    ]);
    await store.close();
  });

  it('leaves inflight items of a live sender alone, and takes them back once it closed or died', async () => {
    const dir = tempQueueDir();
    const sender = await QueueStore.open(dir);
    const item = await sender.enqueue({ type: 'metrics', payload: json({ x: 1 }) });
    await sender.markInflight([item.id]);
    const viewer = await QueueStore.open(dir);
    expect((await viewer.get(item.id))!.state).toBe('inflight');
    expect(await viewer.recoverOrphanedInflight()).toBe(0);
    await sender.close();
    expect(await viewer.recoverOrphanedInflight()).toBe(1);
    expect((await viewer.get(item.id))!.state).toBe('pending');

    // A sender process that dies mid-send: a store that stays open recovers on request.
    const script = `
      import { QueueStore } from ${json(new URL('../../dist/queue/store.js', import.meta.url).href)};
      const store = await QueueStore.open(${json(dir)});
      await store.markInflight([${json(item.id)}]);
      process.exit(0);
    `;
    const { spawnSync } = await import('node:child_process');
    expect(spawnSync(process.execPath, ['--input-type=module', '-e', script]).status).toBe(0);
    expect((await viewer.get(item.id))!.state).toBe('inflight');
    expect(await viewer.recoverOrphanedInflight()).toBe(1);
    expect((await viewer.get(item.id))!.state).toBe('pending');
    await viewer.close();
  });

  it('keeps only the last SYNCED_KEEP synced items, as metadata without payloads', async () => {
    const dir = tempQueueDir();
    const store = await QueueStore.open(dir, { syncedKeep: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await store.enqueue({ type: 'metrics', payload: json({ i }) })).id);
    const payloadFile = (id: string) => join(dir, 'payloads', `${id}.json`);
    for (const id of ids.slice(0, 4)) {
      expect(existsSync(payloadFile(id))).toBe(true);
      await store.markSynced(id);
      expect(existsSync(payloadFile(id))).toBe(false);
    }
    const synced = await store.list({ state: 'synced' });
    expect(synced.map((item) => item.id).sort()).toEqual([ids[2], ids[3]].sort());
    expect(synced.every((item) => item.synced_at !== null)).toBe(true);
    expect(existsSync(payloadFile(ids[4]!))).toBe(true);
    expect(await store.counts()).toMatchObject({ synced: 2, pending: 1, totalSynced: 4, totalQueued: 5 });
    await expect(store.readPayload(ids[0]!)).rejects.toThrow(/no payload/);
    await store.close();
  });

  it('stores JSON bodies jq-readable and PDFs as files, with everything needed to rebuild', async () => {
    const dir = tempQueueDir();
    const store = await QueueStore.open(dir);
    const body = { t: 12.5, heart_rate: 71, leads: { II: [1, -2, 3] } };
    const metrics = await store.enqueue({ type: 'metrics', payload: JSON.stringify(body, null, 2), sessionId: 's9' });
    const pdfBytes = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x10, 0x0a]);
    const report = await store.enqueue({
      type: 'report', payload: pdfBytes, contentType: 'application/pdf', sessionId: 's9', metadata: { paper: 'a4' },
    });
    expect(JSON.parse((await store.readPayload(metrics.id)).toString())).toEqual(body);
    expect(await store.payloadInfo(metrics.id)).toEqual({ contentType: 'application/json', metadata: null });
    expect((await store.readPayload(report.id)).equals(pdfBytes)).toBe(true);
    expect(await store.payloadInfo(report.id)).toEqual({ contentType: 'application/pdf', metadata: { paper: 'a4' } });
    const envelope = JSON.parse(readFileSync(join(dir, 'payloads', `${metrics.id}.json`), 'utf8'));
    expect(envelope).toMatchObject({ id: metrics.id, type: 'metrics', session_id: 's9', queued_at: metrics.queued_at, body });
    expect(readFileSync(join(dir, 'payloads', `${report.id}.pdf`)).equals(pdfBytes)).toBe(true);
    await store.close();
  });

  it('rejects bad input as a usage error and keeps the first payload of a repeated id', async () => {
    const dir = tempQueueDir();
    const store = await QueueStore.open(dir);
    await expect(store.enqueue({ type: 'metrics', payload: '{not json' })).rejects.toBeInstanceOf(UsageError);
    await expect(store.enqueue({ type: 'bogus' as never, payload: '{}' })).rejects.toBeInstanceOf(UsageError);
    await expect(store.enqueue({ type: 'metrics', payload: '{}', id: '../escape' })).rejects.toBeInstanceOf(UsageError);
    const first = await store.enqueue({ type: 'metrics', payload: '{"v":1}', id: 'fixed-id' });
    const again = await store.enqueue({ type: 'metrics', payload: '{"v":2}', id: 'fixed-id' });
    expect(again.queued_at).toBe(first.queued_at);
    expect((await store.readPayload('fixed-id')).toString()).toBe('{"v":1}');
    expect((await store.counts()).totalQueued).toBe(1);
    expect(readdirSync(join(dir, 'payloads'))).toEqual(['fixed-id.json']);
    await store.close();
  });

  it('shares state between processes and survives another process compacting the journal', async () => {
    const dir = tempQueueDir();
    const store = await QueueStore.open(dir, { compactMinLines: 10 });
    await store.enqueue({ type: 'session_start', payload: '{}', id: 'mine' });
    await store.setStatus({ unauthorized: true });
    // 25 enqueues in another process compact at least twice (generation 0 -> 1 -> 2).
    const child = startChild('enqueue.mjs', [dir, '25', 'other'], { compactMinLines: 10 });
    expect((await child.exited).code).toBe(0);
    const names = readdirSync(dir);
    const journals = names.filter((n) => n.startsWith('journal-'));
    expect(journals).toHaveLength(1);
    const generation = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')).generation;
    expect(generation).toBeGreaterThanOrEqual(2);
    expect(journals[0]).toBe(`journal-${generation}.ndjson`);
    const items = await store.list();
    expect(items).toHaveLength(26);
    expect(await store.getStatus()).toMatchObject({ unauthorized: true });
    await store.markSynced('mine');
    const viewer = await QueueStore.open(dir);
    expect(await viewer.counts()).toMatchObject({ pending: 25, synced: 1, totalQueued: 26, totalSynced: 1 });
    await viewer.close();
    await store.close();
  });

  it('answers counts, status and due items exactly as a full scan of the index would', async () => {
    const dir = tempQueueDir();
    const writer = await QueueStore.open(dir, { syncedKeep: 3, compactMinLines: 15 });
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const types = ['session_start', 'report', 'session_end', 'waveform', 'metrics'] as const;
    let answeredFromSummaries = 0;
    for (let step = 0; step < 60; step += 1) {
      const roll = random();
      const pending = await writer.list({ state: 'pending' });
      const pick = pending[Math.floor(random() * pending.length)];
      if (roll < 0.4 || !pick) {
        await writer.enqueue({ type: types[step % types.length]!, payload: json({ step }), sessionId: `s${step % 3}` });
      } else if (roll < 0.55) {
        await writer.markInflight([pick.id]);
        await writer.markSynced(pick.id);
      } else if (roll < 0.65) {
        await writer.markFailed(pick.id, `HTTP 422 at ${step}`);
      } else if (roll < 0.8) {
        const next = new Date(Date.UTC(2030, 0, 1) + Math.floor(random() * 1e9)).toISOString();
        await writer.reschedule(pick.id, { error: 'HTTP 503', nextAttemptAt: next, countAttempt: true });
      } else if (roll < 0.85) {
        await writer.markInflight([pick.id]);
        await writer.reschedule(pick.id, { error: 'offline', nextAttemptAt: null, countAttempt: false });
      } else if (roll < 0.9) {
        await writer.retryFailed();
      } else {
        await writer.setStatus({ is_online: roll < 0.95, last_sync_at: new Date(Date.UTC(2030, 0, step)).toISOString() });
      }
      // due() keeps its own ordered structure: it must agree with sorting everything.
      const now = Date.UTC(2030, 0, 1) + Math.floor(random() * 1.2e9);
      const everyDue = (await writer.list({ state: 'pending' })).filter(
        (item) => item.next_attempt_at === null || Date.parse(item.next_attempt_at) <= now,
      );
      expect(await writer.due(now, 4), `step ${step}`).toEqual(everyDue.slice(0, 4));
      const notMetrics = (item: { type: string }) => item.type !== 'metrics';
      expect(await writer.due(now, 3, notMetrics), `step ${step}`).toEqual(everyDue.filter(notMetrics).slice(0, 3));
      const starts = (await writer.list()).filter((item) => item.type === 'session_start' && item.state !== 'synced');
      expect(await writer.unsyncedSessionStarts()).toEqual(new Set(starts.map((item) => item.session_id)));
      const viewer = await QueueStore.open(dir);
      expect(await viewer.counts(), `step ${step}`).toEqual(await writer.counts());
      expect(await viewer.getStatus(), `step ${step}`).toEqual(await writer.getStatus());
      if (!(viewer as unknown as { loadedOnce: boolean }).loadedOnce) answeredFromSummaries += 1;
      await viewer.close();
    }
    // The point of the test: most of those answers came without loading the index.
    expect(answeredFromSummaries).toBeGreaterThan(50);
    await writer.close();
  });
});
