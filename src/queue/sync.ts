import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import type { Config } from '../config.js';
import { errorMessage } from '../errors.js';
import { log } from '../log.js';
import { GroupCommit } from './group-commit.js';
import { backoffDelayMs, classify, type Decision } from './policy.js';
import type { QueueStore, SyncStatus } from './store.js';
import type { QueueItem } from './types.js';
import type { Uploader } from './uploader.js';

/** "Due whatever the backoff says": the last instant with a four-digit year, so ISO times still compare as text. */
const LATEST_DATE_MS = Date.parse('9999-12-31T23:59:59.999Z');

/** The part of the store the loop drives (QueueStore satisfies it). */
export type SyncStore = Pick<
  QueueStore,
  | 'dir'
  | 'due'
  | 'unsyncedSessionStarts'
  | 'readPayload'
  | 'payloadInfo'
  | 'markInflight'
  | 'markSyncedMany'
  | 'markFailed'
  | 'reschedule'
  | 'counts'
  | 'recoverOrphanedInflight'
  | 'adoptStrayPayloads'
  | 'getStatus'
  | 'setStatus'
>;

export type SyncSettings = Pick<Config, 'uploadEnabled' | 'apiUrl' | 'apiKey' | 'caFile' | 'syncIntervalS' | 'maxRetries' | 'syncBatchSize'>;

export interface SyncLoopOptions {
  /** Default: a got uploader for `config.apiUrl`. */
  uploader?: Uploader;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Requests in flight at once within a batch. */
  concurrency?: number;
  random?: () => number;
  now?: () => number;
  /** A drain lock not refreshed for this long belongs to a dead process and is taken over (min 2000). */
  drainLockStaleMs?: number;
}

export interface DrainOptions {
  /** `queue sync`: send items whose backoff timer has not run out yet (a Retry-After pause still holds). */
  ignoreBackoff?: boolean;
  /** Wait for another process's drain to finish instead of skipping. */
  waitForLock?: boolean;
  /** Items already tried in this pass (kept across calls so a pass tries each item once). */
  seen?: Set<string>;
}

export type SkipReason = 'disabled' | 'busy' | 'offline' | 'throttled' | 'unauthorized';

export interface DrainReport {
  /** Why the pass stopped early or never started; null = it ran out of due items. */
  stopped: SkipReason | null;
  attempted: number;
  delivered: number;
  failed: number;
  /** Items put back for a later attempt. */
  retrying: number;
  throttledUntil: string | null;
}

/** Events: `settled` (id, 'synced' | 'failed' | 'pending') after each attempt; `drained` (DrainReport). */
export class SyncLoop extends EventEmitter {
  /** Null when uploads are off; got is loaded on the first pass, so an offline recorder never pays for it. */
  private uploader: Uploader | null;
  private readonly uploaderNeeded: boolean;
  private readonly ownsUploader: boolean;
  private readonly now: () => number;
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private kickQueued = false;
  private kicked: Promise<DrainReport> | null = null;
  private stopped = false;
  private lastOnline: boolean | null = null;
  private lastProbeProblem: string | null = null;
  private straysAdopted = false;
  /** Delivered items are marked synced in groups: one journal write for all that finished meanwhile. */
  private readonly syncedMarks: GroupCommit<string>;

  constructor(
    private readonly store: SyncStore,
    private readonly settings: SyncSettings,
    private readonly options: SyncLoopOptions = {},
  ) {
    super();
    this.now = options.now ?? Date.now;
    this.syncedMarks = new GroupCommit((ids) => this.store.markSyncedMany(ids));
    const enabled = settings.uploadEnabled && settings.apiUrl !== null;
    this.uploaderNeeded = enabled;
    this.ownsUploader = enabled && options.uploader === undefined;
    this.uploader = enabled ? (options.uploader ?? null) : null;
  }

  /** False when `BACKEND_UPLOAD_ENABLED=false` or no URL: then the loop makes no network traffic at all. */
  get enabled(): boolean {
    return this.uploaderNeeded;
  }

  private async loadUploader(): Promise<Uploader> {
    if (this.uploader === null) {
      const { createUploader } = await import('./uploader.js');
      this.uploader ??= createUploader({ apiUrl: this.settings.apiUrl!, apiKey: this.settings.apiKey, caFile: this.settings.caFile });
    }
    return this.uploader;
  }

