/**
 * `npm start`: the monitor on a simulated 12-lead device, uploading to the reference backend
 * started alongside on a loopback port. The backend goes down for 15 s every minute (first
 * after 30 s), so the queue panel shows items piling up offline and draining afterwards.
 * Queue and recordings go to ./demo/; `q` quits and stops the backend.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { startBackend } from './backend/server.js';
import { loadConfig } from './config.js';
import { errorMessage } from './errors.js';
import { keepYoungGenerationSmall } from './heap.js';
import { log } from './log.js';
import { runRecord } from './session/run.js';
import type { Session } from './session/session.js';

const FIRST_OUTAGE_AFTER_MS = 30_000;
const OUTAGE_EVERY_MS = 60_000;
const OUTAGE_MS = 15_000;
/** Sync often so the drain after an outage is quick to watch. */
const DEMO_SYNC_INTERVAL_S = 3;

async function demo(): Promise<void> {
  keepYoungGenerationSmall();
  const demoDir = resolve('demo');
  const apiKey = randomBytes(16).toString('hex');
  const backend = await startBackend({ host: '127.0.0.1', port: 0, apiKey, dataDir: null });
  const config = loadConfig({
    flags: {
      uploadEnabled: true,
      apiUrl: backend.url,
      apiKey,
      queueDir: resolve(demoDir, 'queue'),
      syncIntervalS: DEMO_SYNC_INTERVAL_S,
    },
  });
  const timers: NodeJS.Timeout[] = [];
  let session: Session | null = null;
  const say = (text: string) => {
    log.info(`demo: ${text}`);
    if (session) {
      session.state.notice = `demo: ${text}`;
      session.state.revision += 1;
    }
  };
  const outage = async () => {
    await backend.setDown(true);
    say(`backend down for ${OUTAGE_MS / 1000} s: watch the queue fill`);
    timers.push(
      setTimeout(() => {
        void backend.setDown(false).then(() => say('backend back: watch the queue drain'));
      }, OUTAGE_MS),
    );
  };
  timers.push(
    setTimeout(() => {
      void outage();
      timers.push(setInterval(() => void outage(), OUTAGE_EVERY_MS));
    }, FIRST_OUTAGE_AFTER_MS),
  );
  try {
    await runRecord({
      port: null,
      simulate: 'synthetic',
      protocol: 'openbci',
      baudRate: null,
      rateHz: null,
      leads: null,
      mainsHz: 50,
      unitsPerMv: 200,
      filter: 'monitor',
      durationS: null,
      sessionId: null,
      patientId: 'DEMO-0001',
      operator: 'demo',
      outDir: resolve(demoDir, 'recordings'),
      tui: true,
      json: false,
      config,
      onSession: (running) => {
        session = running;
        say(`reference backend on ${backend.url}; first outage in ${FIRST_OUTAGE_AFTER_MS / 1000} s`);
      },
    });
  } finally {
    for (const timer of timers) clearTimeout(timer);
    await backend.close();
  }
  process.stdout.write(`demo data in ${demoDir} (queue: ecg-monitor queue stats --queue-dir ${resolve(demoDir, 'queue')})\n`);
}

demo().then(
  () => process.exit(0),
  (error: unknown) => {
    log.error('demo failed', error);
    process.stderr.write(`ecg-monitor demo: ${errorMessage(error)}\n`);
    process.exit(1);
  },
);
