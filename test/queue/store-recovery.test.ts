import { appendFileSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { QueueStore } from '../../src/queue/store.js';
import { removeTempDirs, tempQueueDir } from './store-helpers.js';

afterAll(removeTempDirs);

/** A queue with a compacted snapshot and a journal after it: five pending, one synced, one failed, one report. */
async function seededQueue(): Promise<{ dir: string; pending: string[]; failed: string; report: string }> {
  const dir = tempQueueDir();
  const store = await QueueStore.open(dir, { compactMinLines: 4 });
  const pending: string[] = [];
  for (let i = 0; i < 5; i += 1) pending.push((await store.enqueue({ type: 'metrics', payload: `{"i":${i}}`, sessionId: 's' })).id);
  const synced = await store.enqueue({ type: 'session_start', payload: '{"s":1}', sessionId: 's' });
  const failed = await store.enqueue({ type: 'waveform', payload: '{"w":1}', sessionId: 's' });
  const report = await store.enqueue({
    type: 'report', payload: Buffer.from('%PDF-1.4 x'), contentType: 'application/pdf', sessionId: 's', metadata: { pages: 1 },
  });
  await store.markSynced(synced.id);
  await store.markFailed(failed.id, 'HTTP 422');
  await store.close();
  return { dir, pending: [...pending, report.id], failed: failed.id, report: report.id };
}

function corruptFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith('index.json.corrupt-'));
}

describe('QueueStore recovery', () => {
  it.each([
    ['garbage', (path: string) => writeFileSync(path, 'this is not json {{{')],
    ['truncated', (path: string) => truncateSync(path, Math.floor(statSync(path).size / 2))],
    ['empty', (path: string) => writeFileSync(path, '')],
    ['foreign JSON', (path: string) => writeFileSync(path, '{"items": 3}')],
  ])('moves a %s index aside and rebuilds it from the payload files and journal', async (_name, damage) => {
    const { dir, pending, report } = await seededQueue();
    expect(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')).generation).toBeGreaterThan(0);
    damage(join(dir, 'index.json'));
    const store = await QueueStore.open(dir);
    expect(corruptFiles(dir)).toHaveLength(1);
    const items = await store.list({ state: 'pending' });
    // Every item with a payload is back and sendable; the payload metadata rebuilt it faithfully.
    expect(items.map((item) => item.id).sort()).toEqual(expect.arrayContaining([...pending].sort()));
    const rebuiltReport = await store.get(report);
    expect(rebuiltReport).toMatchObject({ type: 'report', priority: 2, session_id: 's', bytes: 10 });
    expect(await store.payloadInfo(report)).toEqual({ contentType: 'application/pdf', metadata: { pages: 1 } });
    expect((await store.readPayload(report)).toString()).toBe('%PDF-1.4 x');
    expect(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')).items.length).toBeGreaterThanOrEqual(6);
    await store.enqueue({ type: 'metrics', payload: '{"after":true}' });
    await store.close();
    const again = await QueueStore.open(dir);
    expect(corruptFiles(dir)).toHaveLength(1);
    expect((await again.counts()).pending).toBeGreaterThanOrEqual(7);
    await again.close();
  });

  it('rebuilds a deleted index, replaying the journal for states the payloads cannot tell', async () => {
    const dir = tempQueueDir();
    const store = await QueueStore.open(dir);
    const a = await store.enqueue({ type: 'metrics', payload: '{"a":1}' });
    const b = await store.enqueue({ type: 'metrics', payload: '{"b":1}' });
    await store.markFailed(b.id, 'HTTP 400: nope');
    await store.close();
    rmSync(join(dir, 'index.json'));
    const reopened = await QueueStore.open(dir);
    expect(await reopened.get(a.id)).toMatchObject({ state: 'pending' });
    expect(await reopened.get(b.id)).toMatchObject({ state: 'failed', last_error: 'HTTP 400: nope' });
    await reopened.close();
  });

  it('ignores a torn last journal line and cuts it off before the next append', async () => {
    const { dir, pending } = await seededQueue();
    const { generation } = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { generation: number };
    const path = join(dir, `journal-${generation}.ndjson`);
    appendFileSync(path, '{"op":"status","patch":{"is_online":true}}\n');
    appendFileSync(path, '{"op":"add","item":{"id":"half-writ');
    const store = await QueueStore.open(dir);
    expect(await store.get('half-writ')).toBeNull();
    expect((await store.getStatus()).is_online).toBe(true);
    expect((await store.list({ state: 'pending' })).map((item) => item.id).sort()).toEqual([...pending].sort());
    const added = await store.enqueue({ type: 'metrics', payload: '{"next":1}' });
    await store.close();
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('half-writ');
    expect(text.split('\n').filter(Boolean).every((line) => JSON.parse(line))).toBe(true);
    const again = await QueueStore.open(dir);
    expect(await again.get(added.id)).toMatchObject({ state: 'pending' });
    await again.close();
  });

  it('skips garbage lines inside the journal without losing the lines around them', async () => {
    const dir = tempQueueDir();
    const store = await QueueStore.open(dir);
    const a = await store.enqueue({ type: 'metrics', payload: '{"a":1}' });
    appendFileSync(join(dir, 'journal-0.ndjson'), '\u0000\u0000garbage\n');
    const b = await store.enqueue({ type: 'metrics', payload: '{"b":1}' });
    await store.close();
    const reopened = await QueueStore.open(dir);
    expect((await reopened.list()).map((item) => item.id)).toEqual([a.id, b.id]);
    await reopened.close();
  });

  it('ignores a half-written payload file when rebuilding', async () => {
    const dir = tempQueueDir();
    const store = await QueueStore.open(dir);
    const a = await store.enqueue({ type: 'metrics', payload: '{"a":1}' });
    await store.close();
    writeFileSync(join(dir, 'payloads', 'torn.json'), '{"format":1,"id":"torn","type":"metr');
    writeFileSync(join(dir, 'index.json'), '{');
    const reopened = await QueueStore.open(dir);
    expect((await reopened.list()).map((item) => item.id)).toEqual([a.id]);
    await reopened.close();
  });
});
