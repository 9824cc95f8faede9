import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { PendingOrder } from './pending-order.js';
import { ITEM_TYPES, PRIORITY, type ItemState, type ItemType, type QueueItem } from './types.js';

/** Shared between processes through the index (a second shell's `queue stats` sees it). */
export interface SyncStatus {
  is_online: boolean;
  unauthorized: boolean;
  throttled_until: string | null;
  last_sync_at: string | null;
  next_attempt_at: string | null;
}

export const DEFAULT_STATUS: SyncStatus = {
  is_online: false,
  unauthorized: false,
  throttled_until: null,
  last_sync_at: null,
  next_attempt_at: null,
};

export interface Counters {
  total_queued: number;
  total_synced: number;
  total_failed: number;
}

/**
 * An index entry, in memory and on disk alike: only what differs from the defaults is present
 * (no priority: the type gives it; absent = null, 0 or JSON). Sparse records keep 100k
 * items small and let the parsed index file be the in-memory index without a copy.
 */
export interface ItemRecord {
  id: string;
  type: ItemType;
  state: ItemState;
  queued_at: string;
  bytes: number;
  /** Global enqueue order (journal order), the final tie-break of the send order; -1 before it is assigned. */
  seq: number;
  session_id?: string | null;
  retry_count?: number;
  last_error?: string | null;
  next_attempt_at?: string | null;
  synced_at?: string | null;
  /** Absent for application/json. */
  content_type?: string;
  /** `host:pid:start:instance` of the store that marked it inflight. */
  inflight_owner?: string | null;
}

export const JSON_TYPE = 'application/json';

export function contentTypeOf(record: ItemRecord): string {
  return record.content_type ?? JSON_TYPE;
}

/** The lowdb snapshot (`index.json`), one entry per line. `generation` names the journal that continues it. */
export interface Snapshot {
  format: 1;
  generation: number;
  next_seq: number;
  counters: Counters;
  status: SyncStatus;
  summary?: Summary;
  items: ItemRecord[];
}

/**
 * Counts and status after a write, carried by the last journal line of every write and by the
 * snapshot header: `queue stats` reads them without loading 100k items.
 */
export interface Summary {
  pending: number;
  inflight: number;
  failed: number;
  synced: number;
  bytes_pending: number;
  next_attempt_at: string | null;
  counters: Counters;
  status: SyncStatus;
}

/** One journal line: a mutation, applied in file order by every process (`sum`: see Summary). */
export type JournalOp = (

  | { op: 'add'; item: Omit<ItemRecord, 'seq'> }
  | { op: 'inflight'; ids: string[]; owner: string }
  | { op: 'release'; ids: string[] }
  | { op: 'synced'; id: string; at: string }
  /** Several items delivered, settled in one line so a torn write settles all of them or none. */
  | { op: 'synced_many'; ids: string[]; at: string }
  | { op: 'failed'; id: string; error: string }
  | { op: 'reschedule'; id: string; error: string | null; next_attempt_at: string | null; count_attempt: boolean }
  | { op: 'retry'; ids: string[] }
  | { op: 'drop'; ids: string[] }
  | { op: 'status'; patch: Partial<SyncStatus> }
) & { sum?: Summary };

const STATES: readonly ItemState[] = ['pending', 'inflight', 'synced', 'failed'];

export function emptySnapshot(generation = 0): Snapshot {
  return {
    format: 1,
    generation,
    next_seq: 0,
    counters: { total_queued: 0, total_synced: 0, total_failed: 0 },
    status: { ...DEFAULT_STATUS },
    summary: {
      pending: 0,
      inflight: 0,
      failed: 0,
      synced: 0,
      bytes_pending: 0,
      next_attempt_at: null,
      counters: { total_queued: 0, total_synced: 0, total_failed: 0 },
      status: { ...DEFAULT_STATUS },
    },
    items: [],
  };
}

/**
 * Send order: priority, then next attempt (never tried first), then age, then journal order.
 * Times are canonical ISO strings (the store normalises them), so they compare as text.
 */
