import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { createBackendApi, type BackendApi } from '../../src/queue/backend-api.js';
import { startTestBackend, type TestBackend } from '../helpers/backend.js';

const START = { session_id: 'S1', started_at: '2026-01-01T00:00:00Z', protocol: 'ascii', sample_rate_hz: 250, leads: ['II'] };
const METRICS = { t: 2, heart_rate: 72, rr_ms: 833, pr_ms: null, qrs_ms: 90, qt_ms: 380, qtc_ms: 416, signal_quality: 0.9 };
const WAVEFORM = { start_sample: 0, started_at: '2026-01-01T00:00:00Z', sample_rate_hz: 250, units: 'uV', leads: { II: [5, 6, -7] } };
const PDF = new Uint8Array(Buffer.from('%PDF-1.4\n%%EOF\n'));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(env: Record<string, string>, backend: TestBackend | null): Promise<{ api: BackendApi; config: Config }> {
  const dir = mkdtempSync(join(tmpdir(), 'ecg-api-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const config = loadConfig({
    env: { ECG_QUEUE_DIR: join(dir, 'queue'), ...(backend ? { BACKEND_API_URL: backend.url } : {}), ...env },
    cwd: dir,
  });
  const api = createBackendApi(config, { uploadTimeoutMs: 1000, backoffBaseMs: 50 });
  cleanups.push(() => api.close());
  return { api, config };
}

describe('createBackendApi', () => {
  it('delivers each kind of upload at once when online, and reports stats', async () => {
    const backend = await startTestBackend({ apiKey: 'k' });
    cleanups.push(() => backend.close());
    const { api, config } = await setup({ BACKEND_UPLOAD_ENABLED: 'true', BACKEND_API_KEY: 'k' }, backend);
    expect(await api.startSession(START)).toMatchObject({ status: 'success' });
    expect(await api.uploadMetrics('S1', METRICS)).toMatchObject({ status: 'success' });
    expect(await api.uploadWaveform('S1', WAVEFORM)).toMatchObject({ status: 'success' });
    expect(await api.uploadReport('S1', PDF, { paper: 'a4' })).toMatchObject({ status: 'success' });
    expect(await api.endSession('S1', { ended_at: '2026-01-01T00:10:00Z', summary: { beats: 700 } })).toMatchObject({
      status: 'success',
    });
    expect(backend.received().map((item) => item.type)).toEqual(['session_start', 'metrics', 'waveform', 'report', 'session_end']);
    const stats = await api.getQueueStats();
    expect(stats).toMatchObject({
      is_online: true, total_queued: 5, total_synced: 5, total_failed: 0, pending_count: 0, queue_dir: config.queueDir,
      upload_enabled: true, unauthorized: false, disk_error: null, memory_only_count: 0,
    });
    expect(stats.last_sync_at).not.toBeNull();
  });

  it('answers "queued" while the backend is down, then delivers on forceSync', async () => {
    const backend = await startTestBackend();
    cleanups.push(() => backend.close());
    await backend.setDown(true);
    const { api } = await setup({ BACKEND_UPLOAD_ENABLED: 'true' }, backend);
    const result = await api.startSession(START);
    expect(result.status).toBe('queued');
    expect(result.message).toMatch(/queue/);
    expect((await api.getPendingItems()).map((item) => item.id)).toEqual([result.id]);
    expect((await api.getQueueStats()).is_online).toBe(false);
    await backend.setDown(false);
    await api.forceSync();
    expect(backend.countsByKey().get(result.id)).toBe(1);
    expect(await api.getPendingItems()).toEqual([]);
  });

  it('keeps a permanently refused item in failed, and retryFailed puts it back', async () => {
    const backend = await startTestBackend();
    cleanups.push(() => backend.close());
    const { api } = await setup({ BACKEND_UPLOAD_ENABLED: 'true' }, backend);
    await api.startSession(START);
    const bad = await api.uploadMetrics('S1', { t: 'x' });
    expect(bad.status).toBe('queued');
    expect(bad.message).toMatch(/HTTP 422/);
    expect((await api.getFailedItems()).map((item) => item.id)).toEqual([bad.id]);
    expect(await api.retryFailed()).toBe(1);
    expect(await api.getFailedItems()).toHaveLength(0);
    expect(await api.clearSynced()).toBe(1);
  });

  it('with uploads off, queues everything and makes no request at all', async () => {
    const backend = await startTestBackend();
    cleanups.push(() => backend.close());
    const { api } = await setup({ BACKEND_UPLOAD_ENABLED: 'false' }, backend);
    expect(await api.startSession(START)).toMatchObject({ status: 'queued' });
    expect(await api.uploadMetrics('S1', METRICS)).toMatchObject({ status: 'queued' });
    await api.forceSync();
    expect((await api.getQueueStats())).toMatchObject({ pending_count: 2, upload_enabled: false, is_online: false });
    expect(backend.counters.requests).toBe(0);
  });

  it('close() cancels a hanging upload without spending an attempt', async () => {
    const backend = await startTestBackend();
    cleanups.push(() => backend.close());
    const { api, config } = await setup({ BACKEND_UPLOAD_ENABLED: 'true' }, backend);
    backend.setFaults({ latencyMs: 10 * 60_000 });
    const result = await api.startSession(START);
    expect(result).toMatchObject({ status: 'queued', message: expect.stringMatching(/not sent within/) });
    await api.close();
    const reopened = createBackendApi({ ...config, uploadEnabled: false });
    cleanups.push(() => reopened.close());
    expect(await reopened.getPendingItems()).toMatchObject([{ id: result.id, state: 'pending', retry_count: 0 }]);
  });
});
