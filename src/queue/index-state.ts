import { ITEM_TYPES, type ItemState, type ItemType, type QueueItem } from './types.js';

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

/** An index entry: the public item plus what ordering and crash recovery need. */
export interface ItemRecord extends QueueItem {
  /** Global enqueue order (journal order), the final tie-break of the send order. */
  seq: number;
  content_type: string;
  /** `host:pid:instance` of the store that marked it inflight; null otherwise. */
  inflight_owner: string | null;
}

/** The lowdb snapshot (`index.json`). `generation` names the journal that continues it. */
export interface Snapshot {
  format: 1;
  generation: number;
  next_seq: number;
  counters: Counters;
  status: SyncStatus;
  items: ItemRecord[];
}

/** One journal line: a mutation, applied in file order by every process. */
export type JournalOp =
  | { op: 'add'; item: Omit<ItemRecord, 'seq'> }
  | { op: 'inflight'; ids: string[]; owner: string }
  | { op: 'release'; ids: string[] }
  | { op: 'synced'; id: string; at: string }
  | { op: 'failed'; id: string; error: string }
  | { op: 'reschedule'; id: string; error: string | null; next_attempt_at: string | null; count_attempt: boolean }
  | { op: 'retry'; ids: string[] }
  | { op: 'drop'; ids: string[] }
  | { op: 'status'; patch: Partial<SyncStatus> };

const STATES: readonly ItemState[] = ['pending', 'inflight', 'synced', 'failed'];

export function emptySnapshot(generation = 0): Snapshot {
  return {
    format: 1,
    generation,
    next_seq: 0,
    counters: { total_queued: 0, total_synced: 0, total_failed: 0 },
    status: { ...DEFAULT_STATUS },
    items: [],
  };
}

/**
 * Send order: priority, then next attempt (never tried first), then age, then journal order.
 * Times are canonical ISO strings (the store normalises them), so they compare as text.
 */
export function compareSendOrder(a: ItemRecord, b: ItemRecord): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
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
    priority: record.priority,
    state: record.state,
    queued_at: record.queued_at,
    retry_count: record.retry_count,
    last_error: record.last_error,
    session_id: record.session_id,
    bytes: record.bytes,
    next_attempt_at: record.next_attempt_at,
    synced_at: record.synced_at,
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
  counters: Counters;
  status: SyncStatus;
  nextSeq: number;
  private readonly stateCounts: Record<ItemState, number> = { pending: 0, inflight: 0, synced: 0, failed: 0 };
  private undeliveredBytes = 0;

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
  }

  toSnapshot(generation: number): Snapshot {
    return {
      format: 1,
      generation,
      next_seq: this.nextSeq,
      counters: { ...this.counters },
      status: { ...this.status },
      items: [...this.items.values()],
    };
  }

  count(state: ItemState): number {
    return this.stateCounts[state];
  }

  bytesPending(): number {
    return this.undeliveredBytes;
  }

  /** Applies one journal op. Ops that no longer fit the state (another process got there first) are no-ops. */
  apply(op: JournalOp): void {
    switch (op.op) {
      case 'add': {
        if (this.items.has(op.item.id)) return;
        this.insert({ ...op.item, seq: this.nextSeq });
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
        this.update(op.id, (r) => {
          if (r.state === 'synced') return null;
          this.counters.total_synced += 1;
          return { ...r, state: 'synced', synced_at: op.at, inflight_owner: null, next_attempt_at: null };
        });
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
            retry_count: r.retry_count + (op.count_attempt ? 1 : 0),
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
    this.stateCounts[record.state] += 1;
    if (isUndelivered(record.state)) this.undeliveredBytes += record.bytes;
  }

  private remove(id: string): void {
    const record = this.items.get(id);
    if (!record) return;
    this.items.delete(id);
    this.syncedOrder.delete(id);
    this.stateCounts[record.state] -= 1;
    if (isUndelivered(record.state)) this.undeliveredBytes -= record.bytes;
  }

  /** Replaces a record (never mutated in place, so callers may hold returned records). */
  private update(id: string, change: (record: ItemRecord) => ItemRecord | null): void {
    const record = this.items.get(id);
    if (!record) return;
    const next = change(record);
    if (!next) return;
    this.remove(id);
    this.insert(next);
    if (next.state === 'synced') this.syncedOrder.add(id);
  }
}

function isUndelivered(state: ItemState): boolean {
  return state === 'pending' || state === 'inflight';
}

/** Light structural check of one index entry read from disk; full zod parsing of 100k items costs too much. */
export function isItemRecord(value: unknown): value is ItemRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.id === 'string' &&
    ITEM_TYPES.includes(r.type as ItemType) &&
    STATES.includes(r.state as ItemState) &&
    typeof r.priority === 'number' &&
    typeof r.queued_at === 'string' &&
    typeof r.retry_count === 'number' &&
    typeof r.bytes === 'number' &&
    typeof r.seq === 'number'
  );
}

/** Checks a parsed snapshot's shape; returns null when it is not one of ours. */
export function validateSnapshot(value: unknown): Snapshot | null {
  if (typeof value !== 'object' || value === null) return null;
  const s = value as Record<string, unknown>;
  if (s.format !== 1 || typeof s.generation !== 'number' || !Array.isArray(s.items)) return null;
  if (typeof s.counters !== 'object' || s.counters === null) return null;
  if (!s.items.every(isItemRecord)) return null;
  const counters = s.counters as Record<string, unknown>;
  return {
    format: 1,
    generation: s.generation,
    next_seq: typeof s.next_seq === 'number' ? s.next_seq : s.items.length,
    counters: {
      total_queued: Number(counters.total_queued) || 0,
      total_synced: Number(counters.total_synced) || 0,
      total_failed: Number(counters.total_failed) || 0,
    },
    status: { ...DEFAULT_STATUS, ...(typeof s.status === 'object' && s.status !== null ? s.status : {}) },
    items: s.items as ItemRecord[],
  };
}
