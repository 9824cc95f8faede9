import type { Config } from '../config.js';
import type { QueueStore } from './store.js';
import type { QueueStats } from './types.js';

/** Everything in `queue stats --json` (CONTRACTS section 1) from the store and its shared status. */
export async function queueStats(store: QueueStore, config: Pick<Config, 'uploadEnabled'>): Promise<QueueStats> {
  const [counts, status] = await Promise.all([store.counts(), store.getStatus()]);
  return {
    is_online: config.uploadEnabled && status.is_online,
    total_queued: counts.totalQueued,
    total_synced: counts.totalSynced,
    total_failed: counts.totalFailed,
    pending_count: counts.pending,
    queue_dir: store.dir,
    inflight_count: counts.inflight,
    failed_count: counts.failed,
    synced_count: counts.synced,
    bytes_pending: counts.bytesPending,
    unauthorized: status.unauthorized,
    throttled_until: status.throttled_until,
    last_sync_at: status.last_sync_at,
    next_attempt_at: counts.nextAttemptAt ?? status.next_attempt_at,
    upload_enabled: config.uploadEnabled,
    disk_error: store.diskError(),
    memory_only_count: store.memoryOnlyCount(),
  };
}
