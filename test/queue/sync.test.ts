import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultStep } from '../../src/backend/server.js';
import { QueueStore } from '../../src/queue/store.js';
import { SyncLoop, type SyncSettings } from '../../src/queue/sync.js';
import { createUploader } from '../../src/queue/uploader.js';
import { startTestBackend, type TestBackend } from '../helpers/backend.js';

const START = (sessionId: string) => ({
  session_id: sessionId, started_at: '2026-01-01T00:00:00Z', protocol: 'ascii', sample_rate_hz: 250, leads: ['II'],
});
const METRICS = { t: 2, heart_rate: 72, rr_ms: 833, pr_ms: 160, qrs_ms: 90, qt_ms: 380, qtc_ms: 416, signal_quality: 0.9 };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real store in a temp dir, a real backend on loopback, and a loop whose clock a test can move forward. */
async function rig(options: { apiKey?: string | null; clientKey?: string | null; settings?: Partial<SyncSettings> } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ecg-sync-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const backend = await startTestBackend({ apiKey: options.apiKey ?? null });
  cleanups.push(() => backend.close());
  const store = await QueueStore.open(join(dir, 'queue'));
  cleanups.push(() => store.close());
  const clock = { offsetMs: 0 };
  const settings: SyncSettings = {
    uploadEnabled: true, apiUrl: backend.url, apiKey: options.clientKey ?? null, caFile: null,
    syncIntervalS: 30, maxRetries: 5, syncBatchSize: 10, ...options.settings,
  };
  const makeLoop = (overrides: Partial<SyncSettings> = {}) => {
    const merged = { ...settings, ...overrides };
    const uploader = createUploader({ apiUrl: merged.apiUrl!, apiKey: merged.apiKey, requestTimeoutMs: 400 });
    const loop = new SyncLoop(store, merged, {
      uploader, backoffBaseMs: 1000, backoffCapMs: 5000, random: () => 0.99, now: () => Date.now() + clock.offsetMs,
    });
    cleanups.push(async () => {
      await loop.stop();
      uploader.close();
    });
    return loop;
  };
  const later = (ms: number) => (clock.offsetMs += ms);
  return { dir, backend, store, loop: makeLoop(), makeLoop, later };
}

type Rig = Awaited<ReturnType<typeof rig>>;

const enqueueStart = (store: QueueStore, sessionId = 'S1') =>
  store.enqueue({ type: 'session_start', sessionId, payload: JSON.stringify(START(sessionId)) });
const enqueueMetrics = (store: QueueStore, sessionId = 'S1', body: unknown = METRICS) =>
  store.enqueue({ type: 'metrics', sessionId, payload: JSON.stringify(body) });

describe('transient failures', () => {
  const cases: [string, FaultStep[], RegExp][] = [
    ['408', [{ status: 408 }], /HTTP 408/],
    ['425', [{ status: 425 }], /HTTP 425/],
    ['429', [{ status: 429 }], /HTTP 429/],
    ['500', [{ status: 500 }], /HTTP 500/],
    ['502', [{ status: 502 }], /HTTP 502/],
    ['503', [{ status: 503 }], /HTTP 503/],
    ['504', [{ status: 504 }], /HTTP 504/],
    ['a timeout', [{ delayMs: 1500 }], /ETIMEDOUT/],
    ['a reset before storing', [{ reset: 'before' }], /ECONNRESET|socket hang up/i],
    ['a reset after storing (lost reply)', [{ reset: 'after' }], /ECONNRESET|socket hang up/i],
  ];

  it.each(cases)('%s is retried with backoff and delivered exactly once', async (_name, steps, errorPattern) => {
    const { backend, store, loop, later } = await rig();
    const item = await enqueueStart(store);
    backend.script(...steps);
    const first = await loop.drain();
    expect(first).toMatchObject({ attempted: 1, delivered: 0, retrying: 1 });
    const waiting = (await store.get(item.id))!;
    expect(waiting).toMatchObject({ state: 'pending', retry_count: 1 });
    expect(waiting.last_error).toMatch(errorPattern);
    expect(Date.parse(waiting.next_attempt_at!)).toBeLessThanOrEqual(Date.now() + 1000 + 50);
    // Before its next attempt is due the item waits; afterwards it goes.
    later(1001);
    expect(await loop.drain()).toMatchObject({ delivered: 1 });
    expect((await store.get(item.id))!.state).toBe('synced');
    expect(backend.countsByKey().get(item.id)).toBe(1);
    expect(backend.received()).toHaveLength(1);
  });

  it('connection refused while offline spends no attempts; delivered once the backend is back', async () => {
    const { backend, store, loop } = await rig();
    const item = await enqueueStart(store);
    await backend.setDown(true);
    for (let round = 0; round < 3; round += 1) expect(await loop.drain()).toMatchObject({ stopped: 'offline', attempted: 0 });
    expect(await store.get(item.id)).toMatchObject({ state: 'pending', retry_count: 0 });
    expect((await store.getStatus()).is_online).toBe(false);
    await backend.setDown(false);
    expect(await loop.drain()).toMatchObject({ delivered: 1, stopped: null });
    expect((await store.getStatus()).is_online).toBe(true);
    expect(backend.countsByKey().get(item.id)).toBe(1);
  });

  it('moves an item to failed after MAX_RETRIES attempts, keeping the last error, without blocking others', async () => {
    const { backend, store, makeLoop } = await rig();
    const loop = makeLoop({ maxRetries: 3 });
    const doomed = await enqueueStart(store, 'S1');
    backend.script({ status: 500, body: 'one' }, { status: 502, body: 'two' }, { status: 503, body: 'three' });
    for (let attempt = 0; attempt < 3; attempt += 1) await loop.drain({ ignoreBackoff: true });
    expect(await store.get(doomed.id)).toMatchObject({ state: 'failed', retry_count: 3, last_error: 'HTTP 503: three' });
    const other = await enqueueStart(store, 'S2');
    expect(await loop.drain()).toMatchObject({ delivered: 1 });
    expect((await store.get(other.id))!.state).toBe('synced');
  });
});

