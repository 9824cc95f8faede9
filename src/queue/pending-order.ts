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

function isSorted(records: readonly ItemRecord[]): boolean {
  for (let index = 1; index < records.length; index += 1) {
    if (readyBefore(records[index]!, records[index - 1]!)) return false;
  }
  return true;
}

/** The pending items of one priority. */
class Bucket {
  /**
   * Ready items (never tried, or retried without a backoff), oldest first. An array rather than
   * a Map to keep 100k entries small: entries that left are skipped (see `isLive`) and swept out
   * once they are half of it.
   */
  ordered: ItemRecord[] = [];
  /** Entries before `head` are known to have left. */
  head = 0;
  /** Entries at or after `head` that have left (approximate: restored records may be counted twice). */
  left = 0;
  /** Ready items that arrived older than `ordered`'s newest (released or retried): merged in at due(). */
  readonly late = new Map<string, ItemRecord>();
  /** Items with a next attempt time. */
  readonly waiting = new Map<string, ItemRecord>();

  constructor(private readonly isLive: (record: ItemRecord) => boolean) {}

  newest(): ItemRecord | null {
    return this.ordered.length > this.head ? this.ordered[this.ordered.length - 1]! : null;
  }

  /** Sorts every live ready item into `ordered` (after a bulk load, or too many late arrivals). */
  fold(): void {
    if (this.late.size === 0 && this.head === 0 && this.left === 0) {
      // A bulk load in (nearly) send order: sort in place, without copies of 100k entries.
      if (!isSorted(this.ordered)) this.ordered.sort(readyCompare);
      return;
    }
    const seen = new Set<string>();
    const all: ItemRecord[] = [];
    for (const record of [...this.ordered.slice(this.head), ...this.late.values()]) {
      if (this.isLive(record) && !seen.has(record.id)) {
        seen.add(record.id);
        all.push(record);
      }
    }
    all.sort(readyCompare);
    this.ordered = all;
    this.head = 0;
    this.left = 0;
    this.late.clear();
  }
}

/**
 * Pending items kept in send order (priority, next attempt, age), so due() costs about
 * O(limit) instead of a walk over 100k items on every sync cycle. `isLive(record)` says whether
 * a record is still the current, pending version of its item (records are replaced, never
 * changed, so a stale entry is simply skipped).
 */
export class PendingOrder {
  private readonly buckets: Map<number, Bucket>;

  constructor(private readonly isLive: (record: ItemRecord) => boolean) {
    this.buckets = new Map(PRIORITIES.map((p) => [p, new Bucket(isLive)]));
  }

  add(record: ItemRecord): void {
    const bucket = this.buckets.get(PRIORITY[record.type])!;
    const newest = bucket.newest();
    if (record.next_attempt_at != null) bucket.waiting.set(record.id, record);
    else if (newest === null || readyBefore(newest, record)) bucket.ordered.push(record);
    else bucket.late.set(record.id, record);
  }

  delete(record: ItemRecord): void {
    const bucket = this.buckets.get(PRIORITY[record.type])!;
    if (bucket.late.delete(record.id) || bucket.waiting.delete(record.id)) return;
    bucket.left += 1;
    if (bucket.left > 1024 && bucket.left * 2 > bucket.ordered.length - bucket.head) bucket.fold();
  }

  /** Re-sorts every bucket: after a bulk load that arrived in any order. */
  foldAll(): void {
    for (const bucket of this.buckets.values()) bucket.fold();
  }

  /** Up to `limit` pending items due at `nowIso`, in send order, that `accept` takes. */
  due(nowIso: string, limit: number, accept: (record: ItemRecord) => boolean): ItemRecord[] {
    const picked: ItemRecord[] = [];
    if (limit <= 0) return picked;
    const offered = new Set<string>();
    const take = (record: ItemRecord): boolean => {
      if (!this.isLive(record) || offered.has(record.id)) return false;
      offered.add(record.id);
      if (accept(record)) picked.push(record);
      return picked.length >= limit;
    };
    for (const priority of PRIORITIES) {
      const bucket = this.buckets.get(priority)!;
      if (bucket.late.size > LATE_LIMIT) bucket.fold();
      // Entries at the front that left (sent) are dropped for good.
      while (bucket.head < bucket.ordered.length && !this.isLive(bucket.ordered[bucket.head]!)) {
        bucket.head += 1;
        bucket.left = Math.max(0, bucket.left - 1);
      }
      const late = [...bucket.late.values()].sort(readyCompare);
      let lateIndex = 0;
      for (let index = bucket.head; index < bucket.ordered.length; index += 1) {
        const record = bucket.ordered[index]!;
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
