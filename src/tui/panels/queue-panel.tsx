import { Box, Text } from 'ink';
import { memo } from 'react';
import type { QueueStats } from '../../queue/types.js';
import { UPLOAD_STATUS_TEXT, fit, formatAgo, formatBytes, formatIn, uploadStatus, type UploadStatus } from '../format.js';
import { Panel } from './frame.js';

export interface QueuePanelProps {
  width: number;
  height: number;
  queue: QueueStats | null;
  nowMs: number;
}

const STATUS_COLOR: Record<UploadStatus, string> = {
  disabled: 'gray',
  unauthorized: 'red',
  throttled: 'yellow',
  online: 'green',
  offline: 'yellow',
  unknown: 'gray',
};

/** Upload state, counts, timing and what is still waiting to go. */
export const QueuePanel = memo(function QueuePanel({ width, height, queue, nowMs }: QueuePanelProps) {
  const inner = width - 2;
  const status = uploadStatus(queue, nowMs);
  let statusText = UPLOAD_STATUS_TEXT[status];
  if (status === 'throttled' && queue?.throttled_until) statusText += ` ${formatIn(queue.throttled_until, nowMs)}`;
  return (
    <Panel title="Upload queue" width={width} height={height}>
      <Text color={STATUS_COLOR[status]} bold={status !== 'online'}>
        {fit(statusText, inner)}
      </Text>
      {queue === null ? null : (
        <>
          <Box flexDirection="row">
            <Text>{`pending ${queue.pending_count + queue.inflight_count}  synced ${queue.synced_count}  `}</Text>
            <Text color={queue.failed_count > 0 ? 'red' : undefined} bold={queue.failed_count > 0}>
              {`failed ${queue.failed_count}`}
            </Text>
          </Box>
          <Text>{fit(`waiting ${formatBytes(queue.bytes_pending)}`, inner)}</Text>
          <Text>{fit(`last sync ${formatAgo(queue.last_sync_at, nowMs)}  next ${formatIn(queue.next_attempt_at, nowMs)}`, inner)}</Text>
          {queue.disk_error === null ? (
            <Text color="gray">{fit(queue.queue_dir, inner)}</Text>
          ) : (
            <Text color="red" bold>
              {fit(`DISK: ${queue.disk_error} (${queue.memory_only_count} in memory)`, inner)}
            </Text>
          )}
        </>
      )}
    </Panel>
  );
});