describe('permanent and pausing replies', () => {
  it('fails a 422 at once with the server message; the rest of the batch still goes', async () => {
    const { backend, store, loop } = await rig();
    await enqueueStart(store);
    const bad = await enqueueMetrics(store, 'S1', { t: 'later' });
    const good = await enqueueMetrics(store, 'S1');
    const report = await loop.drain();
    expect(report).toMatchObject({ delivered: 2, failed: 1 });
    const failed = (await store.get(bad.id))!;
    expect(failed).toMatchObject({ state: 'failed', retry_count: 0 });
    expect(failed.last_error).toMatch(/^HTTP 422: invalid metrics body: t:/);
    expect((await store.get(good.id))!.state).toBe('synced');
    expect(backend.countsByKey().has(bad.id)).toBe(false);
  });

  it('401 pauses uploading without spending attempts, and resumes once the key is fixed', async () => {
    const { backend, store, loop, makeLoop } = await rig({ apiKey: 'right-key', clientKey: 'wrong-key' });
    const items = [await enqueueStart(store), await enqueueMetrics(store), await enqueueMetrics(store)];
    expect(await loop.drain()).toMatchObject({ stopped: 'unauthorized', delivered: 0 });
    expect((await store.getStatus()).unauthorized).toBe(true);
    // Paused: each later pass risks a single item, and spends nothing.
    expect(await loop.drain({ ignoreBackoff: true })).toMatchObject({ stopped: 'unauthorized', attempted: 1 });
    expect(backend.counters.unauthorized).toBeLessThanOrEqual(1 + 4);
    for (const item of items) expect(await store.get(item.id)).toMatchObject({ state: 'pending', retry_count: 0 });
    expect(backend.received()).toHaveLength(0);
    const fixed = makeLoop({ apiKey: 'right-key' });
    expect(await fixed.drain()).toMatchObject({ delivered: 3, stopped: null });
    expect((await store.getStatus()).unauthorized).toBe(false);
    expect(backend.received()).toHaveLength(3);
  });

  async function expectPause(r: Rig, retryAfter: string, pauseMs: number) {
    const { backend, store, loop, later } = r;
    const items = [await enqueueStart(store, 'S1'), await enqueueStart(store, 'S2'), await enqueueStart(store, 'S3')];
    backend.script({ status: 503, retryAfter });
    const report = await loop.drain();
    expect(report.stopped).toBe('throttled');
    const untilMs = Date.parse((await store.getStatus()).throttled_until!);
    expect(Math.abs(untilMs - (Date.now() + pauseMs))).toBeLessThan(2500);
    // The whole queue waits: no request at all (not even /health), backoff-ignoring passes included.
    const requestsBefore = backend.counters.requests;
    expect(await loop.drain({ ignoreBackoff: true })).toMatchObject({ stopped: 'throttled', attempted: 0 });
    expect(backend.counters.requests).toBe(requestsBefore);
    // Requests already in flight may finish; nothing spent an attempt and the throttled one waits.
    const states = await Promise.all(items.map((item) => store.get(item.id)));
    for (const item of states) expect(item).toMatchObject({ retry_count: 0 });
    expect(states.map((item) => item!.state)).toContain('pending');
    later(pauseMs + 2000);
    expect(await loop.drain()).toMatchObject({ stopped: null });
    for (const item of items) expect((await store.get(item.id))!.state).toBe('synced');
    expect((await store.getStatus()).throttled_until).toBeNull();
    expect(backend.received()).toHaveLength(3);
  }

  it('Retry-After in seconds pauses the whole queue', async () => {
    await expectPause(await rig(), '120', 120_000);
  });

  it('Retry-After as an HTTP-date pauses the whole queue', async () => {
    await expectPause(await rig(), new Date(Date.now() + 300_000).toUTCString(), 300_000);
  });
});

