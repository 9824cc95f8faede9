import type { Config } from '../config.js';
import { errorMessage } from '../errors.js';
import { log } from '../log.js';
import { QueueStore, type EnqueueInput } from './store.js';
import { SyncLoop, type SyncLoopOptions } from './sync.js';
import { queueStats } from './stats.js';
export { queueStats };
import type { ItemType, QueueItem, QueueStats } from './types.js';

/** What every upload call answers: delivered now, or safely queued for later. */
export interface UploadResult {
  status: 'success' | 'queued';
  /** The queue item id (also the upload's Idempotency-Key). */
  id: string;
  message?: string;
}

export interface BackendApiOptions extends SyncLoopOptions {
  /** How long an upload call waits for its own delivery before answering "queued". */
  uploadTimeoutMs?: number;
  /** Run the background loop (every SYNC_INTERVAL_S). Default true. */
  background?: boolean;
  /** Use an open store instead of opening `config.queueDir`; it is then not closed by `close()`. */
  store?: QueueStore;
}

export interface BackendApi {
  startSession(body: Record<string, unknown> & { session_id: string }): Promise<UploadResult>;
  uploadMetrics(sessionId: string, body: Record<string, unknown>): Promise<UploadResult>;
  uploadWaveform(sessionId: string, body: Record<string, unknown>): Promise<UploadResult>;
  uploadReport(sessionId: string, pdf: Uint8Array, metadata?: Record<string, unknown>): Promise<UploadResult>;
  endSession(sessionId: string, body: Record<string, unknown>): Promise<UploadResult>;
  getQueueStats(): Promise<QueueStats>;
  /** Tries every pending item now (backoff timers ignored, a server pause honoured). */
  forceSync(): Promise<void>;
  /** Failed items back to pending with fresh retry counters; returns how many. */
  retryFailed(): Promise<number>;
  clearSynced(): Promise<number>;
  getPendingItems(): Promise<QueueItem[]>;
  getFailedItems(): Promise<QueueItem[]>;
  /** Stops timers and waits for a running send; the process can then exit. */
  close(): Promise<void>;
}

/** A `queue sync` style pass: clears an unauthorized pause (the key may be fixed) and tries every pending item once. */
export async function syncEverything(store: QueueStore, loop: SyncLoop): Promise<void> {
  await store.setStatus({ unauthorized: false });
  await loop.drain({ ignoreBackoff: true, waitForLock: true });
}

/**
 * The seed's backend API over the durable queue: each call enqueues first (so nothing is lost),
 * then waits briefly for its own delivery.
 */
export function createBackendApi(config: Config, options: BackendApiOptions = {}): BackendApi {
  const uploadTimeoutMs = options.uploadTimeoutMs ?? 5_000;
  const opened = options.store ? Promise.resolve(options.store) : QueueStore.open(config.queueDir, { syncedKeep: config.syncedKeep });
  const ready = opened.then((store) => {
    const loop = new SyncLoop(store, config, options);
    if (options.background !== false) loop.start();
    return { store, loop };
  });
  let closed = false;

  async function upload(input: EnqueueInput): Promise<UploadResult> {
    const { store, loop } = await ready;
    const item = await store.enqueue(input);
    if (!loop.enabled) {
      const why = config.uploadEnabled ? 'BACKEND_API_URL is not set' : 'uploads are off (BACKEND_UPLOAD_ENABLED=false)';
      return { status: 'queued', id: item.id, message: `${why}; kept in the local queue` };
    }
    // Whichever comes first: the item settles, the pass that covers it ends, or the timeout.
    const outcome = await new Promise<string>((resolve) => {
      const onSettled = (id: string, state: string) => {
        if (id === item.id) finish(state);
      };
      const finish = (state: string) => {
        clearTimeout(timer);
        loop.off('settled', onSettled);
        resolve(state);
      };
      const timer = setTimeout(() => finish('timeout'), uploadTimeoutMs);
      loop.on('settled', onSettled);
      const pass = loop.kick();
      if (pass === null) finish('offline');
      else pass.then((report) => finish(report.stopped ?? 'not reached'), () => finish('sync error'));
    });
    if (outcome === 'synced') return { status: 'success', id: item.id };
    const current = await store.get(item.id);
    const reasons: Record<string, string> = {
      offline: 'the backend is not reachable',
      throttled: 'the backend asked to wait',
      unauthorized: 'the backend refused the API key',
      busy: 'another process is uploading',
      timeout: uploadTimeoutMs > 0 ? `not sent within ${uploadTimeoutMs} ms` : 'sending in the background',
    };
    const reason = outcome === 'failed' || outcome === 'pending' ? current?.last_error : reasons[outcome];
    const where = current?.state === 'failed' ? 'kept in the failed list' : 'kept in the queue for a later upload';
    return { status: 'queued', id: item.id, message: `${where} (${reason ?? 'not sent yet'})` };
  }

  const json = (type: ItemType, sessionId: string, body: unknown): EnqueueInput => ({
    type,
    sessionId,
    payload: JSON.stringify(body),
    contentType: 'application/json',
  });

  return {
    startSession: (body) => upload(json('session_start', body.session_id, body)),
    uploadMetrics: (sessionId, body) => upload(json('metrics', sessionId, body)),
    uploadWaveform: (sessionId, body) => upload(json('waveform', sessionId, body)),
    endSession: (sessionId, body) => upload(json('session_end', sessionId, body)),
    uploadReport: (sessionId, pdf, metadata = {}) =>
      upload({ type: 'report', sessionId, payload: pdf, contentType: 'application/pdf', metadata }),
    async getQueueStats() {
      const { store } = await ready;
      return queueStats(store, config);
    },
    async forceSync() {
      const { store, loop } = await ready;
      await syncEverything(store, loop);
    },
    async retryFailed() {
      const { store, loop } = await ready;
      await store.setStatus({ unauthorized: false });
      const count = await store.retryFailed();
      loop.kick();
      return count;
    },
    async clearSynced() {
      return (await ready).store.clearSynced();
    },
    async getPendingItems() {
      const { store } = await ready;
      return [...(await store.list({ state: 'inflight' })), ...(await store.list({ state: 'pending' }))];
    },
    async getFailedItems() {
      return (await ready).store.list({ state: 'failed' });
    },
    async close() {
      if (closed) return;
      closed = true;
      const { store, loop } = await ready;
      await loop.stop();
      if (!options.store) {
        await store.close().catch((error) => log.warn(`closing the queue: ${errorMessage(error)}`));
      }
    },
  };
}
