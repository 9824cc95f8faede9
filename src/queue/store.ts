import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { Low } from 'lowdb';
import { UsageError } from '../errors.js';
import { log } from '../log.js';
import {
  CorruptFileError,
  DIR_MODE,
  DurableJsonAdapter,
  errorCode,
  fileStamp,
  fsyncDir,
  isDiskError,
} from './durable-adapter.js';
import {
  compareSendOrder,
  contentTypeOf,
  emptySnapshot,
  IndexState,
  publicItem,
  parseSnapshotFile,
  serializeSnapshot,
  storedForm,
  validateSnapshot,
  type ItemRecord,
  readSnapshotHead,
  type JournalOp,
  type Snapshot,
  type Summary,
  type SyncStatus,
} from './index-state.js';
import { encodeOps, Journal, JOURNAL_NAME, journalFileName, readLastSummary } from './journal.js';
import { DirLock } from './lock.js';
import { isJsonContentType, JSON_CONTENT_TYPE, PayloadFiles, type PayloadEnvelope } from './payload-file.js';
import { ITEM_TYPES, type ItemState, type ItemType, type QueueItem } from './types.js';

export type { SyncStatus } from './index-state.js';

export interface EnqueueInput {
  type: ItemType;
  /** JSON text or PDF bytes. */
  payload: Uint8Array | string;
  /** Default 'application/json'; 'application/pdf' for reports. */
  contentType?: string;
  sessionId?: string | null;
  /** E.g. report metadata for the multipart upload. */
  metadata?: Record<string, unknown>;
  /** Default: a new UUID. Letters, digits, `.`, `_`, `-`; it names the payload file. */
  id?: string;
}

export interface PayloadInfo {
  contentType: string;
  metadata: Record<string, unknown> | null;
}

export interface StoreOptions {
  /** Synced items kept as metadata (payloads deleted). Default 100. */
  syncedKeep?: number;
  /** A lock not refreshed for this long belongs to a dead process and is taken over (min 2000, default 5000). */
  lockStaleMs?: number;
  /** Journal lines that trigger compaction at the least (default 5000; tests lower it). */
  compactMinLines?: number;
}

export interface StoreCounts {
  pending: number;
  inflight: number;
  failed: number;
  synced: number;
  bytesPending: number;
  totalQueued: number;
  totalSynced: number;
  totalFailed: number;
  nextAttemptAt: string | null;
}

const SNAPSHOT_FILE = 'index.json';
const LOCK_DIR = 'index.lock';
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Fewest journal lines worth a compaction (see maybeCompact). */
const DEFAULT_COMPACT_MIN_LINES = 5000;
/** A payload file younger than this may still be being written by another process. */
const STRAY_WRITE_GRACE_MS = 10 * 60_000;

/** A validated item ready to persist (or, if the disk refuses it, to hold in memory until flushMemory()). */
export interface PreparedItem {
  record: ItemRecord;
  envelope: PayloadEnvelope;
  body: Buffer;
}

const HOST = hostname();
const OWN_START = processStartTicks(process.pid) ?? '-';
/** Owner tokens of the stores open in this process (an inflight mark by a closed store is orphaned). */
const liveOwners = new Set<string>();

/**
 * The durable queue's storage API: items and payloads on disk, shared by every process that
 * opens the same directory. No upload policy lives here.
 *
 * Layout: `index.json` (lowdb snapshot, generation G) + `journal-G.ndjson` (one fsynced op per
 * line since that snapshot) + `payloads/<id>.json`. Every mutation takes the directory lock,
 * catches up with the journal lines other processes appended, appends its own and fsyncs.
 */
export class QueueStore {
  readonly dir: string;
  private readonly syncedKeep: number;
  private readonly compactMinLines: number;
  private readonly lock: DirLock;
  private readonly payloads: PayloadFiles;
  private readonly adapter: DurableJsonAdapter<Snapshot>;
  private readonly db: Low<Snapshot>;
  private readonly owner: string;
  private state = new IndexState(emptySnapshot());
  private generation = 0;
  private journal: Journal;
  /** Offset just past the last journal line this process applied. */
  private journalEnd = 0;
  private journalLines = 0;
  private snapshotStamp: string | null = null;
  private readonly memory = new Map<string, PreparedItem>();
  private lastDiskError: string | null = null;
  private flushing: Promise<number> | null = null;
  private payloadCache: { id: string; envelope: PayloadEnvelope; body: Buffer } | null = null;
  private closed = false;