export function compareSendOrder(a: ItemRecord, b: ItemRecord): number {
  const priorityA = PRIORITY[a.type];
  const priorityB = PRIORITY[b.type];
  if (priorityA !== priorityB) return priorityA - priorityB;
  const nextA = a.next_attempt_at ?? '';
  const nextB = b.next_attempt_at ?? '';
  if (nextA !== nextB) return nextA < nextB ? -1 : 1;
  if (a.queued_at !== b.queued_at) return a.queued_at < b.queued_at ? -1 : 1;
  return a.seq - b.seq;
}

export function publicItem(record: ItemRecord): QueueItem {
  return {
    id: record.id,
    type: record.type,
    priority: PRIORITY[record.type],
    state: record.state,
    queued_at: record.queued_at,
    retry_count: record.retry_count ?? 0,
    last_error: record.last_error ?? null,
    session_id: record.session_id ?? null,
    bytes: record.bytes,
    next_attempt_at: record.next_attempt_at ?? null,
    synced_at: record.synced_at ?? null,
  };
}

/**
 * The in-memory index every process keeps. Mutations arrive only as journal ops, in journal
 * order, so every process that applied the same lines holds the same state.
 */
export class IndexState {
  readonly items = new Map<string, ItemRecord>();
  /** Synced ids, oldest first: the trim order for SYNCED_KEEP. */
  readonly syncedOrder = new Set<string>();
  /** Pending items in send order, for due(). */
  readonly pending = new PendingOrder((record) => record.state === 'pending' && this.items.get(record.id) === record);
  /** Session id -> its session_start items not yet synced (the sync holds that session's other items). */
  readonly unsyncedStarts = new Map<string, number>();
  counters: Counters;
  status: SyncStatus;
  nextSeq: number;
  private readonly stateCounts: Record<ItemState, number> = { pending: 0, inflight: 0, synced: 0, failed: 0 };
  private undeliveredBytes = 0;
  /** Earliest next attempt among pending items, kept incrementally; recomputed only when its holder changes. */
  private nextAttemptMin: string | null = null;
  private nextAttemptStale = false;

  constructor(snapshot: Snapshot) {
    this.counters = { ...snapshot.counters };
    this.status = { ...DEFAULT_STATUS, ...snapshot.status };
    this.nextSeq = snapshot.next_seq;
    const synced: ItemRecord[] = [];
    for (const record of snapshot.items) {
      this.insert(record);
      if (record.state === 'synced') synced.push(record);
    }
    synced.sort((a, b) => (a.synced_at ?? '').localeCompare(b.synced_at ?? '') || a.seq - b.seq);
    for (const record of synced) this.syncedOrder.add(record.id);
    this.pending.foldAll();
  }

  toSnapshot(generation: number): Snapshot {
    return {
      format: 1,
      generation,
      next_seq: this.nextSeq,
      counters: { ...this.counters },
      status: { ...this.status },
      summary: this.summary(),
      items: [...this.items.values()],
    };
  }

  summary(): Summary {
    return {
      pending: this.stateCounts.pending,
      inflight: this.stateCounts.inflight,
      failed: this.stateCounts.failed,
      synced: this.stateCounts.synced,
      bytes_pending: this.undeliveredBytes,
      next_attempt_at: this.nextAttemptAt(),
      counters: { ...this.counters },
      status: { ...this.status },
    };
  }

  /** The earliest next attempt among pending items (null: none waits). */
  nextAttemptAt(): string | null {
    if (this.nextAttemptStale) {
      let earliest: string | null = null;
      for (const record of this.items.values()) {
        const next = record.next_attempt_at;
        if (record.state === 'pending' && next != null && (earliest === null || next < earliest)) earliest = next;
      }
      this.nextAttemptMin = earliest;
      this.nextAttemptStale = false;
    }
    return this.nextAttemptMin;
  }

  count(state: ItemState): number {
    return this.stateCounts[state];
  }

  bytesPending(): number {
    return this.undeliveredBytes;
  }

  /** What undoes `ops` if writing them fails after they were applied (see restore). */
  checkpoint(ops: readonly JournalOp[]): Checkpoint {
    const records = new Map<string, ItemRecord | undefined>();
    for (const op of ops) for (const id of touchedIds(op)) if (!records.has(id)) records.set(id, this.items.get(id));
    return {
      records,
      counters: { ...this.counters },
      status: { ...this.status },
      nextSeq: this.nextSeq,
      stateCounts: { ...this.stateCounts },
      undeliveredBytes: this.undeliveredBytes,
      nextAttemptMin: this.nextAttemptMin,
      nextAttemptStale: this.nextAttemptStale,
    };
  }

