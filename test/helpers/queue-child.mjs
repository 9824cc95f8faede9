// A recorder-like process for the kill -9 test: enqueues and syncs until killed (mode "work"),
// or drains everything and exits (mode "drain"). Imports the built code: run `npx tsc -p .` first.
import { QueueStore } from '../../dist/queue/store.js';
import { SyncLoop } from '../../dist/queue/sync.js';

const { QUEUE_DIR, API_URL, MODE } = process.env;
const settings = {
  uploadEnabled: true, apiUrl: API_URL, apiKey: null, caFile: null, syncIntervalS: 0.1, maxRetries: 1000, syncBatchSize: 10,
};
const store = await QueueStore.open(QUEUE_DIR, { lockStaleMs: 2000 });
const loop = new SyncLoop(store, settings, { backoffBaseMs: 20, backoffCapMs: 300, drainLockStaleMs: 2000 });
const say = (line) => process.stdout.write(`${line}\n`);

if (MODE === 'drain') {
  for (let pass = 0; pass < 200; pass += 1) {
    await loop.drain({ ignoreBackoff: true, waitForLock: true });
    const counts = await store.counts();
    if (counts.pending === 0 && counts.inflight === 0) {
      say(`DONE ${JSON.stringify(counts)}`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await loop.stop();
  await store.close();
} else {
  loop.start();
  say('READY');
  const stamp = `${process.pid}`;
  for (let index = 0; ; index += 1) {
    const sessionId = `${stamp}-${Math.floor(index / 8)}`;
    const item =
      index % 8 === 0
        ? await store.enqueue({
            type: 'session_start', sessionId,
            payload: JSON.stringify({ session_id: sessionId, started_at: new Date().toISOString(), protocol: 'ascii', sample_rate_hz: 250, leads: ['II'] }),
          })
        : await store.enqueue({ type: 'metrics', sessionId, payload: JSON.stringify({ t: index, heart_rate: 60 + (index % 40) }) });
    // Printed only once the enqueue is durable: every id seen here must reach the server.
    say(`E ${item.id}`);
    loop.kick();
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 15));
  }
}