  /** Drains now and then every `SYNC_INTERVAL_S`; timers do not keep the process alive. */
  start(): void {
    if (!this.enabled || this.stopped || this.timer) return;
    this.schedule(0);
  }

  /**
   * Right after an enqueue: drain soon unless the backend was unreachable last time. Returns the
   * pass that will cover the new item, or null when none will run now.
   */
  kick(): Promise<DrainReport> | null {
    if (!this.enabled || this.stopped || this.lastOnline === false) return null;
    if (this.kickQueued) return this.kicked;
    this.kickQueued = true;
    this.kicked = this.drain();
    this.kicked.catch((error) => log.warn(`sync failed: ${errorMessage(error)}`));
    return this.kicked;
  }

  /** False after the last probe failed. */
  get offline(): boolean {
    return this.lastOnline === false;
  }

  /** What the last failed probe met (a refused connection, an untrusted certificate, an HTTP status); null when it succeeded. */
  get offlineReason(): string | null {
    return this.lastProbeProblem;
  }

  /** Stops the timer and waits for a running drain; closes the uploader's sockets. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // Don't keep a closing recorder waiting for a slow backend: cancelled sends are simply retried later.
    this.uploader?.abort();
    await this.chain.catch(() => undefined);
    if (this.ownsUploader) this.uploader?.close();
  }

  /** One pass (one at a time in this process, and across processes by a lock file). */
  drain(options: DrainOptions = {}): Promise<DrainReport> {
    const run = this.chain.then(() => {
      this.kickQueued = false;
      return this.drainExclusive(options);
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.drain()
        .catch((error) => log.warn(`sync failed: ${errorMessage(error)}`))
        .finally(() => {
          if (!this.stopped) this.schedule(this.settings.syncIntervalS * 1000);
        });
    }, delayMs);
    this.timer.unref();
  }

  private async drainExclusive(options: DrainOptions): Promise<DrainReport> {
    const report: DrainReport = { stopped: null, attempted: 0, delivered: 0, failed: 0, retrying: 0, throttledUntil: null };
    if (!this.uploaderNeeded || this.stopped) return { ...report, stopped: 'disabled' };
    const uploader = await this.loadUploader();
    let compromised = false;
    const release = await this.acquireDrainLock(options.waitForLock === true, () => {
      compromised = true;
    });
    if (release === null) return { ...report, stopped: this.stopped ? 'disabled' : 'busy' };
    try {
      await this.runPass(uploader, options, report, () => compromised || this.stopped);
    } finally {
      await release().catch(() => undefined);
    }
    this.emit('drained', report);
    return report;
  }

