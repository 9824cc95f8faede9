// Plays the sync side against a store others are filling: marks due items inflight, then
// synced / failed / rescheduled, and runs retryFailed; prints every effect as a JSON line.
// Usage: node ops.mjs <queueDir> <rounds>
import { QueueStore } from '../../../dist/queue/store.js';

const [dir, roundsArg] = process.argv.slice(2);
const store = await QueueStore.open(dir, { syncedKeep: 1e9, ...JSON.parse(process.env.STORE_OPTIONS ?? '{}') });
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
for (let round = 0; round < Number(roundsArg); round += 1) {
  const due = await store.due(Date.now(), 3);
  await store.markInflight(due.map((item) => item.id));
  const [toSync, toFail, toReschedule] = due;
  if (toSync) {
    await store.markSynced(toSync.id);
    say({ synced: toSync.id });
  }
  if (toFail) {
    await store.markFailed(toFail.id, 'HTTP 422: rejected');
    say({ failed: toFail.id });
  }
  if (toReschedule) {
    await store.reschedule(toReschedule.id, { error: 'HTTP 503', nextAttemptAt: null, countAttempt: true });
    say({ rescheduled: toReschedule.id });
  }
  if (round % 4 === 3) say({ retried: await store.retryFailed() });
  await new Promise((resolve) => setTimeout(resolve, 2));
}
say({ retried: await store.retryFailed() });
await store.close();
say({ done: true });