  private constructor(dir: string, options: StoreOptions) {
    this.dir = dir;
    this.syncedKeep = Math.max(0, Math.floor(options.syncedKeep ?? 100));
    this.compactMinLines = Math.max(1, options.compactMinLines ?? DEFAULT_COMPACT_MIN_LINES);
    this.lock = new DirLock(join(dir, LOCK_DIR), { staleMs: options.lockStaleMs });
    this.payloads = new PayloadFiles(dir);
    const snapshotPath = join(dir, SNAPSHOT_FILE);
    this.adapter = new DurableJsonAdapter(snapshotPath, validateSnapshot, serializeSnapshot, parseSnapshotFile);
    this.db = new Low<Snapshot>(this.adapter, emptySnapshot());
    this.owner = `${HOST}:${process.pid}:${OWN_START}:${randomUUID()}`;
    this.journal = new Journal(join(dir, journalFileName(0)));
  }

  /**
   * Opens (creating, mode 0700) a queue directory. Recovers: inflight items of dead processes
   * go back to pending with the same id; a corrupt or lost index is moved aside and rebuilt
   * from the payload files and the journal. A disk that refuses writes leaves the store
   * readable and enqueues held in memory (see diskError()).
   */
  static async open(dir: string, options: StoreOptions = {}): Promise<QueueStore> {
    const store = new QueueStore(resolve(dir), options);
    liveOwners.add(store.owner);
    try {
      await mkdir(store.payloads.dir, { recursive: true, mode: DIR_MODE });
      await store.lock.run(async () => {
        // Open stays O(1) (for `queue stats`) unless there is recovery to do: the index loads on first use.
        const peeked = store.peekSummary();
        if (peeked === null || peeked.summary.inflight > 0) await store.recoverOnOpen();
        else await store.removeStaleFiles(peeked.generation);
      });
    } catch (error) {
      if (!refusedByDisk(error)) {
        liveOwners.delete(store.owner);
        // A file where the path needs a directory: bad input, said plainly rather than as ENOTDIR.
        if (errorCode(error) === 'ENOTDIR') throw new UsageError(`cannot use ${store.dir} as the queue directory: part of that path is a file`);
        throw error;
      }
      store.noteDiskError(error);
      await store.refresh(false);
    }
    return store;
  }

  // ---------------------------------------------------------------- writes

  /** Durable (payload and journal fsynced) before it resolves. A refusing disk keeps the item in memory instead. */
  async enqueue(input: EnqueueInput): Promise<QueueItem> {
    this.assertOpen();
    const prepared = prepareItem(input);
    const id = prepared.record.id;
    if (this.memory.size > 0) await this.flushMemory();
    const known = this.state.items.get(id) ?? this.memory.get(id)?.record;
    if (known) return publicItem(known);
    try {
      await this.persist(prepared);
    } catch (error) {
      if (!refusedByDisk(error)) throw error;
      this.noteDiskError(error);
      this.memory.set(id, prepared);
      log.warn(`queue: disk refused item ${id}; holding it in memory`, error);
      return publicItem(prepared.record);
    }
    if (this.memory.size === 0) this.lastDiskError = null;
    return publicItem(this.state.items.get(id) ?? prepared.record);
  }