  restore(checkpoint: Checkpoint): void {
    for (const [id, before] of checkpoint.records) {
      this.remove(id);
      if (before) {
        this.insert(before);
        if (before.state === 'synced') this.syncedOrder.add(id);
      }
    }
    this.counters = checkpoint.counters;
    this.status = checkpoint.status;
    this.nextSeq = checkpoint.nextSeq;
    Object.assign(this.stateCounts, checkpoint.stateCounts);
    this.undeliveredBytes = checkpoint.undeliveredBytes;
    this.nextAttemptMin = checkpoint.nextAttemptMin;
    this.nextAttemptStale = checkpoint.nextAttemptStale;
  }

  /** Applies one journal op. Ops that no longer fit the state (another process got there first) are no-ops. */
  apply(op: JournalOp): void {
    switch (op.op) {
      case 'add': {
        if (!checkRecord(op.item) || this.items.has(op.item.id)) return;
        this.insert(storedForm({ ...op.item, seq: this.nextSeq }));
        this.nextSeq += 1;
        this.counters.total_queued += 1;
        return;
      }
      case 'inflight':
        for (const id of op.ids) {
          this.update(id, (r) => (r.state === 'pending' ? { ...r, state: 'inflight', inflight_owner: op.owner } : null));
        }
        return;
      case 'release':
        for (const id of op.ids) {
          this.update(id, (r) => (r.state === 'inflight' ? { ...r, state: 'pending', inflight_owner: null } : null));
        }
        return;
      case 'synced':
        this.markSynced(op.id, op.at);
        return;
      case 'synced_many':
        for (const id of op.ids) this.markSynced(id, op.at);
        return;
      case 'failed':
        this.update(op.id, (r) => {
          if (r.state === 'synced' || r.state === 'failed') return null;
          this.counters.total_failed += 1;
          return { ...r, state: 'failed', last_error: op.error, inflight_owner: null };
        });
        return;
      case 'reschedule':
        this.update(op.id, (r) => {
          if (r.state === 'synced' || r.state === 'failed') return null;
          return {
            ...r,
            state: 'pending',
            inflight_owner: null,
            last_error: op.error,
            next_attempt_at: op.next_attempt_at,
            retry_count: (r.retry_count ?? 0) + (op.count_attempt ? 1 : 0),
          };
        });
        return;
      case 'retry':
        for (const id of op.ids) {
          this.update(id, (r) =>
            r.state === 'failed' ? { ...r, state: 'pending', retry_count: 0, next_attempt_at: null } : null,
          );
        }
        return;
      case 'drop':
        for (const id of op.ids) this.remove(id);
        return;
      case 'status':
        this.status = { ...this.status, ...op.patch };
        return;
    }
  }

  private insert(record: ItemRecord): void {
    this.items.set(record.id, record);
    if (record.state === 'pending') this.pending.add(record);
    if (isUnsyncedStart(record)) {
      this.unsyncedStarts.set(record.session_id!, (this.unsyncedStarts.get(record.session_id!) ?? 0) + 1);
    }
    this.stateCounts[record.state] += 1;
    if (isUndelivered(record.state)) this.undeliveredBytes += record.bytes;
    const next = record.next_attempt_at;
    if (record.state === 'pending' && next != null && !this.nextAttemptStale) {
      if (this.nextAttemptMin === null || next < this.nextAttemptMin) this.nextAttemptMin = next;
    }
  }

  private remove(id: string): void {
    const record = this.items.get(id);
    if (!record) return;
    this.items.delete(id);
    this.syncedOrder.delete(id);
    if (record.state === 'pending') this.pending.delete(record);
    if (isUnsyncedStart(record)) {
      const left = this.unsyncedStarts.get(record.session_id!)! - 1;
      if (left > 0) this.unsyncedStarts.set(record.session_id!, left);
      else this.unsyncedStarts.delete(record.session_id!);
    }
    this.stateCounts[record.state] -= 1;
    if (isUndelivered(record.state)) this.undeliveredBytes -= record.bytes;
    if (record.state === 'pending' && record.next_attempt_at != null && record.next_attempt_at === this.nextAttemptMin) {
      this.nextAttemptStale = true;
    }
  }

