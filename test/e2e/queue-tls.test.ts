import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBackend, type TestBackend } from '../helpers/backend.js';
import { runCli } from '../helpers/queue-cli.js';

/** A self-signed certificate for 127.0.0.1, made with the openssl command; null without it. */
function makeCertificate(dir: string): { keyFile: string; certFile: string } | null {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    return { keyFile, certFile };
  } catch {
    return null;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'ecg-queue-tls-'));
const certificate = makeCertificate(dir);
if (!certificate) console.log('queue-tls: the openssl command is missing; skipping the HTTPS upload tests');

const START = { session_id: 'S1', started_at: '2026-01-01T00:00:00Z', protocol: 'ascii', sample_rate_hz: 250, leads: ['II'] };

describe.skipIf(!certificate)('uploads over HTTPS to a backend with its own certificate authority', () => {
  let backend: TestBackend;
  let proxy: Server;
  let httpsUrl: string;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    backend = await startTestBackend();
    // TLS in front of the reference backend, as a hospital's reverse proxy would put it.
    proxy = createServer({ key: readFileSync(certificate!.keyFile), cert: readFileSync(certificate!.certFile) }, (tls) => {
      const plain = connect(backend.port, '127.0.0.1');
      for (const socket of [tls, plain]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      tls.pipe(plain).pipe(tls);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const { port } = proxy.address() as { port: number };
    httpsUrl = `https://127.0.0.1:${port}/api/v1`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => proxy?.close(resolve));
    await backend?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Queues one session start in a fresh queue and runs `queue sync --json` with `trust` added to the environment. */
  async function pushAndSync(name: string, trust: Record<string, string>) {
    const env = {
      ECG_QUEUE_DIR: join(dir, name), BACKEND_UPLOAD_ENABLED: 'true', BACKEND_API_URL: httpsUrl, ECG_LOG_FILE: join(dir, `${name}.log`),
      NODE_EXTRA_CA_CERTS: '', ...trust,
    };
    const start = join(dir, 'start.json');
    writeFileSync(start, JSON.stringify({ ...START, session_id: name }));
    expect((await runCli(['queue', 'push', '--type', 'session_start', '--file', start], { cwd: dir, env, installed: true })).code).toBe(0);
    const sync = await runCli(['queue', 'sync', '--json'], { cwd: dir, env, installed: true });
    return { ...sync, report: JSON.parse(sync.stdout) as { delivered: number; pending_count: number } };
  }

  const sessionsReceived = (id: string) => backend.received().filter((item) => item.session_id === id).length;

  // NODE_EXTRA_CA_CERTS reaches the uploader only because the launcher puts it back after startup.
  it.each(['NODE_EXTRA_CA_CERTS', 'BACKEND_CA_FILE'])('trusts the certificate authority in %s', async (variable) => {
    const name = variable.toLowerCase();
    const { code, report } = await pushAndSync(name, { [variable]: certificate!.certFile });
    expect(code).toBe(0);
    expect(report).toMatchObject({ delivered: 1, pending_count: 0 });
    expect(sessionsReceived(name)).toBe(1);
  });

  it('keeps NODE_EXTRA_CA_CERTS out of Node startup when run as installed', async () => {
    // Node reads the file at startup and warns when it cannot; the launcher defers it to the uploader.
    const env = { NODE_EXTRA_CA_CERTS: join(dir, 'no-such-file.pem') };
    const direct = await runCli(['--version'], { cwd: dir, env });
    expect(direct.stderr).toMatch(/extra certs/i);
    const installed = await runCli(['--version'], { cwd: dir, env, installed: true });
    expect(installed).toMatchObject({ code: 0, stderr: '' });
  });

  it('refuses the unknown certificate without either, and keeps the item', async () => {
    const { code, report, stderr } = await pushAndSync('untrusted', {});
    expect(code).toBe(1);
    expect(report).toMatchObject({ delivered: 0, pending_count: 1 });
    expect(sessionsReceived('untrusted')).toBe(0);
    expect(stderr).toMatch(/backend not reachable at https:\/\/127\.0\.0\.1:\d+\/api\/v1\/health \(self[- ]signed certificate\); 1 items stay queued/);
  });
});