  /** Retries persisting memory-held items; returns how many reached the disk. */
  flushMemory(): Promise<number> {
    this.flushing ??= this.flushHeld().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  async markInflight(ids: string[]): Promise<void> {
    await this.mutate(() => {
      const pending = ids.filter((id) => this.state.items.get(id)?.state === 'pending');
      return pending.length > 0 ? [{ op: 'inflight', ids: pending, owner: this.owner }] : [];
    });
  }

  /** Synced: payload deleted; only the last `syncedKeep` synced items stay, as metadata. */
  async markSynced(id: string): Promise<void> {
    await this.markSyncedMany([id]);
  }

  /**
   * Group commit: settles several delivered items in ONE journal line (one write, one fdatasync,
   * one lock acquisition), so after a crash either all of them are synced or none (and those are
   * resent with the same Idempotency-Key). Unknown or already-synced ids are skipped.
   */
  async markSyncedMany(ids: readonly string[]): Promise<void> {
    const settled: ItemRecord[] = [];
    let settledDrops: string[] = [];
    await this.mutate(async () => {
      settled.length = 0;
      settledDrops = [];
      const fresh = new Set<string>();
      for (const id of ids) {
        const record = this.state.items.get(id);
        if (record && record.state !== 'synced' && !fresh.has(id)) {
          fresh.add(id);
          settled.push(record);
        }
      }
      if (fresh.size === 0) return [];
      const at = new Date().toISOString();
      const freshIds = [...fresh];
      const ops: JournalOp[] = [
        freshIds.length === 1 ? { op: 'synced', id: freshIds[0]!, at } : { op: 'synced_many', ids: freshIds, at },
      ];
      const excess = this.state.count('synced') + freshIds.length - this.syncedKeep;
      const dropIds: string[] = [];
      // Oldest first: the kept synced items, then (when fewer may stay than just arrived) the new ones.
      for (const source of [this.state.syncedOrder, freshIds]) {
        for (const oldId of source) {
          if (dropIds.length >= excess) break;
          dropIds.push(oldId);
        }
      }
      // An entry is dropped only once its payload is gone: a crash in between would leave a payload
      // that no entry names, and adoptStrayPayloads would take the delivered item in again as new.
      // The kept items' payloads can go now (a crash may have left one); the new ones' only after
      // this line, so those are dropped by a second one.
      const oldDrops = dropIds.filter((id) => !fresh.has(id));
      for (const id of oldDrops) await this.removePayloadOf(id);
      if (oldDrops.length > 0) ops.push({ op: 'drop', ids: oldDrops });
      settledDrops = dropIds.filter((id) => fresh.has(id));
      return ops;
    });
    if (settled.length === 0) return;
    if (this.payloadCache && ids.includes(this.payloadCache.id)) this.payloadCache = null;
    for (const record of settled) await this.removePayloadOf(record.id, record);
    if (settledDrops.length === 0) return;
    await this.mutate(() => {
      const stillSynced = settledDrops.filter((id) => this.state.items.get(id)?.state === 'synced');
      return stillSynced.length > 0 ? [{ op: 'drop', ids: stillSynced }] : [];
    });
  }

  /** Deletes an item's payload files; one that cannot be deleted is logged and left. */
  private async removePayloadOf(id: string, record: ItemRecord | undefined = this.state.items.get(id)): Promise<void> {
    if (!record) return;
    try {
      await this.payloads.remove(id, contentTypeOf(record));
    } catch (error) {
      log.warn(`queue: could not delete the payload of ${id}`, error);
    }
  }

  /** Permanent failure: kept (with its payload) until retried or cleared; counts in total_failed. */
  async markFailed(id: string, error: string): Promise<void> {
    await this.mutate(() => {
      const record = this.state.items.get(id);
      return record && record.state !== 'synced' && record.state !== 'failed' ? [{ op: 'failed', id, error }] : [];
    });
  }

  /** Back to pending with an error and a next attempt; countAttempt=false for offline/unauthorized (no retry spent). */
  async reschedule(
    id: string,
    opts: { error: string | null; nextAttemptAt: string | null; countAttempt: boolean },
  ): Promise<QueueItem> {
    const nextAttemptAt = canonicalTime(opts.nextAttemptAt);
    let result: ItemRecord | undefined;
    await this.mutate(
      () => {
        const record = this.state.items.get(id);
        if (!record) throw new Error(`queue item ${id} does not exist`);
        if (record.state === 'synced' || record.state === 'failed') return [];
        return [
          { op: 'reschedule', id, error: opts.error, next_attempt_at: nextAttemptAt, count_attempt: opts.countAttempt },
        ];
      },
      () => {
        result = this.state.items.get(id);
      },
    );
    if (!result) throw new Error(`queue item ${id} does not exist`);
    return publicItem(result);
  }

  /** failed -> pending with retry_count 0; returns how many. */
  async retryFailed(): Promise<number> {
    let count = 0;
    await this.mutate(() => {
      const ids = this.idsInState('failed');
      count = ids.length;
      return count > 0 ? [{ op: 'retry', ids }] : [];
    });
    return count;
  }

  /** Forgets the synced items kept for the audit trail; returns how many. */
  async clearSynced(): Promise<number> {
    let count = 0;
    await this.mutate(async () => {
      const ids = this.idsInState('synced');
      count = ids.length;
      // Payload first, as in markSyncedMany: a crash must not leave one that no entry names.
      for (const id of ids) await this.removePayloadOf(id);
      return count > 0 ? [{ op: 'drop', ids }] : [];
    });
    return count;
  }

  async setStatus(patch: Partial<SyncStatus>): Promise<void> {
    await this.mutate(() => {
      const changed = Object.fromEntries(
        Object.entries(patch).filter(([key, value]) => this.state.status[key as keyof SyncStatus] !== value),
      ) as Partial<SyncStatus>;
      return Object.keys(changed).length > 0 ? [{ op: 'status', patch: changed }] : [];
    });
  }

  /** Inflight items whose owner (a process, or a store in this one) is gone go back to pending; returns how many. */
  async recoverOrphanedInflight(): Promise<number> {
    let count = 0;
    await this.mutate(() => this.releaseOrphansOps((n) => (count = n)));
    return count;
  }

  /**
   * Takes in payload files that no index entry names. A crash between writing an item's payload
   * and journaling it leaves one; its envelope is whole, so the item comes back pending with its
   * own id (which the server dedupes on). Torn files (a crash mid-write) older than any write in
   * progress could be are deleted: nothing can be read from them. Returns what it did.
   */
  async adoptStrayPayloads(): Promise<{ adopted: number; removedTorn: number }> {
    let adopted = 0;
    let removedTorn = 0;
    await this.mutate(async () => {
      const { adoptable, torn } = await this.payloads.strays(
        (id) => this.state.items.has(id) || this.memory.has(id),
        Date.now(),
      );
      for (const file of torn) {
        if (file.ageMs < STRAY_WRITE_GRACE_MS) continue;
        this.payloads.removeFile(file.name);
        removedTorn += 1;
      }
      adopted = adoptable.length;
      adoptable.sort(byQueuedAt);
      return adoptable.map((envelope) => {
        const { seq: _seq, ...item } = recordFromEnvelope(envelope);
        return { op: 'add', item } satisfies JournalOp;
      });
    });
    if (adopted > 0) log.warn(`queue: adopted ${adopted} payload file(s) a crash left without an index entry`);
    if (removedTorn > 0) log.warn(`queue: removed ${removedTorn} torn payload file(s) left by a crash mid-write`);
    return { adopted, removedTorn };
  }

  /** Folds the journal into a new index snapshot now (it also happens by itself as the journal grows). */
  async compact(): Promise<void> {
    this.assertOpen();
    await this.lock.run(async () => {
      await this.refresh(true);
      await this.compactNow();
    });
  }

  // ---------------------------------------------------------------- reads

  async get(id: string): Promise<QueueItem | null> {
    await this.catchUp();
    const record = this.state.items.get(id) ?? this.memory.get(id)?.record;
    return record ? publicItem(record) : null;
  }

  /** In send order: priority, next attempt, age. Memory-held items show as pending. */
  async list(filter: { state?: ItemState; limit?: number } = {}): Promise<QueueItem[]> {
    await this.catchUp();
    const records = [...this.state.items.values(), ...[...this.memory.values()].map((held) => held.record)].filter(
      (record) => filter.state === undefined || record.state === filter.state,
    );
    records.sort(compareSendOrder);
    return records.slice(0, filter.limit ?? records.length).map(publicItem);
  }

  /** Due pending items in send order, skipping those `eligible` rejects. Memory-held items wait until persisted. */
  async due(nowMs: number, limit: number, eligible?: (item: QueueItem) => boolean): Promise<QueueItem[]> {
    await this.catchUp();
    const nowIso = new Date(nowMs).toISOString();
    const accept = eligible ? (record: ItemRecord) => eligible(publicItem(record)) : () => true;
    return this.state.pending.due(nowIso, limit, accept).map(publicItem);
  }

  /** Session ids that have a session_start item not yet synced (pending, inflight or failed). */
  async unsyncedSessionStarts(): Promise<Set<string>> {
    await this.catchUp();
    const sessions = new Set(this.state.unsyncedStarts.keys());
    for (const { record } of this.memory.values()) {
      if (record.type === 'session_start' && record.session_id != null) sessions.add(record.session_id);
    }
    return sessions;
  }

  async readPayload(id: string): Promise<Buffer> {
    return (await this.loadPayload(id)).body;
  }

  async payloadInfo(id: string): Promise<PayloadInfo> {
    const { envelope } = await this.loadPayload(id);
    return { contentType: envelope.content_type, metadata: envelope.metadata };
  }

  async counts(): Promise<StoreCounts> {
    let held = 0;
    let heldBytes = 0;
    for (const item of this.memory.values()) {
      held += 1;
      heldBytes += item.record.bytes;
    }
    const summary = await this.currentSummary();
    return {
      pending: summary.pending + held,
      inflight: summary.inflight,
      failed: summary.failed,
      synced: summary.synced,
      bytesPending: summary.bytes_pending + heldBytes,
      totalQueued: summary.counters.total_queued + held,
      totalSynced: summary.counters.total_synced,
      totalFailed: summary.counters.total_failed,
      nextAttemptAt: summary.next_attempt_at,
    };
  }

  async getStatus(): Promise<SyncStatus> {
    return { ...(await this.currentSummary()).status };
  }

  /** Until something needs the index, counts and status come from the summaries on disk (O(1) at any size). */
  private async currentSummary(): Promise<Summary> {
    this.assertOpen();
    if (!this.loadedOnce) {
      const peeked = await this.lock.runLocal(async () => (this.loadedOnce ? null : this.peekSummary()));
      if (peeked) return peeked.summary;
    }
    await this.catchUp();
    return this.state.summary();
  }

  /** Set while the disk refuses writes (one line: code and path), null once writes succeed again. */
  diskError(): string | null {
    return this.lastDiskError;
  }

  memoryOnlyCount(): number {
    return this.memory.size;
  }

  /** Tries once more to persist memory-held items, then lets go. Items still held are lost, so it logs them. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.memory.size > 0) await this.flushMemory().catch((error: unknown) => log.warn('queue: flush on close failed', error));
    if (this.memory.size > 0) {
      log.error(`queue: closing with ${this.memory.size} item(s) the disk refused`, [...this.memory.keys()]);
    }
    liveOwners.delete(this.owner);
    this.closed = true;
  }

  // ---------------------------------------------------------------- internals

  private assertOpen(): void {
    if (this.closed) throw new Error('queue store is closed');
  }

  private noteDiskError(error: NodeJS.ErrnoException): void {
    const where = error.path ?? this.dir;
    const what = error.code === 'ENOENT' ? `cannot create ${where}` : `the disk refused a write to ${where}`;
    this.lastDiskError = `${error.code ?? 'EIO'}: ${what}`;
  }

  private idsInState(state: ItemState): string[] {
    const ids: string[] = [];
    for (const record of this.state.items.values()) if (record.state === state) ids.push(record.id);
    return ids;
  }

  /**
   * The read-modify-write cycle: take the lock, catch up with the journal, decide (`decide`
   * sees the fresh state), append and fsync, apply. `after` runs still under the lock.
   */
  private async mutate(decide: () => JournalOp[] | Promise<JournalOp[]>, after?: () => void): Promise<void> {
    this.assertOpen();
    await this.lock.run(async () => {
      await this.refresh(true);
      const ops = await decide();
      if (ops.length > 0) await this.append(ops);
      after?.();
      await this.maybeCompact();
    });
  }

  /** Brings this process's index up to date for a read, without the lock unless something looks wrong. */
  private async catchUp(): Promise<void> {
    this.assertOpen();
    if (await this.lock.runLocal(() => this.refresh(false))) return;
    try {
      await this.lock.run(() => this.refresh(true));
    } catch (error) {
      if (!isDiskError(error)) throw error;
      this.noteDiskError(error);
    }
  }

  /**
   * Applies what changed on disk since the last call: only new journal lines, or the whole
   * snapshot when another process compacted. Without the lock, returns false when it met
   * something only a lock holder may repair (a corrupt snapshot, a garbled line).
   */
  private async refresh(locked: boolean): Promise<boolean> {
    const stamp = fileStamp(this.adapter.path);
    if (stamp !== this.snapshotStamp || (stamp === null && !this.loadedOnce)) return this.loadAll(locked);
    const read = await this.journal.readFrom(this.journalEnd);
    if (!locked && read.badLines > 0) return false;
    if (read.missing && this.journalEnd > 0) return this.loadAll(locked);
    if (read.badLines > 0) {
      log.warn(`queue: skipped ${read.badLines} unreadable journal line(s) in ${this.journal.path}`);
    }
    for (const op of read.ops) this.state.apply(op);
    this.journalEnd = read.endOffset;
    this.journalLines += read.ops.length + read.badLines;
    return true;
  }

  private loadedOnce = false;

  private async loadAll(locked: boolean): Promise<boolean> {
    let snapshot: Snapshot | null;
    try {
      await this.db.read();
      snapshot = this.adapter.lastStamp === null ? null : this.db.data;
    } catch (error) {
      if (!(error instanceof CorruptFileError)) throw error;
      if (!locked) return false;
      log.warn('queue: index is corrupt; rebuilding it from the payload files and the journal', error);
      snapshot = await this.rebuild(true);
    }
    if (snapshot === null) {
      // No index file: a new queue, or one whose index was lost.
      if (!locked) {
        snapshot = emptySnapshot(await this.newestJournalGeneration());
      } else {
        const lost = (await this.payloads.scan()).envelopes.length > 0 || (await this.newestJournalGeneration()) > 0;
        snapshot = lost ? await this.rebuild(false) : emptySnapshot();
        if (!lost) await this.writeSnapshot(snapshot);
      }
    }
    this.db.data = emptySnapshot(); // the IndexState holds the records now; don't keep a second array
    this.state = new IndexState(snapshot);
    this.switchGeneration(snapshot.generation);
    this.snapshotStamp = this.adapter.lastStamp;
    this.journalEnd = 0;
    this.journalLines = 0;
    this.loadedOnce = true;
    this.payloadCache = null;
    const read = await this.journal.readFrom(0);
    if (!locked && read.badLines > 0) return false;
    for (const op of read.ops) this.state.apply(op);
    this.journalEnd = read.endOffset;
    this.journalLines = read.ops.length + read.badLines;
    return true;
  }

  /**
   * Rebuilds the index from the payload files (every item with a payload comes back pending)
   * plus the newest journal, moving a corrupt snapshot aside first. Caller holds the lock.
   */
  private async rebuild(snapshotIsCorrupt: boolean): Promise<Snapshot> {
    if (snapshotIsCorrupt) {
      const aside = `${this.adapter.path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await rename(this.adapter.path, aside);
      log.warn(`queue: moved the corrupt index to ${aside}`);
    }
    const { envelopes, unreadable } = await this.payloads.scan();
    if (unreadable.length > 0) log.warn(`queue: ${unreadable.length} unreadable payload file(s) skipped`, unreadable);
    envelopes.sort(byQueuedAt);
    const newest = await this.newestJournalGeneration();
    const base = emptySnapshot(newest + 1);
    const state = new IndexState(base);
    for (const envelope of envelopes) state.apply({ op: 'add', item: recordFromEnvelope(envelope) });
    const journal = await new Journal(join(this.dir, journalFileName(newest))).readFrom(0);
    for (const op of journal.ops) state.apply(op);
    const snapshot = state.toSnapshot(newest + 1);
    await this.writeSnapshot(snapshot);
    log.warn(`queue: rebuilt the index with ${snapshot.items.length} item(s)`);
    return snapshot;
  }

  private async writeSnapshot(snapshot: Snapshot): Promise<void> {
    this.db.data = snapshot;
    await this.db.write();
    this.db.data = emptySnapshot();
    await this.removeStaleFiles(snapshot.generation);
  }

  /** Deletes journals of other generations and temp files of crashed writers. Caller holds the lock. */
  private async removeStaleFiles(generation: number): Promise<void> {
    for (const name of await readdir(this.dir)) {
      const journal = JOURNAL_NAME.exec(name);
      const oldJournal = journal !== null && Number(journal[1]) !== generation;
      const tempFile = name.startsWith(`.${SNAPSHOT_FILE}.`) && name.endsWith('.tmp');
      const stale = oldJournal || tempFile;
      if (stale) await unlink(join(this.dir, name)).catch(() => undefined);
    }
  }

  private async newestJournalGeneration(): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return 0; // a queue that could not even be created: memory only
      throw error;
    }
    let newest = 0;
    for (const name of names) {
      const match = JOURNAL_NAME.exec(name);
      if (match) newest = Math.max(newest, Number(match[1]));
    }
    return newest;
  }

  private switchGeneration(generation: number): void {
    this.generation = generation;
    this.journal = new Journal(join(this.dir, journalFileName(generation)));
  }

  /** Appends ops (one write, one fdatasync) and applies them. Caller holds the lock and has refreshed. */
  private async append(ops: JournalOp[]): Promise<void> {
    // Applied first so the last line can carry the resulting summary; undone if the write fails.
    const checkpoint = this.state.checkpoint(ops);
    for (const op of ops) this.state.apply(op);
    const lines = ops.map((op, index) => (index === ops.length - 1 ? { ...op, sum: this.state.summary() } : op));
    const created = this.journalEnd === 0;
    try {
      this.journalEnd = await this.journal.append(encodeOps(lines), this.journalEnd);
    } catch (error) {
      this.state.restore(checkpoint);
      throw error;
    }
    if (created) await fsyncDir(this.dir);
    this.journalLines += ops.length;
  }

  /**
   * Counts and status from the snapshot header plus the journal's last summary, without loading
   * the index; null when they cannot be had that way (no index yet, an old or foreign layout).
   */
  private peekSummary(): { summary: Summary; generation: number } | null {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const stamp = fileStamp(this.adapter.path);
      const head = stamp === null ? null : readSnapshotHead(this.adapter.path);
      if (!head || !head.summary) return null;
      const tail = readLastSummary(join(this.dir, journalFileName(head.generation)));
      if (tail === null) return null;
      // Another process compacted in between: the journal read may belong to the old snapshot.
      if (fileStamp(this.adapter.path) !== stamp) continue;
      return { summary: tail === 'empty' ? head.summary : tail, generation: head.generation };
    }
    return null;
  }

  /** Folds the journal into a new snapshot generation once it outgrows the index. Caller holds the lock. */
  /**
   * Compacts once the journal holds at least `compactMinLines` lines and half the snapshot's
   * bytes: replaying it on open then costs at most half of parsing the snapshot, and the
   * snapshot rewrite is paid once per that many bytes of appends (O(1) amortised).
   */
  private async maybeCompact(): Promise<void> {
    if (this.journalLines < this.compactMinLines) return;
    if (this.journalEnd >= this.adapter.lastSize / 2) await this.compactNow();
  }

  private async compactNow(): Promise<void> {
    try {
      await this.writeSnapshot(this.state.toSnapshot(this.generation + 1));
    } catch (error) {
      if (!isDiskError(error)) throw error;
      log.warn('queue: compaction postponed, the disk refused the new index', error);
      return;
    }
    this.switchGeneration(this.generation + 1);
    this.snapshotStamp = this.adapter.lastStamp;
    this.journalEnd = 0;
    this.journalLines = 0;
  }

  private async recoverOnOpen(): Promise<void> {
    await this.refresh(true);
    await this.removeStaleFiles(this.generation);
    const ops = this.releaseOrphansOps(() => undefined);
    if (ops.length > 0) await this.append(ops);
    await this.maybeCompact();
  }

  private releaseOrphansOps(report: (count: number) => void): JournalOp[] {
    const orphans: string[] = [];
    for (const record of this.state.items.values()) {
      if (record.state === 'inflight' && !ownerAlive(record.inflight_owner ?? null)) orphans.push(record.id);
    }
    report(orphans.length);
    return orphans.length > 0 ? [{ op: 'release', ids: orphans }] : [];
  }

  /** Writes the payload, then journals the add under the lock; an existing id keeps its first payload. */
  private async persist(prepared: PreparedItem, retried = false): Promise<void> {
    const { record, envelope, body } = prepared;
    let fileExisted = false;
    try {
      await this.payloads.write(envelope, body, true);
    } catch (error) {
      if (errorCode(error) === 'ENOENT' && !retried) {
        // The directory could not be made at open (or was removed since): try to make it now.
        await mkdir(this.payloads.dir, { recursive: true, mode: DIR_MODE });
        return this.persist(prepared, true);
      }
      if (errorCode(error) !== 'EEXIST') throw error;
      fileExisted = true;
    }
    await this.mutate(async () => {
      const known = this.state.items.get(record.id);
      if (known) {
        if (!fileExisted && known.state === 'synced') await this.payloads.remove(record.id, contentTypeOf(record));
        return [];
      }
      // A payload without an index entry: left by a crash before its journal line; ours replaces it.
      if (fileExisted) {
        await this.payloads.write(envelope, body, false);
        if (this.payloadCache?.id === record.id) this.payloadCache = null;
      }
      const { seq: _seq, ...item } = record;
      return [{ op: 'add', item }];
    });
  }

  private async flushHeld(): Promise<number> {
    let persisted = 0;
    for (const [id, held] of [...this.memory]) {
      try {
        await this.persist(held);
      } catch (error) {
        if (!refusedByDisk(error)) throw error;
        this.noteDiskError(error);
        return persisted;
      }
      this.memory.delete(id);
      persisted += 1;
    }
    this.lastDiskError = null;
    if (persisted > 0) log.info(`queue: ${persisted} memory-held item(s) persisted`);
    return persisted;
  }

  private async loadPayload(id: string): Promise<{ envelope: PayloadEnvelope; body: Buffer }> {
    const held = this.memory.get(id);
    if (held) return held;
    if (this.payloadCache?.id === id) return this.payloadCache;
    try {
      const loaded = await this.payloads.read(id);
      this.payloadCache = { id, ...loaded };
      return loaded;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') throw new Error(`queue item ${id} has no payload (synced, cleared or unknown)`);
      throw error;
    }
  }
}

/**
 * The disk refuses writes, or the queue directory is missing and cannot be made (a recursive
 * mkdir says ENOENT on a read-only parent).
 */
function refusedByDisk(error: unknown): error is NodeJS.ErrnoException {
  return isDiskError(error) || errorCode(error) === 'ENOENT';
}

/** Whether the store that marked an item inflight (`host:pid:start:instance`) may still be sending it. */
function ownerAlive(owner: string | null): boolean {
  if (owner === null) return false;
  const [host, pidText, start] = owner.split(':');
  const pid = Number(pidText);
  if (host !== HOST || !Number.isInteger(pid)) return false;
  if (pid === process.pid && start === OWN_START) return liveOwners.has(owner);
  const currentStart = processStartTicks(pid);
  // Where /proc tells the start time, a reused pid does not pass for the dead sender.
  if (currentStart !== null) return start === '-' || currentStart === start;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

/** Linux: the process start time in ticks since boot (field 22 of /proc/<pid>/stat); null elsewhere or if gone. */
function processStartTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** ISO-8601 in UTC with milliseconds, so times order as text. */
function canonicalTime(value: string | null): string | null {
  if (value === null) return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`not a time: ${value}`);
  return new Date(ms).toISOString();
}

function byQueuedAt(a: PayloadEnvelope, b: PayloadEnvelope): number {
  return a.queued_at < b.queued_at ? -1 : a.queued_at > b.queued_at ? 1 : 0;
}

function recordFromEnvelope(envelope: PayloadEnvelope): ItemRecord {
  return storedForm({
    id: envelope.id,
    type: envelope.type,
    state: 'pending',
    queued_at: canonicalTime(envelope.queued_at) ?? envelope.queued_at,
    session_id: envelope.session_id,
    bytes: envelope.bytes,
    content_type: envelope.content_type,
    seq: -1,
  });
}

/**
 * Validates an enqueue where it enters the queue (bad input is a usage error, never a
 * half-written item) and builds its index record and payload envelope. Exported for bulk fills.
 */
export function prepareItem(input: EnqueueInput): PreparedItem {
  if (!ITEM_TYPES.includes(input.type)) throw new UsageError(`unknown queue item type: ${String(input.type)}`);
  const id = input.id ?? randomUUID();
  if (!ID_PATTERN.test(id)) throw new UsageError(`invalid queue item id: ${id} (letters, digits, '.', '_', '-')`);
  const contentType = input.contentType ?? JSON_CONTENT_TYPE;
  const body =
    typeof input.payload === 'string'
      ? Buffer.from(input.payload, 'utf8')
      : Buffer.from(input.payload.buffer, input.payload.byteOffset, input.payload.byteLength);
  if (isJsonContentType(contentType)) {
    try {
      JSON.parse(body.toString('utf8'));
    } catch {
      throw new UsageError(`the ${input.type} payload is not valid JSON`);
    }
  }
  const metadata = input.metadata ?? null;
  if (metadata !== null && (typeof metadata !== 'object' || Array.isArray(metadata))) {
    throw new UsageError('queue item metadata must be a JSON object');
  }
  const sessionId = input.sessionId ?? null;
  const queuedAt = new Date().toISOString();
  const record = storedForm({
    id,
    type: input.type,
    state: 'pending',
    queued_at: queuedAt,
    session_id: sessionId,
    bytes: body.length,
    seq: -1,
    content_type: contentType,
  });
  const envelope: PayloadEnvelope = {
    format: 1,
    id,
    type: input.type,
    session_id: sessionId,
    queued_at: queuedAt,
    content_type: contentType,
    metadata,
    bytes: body.length,
  };
  // A caller's Uint8Array may be reused after we return: keep our own copy while it is memory-held.
  return { record, envelope, body: typeof input.payload === 'string' ? body : Buffer.from(body) };
}
