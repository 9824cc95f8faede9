import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBackend, type TestBackend } from '../helpers/backend.js';
import { dataDir, makeSessionFromRecord, pdfInfo, pdfText, tempDir, type SessionFixture } from '../report/helpers.js';

const BIN = resolve('bin/ecg-monitor.js');
const temp = tempDir('ecg-report-cli-');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: temp.path,
        env: { PATH: process.env.PATH ?? '', HOME: temp.path, ECG_LOG_FILE: join(temp.path, 'ecg.log'), ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) => done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** A bare HTTP server that records what each multipart report part was sent as. */
async function startPartRecorder(): Promise<{ url: string; parts: { fileType: string; fileName: string; metadata: unknown; pdfHead: string }[]; close: () => Promise<void> }> {
  const parts: { fileType: string; fileName: string; metadata: unknown; pdfHead: string }[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      if (request.method === 'POST' && /\/sessions\/[^/]+\/reports$/.test(request.url ?? '')) {
        const form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': request.headers['content-type'] ?? '' } }).formData();
        const file = form.get('file') as File;
        const metadata = form.get('metadata');
        parts.push({
          fileType: file.type,
          fileName: file.name,
          metadata: JSON.parse(typeof metadata === 'string' ? metadata : await (metadata as Blob).text()),
          pdfHead: Buffer.from(await file.arrayBuffer()).subarray(0, 5).toString('latin1'),
        });
        response.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v1`,
    parts,
    close: () => new Promise<void>((closed) => server.close(() => closed())),
  };
}

async function queueList(queueDir: string): Promise<{ type: string; priority: number; state: string; session_id: string }[]> {
  const run = await cli(['queue', 'list', '--json', '--queue-dir', queueDir]);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as { type: string; priority: number; state: string; session_id: string }[];
}

describe.skipIf(!dataDir)('ecg-monitor report (real binary)', () => {
  let session: SessionFixture;
  beforeAll(() => {
    session = makeSessionFromRecord('100', { seconds: 30, sessionId: 'cli-session', extra: { operator: 'CLI Tester' } });
  });
  afterAll(() => {
    session?.remove();
    temp.remove();
  });

  it('writes the PDF, prints its path and queues a report item (uploads off)', async () => {
    const queueDir = join(temp.path, 'queue-offline');
    const out = join(temp.path, 'offline.pdf');
    const run = await cli(['report', session.dir, '--out', out, '--queue-dir', queueDir]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(out);
    expect(pdfInfo(out).sizeName).toBe('A4');
    expect(pdfText(out)).toContain('CLI Tester');
    const items = await queueList(queueDir);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ type: 'report', priority: 2, state: 'pending', session_id: 'cli-session' });
  });

  it('--paper letter and --no-queue: a Letter PDF and nothing queued', async () => {
    const queueDir = join(temp.path, 'queue-none');
    const out = join(temp.path, 'letter.pdf');
    const run = await cli(['report', join(session.dir, 'cli-session.hea'), '--out', out, '--paper', 'letter', '--no-queue', '--queue-dir', queueDir]);
    expect(run.code).toBe(0);
    expect(pdfInfo(out).sizeName).toBe('letter');
    expect(existsSync(queueDir) ? await queueList(queueDir) : []).toHaveLength(0);
  });

  it('a missing source is one line on stderr and exit code 2', async () => {
    const run = await cli(['report', join(temp.path, 'no-such-session'), '--no-queue']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('no such session directory or WFDB record');
  });

  it('uploads the report to the reference backend as a multipart report', async () => {
    const backend: TestBackend = await startTestBackend({ persist: true });
    try {
      const queueDir = join(temp.path, 'queue-online');
      const out = join(temp.path, 'online.pdf');
      const run = await cli(['report', session.dir, '--out', out, '--queue-dir', queueDir], {
        BACKEND_UPLOAD_ENABLED: 'true',
        BACKEND_API_URL: backend.url,
        BACKEND_API_KEY: 'test-key',
      });
      expect(run.code).toBe(0);
      const reports = backend.received().filter((item) => item.type === 'report');
      expect(reports).toHaveLength(1);
      expect(reports[0]!.session_id).toBe('cli-session');
      expect(reports[0]!.file_bytes).toBe(readFileSync(out).byteLength);
      expect(reports[0]!.body).toMatchObject({ session_id: 'cli-session', paper: 'a4', sample_rate_hz: 360 });
      const stored = readFileSync(join(backend.dataDir!, 'reports', `${encodeURIComponent(reports[0]!.key)}.pdf`));
      expect(stored.equals(readFileSync(out))).toBe(true);
      const items = await queueList(queueDir);
      expect(items[0]).toMatchObject({ type: 'report', state: 'synced' });
    } finally {
      await backend.close();
    }
  });

  it('sends the file part as application/pdf with JSON metadata', async () => {
    const server = await startPartRecorder();
    try {
      const run = await cli(['report', session.dir, '--out', join(temp.path, 'parts.pdf'), '--queue-dir', join(temp.path, 'queue-parts')], {
        BACKEND_UPLOAD_ENABLED: 'true',
        BACKEND_API_URL: server.url,
        BACKEND_API_KEY: 'test-key',
      });
      expect(run.code).toBe(0);
      expect(server.parts).toHaveLength(1);
      expect(server.parts[0]!.fileType).toBe('application/pdf');
      expect(server.parts[0]!.pdfHead).toBe('%PDF-');
      expect(server.parts[0]!.metadata).toMatchObject({ session_id: 'cli-session', leads: ['MLII', 'V5'] });
    } finally {
      await server.close();
    }
  });
});
