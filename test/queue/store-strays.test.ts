import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PayloadFiles } from '../../src/queue/payload-file.js';
import { prepareItem, QueueStore } from '../../src/queue/store.js';
import { SyncLoop } from '../../src/queue/sync.js';
import { createUploader } from '../../src/queue/uploader.js';
import { startTestBackend } from '../helpers/backend.js';
import { removeTempDirs, tempQueueDir } from './store-helpers.js';

afterAll(removeTempDirs);

const HOUR_AGO_S = Date.now() / 1000 - 3600;

/** What an enqueue leaves on disk when the process dies after the payload's fsync and before its journal line. */
async function crashAfterPayloadWrite(dir: string, input: Parameters<typeof prepareItem>[0]): Promise<string> {
  const { envelope, body } = prepareItem(input);
  await new PayloadFiles(dir).write(envelope, body, true);
  return envelope.id;
}

function backdate(path: string): void {
  utimesSync(path, HOUR_AGO_S, HOUR_AGO_S);
}

describe('payload files without an index entry', () => {
  it('are adopted as pending items with their own ids; torn ones are removed once old', async () => {
    const dir = tempQueueDir();
    const store = await QueueStore.open(dir);
    const known = await store.enqueue({ type: 'metrics', sessionId: 's', payload: '{"known":true}' });
    const strayMetrics = await crashAfterPayloadWrite(dir, { type: 'metrics', sessionId: 's', payload: '{"hr":71}' });
    const strayReport = await crashAfterPayloadWrite(dir, {
      type: 'report', sessionId: 's', payload: Buffer.from('%PDF-1.4 stray'), contentType: 'application/pdf', metadata: { pages: 1 },
    });
    const payloads = join(dir, 'payloads');
    // Torn by a crash mid-write: an envelope cut short, and a PDF body whose envelope never came.
    writeFileSync(join(payloads, 'torn-old.json'), '{"format":1,"id":"torn-old","ty');
    backdate(join(payloads, 'torn-old.json'));
    writeFileSync(join(payloads, 'body-old.pdf'), '%PDF-1.4 half');
    backdate(join(payloads, 'body-old.pdf'));
    // As young as a write another process may still be making: left alone.
    writeFileSync(join(payloads, 'torn-new.json'), '{"format":1,');

    expect((await store.counts()).pending).toBe(1);
    expect(await store.adoptStrayPayloads()).toEqual({ adopted: 2, removedTorn: 2 });
    expect((await store.counts()).pending).toBe(3);
    expect(await store.get(strayMetrics)).toMatchObject({ state: 'pending', type: 'metrics', session_id: 's' });
    expect((await store.readPayload(strayMetrics)).toString()).toBe('{"hr":71}');
    expect(await store.payloadInfo(strayReport)).toEqual({ contentType: 'application/pdf', metadata: { pages: 1 } });
    expect((await store.readPayload(strayReport)).toString()).toBe('%PDF-1.4 stray');
    expect(await store.get(known.id)).toMatchObject({ state: 'pending' });
    expect(existsSync(join(payloads, 'torn-old.json'))).toBe(false);
    expect(existsSync(join(payloads, 'body-old.pdf'))).toBe(false);
    expect(existsSync(join(payloads, 'torn-new.json'))).toBe(true);

    // Idempotent, and durable: another process opening the queue sees the adopted items.
    expect(await store.adoptStrayPayloads()).toEqual({ adopted: 0, removedTorn: 0 });
    await store.close();
    const reopened = await QueueStore.open(dir);
    expect((await reopened.list({ state: 'pending' })).map((item) => item.id).sort()).toEqual(
      [known.id, strayMetrics, strayReport].sort(),
    );
    await reopened.close();
    expect(readdirSync(payloads).filter((name) => name.startsWith(strayMetrics))).toEqual([`${strayMetrics}.json`]);
  });

  it('reach the server exactly once through the first drain of a sync loop', async () => {
    const dir = tempQueueDir();
    const backend = await startTestBackend();
    const store = await QueueStore.open(dir);
    const uploader = createUploader({ apiUrl: backend.url, apiKey: null, requestTimeoutMs: 2000 });
    const loop = new SyncLoop(store, {
      uploadEnabled: true, apiUrl: backend.url, apiKey: null, caFile: null, syncIntervalS: 30, maxRetries: 5, syncBatchSize: 10,
    }, { uploader });
    try {
      const start = { session_id: 'S9', started_at: '2026-01-01T00:00:00Z', protocol: 'ascii', sample_rate_hz: 250, leads: ['II'] };
      const stray = await crashAfterPayloadWrite(dir, { type: 'session_start', sessionId: 'S9', payload: JSON.stringify(start) });
      const report = await loop.drain();
      expect(report).toMatchObject({ delivered: 1, failed: 0 });
      expect(backend.countsByKey().get(stray)).toBe(1);
      expect(await store.get(stray)).toMatchObject({ state: 'synced' });
      expect(await loop.drain()).toMatchObject({ attempted: 0 });
      expect(backend.received()).toHaveLength(1);
    } finally {
      await loop.stop();
      uploader.close();
      await store.close();
      await backend.close();
    }
  });
});