  /** Replaces a record (never mutated in place, so callers may hold returned records). */
  private markSynced(id: string, at: string): void {
    this.update(id, (r) => {
      if (r.state === 'synced') return null;
      this.counters.total_synced += 1;
      return { ...r, state: 'synced', synced_at: at, inflight_owner: null, next_attempt_at: null };
    });
  }

  private update(id: string, change: (record: ItemRecord) => ItemRecord | null): void {
    const record = this.items.get(id);
    if (!record) return;
    const changed = change(record);
    if (!changed) return;
    const next = storedForm(changed);
    this.remove(id);
    this.insert(next);
    if (next.state === 'synced') this.syncedOrder.add(id);
  }
}

export interface Checkpoint {
  records: Map<string, ItemRecord | undefined>;
  counters: Counters;
  status: SyncStatus;
  nextSeq: number;
  stateCounts: Record<ItemState, number>;
  undeliveredBytes: number;
  nextAttemptMin: string | null;
  nextAttemptStale: boolean;
}

function touchedIds(op: JournalOp): string[] {
  switch (op.op) {
    case 'add':
      return [op.item.id];
    case 'inflight':
    case 'release':
    case 'retry':
    case 'drop':
    case 'synced_many':
      return op.ids;
    case 'synced':
    case 'failed':
    case 'reschedule':
      return [op.id];
    case 'status':
      return [];
  }
}

function isUnsyncedStart(record: ItemRecord): boolean {
  return record.type === 'session_start' && record.state !== 'synced' && record.session_id != null;
}

function isUndelivered(state: ItemState): boolean {
  return state === 'pending' || state === 'inflight';
}

/** The record without its default-valued fields (a fresh object). */
export function storedForm(record: ItemRecord): ItemRecord {
  const stored: ItemRecord = {
    id: record.id,
    type: record.type,
    state: record.state,
    queued_at: record.queued_at,
    bytes: record.bytes,
    seq: record.seq,
  };
  if (record.session_id != null) stored.session_id = record.session_id;
  if (record.retry_count) stored.retry_count = record.retry_count;
  if (record.last_error != null) stored.last_error = record.last_error;
  if (record.next_attempt_at != null) stored.next_attempt_at = record.next_attempt_at;
  if (record.synced_at != null) stored.synced_at = record.synced_at;
  if (record.content_type !== undefined && record.content_type !== JSON_TYPE) stored.content_type = record.content_type;
  if (record.inflight_owner != null) stored.inflight_owner = record.inflight_owner;
  return stored;
}

/** Checks an entry read from disk (a light check: zod over 100k entries costs too much). */
export function checkRecord(value: unknown): value is Omit<ItemRecord, 'seq'> & { seq?: number } {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.id === 'string' &&
    ITEM_TYPES.includes(r.type as ItemType) &&
    STATES.includes(r.state as ItemState) &&
    typeof r.queued_at === 'string' &&
    typeof r.bytes === 'number'
  );
}

/** One entry per line, so the 100k-item index stays readable with jq and with less. */
export function serializeSnapshot(snapshot: Snapshot): string {
  const { items, ...head } = snapshot;
  const headText = JSON.stringify({ ...head, items: [] });
  const lines = items.map((record) => JSON.stringify(record));
  return `${headText.slice(0, -2)}\n${lines.join(',\n')}${SNAPSHOT_END}`;
}

const ITEMS_OPENER = '"items":[';
const SNAPSHOT_END = '\n]}\n';

/**
 * Parses `index.json` line by line when it has serializeSnapshot's layout, so the whole text
 * never sits in memory next to the parsed items (peak RSS at 100k items); any other layout
 * (e.g. reformatted with jq) is parsed whole. Throws SyntaxError on damage, like JSON.parse.
 */
