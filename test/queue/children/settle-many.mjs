// Plays a sync that settles deliveries in groups: takes due items a batch at a time (sizes 1..24),
// marks them inflight, then synced in one markSyncedMany. Prints "W <ids>" before each bulk settle
// and "S <ids>" once it resolved, so a parent that kills it knows which batches were confirmed.
// Usage: node settle-many.mjs <queueDir>
import { QueueStore } from '../../../dist/queue/store.js';

const [dir] = process.argv.slice(2);
const store = await QueueStore.open(dir, { syncedKeep: 1e9, ...JSON.parse(process.env.STORE_OPTIONS ?? '{}') });
process.stdout.write('ready\n');
for (let round = 0; ; round += 1) {
  const batch = await store.due(Date.now(), 1 + ((round * 7) % 24));
  if (batch.length === 0) break;
  const ids = batch.map((item) => item.id);
  await store.markInflight(ids);
  process.stdout.write(`W ${ids.join(',')}\n`);
  await store.markSyncedMany(ids);
  process.stdout.write(`S ${ids.join(',')}\n`);
}
await store.close();
process.stdout.write('done\n');
