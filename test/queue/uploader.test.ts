import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createUploader, type Upload, type Uploader } from '../../src/queue/uploader.js';
import type { ItemType, QueueItem } from '../../src/queue/types.js';
import { PRIORITY } from '../../src/queue/types.js';
import { USER_AGENT } from '../../src/version.js';
import { startTestBackend, type TestBackend } from '../helpers/backend.js';

const KEY = 'test-key-123';
const PDF = Buffer.from('%PDF-1.4\n% a tiny test document\n%%EOF\n');

function upload(type: ItemType, body: unknown, id = `item-${type}`, sessionId: string | null = 'S1'): Upload {
  const item: QueueItem = {
    id, type, priority: PRIORITY[type], state: 'inflight', queued_at: new Date().toISOString(), retry_count: 0,
    last_error: null, session_id: sessionId, bytes: 0, next_attempt_at: null, synced_at: null,
  };
  if (type === 'report') return { item, payload: PDF, contentType: 'application/pdf', metadata: body as Record<string, unknown> };
  return { item, payload: Buffer.from(JSON.stringify(body)), contentType: 'application/json', metadata: null };
}

const START = {
  session_id: 'S1', device_serial: 'SIM-1', started_at: '2026-01-01T00:00:00Z', protocol: 'ascii', sample_rate_hz: 250, leads: ['II'],
};
const WAVEFORM = { start_sample: 0, started_at: '2026-01-01T00:00:00Z', sample_rate_hz: 250, units: 'uV', leads: { II: [1, -2, 3] } };

let backend: TestBackend | null = null;
let uploader: Uploader | null = null;
afterEach(async () => {
  uploader?.close();
  await backend?.close();
  backend = uploader = null;
});

describe('uploader', () => {
  it('sends the contract headers, gzip for waveforms and multipart for reports', async () => {
    backend = await startTestBackend({ apiKey: KEY });
    uploader = createUploader({ apiUrl: backend.url, apiKey: KEY });
    expect(await uploader.probe()).toMatchObject({ kind: 'http', status: 200 });
    expect(await uploader.send(upload('session_start', START, 'k1', 'S1'))).toMatchObject({ status: 201 });
    expect(await uploader.send(upload('waveform', WAVEFORM, 'k2'))).toMatchObject({ status: 201 });
    expect(await uploader.send(upload('report', { paper: 'a4' }, 'k3'))).toMatchObject({ status: 201 });
    // The same key again is a duplicate the server already has.
    expect(await uploader.send(upload('waveform', WAVEFORM, 'k2'))).toMatchObject({ status: 200 });
    const [start, waveform, report] = backend.received();
    expect(start).toMatchObject({ key: 'k1', type: 'session_start', session_id: 'S1', user_agent: USER_AGENT, body: START });
    expect(waveform).toMatchObject({ key: 'k2', type: 'waveform', content_encoding: 'gzip', body: WAVEFORM });
    expect(report).toMatchObject({ key: 'k3', type: 'report', body: { paper: 'a4' }, file_bytes: PDF.length });
    expect(backend.received()).toHaveLength(3);
  });

  it('gets 401 with a wrong key, and the key never shows in an error text', async () => {
    backend = await startTestBackend({ apiKey: KEY });
    uploader = createUploader({ apiUrl: backend.url, apiKey: 'wrong-secret' });
    const outcome = await uploader.send(upload('session_start', START));
    expect(outcome).toMatchObject({ kind: 'http', status: 401 });
    expect(JSON.stringify(outcome)).not.toContain('wrong-secret');
  });

  it('reports a bad body as the server 422 message', async () => {
    backend = await startTestBackend();
    uploader = createUploader({ apiUrl: backend.url, apiKey: null });
    const outcome = await uploader.send(upload('metrics', { t: 'soon' }));
    expect(outcome).toMatchObject({ kind: 'http', status: 422 });
    expect(outcome.kind === 'http' && outcome.body).toContain('invalid metrics body: t');
  });

  it('refuses an item without a session id for a session route', async () => {
    uploader = createUploader({ apiUrl: 'http://127.0.0.1:9/api/v1', apiKey: null });
    expect(await uploader.send(upload('metrics', { t: 1 }, 'x', null))).toMatchObject({ kind: 'invalid' });
  });

  it('turns refused connections, resets and timeouts into network outcomes instead of hanging', async () => {
    backend = await startTestBackend();
    uploader = createUploader({ apiUrl: backend.url, apiKey: null, requestTimeoutMs: 300 });
    backend.script({ reset: 'before' }, { delayMs: 2000 });
    expect(await uploader.send(upload('session_start', START, 'r1'))).toMatchObject({ kind: 'network' });
    expect(await uploader.send(upload('session_start', START, 'r2'))).toMatchObject({ kind: 'network', code: 'ETIMEDOUT' });
    await backend.setDown(true);
    expect(await uploader.probe()).toMatchObject({ kind: 'network', code: 'ECONNREFUSED' });
    await backend.setDown(false);
    expect(await uploader.probe()).toMatchObject({ kind: 'http', status: 200 });
  });

  it('passes Retry-After through', async () => {
    backend = await startTestBackend();
    uploader = createUploader({ apiUrl: backend.url, apiKey: null });
    backend.script({ status: 429, retryAfter: '12' });
    expect(await uploader.send(upload('session_start', START))).toMatchObject({ status: 429, retryAfter: '12' });
  });

  it('never follows a redirect or retries on its own', async () => {
    let hits = 0;
    const server = createServer((_request, response) => {
      hits += 1;
      response.writeHead(503).end('busy');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      uploader = createUploader({ apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, apiKey: null });
      expect(await uploader.send(upload('session_start', START))).toMatchObject({ status: 503, body: 'busy' });
      expect(hits).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('sends a report as a PDF file part and its metadata as a plain JSON text field', async () => {
    let raw = '';
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        raw = Buffer.concat(chunks).toString('latin1');
        response.writeHead(201).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      uploader = createUploader({ apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, apiKey: null });
      expect(await uploader.send(upload('report', { session_id: 'S1', filename: 'r.pdf' }))).toMatchObject({ status: 201 });
      const parts = raw.split(/\r\n--[^\r\n]+/).map((part) => part.replace(/^(--[^\r\n]+)?\r\n/, ''));
      const file = parts.find((part) => part.includes('name="file"'))!;
      expect(file).toMatch(/filename="report\.pdf"/);
      expect(file).toMatch(/content-type: application\/pdf/i);
      // A text field, not a file: frameworks that read form fields as strings find it there.
      const metadata = parts.find((part) => part.includes('name="metadata"'))!;
      expect(metadata).not.toMatch(/filename=/);
      expect(JSON.parse(metadata.split('\r\n\r\n')[1]!)).toEqual({ session_id: 'S1', filename: 'r.pdf' });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