  /**
   * The cross-process drain lock (a separate lock from the store's: that one guards each write,
   * this one a whole pass). Null when another process holds it, or when this loop stopped while waiting.
   */
  private async acquireDrainLock(wait: boolean, onLost: () => void): Promise<(() => Promise<void>) | null> {
    const waitUntilMs = Date.now() + 10 * 60_000;
    for (;;) {
      try {
        return await lockfile.lock(join(this.store.dir, 'drain'), {
          lockfilePath: join(this.store.dir, 'drain.lock'),
          realpath: false,
          stale: Math.max(2_000, this.options.drainLockStaleMs ?? 5_000),
          update: 1_000,
          onCompromised: (error) => {
            onLost();
            log.warn(`drain lock lost: ${error.message}`);
          },
        });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
        // Polled here rather than by proper-lockfile's retries, so stop() never waits for another process's pass.
        if (!wait || this.stopped || Date.now() > waitUntilMs) return null;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  private async runPass(uploader: Uploader, options: DrainOptions, report: DrainReport, aborted: () => boolean): Promise<void> {
    // A drainer killed mid-pass (e.g. `queue sync` in another shell) left items inflight; a long-running process must take them back.
    await this.store.recoverOrphanedInflight();
    if (!this.straysAdopted) {
      // Once per process, by whoever drains: a crash may have left payloads without index entries.
      await this.store.adoptStrayPayloads();
      this.straysAdopted = true;
    }
    const status = await this.store.getStatus();
    const throttledUntilMs = status.throttled_until ? Date.parse(status.throttled_until) : NaN;
    if (throttledUntilMs > this.now()) {
      report.stopped = 'throttled';
      report.throttledUntil = status.throttled_until;
      return;
    }
    if (!(await this.checkOnline(uploader))) {
      report.stopped = 'offline';
      await this.store.setStatus({ is_online: false, next_attempt_at: this.nextTickIso() });
      return;
    }
    const patch: Partial<SyncStatus> = { is_online: true };
    if (status.throttled_until !== null) patch.throttled_until = null;
    await this.store.setStatus(patch);
    const stop = await this.sendDue(uploader, options, report, status.unauthorized, aborted);
    if (stop !== null) {
      report.stopped = stop;
      if (stop === 'throttled') report.throttledUntil = (await this.store.getStatus()).throttled_until;
    }
    const counts = await this.store.counts();
    await this.store.setStatus({ last_sync_at: new Date(this.now()).toISOString(), next_attempt_at: counts.nextAttemptAt });
  }

  /**
   * Workers take due items from a buffer that is refilled SYNC_BATCH_SIZE at a time (marked
   * inflight together), so the pass never waits for a whole batch. An item of a session is only
   * due once that session's start is synced; a start finishing can make more items due, so an
   * empty refill waits for the items still on their way before the pass ends.
   */
  private async sendDue(
    uploader: Uploader,
    options: DrainOptions,
    report: DrainReport,
    startUnauthorized: boolean,
    aborted: () => boolean,
  ): Promise<SkipReason | null> {
    const seen = options.seen ?? new Set<string>();
    const concurrency = Math.max(1, this.options.concurrency ?? 8);
    const buffer: QueueItem[] = [];
    let unauthorized = startUnauthorized;
    let stop: SkipReason | null = null;
    let refilling: Promise<number> | null = null;
    let active = 0;
    let wake = () => {};
    let progress = new Promise<void>((resolve) => (wake = resolve));
    const signalProgress = () => {
      wake();
      progress = new Promise<void>((resolve) => (wake = resolve));
    };
    let offlineCheck: Promise<boolean> | null = null;
    // Synced marks still being written: the worker sends on meanwhile, and the item counts as active until it is durable.
    const settling = new Set<Promise<void>>();
    let settleError: unknown = null;

    const refill = async (): Promise<number> => {
      const blockedSessions = await this.store.unsyncedSessionStarts();
      const sendable = (item: QueueItem) =>
        !seen.has(item.id) && (item.type === 'session_start' || item.session_id === null || !blockedSessions.has(item.session_id));
      // While the key is refused, one item at a time tells us when it works again.
      const limit = unauthorized ? 1 : this.settings.syncBatchSize;
      const dueAtMs = options.ignoreBackoff ? LATEST_DATE_MS : this.now();
      const batch = await this.store.due(dueAtMs, limit, sendable);
      if (batch.length === 0) return 0;
      for (const item of batch) seen.add(item.id);
      await this.store.markInflight(batch.map((item) => item.id));
      buffer.push(...batch);
      return batch.length;
    };

    const take = async (): Promise<QueueItem | null> => {
      for (;;) {
        if (stop !== null || settleError !== null || aborted()) return null;
        const next = buffer.shift();
        if (next) {
          // Refill ahead (marking inflight takes a write), so workers do not stand idle on an empty buffer.
          if (!unauthorized && buffer.length < concurrency && refilling === null) {
            refilling = refill().finally(() => (refilling = null));
            refilling.catch(() => undefined);
          }
          return next;
        }
        if (unauthorized && active > 0) {
          await progress;
          continue;
        }
        refilling ??= refill().finally(() => (refilling = null));
        const added = await refilling;
        if (added > 0 || buffer.length > 0) continue;
        if (active === 0) return null;
        await progress;
      }
    };

    const worker = async () => {
      for (let item = await take(); item !== null; item = await take()) {
        active += 1;
        try {
          const decision = await this.attempt(uploader, item);
          if (aborted() && decision.action !== 'delivered') {
            await this.putBack(item, item.last_error ?? 'cancelled: the sync stopped', item.next_attempt_at, report);
            continue;
          }
          report.attempted += 1;
          if (decision.action === 'delivered') {
            active += 1;
            const settle = this.settleDelivered(item, report)
              .catch((error: unknown) => {
                settleError ??= error;
              })
              .finally(() => {
                settling.delete(settle);
                active -= 1;
                signalProgress();
              });
            settling.add(settle);
            if (unauthorized) {
              unauthorized = false;
              await this.store.setStatus({ unauthorized: false });
            }
            continue;
          }
          if (decision.action === 'transient' && decision.network) {
            // A network error right after a good probe may mean we just went offline: that spends no attempt.
            offlineCheck ??= this.checkOnline(uploader);
            if (!(await offlineCheck)) {
              stop ??= 'offline';
              await this.store.setStatus({ is_online: false, next_attempt_at: this.nextTickIso() });
              await this.putBack(item, decision.error, null, report);
              continue;
            }
          }
          const pause = await this.apply(item, decision, report);
          if (pause !== null) stop ??= pause;
        } finally {
          active -= 1;
          signalProgress();
        }
      }
    };

    await Promise.all(Array.from({ length: concurrency }, worker));
    await refilling;
    while (settling.size > 0) await Promise.all([...settling]);
    // Taken from the queue but never sent because the pass stopped: back to pending exactly as they were.
    for (const item of buffer.splice(0)) {
      await this.store.reschedule(item.id, { error: item.last_error, nextAttemptAt: item.next_attempt_at, countAttempt: false });
    }
    if (settleError !== null) throw settleError;
    return stop;
  }

  private async checkOnline(uploader: Uploader): Promise<boolean> {
    const probe = await uploader.probe();
    this.lastOnline = probe.kind === 'http' && probe.status >= 200 && probe.status < 300;
    this.lastProbeProblem = this.lastOnline ? null : probe.kind === 'http' ? `HTTP ${probe.status}` : probe.message;
    return this.lastOnline;
  }

  private nextTickIso(): string {
    return new Date(this.now() + this.settings.syncIntervalS * 1000).toISOString();
  }

  private async attempt(uploader: Uploader, item: QueueItem): Promise<Decision> {
    let payload: Buffer;
    let info: Awaited<ReturnType<SyncStore['payloadInfo']>>;
    try {
      payload = await this.store.readPayload(item.id);
      info = await this.store.payloadInfo(item.id);
    } catch (error) {
      return { action: 'permanent', error: `payload unreadable: ${errorMessage(error)}` };
    }
    const outcome = await uploader.send({ item, payload, contentType: info.contentType, metadata: info.metadata });
    return classify(outcome, this.now());
  }

  private async putBack(item: QueueItem, error: string, nextAttemptAt: string | null, report: DrainReport): Promise<void> {
    await this.store.reschedule(item.id, { error, nextAttemptAt, countAttempt: false });
    report.retrying += 1;
    this.emit('settled', item.id, 'pending');
  }

  private async apply(item: QueueItem, decision: Decision, report: DrainReport): Promise<SkipReason | null> {
    switch (decision.action) {
      case 'delivered':
        await this.settleDelivered(item, report);
        return null;
      case 'permanent':
        await this.fail(item, decision.error, report);
        return null;
      case 'unauthorized':
        log.warn('backend refused the API key; uploading paused');
        await this.store.setStatus({ unauthorized: true });
        await this.putBack(item, decision.error, null, report);
        return 'unauthorized';
      case 'transient': {
        if (decision.pauseMs !== null) {
          // The server named its own wait: the whole queue honours it, and the item is not to blame.
          const until = new Date(this.now() + decision.pauseMs).toISOString();
          await this.store.setStatus({ throttled_until: until });
          await this.putBack(item, decision.error, until, report);
          return 'throttled';
        }
        const attempts = item.retry_count + 1;
        if (attempts >= this.settings.maxRetries) {
          // Count the last attempt too, so a failed item shows all MAX_RETRIES of them.
          await this.store.reschedule(item.id, { error: decision.error, nextAttemptAt: null, countAttempt: true });
          await this.fail(item, decision.error, report);
          return null;
        }
        const delayMs = backoffDelayMs(attempts, {
          baseMs: this.options.backoffBaseMs,
          capMs: this.options.backoffCapMs,
          random: this.options.random,
        });
        const nextAttemptAt = new Date(this.now() + delayMs).toISOString();
        await this.store.reschedule(item.id, { error: decision.error, nextAttemptAt, countAttempt: true });
        report.retrying += 1;
        this.emit('settled', item.id, 'pending');
        return null;
      }
    }
  }

  /** Only after the server's 2xx; counts once the mark is durable (a crash before that resends with the same key). */
  private async settleDelivered(item: QueueItem, report: DrainReport): Promise<void> {
    await this.syncedMarks.add(item.id);
    report.delivered += 1;
    this.emit('settled', item.id, 'synced');
  }

  private async fail(item: QueueItem, error: string, report: DrainReport): Promise<void> {
    log.warn(`queue item ${item.id} (${item.type}) failed: ${error}`);
    await this.store.markFailed(item.id, error);
    report.failed += 1;
    this.emit('settled', item.id, 'failed');
  }
}