describe('order', () => {
  it('holds items of a session until its session_start succeeded', async () => {
    const { backend, store, loop, later } = await rig();
    const early = await enqueueMetrics(store, 'S1');
    const start = await enqueueStart(store, 'S1');
    backend.script({ status: 500 });
    expect(await loop.drain()).toMatchObject({ attempted: 1, delivered: 0 });
    expect((await store.get(early.id))!).toMatchObject({ state: 'pending', retry_count: 0 });
    // Other sessions are not held up while S1 waits for its start.
    const unrelated = await enqueueMetrics(store, 'S9');
    expect(await loop.drain()).toMatchObject({ attempted: 1, delivered: 1 });
    expect((await store.get(unrelated.id))!.state).toBe('synced');
    expect((await store.get(early.id))!.state).toBe('pending');
    later(1001);
    expect(await loop.drain()).toMatchObject({ delivered: 2 });
    const keys = backend.received().map((item) => item.key);
    expect(keys.indexOf(start.id)).toBeLessThan(keys.indexOf(early.id));
  });

  it('sends by priority: session_start, report, session_end, waveform, metrics', async () => {
    const { backend, store, loop } = await rig({ settings: { syncBatchSize: 1 } });
    await enqueueMetrics(store);
    await store.enqueue({
      type: 'session_end', sessionId: 'S1', payload: JSON.stringify({ ended_at: '2026-01-01T00:10:00Z', summary: {} }),
    });
    await enqueueStart(store);
    await loop.drain();
    expect(backend.received().map((item) => item.type)).toEqual(['session_start', 'session_end', 'metrics']);
  });
});

describe('switched off', () => {
  it('BACKEND_UPLOAD_ENABLED=false makes no request at all', async () => {
    const { backend, store, makeLoop } = await rig();
    const loop = makeLoop({ uploadEnabled: false });
    await enqueueStart(store);
    loop.start();
    loop.kick();
    expect(await loop.drain({ ignoreBackoff: true })).toMatchObject({ stopped: 'disabled', attempted: 0 });
    expect(backend.counters.requests).toBe(0);
    expect(loop.enabled).toBe(false);
  });

  it('one drain at a time across stores: a second drainer skips while the first holds the lock', async () => {
    const { backend, store, dir, loop } = await rig();
    const other = await QueueStore.open(join(dir, 'queue'));
    cleanups.push(() => other.close());
    const otherLoop = new SyncLoop(other, {
      uploadEnabled: true, apiUrl: backend.url, apiKey: null, caFile: null, syncIntervalS: 30, maxRetries: 5, syncBatchSize: 10,
    });
    cleanups.push(() => otherLoop.stop());
    for (let index = 0; index < 5; index += 1) await enqueueStart(store, `S${index}`);
    backend.setFaults({ latencyMs: 150 });
    const [a, b] = await Promise.all([loop.drain(), otherLoop.drain()]);
    expect([a.stopped, b.stopped]).toContain('busy');
    expect(a.delivered + b.delivered).toBe(5);
    expect(backend.received()).toHaveLength(5);
  });

  it('takes back items a closed or dead drainer left inflight', async () => {
    const { backend, store, dir, loop } = await rig();
    const item = await enqueueStart(store);
    const other = await QueueStore.open(join(dir, 'queue'));
    await other.markInflight([item.id]);
    await other.close();
    expect((await store.get(item.id))!.state).toBe('inflight');
    expect(await loop.drain()).toMatchObject({ delivered: 1 });
    expect(backend.countsByKey().get(item.id)).toBe(1);
  });

  it('stop() does not wait for another process to finish its pass', async () => {
    const { store, loop } = await rig();
    await enqueueStart(store);
    const release = await lockfile.lock(join(store.dir, 'drain'), { lockfilePath: join(store.dir, 'drain.lock'), realpath: false });
    try {
      const pass = loop.drain({ waitForLock: true });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await loop.stop();
      expect(await pass).toMatchObject({ attempted: 0, stopped: 'disabled' });
    } finally {
      await release();
    }
  });
});
