// Enqueues items `<prefix>-<n>` and prints each id only after its enqueue resolved (durable).
// Usage: STORE_OPTIONS='{"lockStaleMs":2000}' node enqueue.mjs <queueDir> <count|forever> <prefix>
import { QueueStore } from '../../../dist/queue/store.js';

const [dir, countArg, prefix] = process.argv.slice(2);
const count = countArg === 'forever' ? Infinity : Number(countArg);
const store = await QueueStore.open(dir, { syncedKeep: 1e9, ...JSON.parse(process.env.STORE_OPTIONS ?? '{}') });
process.stdout.write('ready\n');
const types = ['metrics', 'waveform', 'session_end', 'metrics'];
for (let n = 0; n < count; n += 1) {
  const id = `${prefix}-${n}`;
  const body = JSON.stringify({ n, prefix, samples: Array.from({ length: 20 }, (_, k) => k * n) });
  await store.enqueue({ id, type: types[n % types.length], payload: body, sessionId: prefix });
  process.stdout.write(`${id}\n`);
}
await store.close();
process.stdout.write('done\n');