export async function parseSnapshotFile(handle: FileHandle): Promise<unknown> {
  const chunk = Buffer.allocUnsafe(256 * 1024); // small enough that each decoded chunk stays out of large-object space
  const decoder = new StringDecoder('utf8');
  let position = 0;
  let carry = '';
  let head: Record<string, unknown> | null = null;
  const items: unknown[] = [];
  let closed = false;
  for (;;) {
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const lines = (carry + decoder.write(chunk.subarray(0, bytesRead))).split('\n');
    carry = lines.pop()!;
    for (const line of lines) {
      if (head === null) {
        if (!line.endsWith(ITEMS_OPENER)) return JSON.parse(await readWhole(handle));
        head = JSON.parse(`${line}]}`) as Record<string, unknown>;
      } else if (line === ']}') {
        closed = true;
      } else if (line === '') {
        continue;
      } else if (closed) {
        if (line.trim() !== '') throw new SyntaxError('text after the end of the index');
      } else {
        items.push(JSON.parse(line.endsWith(',') ? line.slice(0, -1) : line));
      }
    }
  }
  if (head === null) return JSON.parse(await readWhole(handle));
  if (!closed || (carry + decoder.end()).trim() !== '') throw new SyntaxError('the index ends early (truncated)');
  head.items = items;
  return head;
}

/** The snapshot's first line (everything but the items), when the file has serializeSnapshot's layout. */
export function readSnapshotHead(path: string): { generation: number; summary: Summary | null } | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    // A cut-off file shows at its end: check that first, it is one small read.
    const { size } = fstatSync(fd);
    const ending = Buffer.alloc(SNAPSHOT_END.length);
    readSync(fd, ending, 0, ending.length, Math.max(0, size - ending.length));
    if (ending.toString('utf8') !== SNAPSHOT_END) return null;
    const buffer = Buffer.allocUnsafe(16 * 1024);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    const end = buffer.indexOf(0x0a);
    if (end < 0 || end >= length) return null;
    const line = buffer.toString('utf8', 0, end);
    if (!line.endsWith(ITEMS_OPENER)) return null;
    const head = JSON.parse(`${line}]}`) as Record<string, unknown>;
    if (head.format !== 1 || typeof head.generation !== 'number') return null;
    return { generation: head.generation, summary: checkSummary(head.summary) };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

async function readWhole(handle: FileHandle): Promise<string> {
  const { size } = await handle.stat();
  const buffer = Buffer.allocUnsafe(size);
  let filled = 0;
  while (filled < size) {
    const { bytesRead } = await handle.read(buffer, filled, size - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.toString('utf8', 0, filled);
}

/** Checks a parsed snapshot's shape and completes its entries; null when it is not one of ours. */
export function validateSnapshot(value: unknown): Snapshot | null {
  if (typeof value !== 'object' || value === null) return null;
  const s = value as Record<string, unknown>;
  if (s.format !== 1 || typeof s.generation !== 'number' || !Array.isArray(s.items)) return null;
  if (typeof s.counters !== 'object' || s.counters === null) return null;
  const items = s.items as ItemRecord[];
  for (let index = 0; index < items.length; index += 1) {
    const entry = items[index];
    if (!checkRecord(entry)) return null;
    if (typeof entry.seq !== 'number') entry.seq = index;
  }
  const counters = s.counters as Record<string, unknown>;
  return {
    format: 1,
    generation: s.generation,
    next_seq: typeof s.next_seq === 'number' ? s.next_seq : items.length,
    counters: {
      total_queued: Number(counters.total_queued) || 0,
      total_synced: Number(counters.total_synced) || 0,
      total_failed: Number(counters.total_failed) || 0,
    },
    status: { ...DEFAULT_STATUS, ...(typeof s.status === 'object' && s.status !== null ? s.status : {}) },
    items,
  };
}

/** A Summary read from disk, or null when it is missing or not one of ours (the caller then loads the index). */
export function checkSummary(value: unknown): Summary | null {
  if (typeof value !== 'object' || value === null) return null;
  const s = value as Record<string, unknown>;
  const numbers = ['pending', 'inflight', 'failed', 'synced', 'bytes_pending'].every((key) => typeof s[key] === 'number');
  const counters = s.counters as Record<string, unknown> | undefined;
  const countersOk =
    typeof counters === 'object' &&
    counters !== null &&
    ['total_queued', 'total_synced', 'total_failed'].every((key) => typeof counters[key] === 'number');
  if (!numbers || !countersOk || typeof s.status !== 'object' || s.status === null) return null;
  return {
    ...(s as unknown as Summary),
    next_attempt_at: typeof s.next_attempt_at === 'string' ? s.next_attempt_at : null,
    status: { ...DEFAULT_STATUS, ...(s.status as Partial<SyncStatus>) },
  };
}
