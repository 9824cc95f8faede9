import type { ItemRecord } from './index-state.js';
import { PRIORITY } from './types.js';

const PRIORITIES = [...new Set(Object.values(PRIORITY))].sort((a, b) => a - b);
/** Out-of-order arrivals tolerated before a bucket is re-sorted (at the next due()). */
const LATE_LIMIT = 256;

/** Age order among ready items: queued_at, then journal order. */
function readyBefore(a: ItemRecord, b: ItemRecord): boolean {
  return a.queued_at < b.queued_at || (a.queued_at === b.queued_at && a.seq < b.seq);
}

function readyCompare(a: ItemRecord, b: ItemRecord): number {
  return readyBefore(a, b) ? -1 : readyBefore(b, a) ? 1 : 0;
}

/** Send order among backed-off items: next attempt, then age. */
function waitingCompare(a: ItemRecord, b: ItemRecord): number {
  const nextA = a.next_attempt_at!;
  const nextB = b.next_attempt_at!;
  if (nextA !== nextB) return nextA < nextB ? -1 : 1;
  return readyCompare(a, b);
}

/** The pending items of one priority. */
class Bucket {
  /** Never tried or retried without a backoff, oldest first. */
  readonly ordered = new Map<string, ItemRecord>();
  /** Ready items that arrived older than `ordered`'s newest (released or retried): merged in at due(). */
  readonly late = new Map<string, ItemRecord>();
  /** The newest item appended to `ordered` (it may have left since; then arrivals are only marked late too early). */
  newest: ItemRecord | null = null;
  /** Items with a next attempt time. */
  readonly waiting = new Map<string, ItemRecord>();

  fold(): void {
    const all = [...this.ordered.values(), ...this.late.values()].sort(readyCompare);
    this.ordered.clear();
    this.late.clear();
    for (const record of all) this.ordered.set(record.id, record);
    this.newest = all.length > 0 ? all[all.length - 1]! : null;
  }
}

/**
 * Pending items kept in send order (priority, next attempt, age), so due() costs about
 * O(limit) instead of a walk over 100k items on every sync cycle.
 */
export class PendingOrder {
  private readonly buckets = new Map<number, Bucket>(PRIORITIES.map((p) => [p, new Bucket()]));

  add(record: ItemRecord): void {
    const bucket = this.buckets.get(PRIORITY[record.type])!;
    if (record.next_attempt_at != null) {
      bucket.waiting.set(record.id, record);
    } else if (bucket.newest === null || readyBefore(bucket.newest, record)) {
      bucket.ordered.set(record.id, record);
      bucket.newest = record;
    } else {
      bucket.late.set(record.id, record);
    }
  }

  delete(record: ItemRecord): void {
    const bucket = this.buckets.get(PRIORITY[record.type])!;
    if (!bucket.ordered.delete(record.id) && !bucket.late.delete(record.id)) bucket.waiting.delete(record.id);
    if (bucket.ordered.size === 0 && bucket.late.size === 0) bucket.newest = null;
  }

  /** Re-sorts every bucket: after a bulk load that arrived in any order. */
  foldAll(): void {
    for (const bucket of this.buckets.values()) bucket.fold();
  }

  /** Up to `limit` pending items due at `nowIso`, in send order, that `accept` takes. */
  due(nowIso: string, limit: number, accept: (record: ItemRecord) => boolean): ItemRecord[] {
    const picked: ItemRecord[] = [];
    if (limit <= 0) return picked;
    const take = (record: ItemRecord): boolean => {
      if (accept(record)) picked.push(record);
      return picked.length >= limit;
    };
    for (const priority of PRIORITIES) {
      const bucket = this.buckets.get(priority)!;
      if (bucket.late.size > LATE_LIMIT) bucket.fold();
      const late = [...bucket.late.values()].sort(readyCompare);
      let lateIndex = 0;
      for (const record of bucket.ordered.values()) {
        while (lateIndex < late.length && readyBefore(late[lateIndex]!, record)) {
          if (take(late[lateIndex++]!)) return picked;
        }
        if (take(record)) return picked;
      }
      while (lateIndex < late.length) if (take(late[lateIndex++]!)) return picked;
      const dueWaiting = [...bucket.waiting.values()].filter((r) => r.next_attempt_at! <= nowIso).sort(waitingCompare);
      for (const record of dueWaiting) if (take(record)) return picked;
    }
    return picked;
  }
}
