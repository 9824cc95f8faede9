/** What the queue carries (CONTRACTS section 3). `queue/` knows nothing else about ECG. */
export type ItemType = 'session_start' | 'report' | 'session_end' | 'waveform' | 'metrics';

export const ITEM_TYPES: readonly ItemType[] = ['session_start', 'report', 'session_end', 'waveform', 'metrics'];

/** Lower is sent first. */
export const PRIORITY: Readonly<Record<ItemType, number>> = {
  session_start: 1,
  report: 2,
  session_end: 3,
  waveform: 5,
  metrics: 7,
};

export type ItemState = 'pending' | 'inflight' | 'synced' | 'failed';

/** One queued upload, as `queue list --json` prints it (plus scheduling fields). */
export interface QueueItem {
  /** Unique id; also the `Idempotency-Key` on every attempt. */
  id: string;
  type: ItemType;
  priority: number;
  state: ItemState;
  /** ISO-8601 time of the durable enqueue. */
  queued_at: string;
  retry_count: number;
  last_error: string | null;
  session_id: string | null;
  /** Payload size on disk. */
  bytes: number;
  /** ISO-8601 time before which the item is not retried; null = now. */
  next_attempt_at: string | null;
  synced_at: string | null;
}

/** `queue stats --json` (CONTRACTS section 1) and what the TUI's queue panel shows. */
export interface QueueStats {
  is_online: boolean;
  total_queued: number;
  total_synced: number;
  total_failed: number;
  pending_count: number;
  queue_dir: string;
  inflight_count: number;
  failed_count: number;
  synced_count: number;
  /** Payload bytes not yet delivered. */
  bytes_pending: number;
  /** Uploading is paused because the server refused the key (401/403). */
  unauthorized: boolean;
  /** ISO time until which the server asked us to wait (Retry-After), or null. */
  throttled_until: string | null;
  last_sync_at: string | null;
  next_attempt_at: string | null;
  upload_enabled: boolean;
  /** Set while the disk refuses writes and items are held in memory. */
  disk_error: string | null;
  memory_only_count: number;
}
